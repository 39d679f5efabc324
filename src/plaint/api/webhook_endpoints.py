"""The webhook endpoints of the API (admin scope): an organisation's receivers, their
delivery log, and replaying a message. The work is `webhooks.py`'s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from . import access, problems, webhooks
from . import cursor as cursors
from .models import WebhookEndpoint, WebhookMessage
from .schemas import ProblemOut
from .tokens import Scope

router = Router(tags=["webhooks"])

ERRORS = {401, 403, 404, 422, 429}
_PROBLEMS = dict.fromkeys(ERRORS, ProblemOut)


class WebhookIn(Schema):
    url: str = Field(max_length=2000)
    kinds: list[str] = Field(
        default_factory=list, description="Event kinds to receive; empty for all."
    )
    description: str = ""


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    kinds: list[str]
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret (whsec_…), shown only now.")


class WebhookPage(Schema):
    items: list[WebhookOut]


class AttemptOut(Schema):
    message: str
    type: str
    at: datetime
    ok: bool
    response_code: int | None
    error: str
    duration_ms: int


class AttemptPage(Schema):
    items: list[AttemptOut]
    next: str | None


class MessageOut(Schema):
    id: str
    type: str
    state: str
    created_at: datetime
    settled_at: datetime | None


class MessagePage(Schema):
    items: list[MessageOut]
    next: str | None


def _out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "kinds": list(endpoint.kinds),
        "created_at": endpoint.created_at,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
    }


def _endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    token = access.allowed(request, Scope.ADMIN)
    try:
        return webhooks.endpoint_get(organisation=token.organisation, endpoint_id=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise problems.Problem(404, f"There is no webhook endpoint {endpoint_id}.") from None


@router.get("/webhooks/kinds", response={200: list[str], **_PROBLEMS}, summary="Event kinds")
def webhook_kinds(request: HttpRequest) -> Any:
    access.allowed(request, Scope.ADMIN)
    return webhooks.EVENT_TYPES


@router.get("/webhooks", response={200: WebhookPage, **_PROBLEMS}, summary="Webhook endpoints")
def webhook_list(request: HttpRequest) -> Any:
    token = access.allowed(request, Scope.ADMIN)
    return {"items": [_out(e) for e in webhooks.endpoints_of(organisation=token.organisation)]}


@router.post(
    "/webhooks",
    response={201: WebhookCreated, **_PROBLEMS},
    summary="Add a webhook endpoint (its secret is shown once)",
)
def webhook_create(request: HttpRequest, response: HttpResponse, body: WebhookIn) -> Any:
    token = access.allowed(request, Scope.ADMIN)
    endpoint = webhooks.endpoint_create(
        organisation=token.organisation,
        url=body.url,
        kinds=body.kinds,
        description=body.description,
        actor=token.owner,
        now=timezone.now(),
    )
    response["Location"] = f"/api/v1/webhooks/{endpoint.pk}"
    return Status(201, {**_out(endpoint), "secret": endpoint.secret})


@router.get("/webhooks/{endpoint_id}", response={200: WebhookOut, **_PROBLEMS}, summary="One")
def webhook_read(request: HttpRequest, endpoint_id: int) -> Any:
    return _out(_endpoint(request, endpoint_id))


@router.delete("/webhooks/{endpoint_id}", response={204: None, **_PROBLEMS}, summary="Remove")
def webhook_delete(request: HttpRequest, endpoint_id: int) -> Any:
    webhooks.endpoint_delete(endpoint=_endpoint(request, endpoint_id))
    return Status(204, None)


@router.post(
    "/webhooks/{endpoint_id}/disable", response={200: WebhookOut, **_PROBLEMS}, summary="Disable"
)
def webhook_disable(request: HttpRequest, endpoint_id: int) -> Any:
    endpoint = _endpoint(request, endpoint_id)
    token = access.token_of(request)
    reason = f"disabled by {token.owner.display_name} (API token {token.name!r})"
    return _out(webhooks.endpoint_disable(endpoint=endpoint, reason=reason, now=timezone.now()))


@router.post(
    "/webhooks/{endpoint_id}/enable",
    response={200: WebhookOut, **_PROBLEMS},
    summary="Enable again (waiting messages go out in order)",
)
def webhook_enable(request: HttpRequest, endpoint_id: int) -> Any:
    endpoint = _endpoint(request, endpoint_id)
    return _out(webhooks.endpoint_enable(endpoint=endpoint, now=timezone.now()))


def _page(rows: Any, limit: int, cursor: str) -> tuple[list[Any], str | None]:
    limit = cursors.limit_checked(limit)
    if cursor:
        (before,) = cursors.cursor_read(cursor, arity=1)
        if not isinstance(before, int):
            raise problems.Problem(422, "The cursor is not one this API gave out.")
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, cursors.cursor_make(page[-1].pk) if more else None


@router.get(
    "/webhooks/{endpoint_id}/attempts",
    response={200: AttemptPage, **_PROBLEMS},
    summary="The delivery log, newest first",
)
def webhook_attempts(
    request: HttpRequest, endpoint_id: int, limit: int = cursors.DEFAULT_LIMIT, cursor: str = ""
) -> Any:
    endpoint = _endpoint(request, endpoint_id)
    page, after = _page(webhooks.attempts_of(endpoint=endpoint), limit, cursor)
    items = [
        {
            "message": a.message.msg_id,
            "type": a.message.event_type,
            "at": a.at,
            "ok": a.ok,
            "response_code": a.response_code,
            "error": a.error,
            "duration_ms": a.duration_ms,
        }
        for a in page
    ]
    return {"items": items, "next": after}


@router.get(
    "/webhooks/{endpoint_id}/messages",
    response={200: MessagePage, **_PROBLEMS},
    summary="Messages sent or to send, newest first",
)
def webhook_messages(
    request: HttpRequest, endpoint_id: int, limit: int = cursors.DEFAULT_LIMIT, cursor: str = ""
) -> Any:
    endpoint = _endpoint(request, endpoint_id)
    page, after = _page(webhooks.messages_of(endpoint=endpoint), limit, cursor)
    items = [
        {
            "id": m.msg_id,
            "type": m.event_type,
            "state": m.state,
            "created_at": m.created_at,
            "settled_at": m.settled_at,
        }
        for m in page
    ]
    return {"items": items, "next": after}


@router.post(
    "/webhooks/{endpoint_id}/messages/{msg_id}/replay",
    response={202: MessageOut, **_PROBLEMS, 409: ProblemOut},
    summary="Send a message again, with the same webhook-id",
)
def webhook_replay(request: HttpRequest, endpoint_id: int, msg_id: str) -> Any:
    endpoint = _endpoint(request, endpoint_id)
    try:
        message = webhooks.messages_of(endpoint=endpoint).get(msg_id=msg_id)
    except WebhookMessage.DoesNotExist:
        raise problems.Problem(404, f"There is no message {msg_id!r} of this endpoint.") from None
    message = webhooks.message_replay(message=message, now=timezone.now())
    return Status(
        202,
        {
            "id": message.msg_id,
            "type": message.event_type,
            "state": message.state,
            "created_at": message.created_at,
            "settled_at": message.settled_at,
        },
    )
