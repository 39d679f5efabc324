"""The API's endpoints. Each one parses, checks the token's scope, calls the service or
selector the desk calls, and shapes the answer. There is no business logic here: what is
allowed, and what is written, is the services' to decide."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from plaint.accesslog.models import AccessAction
from plaint.accounts.selectors import staff_members
from plaint.cases import selectors, services
from plaint.cases.downloads import evidence_response, file_response
from plaint.cases.evidence_store import BlobAltered, blob_open_checked
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, Contact, Evidence, ResolutionOffer
from plaint.cases.selectors import CaseFilters
from plaint.deadlines.selectors import case_deadline_derivation, case_deadline_views
from plaint.domain.disputes.restrictions import ContactRestricted
from plaint.domain.errors import FieldErrors
from plaint.domain.timeline import describe
from plaint.domain.vocabulary import Visibility
from plaint.intake.services import complaint_receive_queued
from plaint.letters import selectors as letter_selectors
from plaint.letters import services as letter_services
from plaint.records import corrections
from plaint.triage import selectors as triage_selectors
from plaint.triage import services as triage_services

from . import access, problems
from . import cursor as cursors
from . import schemas as s
from .models import ApiToken
from .tokens import Scope

router = Router()

ERRORS = {401, 403, 404, 422, 429}


def _money(amount: Any, currency: str) -> dict[str, str] | None:
    return None if amount is None else {"amount": f"{amount:.2f}", "currency": currency}


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _case_out(case: Case) -> dict[str, Any]:
    customer = case.customer
    return {
        "reference": case.reference,
        "status": case.status,
        "priority": case.priority,
        "channel": case.channel,
        "received_at": case.received_at,
        "customer": {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "postal_address": customer.postal_address,
        },
        "product": case.product,
        "issue": case.issue,
        "respondent": case.respondent,
        "order_number": case.order_number,
        "account_number": case.account_number,
        "amount_in_dispute": _money(case.amount_in_dispute, case.currency),
        "occurred_on": case.occurred_on,
        "description": case.description,
        "desired_resolution": case.desired_resolution,
        "regime": case.regime,
        "category": case.category,
        "assignee": _person(case.assignee),
        "outcome": case.outcome,
        "root_cause_code": case.root_cause_code,
        "closed_at": case.closed_at,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "ledger_length": case.ledger_length,
        "etag": access.case_etag(case),
        "next_statuses": [st.value for st in selectors.case_next_statuses(case=case)],
    }


def _case_answer(response: HttpResponse, case: Case) -> dict[str, Any]:
    """The case as it now is, with its ETag header (re-read so the answer shows exactly
    what was committed)."""
    fresh = Case.objects.select_related("customer", "assignee").get(pk=case.pk)
    response["ETag"] = access.case_etag(fresh)
    return _case_out(fresh)


@contextmanager
def _case_for_update(
    request: HttpRequest, token: ApiToken, reference: str, *, if_match: bool
) -> Iterator[Case]:
    """The case locked for the change, after If-Match was compared with it as it is
    under the lock (so no change can slip in between the check and the write)."""
    case = access.case_of(token, reference)
    with transaction.atomic():
        locked = services.case_lock(case)
        access.if_match_checked(request, locked, required=if_match)
        locked.customer, locked.assignee = case.customer, case.assignee
        yield locked


def _etag_after_change(response: HttpResponse, case: Case) -> None:
    """Answer with the case's ETag as the change left it (the row is read again: the
    service wrote it after `case` was loaded)."""
    response["ETag"] = access.case_etag(Case.objects.get(pk=case.pk))


# ------------------------------------------------------------------------------- cases


@router.post(
    "/cases",
    response={201: s.CaseOut, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["cases"],
    summary="Open a case",
)
def case_create(request: HttpRequest, response: HttpResponse, body: s.CaseIn) -> Any:
    """Open a case for a complaint received elsewhere (a website form, a CRM). Its
    deadlines are derived and its search entry written in the same transaction; the
    ledger's `case_opened` names the token's owner and the token. Triage is queued for
    the worker in that transaction: `GET .../triage` is a 404 until `plaint worker` ran."""
    token = access.allowed(request, Scope.WRITE)
    now = timezone.now()
    amount = body.amount_in_dispute
    case = complaint_receive_queued(
        organisation=token.organisation,
        customer=services.CustomerDetails(**body.customer.dict()),
        channel=body.channel,
        received_at=body.received_at or now,
        description=body.description,
        actor=access.actor_of(token),
        now=now,
        product=body.product,
        issue=body.issue,
        respondent=body.respondent,
        order_number=body.order_number,
        account_number=body.account_number,
        amount_in_dispute=amount.amount if amount else None,
        currency=amount.currency if amount else "",
        occurred_on=body.occurred_on,
        desired_resolution=body.desired_resolution,
        regime=body.regime,
        category=body.category,
        priority=body.priority,
    )
    response["Location"] = f"/api/v1/cases/{case.reference}"
    return Status(201, _case_answer(response, case))


class CaseListQuery(Schema):
    status: str = ""
    product: str = ""
    priority: str = ""
    assignee: int | None = Field(None, description="Staff id.")
    unassigned: bool = False
    received_from: s.Day | None = None
    received_to: s.Day | None = None
    q: str = Field("", description="A reference, or words written anywhere about a case.")
    limit: int = cursors.DEFAULT_LIMIT
    cursor: str = ""


@router.get(
    "/cases",
    response={200: s.CasePage, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["cases"],
    summary="List cases (the desk's filters and search)",
)
def case_list(request: HttpRequest, filters: Query[CaseListQuery]) -> Any:
    """Newest first, as the desk lists them; only the cases the token's owner may see."""
    token = access.allowed(request, Scope.READ)
    limit = cursors.limit_checked(filters.limit)
    cases = selectors.case_list(
        organisation=token.organisation,
        filters=CaseFilters(
            status=filters.status,
            product=filters.product,
            priority=filters.priority,
            assignee_id=filters.assignee,
            unassigned=filters.unassigned,
            received_from=filters.received_from,
            received_to=filters.received_to,
            q=filters.q,
        ),
        visible_to=token.owner,
    )
    if filters.cursor:
        received, pk = cursors.cursor_read(filters.cursor, arity=2)
        try:
            at = datetime.fromisoformat(str(received))
        except ValueError:
            at = None
        if at is None or at.tzinfo is None or not isinstance(pk, int):
            raise problems.Problem(
                422, "The cursor is not one this API gave out.", type_=problems.INVALID
            )
        cases = cases.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
    page = list(cases[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    items = [
        {
            "reference": c.reference,
            "status": c.status,
            "priority": c.priority,
            "channel": c.channel,
            "received_at": c.received_at,
            "customer_name": c.customer.name,
            "product": c.product,
            "category": c.category,
            "assignee": _person(c.assignee),
            "updated_at": c.updated_at,
        }
        for c in page
    ]
    last = page[-1] if more else None
    return {
        "items": items,
        "next": cursors.cursor_make(last.received_at.isoformat(), last.pk) if last else None,
    }


@router.get(
    "/cases/{reference}",
    response={200: s.CaseOut, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["cases"],
    summary="Read a case",
)
def case_read(request: HttpRequest, response: HttpResponse, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    access.read_recorded(request, token, AccessAction.CASE_VIEWED, case)
    response["ETag"] = access.case_etag(case)
    return _case_out(case)


CHANGE_ERRORS = dict.fromkeys({*ERRORS, 409, 412, 428}, s.ProblemOut)


@router.post(
    "/cases/{reference}/transitions",
    response={200: s.CaseOut, **CHANGE_ERRORS},
    tags=["cases"],
    summary="Move a case to another status (If-Match required)",
)
def case_transition(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.TransitionIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=True) as case:
        services.case_transition(
            case=case,
            to=body.to,
            reason=body.reason,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    return _case_answer(response, case)


@router.post(
    "/cases/{reference}/close",
    response={200: s.CaseOut, **CHANGE_ERRORS},
    tags=["cases"],
    summary="Close a case with its outcome and root cause (If-Match required)",
)
def case_close(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.CloseIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=True) as case:
        services.case_close(
            case=case,
            outcome=body.outcome,
            root_cause_code=body.root_cause_code,
            root_cause=body.root_cause,
            summary=body.summary,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    return _case_answer(response, case)


# ---------------------------------------------------------------------------- contacts


def _contact_out(c: Contact) -> dict[str, Any]:
    return {
        "id": c.pk,
        "contact_at": c.contact_at,
        "channel": c.channel,
        "direction": c.direction,
        "representative": c.representative,
        "ticket_number": c.ticket_number,
        "wait_minutes": c.wait_minutes,
        "summary": c.summary,
        "summary_visibility": c.summary_visibility,
        "logged_at": c.logged_at,
    }


@router.get(
    "/cases/{reference}/contacts",
    response={200: list[s.ContactOut], **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["contacts"],
)
def contact_list(request: HttpRequest, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    return [
        _contact_out(c) for c in selectors.case_contacts(case=case).order_by("contact_at", "pk")
    ]


@router.post(
    "/cases/{reference}/contacts",
    response={201: s.ContactOut, **CHANGE_ERRORS},
    tags=["contacts"],
    summary="Log a contact (If-Match honoured)",
)
def contact_log(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.ContactIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=False) as case:
        try:
            contact = _contact_log(case, body, access.actor_of(token))
        except ContactRestricted as exc:
            # A client of the API cannot confirm a restricted contact: it is refused,
            # the restriction named on `channel`.
            raise FieldErrors({"channel": exc.reasons}) from None
    _etag_after_change(response, case)
    return Status(201, _contact_out(contact))


def _contact_log(case: Case, body: s.ContactIn, actor: Actor) -> Contact:
    return services.case_contact_log(
        case=case,
        contact_at=body.contact_at,
        channel=body.channel,
        direction=body.direction,
        representative=body.representative,
        ticket_number=body.ticket_number,
        wait_minutes=body.wait_minutes,
        summary=body.summary,
        summary_visibility=body.summary_visibility,
        visibility=body.visibility,
        actor=actor,
        now=timezone.now(),
    )


# ------------------------------------------------------------------------------- notes


def _visibility(value: str, field: str = "visibility") -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        raise problems.Problem(
            422,
            f"{field} must be one of: internal, customer.",
            type_=problems.INVALID,
            errors=[{"field": field, "message": f"{value!r} is not one of: internal, customer"}],
        ) from None


def _event_out(event: CaseEvent) -> dict[str, Any]:
    payload = event.data
    return {
        "seq": event.seq,
        "kind": event.kind,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "actor_kind": event.actor_kind,
        "actor_label": event.actor_label,
        "visibility": event.visibility,
        "sentence": describe(payload),
        "payload": json.loads(event.clear_payload),
        "hash": event.hash,
    }


@router.post(
    "/cases/{reference}/notes",
    response={201: s.EventOut, **CHANGE_ERRORS},
    tags=["notes"],
    summary="Add a note (If-Match honoured)",
)
def note_add(request: HttpRequest, response: HttpResponse, reference: str, body: s.NoteIn) -> Any:
    token = access.allowed(request, Scope.WRITE)
    visibility = _visibility(body.visibility)
    with _case_for_update(request, token, reference, if_match=False) as case:
        event = services.case_note_add(
            case=case,
            text=body.text,
            visibility=visibility,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    _etag_after_change(response, case)
    return Status(201, _event_out(event))


# --------------------------------------------------------------------------- evidence


def _evidence_out(e: Evidence) -> dict[str, Any]:
    return {
        "id": e.pk,
        "filename": e.filename,
        "content_type": e.content_type,
        "size": e.size,
        "sha256": e.sha256,
        "description": e.description,
        "uploaded_at": e.uploaded_at,
    }


@router.get(
    "/cases/{reference}/evidence",
    response={200: list[s.EvidenceOut], **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["evidence"],
)
def evidence_list(request: HttpRequest, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    return [_evidence_out(e) for e in selectors.case_evidence(case=case).order_by("pk")]


@router.post(
    "/cases/{reference}/evidence",
    response={201: s.EvidenceOut, **CHANGE_ERRORS},
    tags=["evidence"],
    summary="Attach a file (multipart; the desk's size and type checks apply)",
)
def evidence_attach(
    request: HttpRequest,
    response: HttpResponse,
    reference: str,
    file: File[UploadedFile],
    description: Form[str] = "",
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=False) as case:
        evidence = services.case_evidence_attach(
            case=case,
            filename=file.name or "unnamed",
            stream=file,  # type: ignore[arg-type]
            content_type=file.content_type or "",
            description=description,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    _etag_after_change(response, case)
    return Status(201, _evidence_out(evidence))


@router.get(
    "/cases/{reference}/evidence/{evidence_id}/file",
    response={200: None, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["evidence"],
    summary="Download a file, always as an attachment",
)
def evidence_download(request: HttpRequest, reference: str, evidence_id: int) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    item = selectors.case_evidence(case=case).filter(pk=evidence_id).first()
    if item is None:
        raise problems.Problem(404, f"{case.reference} has no evidence {evidence_id}.")
    try:
        stream = blob_open_checked(item.sha256)
    except BlobAltered as exc:
        raise problems.Problem(409, exc.message) from None
    access.read_recorded(
        request,
        token,
        AccessAction.EVIDENCE_DOWNLOADED,
        case,
        {"evidence": item.pk, "sha256": item.sha256},
    )
    return evidence_response(stream, filename=item.filename, content_type=item.content_type)


# ----------------------------------------------------------------------------- offers


def _offer_out(o: ResolutionOffer) -> dict[str, Any]:
    return {
        "id": o.pk,
        "redress": o.redress,
        "amount": _money(o.amount, o.currency),
        "description": o.description,
        "offered_at": o.offered_at,
        "answer": o.answer,
        "answer_comment": o.answer_comment,
        "answered_at": o.answered_at,
    }


@router.get(
    "/cases/{reference}/offers",
    response={200: list[s.OfferOut], **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["offers"],
)
def offer_list(request: HttpRequest, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    return [_offer_out(o) for o in selectors.case_offers(case=case).order_by("pk")]


@router.post(
    "/cases/{reference}/offers",
    response={201: s.OfferOut, **CHANGE_ERRORS},
    tags=["offers"],
    summary="Record an offer of redress (If-Match required)",
)
def offer_record(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.OfferIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=True) as case:
        offer = services.case_offer_record(
            case=case,
            redress=body.redress,
            amount=body.amount.amount if body.amount else None,
            currency=body.amount.currency if body.amount else "",
            description=body.description,
            visibility=body.visibility,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    _etag_after_change(response, case)
    return Status(201, _offer_out(offer))


@router.post(
    "/cases/{reference}/offers/{offer_id}/answer",
    response={200: s.OfferOut, **CHANGE_ERRORS},
    tags=["offers"],
    summary="Record the customer's answer to an offer (If-Match required)",
)
def offer_answer(
    request: HttpRequest, response: HttpResponse, reference: str, offer_id: int, body: s.AnswerIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=True) as case:
        offer = selectors.case_offers(case=case).filter(pk=offer_id).first()
        if offer is None:
            raise problems.Problem(404, f"{case.reference} has no offer {offer_id}.")
        offer = services.case_offer_answer(
            offer=offer,
            accepted=body.accepted,
            comment=body.comment,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    _etag_after_change(response, case)
    return _offer_out(offer)


# -------------------------------------------------------------------------- deadlines


@router.get(
    "/cases/{reference}/deadlines",
    response={200: s.DeadlinesOut, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["deadlines"],
    summary="A case's deadlines; with explain=true, each one's derivation and sources",
)
def deadline_list(request: HttpRequest, reference: str, explain: bool = False) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    views = case_deadline_views(case=case, now=timezone.now())
    out: dict[str, Any] = {
        "deadlines": [
            {
                "key": v.row.key,
                "title": v.row.title,
                "party": v.row.party,
                "kind": v.row.kind,
                "verification": v.row.verification,
                "state": v.row.state,
                "due_at": v.row.due_at,
                "met_at": v.row.met_at,
                "waiting_for": v.row.waiting_for,
                "provisional": v.row.provisional,
                "business_days_left": v.business_days_left,
                "overdue": v.overdue,
            }
            for v in views
        ]
    }
    if explain:
        out["explain"] = [
            {
                "key": d.key,
                "title": d.rule.title,
                "description": d.rule.description,
                "party": d.rule.party.value,
                "due_at": d.due_at,
                "due_date": d.due_date,
                "blocked": d.blocked,
                "provisional": d.provisional,
                "warnings": list(d.warnings),
                "steps": [step.text for step in d.steps],
                "sources": [
                    {
                        "citation": src.citation,
                        "url": src.url,
                        "verification": src.verification.value,
                        "last_verified": src.last_verified,
                        "note": src.note,
                    }
                    for src in d.rule.sources
                ],
            }
            for d in case_deadline_derivation(case=case)
        ]
    return out


# ----------------------------------------------------------------------------- triage


@router.get(
    "/cases/{reference}/triage",
    response={200: s.TriageOut, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["triage"],
    summary="A case's triage suggestions (404 until it is triaged)",
)
def triage_read(request: HttpRequest, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    record = triage_selectors.triage_get(case=case)
    if record is None:
        raise problems.Problem(404, f"{case.reference} has not been triaged yet.")
    return record


@router.post(
    "/cases/{reference}/triage/confirm",
    response={200: s.TriageOut, **CHANGE_ERRORS},
    tags=["triage"],
    summary="Confirm or correct the suggested labels (If-Match honoured)",
)
def triage_confirm(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.TriageConfirmIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=False) as case:
        record = triage_services.triage_confirm(
            case=case, labels=body.labels, actor=access.actor_of(token), now=timezone.now()
        )
    _etag_after_change(response, case)
    return record


# ---------------------------------------------------------------------------- letters


def _letter_out(kept: letter_selectors.KeptLetter) -> dict[str, Any]:
    return {
        "seq": kept.event.seq,
        "letter_id": kept.payload.letter,
        "title": kept.payload.title,
        "generated_at": kept.event.recorded_at,
        "formats": sorted(kept.payload.files),
        "draft": kept.is_draft,
        "sent_at": kept.sent.sent_at if kept.sent else None,
        "sent_method": kept.sent.payload.method if kept.sent else "",
        "withdrawn": kept.withdrawn is not None,
    }


@router.get(
    "/cases/{reference}/letters",
    response={200: list[s.LetterOut], **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["letters"],
)
def letter_list(request: HttpRequest, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    return [_letter_out(k) for k in letter_selectors.case_letters(case=case)]


@router.post(
    "/cases/{reference}/letters",
    response={201: s.LetterOut, **CHANGE_ERRORS},
    tags=["letters"],
    summary="Generate and keep a letter (letters scope)",
)
def letter_generate(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.LetterIn
) -> Any:
    token = access.allowed(request, Scope.LETTERS)
    with _case_for_update(request, token, reference, if_match=False) as case:
        made = letter_services.letter_generate(
            case=case,
            kind=body.kind,
            fields=body.fields,
            formats=tuple(body.formats),
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    kept = letter_selectors.case_letter(case=case, seq=made.event.seq)
    _etag_after_change(response, case)
    return Status(201, _letter_out(kept))


_LETTER_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@router.get(
    "/cases/{reference}/letters/{seq}/files/{fmt}",
    response={200: None, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["letters"],
    summary="Download the kept bytes of one format, as an attachment",
)
def letter_download(request: HttpRequest, reference: str, seq: int, fmt: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    try:
        data = letter_selectors.case_letter_file(case=case, seq=seq, fmt=fmt)
    except (letter_selectors.LetterNotFound, KeyError, LookupError):
        raise problems.Problem(404, f"{case.reference} has no letter #{seq} as {fmt!r}.") from None
    access.read_recorded(
        request, token, AccessAction.LETTER_DOWNLOADED, case, {"letter": seq, "format": fmt}
    )
    return file_response(
        data,
        filename=f"{case.reference}-{seq}.{fmt}",
        content_type=_LETTER_TYPES.get(fmt, "application/octet-stream"),
    )


@router.post(
    "/cases/{reference}/letters/{seq}/sent",
    response={200: s.LetterOut, **CHANGE_ERRORS},
    tags=["letters"],
    summary="Mark a kept letter as sent (letters scope)",
)
def letter_sent(
    request: HttpRequest, response: HttpResponse, reference: str, seq: int, body: s.LetterSentIn
) -> Any:
    token = access.allowed(request, Scope.LETTERS)
    with _case_for_update(request, token, reference, if_match=False) as case:
        letter_services.letter_mark_sent(
            case=case,
            seq=seq,
            method=body.method,
            tracking_number=body.tracking_number,
            sent_at=body.sent_at,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    _etag_after_change(response, case)
    return _letter_out(letter_selectors.case_letter(case=case, seq=seq))


# ----------------------------------------------------------------------------- ledger


@router.get(
    "/cases/{reference}/events",
    response={200: s.EventPage, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["ledger"],
    summary="A case's ledger events, oldest first",
)
def event_list(
    request: HttpRequest, reference: str, limit: int = cursors.DEFAULT_LIMIT, cursor: str = ""
) -> Any:
    token = access.allowed(request, Scope.READ)
    limit = cursors.limit_checked(limit)
    case = access.case_of(token, reference)
    events = CaseEvent.objects.filter(organisation_id=case.organisation_id, case=case)
    if cursor:
        (after,) = cursors.cursor_read(cursor, arity=1)
        if not isinstance(after, int):
            raise problems.Problem(422, "The cursor is not one this API gave out.")
        events = events.filter(seq__gt=after)
    page = list(events.order_by("seq")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    access.read_recorded(
        request,
        token,
        AccessAction.LEDGER_READ,
        case,
        {"cursor": bool(cursor), "events": len(page)},
    )
    return {
        "items": [_event_out(e) for e in page],
        "next": cursors.cursor_make(page[-1].seq) if more else None,
    }


@router.get(
    "/cases/{reference}/ledger/verification",
    response={200: s.VerificationOut, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["ledger"],
    summary="Recompute the case's hash chain now",
)
def ledger_verification(request: HttpRequest, reference: str) -> Any:
    token = access.allowed(request, Scope.READ)
    case = access.case_of(token, reference)
    report = selectors.case_ledger_check(case=case)
    return {
        "ok": report.ok,
        "cases_checked": report.cases,
        "events_checked": report.events,
        "problems": [str(b) for b in report.broken],
    }


# ------------------------------------------------------------------------------ staff


@router.get(
    "/staff",
    response={200: s.StaffPage, **dict.fromkeys(ERRORS, s.ProblemOut)},
    tags=["staff"],
    summary="The organisation's staff (admin scope)",
)
def staff_list(request: HttpRequest, limit: int = cursors.DEFAULT_LIMIT, cursor: str = "") -> Any:
    token = access.allowed(request, Scope.ADMIN)
    limit = cursors.limit_checked(limit)
    members = staff_members(organisation=token.organisation).order_by("pk")
    if cursor:
        (after,) = cursors.cursor_read(cursor, arity=1)
        if not isinstance(after, int):
            raise problems.Problem(422, "The cursor is not one this API gave out.")
        members = members.filter(pk__gt=after)
    page = list(members[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [
            {
                "id": m.pk,
                "username": m.username,
                "name": m.display_name,
                "email": m.email,
                "roles": [r.value for r in m.roles],
                "active": m.is_active,
            }
            for m in page
        ],
        "next": cursors.cursor_make(page[-1].pk) if more else None,
    }


# ---------------------------------------------------------------- corrections, assignment


@router.patch(
    "/cases/{reference}",
    response={200: s.CaseOut, **CHANGE_ERRORS},
    tags=["cases"],
    summary="Correct the case's facts, with a reason (If-Match required)",
)
def case_correct(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.CaseCorrectIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    changes = body.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "amount_in_dispute" in changes:
        money = changes.pop("amount_in_dispute")
        changes["amount_in_dispute"] = money["amount"] if money else None
        if money:
            changes["currency"] = money["currency"]
    with _case_for_update(request, token, reference, if_match=True) as case:
        corrections.case_correct(
            case=case,
            changes=changes,
            reason=reason,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    return _case_answer(response, case)


@router.post(
    "/cases/{reference}/assignment",
    response={200: s.CaseOut, **CHANGE_ERRORS},
    tags=["cases"],
    summary="Assign the case to a member of staff, or unassign it",
)
def case_assign(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.AssignIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    assignee = None
    if body.assignee is not None:
        assignee = staff_members(organisation=token.organisation).filter(pk=body.assignee).first()
        if assignee is None:
            raise FieldErrors({"assignee": "is not active staff of this case's organisation"})
    with _case_for_update(request, token, reference, if_match=False) as case:
        services.case_assign(
            case=case, assignee=assignee, actor=access.actor_of(token), now=timezone.now()
        )
    return _case_answer(response, case)


@router.post(
    "/cases/{reference}/priority",
    response={200: s.CaseOut, **CHANGE_ERRORS},
    tags=["cases"],
    summary="Set the case's priority",
)
def case_priority(
    request: HttpRequest, response: HttpResponse, reference: str, body: s.PriorityIn
) -> Any:
    token = access.allowed(request, Scope.WRITE)
    with _case_for_update(request, token, reference, if_match=False) as case:
        services.case_priority_set(
            case=case,
            priority=body.priority,
            reason=body.reason,
            actor=access.actor_of(token),
            now=timezone.now(),
        )
    return _case_answer(response, case)
