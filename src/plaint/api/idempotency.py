"""`Idempotency-Key` on POST and PATCH, with Stripe's semantics.

The first request with a key claims it (a row with a unique (token, key) constraint, so
two concurrent first requests cannot both run: the loser is told the key is in use). Its
response is stored and every retry with the same key gets that response again, marked
`Idempotent-Replayed: true`. The same key with a different request (method, path, query,
If-Match or body) is a 422. A request that failed on our side (5xx), or was answered
"not now" (409 in use, 412, 428, 429), releases the key so that it may be retried.
Keys are kept `KEEP` (24 hours); after that a key may be used afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from . import problems
from .models import ApiToken, IdempotentRequest

KEEP = timedelta(hours=24)
MAX_KEY = 255
_REPLAYED_HEADERS = ("ETag", "Location", "Content-Disposition")
# Answers that say "not now" rather than answering the request: the key is released, so
# the same request may be retried with it (a stale If-Match, a missing one, too many).
_RELEASED = {409, 412, 428, 429}


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path, query, If-Match and body. A multipart
    body is read as its fields and its files' contents (its boundary is random)."""
    digest = hashlib.sha256()
    parts = (
        request.method or "",
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.headers.get("If-Match", ""),
    )
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    if (request.content_type or "").startswith("multipart/"):
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"field:{name}={value}".encode("utf-8", "surrogateescape") + b"\0")
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"file:{name}:{upload.name}:".encode("utf-8", "surrogateescape"))
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                digest.update(b"\0")
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(kept: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(kept.body), status=kept.status or 200, content_type=kept.content_type
    )
    for name, value in kept.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(token: ApiToken, key: str, print_: str, now: datetime) -> IdempotentRequest | None:
    """Claim the key for this request; None if it is now ours, else the row holding it."""
    for _ in range(2):
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    token=token, key=key, fingerprint=print_, created_at=now
                )
            return None
        except IntegrityError:
            kept = IdempotentRequest.objects.filter(token=token, key=key).first()
            if kept is None:  # released between our insert and our read: try again
                continue
            if kept.created_at <= now - KEEP:  # expired: forget it and claim it afresh
                IdempotentRequest.objects.filter(pk=kept.pk, created_at=kept.created_at).delete()
                continue
            return kept
    raise problems.Problem(409, "This Idempotency-Key is in use; retry in a moment.")


def idempotent(
    request: HttpRequest,
    *,
    token: ApiToken,
    key: str,
    now: datetime,
    handle: Callable[[HttpRequest], HttpResponse],
) -> HttpResponse:
    """Run `handle` once for `key`, or replay what it answered the first time."""
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise problems.Problem(
            400,
            f"Idempotency-Key must be 1 to {MAX_KEY} printable characters.",
            type_=problems.IDEMPOTENCY,
        )
    print_ = fingerprint(request)
    kept = _claim(token, key, print_, now)
    if kept is not None:
        if kept.fingerprint != print_:
            raise problems.Problem(
                422,
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request.",
                type_=problems.IDEMPOTENCY,
            )
        if kept.status is None:
            raise problems.Problem(
                409,
                "A request with this Idempotency-Key is still being handled; retry in a moment.",
                type_=problems.IDEMPOTENCY,
            )
        return _replay(kept)
    try:
        response = handle(request)
    except BaseException:
        IdempotentRequest.objects.filter(token=token, key=key).delete()
        raise
    if response.status_code in _RELEASED or response.status_code >= 500 or response.streaming:
        IdempotentRequest.objects.filter(token=token, key=key).delete()
        return response
    IdempotentRequest.objects.filter(token=token, key=key).update(
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        headers={h: response[h] for h in _REPLAYED_HEADERS if response.has_header(h)},
        body=response.content,
    )
    return response


def idempotency_purge(*, now: datetime) -> int:
    """Forget the keys older than `KEEP`. Returns how many."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lte=now - KEEP).delete()
    return deleted
