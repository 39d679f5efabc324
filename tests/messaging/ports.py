"""A free TCP port on loopback, for the servers the mail tests start."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:  # aiosmtpd cannot start on port 0
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
