"""A real IMAP server for the tests: Debian's Dovecot, started on a free loopback port
with a throwaway configuration, one user and a Maildir in a temporary folder, and
stopped afterwards. Needs the `dovecot-imapd` package (scripts/system-deps.sh) and root
(Dovecot drops to its own users); without them the tests skip loudly, except on CI."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.messaging.ports import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str
    password: str


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"IMAP tests cannot run on CI: {reason}")
    pytest.skip(f"IMAP TESTS SKIPPED: {reason}")


class DovecotUnavailable(Exception):
    pass


@contextmanager
def dovecot_running() -> Iterator[tuple[Imap, Path]]:
    """Start Dovecot on a free loopback port; yields the account and the user's Maildir
    (so a caller may fill it directly). Raises DovecotUnavailable when it cannot run."""
    if not Path(DOVECOT).exists():
        raise DovecotUnavailable("Dovecot is not installed (apt-get install dovecot-imapd)")
    if os.geteuid() != 0:
        raise DovecotUnavailable("Dovecot needs to start as root to drop to its own users")
    try:
        owner = pwd.getpwnam("dovecot")
    except KeyError:
        raise DovecotUnavailable("the 'dovecot' system user is missing") from None
    root = Path(tempfile.mkdtemp(prefix="plaint-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    for sub in ("mail", "home"):
        os.chown(root / sub, owner.pw_uid, owner.pw_gid)
    (root / "users").write_text("plaint:{PLAIN}secret-imap\n")
    conf = root / "dovecot.conf"
    conf.write_text(CONFIG.format(root=root, uid=owner.pw_uid, gid=owner.pw_gid, port=port))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                out = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"Dovecot did not start: {out} {log}")
            time.sleep(0.1)
        yield Imap("127.0.0.1", port, "plaint", "secret-imap"), root / "mail" / "plaint"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Imap]:
    try:
        with dovecot_running() as (imap, _maildir):
            yield imap
    except DovecotUnavailable as exc:
        _unavailable(str(exc))
    except RuntimeError as exc:
        pytest.fail(str(exc))
