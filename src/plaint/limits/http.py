"""Rate limits on the pages anyone may post to (the portal, the consumer pages, the
sign-in pages): who the client is, and the HTTP 429 answer with `Retry-After`.

The client is its address: `REMOTE_ADDR`, or, when `PLAINT_TRUSTED_PROXIES` says how many
proxies of ours stand in front of Plaint, the address the outermost of them saw (the
N-th entry of `X-Forwarded-For` from the right; the entries to its left are whatever the
client sent, and are never believed). Counters are keyed by a keyed hash of it, so no
address is stored in clear."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from plaint.config import appsettings
from plaint.config.client_address import client_address as shared_client_address

from .services import LimitExceeded, limit_take

View = Callable[..., HttpResponseBase]


def client_address(request: HttpRequest) -> str:
    """The client's IP address, trusting `X-Forwarded-For` only as far as
    `PLAINT_TRUSTED_PROXIES` says (0, the default: not at all): the same address the
    sign-in throttle and the access log use (`plaint.config.client_address`)."""
    return shared_client_address(request) or ""


def client_key(address: str) -> str:
    """A keyed hash of a client address: enough to count, not to recover it."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def too_many(
    request: HttpRequest, *, template: str, retry_after: int, context: dict[str, Any] | None = None
) -> HttpResponse:
    """The 429 page in the site's own style, with `Retry-After` in seconds."""
    seconds = max(1, retry_after)
    page = {
        "retry_minutes": max(1, -(-seconds // 60)),
        "retry_at": timezone.now() + timedelta(seconds=seconds),
        **(context or {}),
    }
    response = render(request, template, page, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limited(
    scope: str,
    *,
    template: str,
    limit: Callable[[], int] = lambda: appsettings.APP.public_rate_limit,
    context: Callable[[HttpRequest, dict[str, Any]], dict[str, Any]] | None = None,
) -> Callable[[View], View]:
    """Count each POST to the view against `limit()` per `PLAINT_PUBLIC_RATE_WINDOW_MINUTES`
    for the client's address, under `scope`; past it, answer 429 with `template`. Other
    methods pass uncounted. Views sharing a scope share the count."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                window = appsettings.APP.public_rate_window_minutes * 60
                state = limit_take(
                    scope=scope,
                    key=client_key(client_address(request)),
                    limit=limit(),
                    window=window,
                    now=timezone.now(),
                )
                if not state.allowed:
                    extra = context(request, kwargs) if context else {}
                    return too_many(
                        request, template=template, retry_after=state.retry_after, context=extra
                    )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def refused_page(
    request: HttpRequest, exc: LimitExceeded, *, template: str, context: dict[str, Any]
) -> HttpResponse:
    """The 429 page for a limit a service enforced (`LimitExceeded`), with its message."""
    return too_many(
        request,
        template=template,
        retry_after=exc.retry_after,
        context={"message": exc.message, **context},
    )
