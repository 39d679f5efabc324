"""RFC 9457 problem details: every error the API returns is `application/problem+json`.

A service's `FieldErrors` becomes `errors[]`, one `{"field", "message"}` per field, with
the service's own words; any other `DomainError` is a 409 (the request was understood and
refused by a rule of the case) with its message as `detail`."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse

from plaint.domain.errors import DomainError, FieldErrors

CONTENT_TYPE = "application/problem+json"

# `type` URIs of the problems that are Plaint's own; plain HTTP errors are "about:blank".
INVALID = "urn:plaint:problem:invalid-input"
REFUSED = "urn:plaint:problem:refused"
IDEMPOTENCY = "urn:plaint:problem:idempotency-key"
PRECONDITION = "urn:plaint:problem:precondition"
RATE_LIMITED = "urn:plaint:problem:rate-limited"


class Problem(Exception):
    """Raised anywhere under the API to answer with a problem (never a 500)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.type = status, detail, type_
        self.errors = errors
        self.headers = headers or {}


def problem_body(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    errors: list[dict[str, str]] | None = None,
    instance: str = "",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str = "",
) -> HttpResponse:
    body = problem_body(status, detail, type_=type_, errors=errors, instance=instance)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(problem: Problem, *, instance: str = "") -> HttpResponse:
    return problem_response(
        problem.status,
        problem.detail,
        type_=problem.type,
        errors=problem.errors,
        headers=problem.headers,
        instance=instance,
    )


def from_domain_error(exc: DomainError, *, instance: str = "") -> HttpResponse:
    if isinstance(exc, FieldErrors):
        errors = [{"field": f, "message": m} for f, m in sorted(exc.errors.items())]
        return problem_response(422, exc.message, type_=INVALID, errors=errors, instance=instance)
    return problem_response(409, exc.message, type_=REFUSED, instance=instance)


DEFAULT_DETAIL = {
    400: "The request could not be read.",
    401: "A valid API token is required (Authorization: Bearer plt_...).",
    403: "The token may not do this.",
    404: "There is nothing at this address.",
    405: "This method is not allowed here.",
    406: "This resource cannot be given in the type asked for.",
    413: "The request is too large.",
    415: "The request's content type is not accepted here.",
    500: "Something went wrong on our side. The error was recorded.",
}


def problem_for_status(status: int, *, instance: str = "") -> HttpResponse:
    detail = DEFAULT_DETAIL.get(status, HTTPStatus(status).description or HTTPStatus(status).phrase)
    return problem_response(status, detail, instance=instance)
