"""Disputes pages of the staff desk: parse → call a selector or a service → render.
The panel itself is an inclusion tag on the desk case page (templatetags/disputes_panel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.selectors import CaseNotFound, case_get, case_visible
from plaint.cases.services import case_at_version
from plaint.disputes import selectors, services
from plaint.disputes.forms import FORMS
from plaint.disputes.pack import referral_pack_pdf
from plaint.domain.collision import version_parse
from plaint.domain.errors import DomainError, FieldErrors


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _organisation(request: HttpRequest) -> Organisation:
    org: Organisation | None = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org


def _case(request: HttpRequest, reference: str) -> Case:
    org = _organisation(request)
    try:
        return case_get(organisation=org, reference=reference, visible_to=_user(request))
    except CaseNotFound:
        raise Http404(f"No case {reference} in {org.name}.") from None


def _dispute(case: Case, data: dict[str, Any]) -> Any:
    raw = str(data.get("dispute_id") or "").strip()
    if not raw:
        raise FieldErrors({"dispute_id": "is required: which letter"})
    if not raw.isdigit() or len(raw) > 12:
        raise FieldErrors({"dispute_id": "is not a dispute of this case"})
    return selectors.dispute_get(case=case, dispute_id=int(raw))


def _log(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    data.pop("dispute_id", None)
    upload = data.pop("letter", None)
    letter = (
        services.LetterFile(upload.name or "", upload, upload.content_type or "")
        if upload
        else None
    )
    return services.dispute_log(case=case, letter=letter, actor=actor, now=now, **data)


def _authority(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.dispute_authority_record(
        dispute=_dispute(case, data),
        status=data["status"],
        note=data["note"],
        letter_seq=data["letter_seq"],
        actor=actor,
        now=now,
    )


def _conduct(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.dispute_conduct_identify(
        dispute=_dispute(case, data), conduct=data["conduct"], actor=actor, now=now
    )


def _investigation(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.dispute_investigation_record(
        dispute=_dispute(case, data),
        investigator=data["investigator"],
        records_checked=data["records_checked"],
        findings=data["findings"],
        actor=actor,
        now=now,
    )


def _decision(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.dispute_decide(
        dispute=_dispute(case, data),
        decision=data["decision"],
        reasons=data["reasons"],
        actor=actor,
        now=now,
    )


def _restrict(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    dispute = _dispute(case, data) if data.get("dispute_id") else None
    return services.restriction_add(
        case=case, kind=data["kind"], note=data["note"], dispute=dispute, actor=actor, now=now
    )


def _lift(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    row = selectors.restriction_get(case=case, restriction_id=data["restriction_id"])
    return services.restriction_lift(restriction=row, reason=data["reason"], actor=actor, now=now)


def _eligibility(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    answers = {k: v for k, v in data.items() if v not in ("", None) and k != "dispute_id"}
    return services.fos_eligibility_record(case=case, answers=answers, actor=actor, now=now)


def _reply(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    fields = {"letter.respond_by": data["respond_by"]} if data.get("respond_by") else {}
    return services.dispute_reply_draft(
        dispute=_dispute(case, data), actor=actor, now=now, fields=fields
    )


def _sent(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    data.pop("dispute_id", None)
    return services.cease_desist_sent_record(case=case, actor=actor, now=now, **data)


def _outcome(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    sent = selectors.cease_desist_sent_get(case=case, sent_id=data["sent_id"])
    return services.cease_desist_outcome_record(
        sent=sent, stopped=data["stopped"], note=data["note"], actor=actor, now=now
    )


RUN: dict[str, Callable[[Case, dict[str, Any], Actor, datetime], object]] = {
    "log": _log,
    "authority": _authority,
    "conduct": _conduct,
    "investigation": _investigation,
    "decision": _decision,
    "restrict": _restrict,
    "lift": _lift,
    "eligibility": _eligibility,
    "reply": _reply,
    "sent": _sent,
    "outcome": _outcome,
}


def _show_errors(form: forms.Form, exc: DomainError) -> None:
    if isinstance(exc, FieldErrors):
        for field, problem in exc.errors.items():
            form.add_error(field if field in form.fields else None, f"{field}: {problem}")
    else:
        form.add_error(None, exc.message)


@login_required
@require_POST
def dispute_action_view(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in RUN:
        raise Http404(f"No disputes action {action!r}.")
    user = _user(request)
    if not (user.has_perm("cases.work_case") or user.has_perm("cases.review_legal")):
        raise PermissionDenied("Your role does not allow this on a case.")
    case = _case(request, reference)
    form = FORMS[action](request.POST, request.FILES)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("dispute_id", request.POST.get("dispute_id") or None)
        now = timezone.now()
        try:
            # A form rendered before someone else changed the case is refused (collision).
            version = version_parse(request.POST.get("version"))
            with case_at_version(case=case, version=version, now=now):
                RUN[action](case, data, Actor.staff(user), now)
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            return redirect(f"{reverse('desk:case_detail', args=[case.reference])}#disputes")
    return render(
        request,
        "disputes/action_error.html",
        {
            "case": case,
            "form": form,
            "action": action,
            "dispute_id": request.POST.get("dispute_id", ""),
        },
        status=400,
    )


@login_required
@permission_required("cases.view_case", raise_exception=True)
def disputes_due_view(request: HttpRequest) -> HttpResponse:
    org, user = _organisation(request), _user(request)
    today = timezone.now().astimezone(ZoneInfo(org.time_zone)).date()
    rows = [
        {"dispute": d, "overdue": d.deadline < today, "days_left": (d.deadline - today).days}
        for d in selectors.disputes_due(organisation=org, today=today, within_days=30)
        if case_visible(case=d.case, user=user)
    ]
    return render(request, "disputes/due.html", {"rows": rows, "today": today})


@login_required
@permission_required("cases.view_case", raise_exception=True)
def referral_pack_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    today = timezone.now().astimezone(ZoneInfo(case.organisation.time_zone)).date()
    try:
        data = referral_pack_pdf(case=case, today=today)
    except DomainError as exc:
        return HttpResponse(exc.message, status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-pack-{case.reference}.pdf"'
    return response
