"""How a webhook leaves: signed per the Standard Webhooks spec and POSTed to an address
that is checked first.

* **Signature** (Standard Webhooks 1.0): the secret is ``whsec_`` + base64 of random
  bytes; ``webhook-signature`` is ``v1,`` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))
  where `timestamp` is ``webhook-timestamp``, whole seconds since the epoch at the attempt.
  The ``webhook-id`` is the message's and stays the same on every redelivery.
* **Address guard**: a webhook goes only to a public address. The host is resolved and
  every address it resolves to must be global (no loopback, private, link-local, such as
  169.254.169.254, multicast or reserved); the connection then goes to the address that was
  checked, so a second lookup cannot swap it (DNS rebinding). Redirects are not followed.
  `PLAINT_WEBHOOK_ALLOW_PRIVATE = True` lifts the guard (tests and closed networks).

The outbox calls `WebhookTransport.session().send(...)`; each attempt is written to the
endpoint's delivery log here, whatever its outcome."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from plaint.outbox.transports import Accepted, Permanent, Transient

from .models import WebhookAttempt, WebhookMessage

SECRET_PREFIX = "whsec_"  # noqa: S105 (the spec's prefix, not a secret)
USER_AGENT = "Plaint-Webhooks/1"


class AddressRefused(Exception):
    """The URL may not receive webhooks; the message says why."""


def secret_make() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one attempt."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _allow_private() -> bool:
    return bool(getattr(settings, "PLAINT_WEBHOOK_ALLOW_PRIVATE", False))


def _refused_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def address_check(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, the address to connect to) for `url`, or AddressRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused("must start with https:// (or http://)")
    if parts.username or parts.password:
        raise AddressRefused("must not carry a user name or password")
    host = parts.hostname or ""
    if not host:
        raise AddressRefused("has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused("has an invalid port") from None
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(f"names a host that could not be found ({host})") from None
    addresses = [str(info[4][0]) for info in found]
    if not _allow_private():
        for address in addresses:
            if _refused_ip(ipaddress.ip_address(address.split("%")[0])):
                raise AddressRefused(
                    f"resolves to {address}, a private, loopback or reserved address; "
                    "webhooks go only to public addresses"
                )
    return parts.scheme, host, port, addresses[0]


def _timeout() -> float:
    return float(getattr(settings, "PLAINT_WEBHOOK_TIMEOUT", 10))


def post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """POST `body` to `url` at the checked address; (status, the start of the answer)."""
    scheme, host, port, address = address_check(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=_timeout())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=_timeout())

    def pinned(_addr: Any, *args: Any, **kwargs: Any) -> socket.socket:
        return socket.create_connection((address, port), *args, **kwargs)

    conn._create_connection = pinned  # type: ignore[attr-defined]
    try:
        conn.request("POST", target, body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read(2000)
    finally:
        conn.close()


def attempt(message: WebhookMessage) -> Accepted:
    """One signed POST of `message`, logged; Accepted on a 2xx, else Transient (every
    failure is retried), Permanent if the endpoint is disabled or its address refused."""
    endpoint = message.endpoint
    if endpoint.disabled_at is not None:
        raise Permanent(f"the endpoint is disabled ({endpoint.disabled_reason})")
    body = bytes(message.body)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(endpoint.secret, message.msg_id, timestamp, body),
    }
    started = time.monotonic()
    code: int | None = None
    error = ""
    refused = False
    try:
        code, _ = post(endpoint.url, headers, body)
    except AddressRefused as exc:
        error, refused = f"address refused: the URL {exc}", True
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__
    ok = code is not None and 200 <= code < 300
    if code is not None and not ok:
        error = f"the receiver answered {code}"
    WebhookAttempt.objects.create(
        message=message,
        endpoint=endpoint,
        at=timezone.now(),
        ok=ok,
        response_code=code,
        error=error[:300],
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if ok:
        return Accepted(reply=f"HTTP {code}")
    if refused:
        raise Permanent(error)
    raise Transient(error)


class _Session:
    def send(self, *, sender: str, recipients: list[str], payload: bytes) -> Accepted:
        envelope = json.loads(payload)
        message = WebhookMessage.objects.select_related("endpoint").get(pk=envelope["message"])
        return attempt(message)


class WebhookTransport:
    @contextmanager
    def session(self) -> Iterator[_Session]:
        yield _Session()
