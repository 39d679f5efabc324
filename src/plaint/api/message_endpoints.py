"""A case's e-mail over the API: list its messages in and out, and send one to the
customer (queued in the outbox, sent by the worker). The messaging part's service and
selector do the work, as in the desk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from plaint.messaging import outbound
from plaint.messaging import selectors as messaging

from . import access
from .schemas import ProblemOut
from .tokens import Scope

router = Router(tags=["messages"])

ERRORS = {401, 403, 404, 422, 429}
_PROBLEMS = dict.fromkeys(ERRORS, ProblemOut)


class MessageIn(Schema):
    subject: str
    text: str
    letter_seq: int | None = Field(None, description="Attach this letter (its PDF).")
    evidence_ids: list[int] = Field(default_factory=list, description="Attach these files.")


class CaseMessageOut(Schema):
    id: int
    direction: str
    status: str
    status_label: str
    sender: str
    to: str
    subject: str
    text: str
    created_at: datetime


class CaseMessageList(Schema):
    items: list[CaseMessageOut]


def _out(row: messaging.MessageRow) -> dict[str, Any]:
    m = row.message
    return {
        "id": m.pk,
        "direction": m.direction,
        "status": row.status,
        "status_label": row.status_label,
        "sender": m.sender,
        "to": m.to,
        "subject": m.subject,
        "text": m.text_shown or m.text,
        "created_at": m.created_at,
    }


@router.get(
    "/cases/{reference}/messages",
    response={200: CaseMessageList, **_PROBLEMS},
    summary="The case's e-mail in and out, oldest first",
)
def message_list(request: HttpRequest, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    return {"items": [_out(r) for r in messaging.case_messages(case=case)]}


@router.post(
    "/cases/{reference}/messages",
    response={202: CaseMessageOut, **_PROBLEMS, 409: ProblemOut, 412: ProblemOut},
    summary="Send an e-mail to the customer (queued; the worker sends it)",
)
def message_send(
    request: HttpRequest, response: HttpResponse, reference: str, body: MessageIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    case = access.case_of(token, reference)
    access.if_match_checked(request, case, required=False)
    message = outbound.message_send(
        case=case,
        subject=body.subject,
        text=body.text,
        letter_seq=body.letter_seq,
        evidence_ids=body.evidence_ids,
        actor=access.actor_of(token),
        now=timezone.now(),
    )
    row = next(r for r in messaging.case_messages(case=case) if r.message.pk == message.pk)
    return Status(202, _out(row))
