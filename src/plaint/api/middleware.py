"""What every request under /api/v1/ goes through before and after its endpoint: the token
(401 if missing, unknown, revoked or expired), the rate limit (429 + Retry-After, the
RateLimit headers on every answer), the Idempotency-Key of POST and PATCH, and the
promise that every error is problem+json (a 404 for an unknown address, a 405 for an
unknown method, and whatever Django answered on its own are rewritten as problems).

The token is never logged and never echoed: only its prefix appears in messages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import idempotency, problems, ratelimit, tokens

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
# Served without a token: the schema and its interactive docs hold no data.
PUBLIC = ("/api/v1/openapi.json", "/api/v1/docs")


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            response = self._handle(request)
        except problems.Problem as problem:
            response = problems.from_problem(problem, instance=request.path)
        except RequestDataTooBig:
            response = problems.problem_for_status(413, instance=request.path)
        state = getattr(request, "api_rate", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        response.setdefault("Cache-Control", "no-store")
        return self._as_problem(request, response)

    def _handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PUBLIC):
            return self.get_response(request)
        now = timezone.now()
        secret = _bearer(request)
        if not secret and request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            # The desk's own call: the session and its CSRF check are the endpoint's
            # auth (`access.DeskSession`), after the session middleware has run.
            return self.get_response(request)
        if not secret:
            raise problems.Problem(
                401, problems.DEFAULT_DETAIL[401], headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            token = tokens.token_authenticate(secret=secret, now=now)
        except tokens.TokenRefused as exc:
            raise problems.Problem(
                401, exc.message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from None
        request.api_token = token  # type: ignore[attr-defined]
        state = ratelimit.rate_take(token=token, now=now)
        request.api_rate = state  # type: ignore[attr-defined]
        if state.exceeded:
            raise problems.Problem(
                429,
                f"This token made more than {state.limit} requests in {state.window} seconds; "
                f"retry after {state.reset} seconds.",
                type_=problems.RATE_LIMITED,
                headers={"Retry-After": str(max(state.reset, 1))},
            )
        if request.method in ("POST", "PATCH", "PUT") and not (
            request.content_type or ""
        ).startswith("multipart/"):
            request.body  # noqa: B018 (read now: a body over the limit is a 413, here)
        key = request.headers.get("Idempotency-Key")
        if key is not None and request.method in ("POST", "PATCH"):
            return idempotency.idempotent(
                request, token=token, key=key.strip(), now=now, handle=self.get_response
            )
        return self.get_response(request)

    @staticmethod
    def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Errors answered by Django or ninja themselves (an unknown address, a method not
        allowed) rewritten as problem+json, keeping their status and headers."""
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            problems.CONTENT_TYPE
        ):
            return response
        rewritten = problems.problem_for_status(response.status_code, instance=request.path)
        for name in ("Allow", "Retry-After", "WWW-Authenticate", "RateLimit", "RateLimit-Policy"):
            if response.has_header(name):
                rewritten[name] = response[name]
        rewritten["Cache-Control"] = "no-store"
        return rewritten
