"""Who is asking, and what they may reach: the request's token, its scopes, its owner's
permissions, and the cases its owner may see. A token never does more than its owner
could do in the desk; a case of another organisation, or one hidden from the owner, is a
404 that says nothing about whether it exists."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from plaint.accesslog.models import AccessAction, AccessVia
from plaint.accesslog.recording import request_access_record
from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.selectors import CaseNotFound, case_get

from . import problems
from .models import ApiToken
from .tokens import Scope, token_actor

# What the owner must be allowed to do in the desk for each scope's writes.
PERMISSION = {
    Scope.READ: "cases.view_case",
    Scope.WRITE: "cases.work_case",
    Scope.LETTERS: "cases.work_case",
    Scope.ADMIN: "cases.manage_organisation",
}


class TokenAuth(HttpBearer):
    """The bearer token, already checked by `ApiMiddleware` (so that the rate limit and
    the idempotency keys know the token before the endpoint runs)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found: ApiToken | None = getattr(request, "api_token", None)
        return found


class DeskSession(APIKeyCookie):
    """The desk's own calls (htmx) with the signed-in member's session cookie instead of a
    token, CSRF-checked like any desk form (django-ninja runs Django's CSRF check for
    cookie auth: unsafe methods need the `X-CSRFToken` header). The member acts as
    themself, with what their roles allow; such calls have no rate limit or idempotency
    keys, which belong to tokens."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiToken | None:
        user = getattr(request, "user", None)
        if key is None or user is None or not user.is_authenticated:
            return None
        if user.organisation_id is None or not user.is_active:
            return None
        session = ApiToken(
            organisation=user.organisation,
            owner=user,
            name="desk session",
            scopes=[scope.value for scope in Scope],
        )
        request.api_token = session  # type: ignore[attr-defined]
        return session


def is_session(token: ApiToken) -> bool:
    """A desk session (never saved), not a token."""
    return token.pk is None


def token_of(request: HttpRequest) -> ApiToken:
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is None:  # pragma: no cover - the auth class refuses it first
        raise problems.Problem(401, problems.DEFAULT_DETAIL[401])
    return token


def allowed(request: HttpRequest, scope: Scope) -> ApiToken:
    """The token, if it holds `scope` and its owner has the matching permission; else 403."""
    token = token_of(request)
    if scope.value not in token.scopes:
        raise problems.Problem(403, f"This token does not have the {scope.value!r} scope.")
    if not token.owner.has_perm(PERMISSION[scope]):
        raise problems.Problem(
            403, f"The token's owner, {token.owner.display_name}, may not do this in the desk."
        )
    return token


def organisation_of(token: ApiToken) -> Organisation:
    return token.organisation


def owner_of(token: ApiToken) -> User:
    return token.owner


def actor_of(token: ApiToken) -> Actor:
    if is_session(token):
        return Actor.staff(token.owner)  # as in the desk
    return token_actor(token)


def case_of(token: ApiToken, reference: str) -> Case:
    try:
        return case_get(
            organisation=token.organisation, reference=reference, visible_to=token.owner
        )
    except CaseNotFound:
        raise problems.Problem(404, f"There is no case {reference!r}.") from None


def case_etag(case: Case) -> str:
    """A strong ETag of the case: its ledger's length and head hash. Every change to a
    case appends to its ledger, so any change gives a new ETag."""
    return f'"{case.ledger_length}-{case.ledger_head[:20]}"'


def if_match_checked(request: HttpRequest, case: Case, *, required: bool) -> None:
    """Compare If-Match with the case as locked now: 412 if it moved on, 428 if required
    and missing. `*` matches any case."""
    wanted = request.headers.get("If-Match")
    if wanted is None:
        if required:
            raise problems.Problem(
                428,
                "This change needs If-Match with the case's ETag (GET the case first), so "
                "that it does not overwrite a change you have not seen.",
                type_=problems.PRECONDITION,
            )
        return
    tags = {tag.strip() for tag in wanted.split(",")}
    if "*" not in tags and case_etag(case) not in tags:
        raise problems.Problem(
            412,
            "The case changed since you read it (If-Match does not match its ETag); "
            "GET it again and decide on the current version.",
            type_=problems.PRECONDITION,
            headers={"ETag": case_etag(case)},
        )


def read_recorded(
    request: HttpRequest,
    token: ApiToken,
    action: AccessAction,
    case: Case,
    detail: dict[str, object] | None = None,
) -> None:
    """Put a read through the API on the access log, under the token's owner and name."""
    request_access_record(
        request,
        action,
        case_reference=case.reference,
        detail=detail,
        user=token.owner,
        actor_label=actor_of(token).label,
        via=AccessVia.DESK if is_session(token) else AccessVia.API,
    )
