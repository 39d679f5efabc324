"""The address a request came from, as the sign-in throttle counts it.

Without a reverse proxy that is the connection's address (`REMOTE_ADDR`). Behind
`PLAINT_TRUSTED_PROXIES` proxies, each appending the address it received the request from
to `X-Forwarded-For`, the client is the entry that many places from the right: entries
further left were written by the client and prove nothing. An entry that is not an IP
address, or a header shorter than the proxies, falls back to `REMOTE_ADDR`.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "PLAINT_TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote
