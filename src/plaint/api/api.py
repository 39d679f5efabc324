"""The API object: django-ninja under /api/v1/, its error handlers (every error is RFC
9457 problem+json) and its OpenAPI 3.1 schema, served at /api/v1/openapi.json with the
Swagger UI shipped inside django-ninja (its static files, no CDN) at /api/v1/docs."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from plaint.domain.errors import DomainError

from . import problems
from .access import DeskSession, TokenAuth
from .endpoints import router
from .message_endpoints import router as message_router
from .webhook_endpoints import router as webhook_router

log = logging.getLogger(__name__)

DESCRIPTION = """Plaint's complaints desk over HTTP: the same services the desk calls.

* **Auth**: `Authorization: Bearer plt_...` (an API token, made by an admin in the desk or
  with `plaint token create`). Each token has scopes (`read`, `write`, `letters`, `admin`)
  and never does more than its owner may do in the desk.
  The desk's own pages may call the API with the signed-in member's session cookie
  instead (unsafe methods need the CSRF token in `X-CSRFToken`).
* **Errors**: RFC 9457 `application/problem+json`; a service's per-field messages are in
  `errors[]`.
* **Retries**: send `Idempotency-Key` with any POST or PATCH; the first response is kept
  24 hours and replayed to every retry with the same key and body.
* **Concurrency**: case changes take `If-Match: <ETag>`; a stale one is a 412, a missing
  one (where required) a 428.
* **Lists**: `limit` and an opaque `cursor`; follow `next` until it is null.
* **Rate limits**: per token, announced in `RateLimit-Policy` and `RateLimit`; over the
  limit, 429 with `Retry-After`.
"""


class PlaintAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The generated schema, with every error documented as problem+json and the
        headers the conventions add."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, answer in operation["responses"].items():
                    if str(status).isdigit() and int(status) >= 400 and "content" in answer:
                        content = answer["content"]
                        body = content.pop("application/json", None)
                        if body is not None:
                            content[problems.CONTENT_TYPE] = body
                for status, words in (("400", "Bad Request"), ("500", "Internal Server Error")):
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": words,
                            "content": {
                                problems.CONTENT_TYPE: {
                                    "schema": {"$ref": "#/components/schemas/ProblemOut"}
                                }
                            },
                        },
                    )
        return schema


api = PlaintAPI(
    title="Plaint API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), DeskSession()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", router)
api.add_router("", webhook_router)
api.add_router("", message_router)


@api.exception_handler(problems.Problem)
def _problem(request: HttpRequest, exc: problems.Problem) -> HttpResponse:
    return problems.from_problem(exc, instance=request.path)


@api.exception_handler(DomainError)
def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problems.from_domain_error(exc, instance=request.path)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "form", "file", "header"}:
            loc = loc[1:]
        if loc and loc[0] in {"body", "filters"}:
            loc = loc[1:]
        errors.append({"field": ".".join(loc) or "body", "message": str(error.get("msg", ""))})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problems.problem_response(
        422,
        f"Invalid input ({detail}).",
        type_=problems.INVALID,
        errors=errors,
        instance=request.path,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problems.problem_response(
        401,
        problems.DEFAULT_DETAIL[401],
        headers={"WWW-Authenticate": "Bearer"},
        instance=request.path,
    )


@api.exception_handler(HttpError)
def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problems.problem_response(exc.status_code, str(exc), instance=request.path)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problems.problem_for_status(404, instance=request.path)


@api.exception_handler(Exception)
def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The path only: never the headers (the token) nor the body (personal data).
    log.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return problems.problem_for_status(500, instance=request.path)


api.add_router("", "plaint.reports.api.router")  # /reports: the reports app's own endpoints
