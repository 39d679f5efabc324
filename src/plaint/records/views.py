"""Desk pages of the records part: corrections and evidence packs. Views parse, call a
service or selector, and answer; they hold no rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from plaint.accesslog.models import AccessAction
from plaint.accesslog.recording import request_access_record
from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.domain.errors import DomainError, FieldErrors
from plaint.records.corrections import case_correct, customer_correct
from plaint.records.erasure import CONFIRMING_ROLES, case_erase, erasure_preview
from plaint.records.forms import CorrectionForm
from plaint.records.grants import customer_pack_case
from plaint.records.packs import case_pack_export
from plaint.records.retention import case_on_hold, legal_hold_lift, legal_hold_place


def _case(request: HttpRequest, reference: str) -> tuple[Case, User]:
    user = request.user
    org: Organisation | None = getattr(user, "organisation", None)
    if org is None or not isinstance(user, User):
        raise PermissionDenied("Your account does not belong to an organisation.")
    try:
        return case_get(organisation=org, reference=reference, visible_to=user), user
    except CaseNotFound:
        raise Http404(f"No case {reference} in {org.name}.") from None


def correction_value(field: str, text: str) -> Any:
    """The form's text as the service takes it: the date received is an aware datetime."""
    if field != "case.received_at":
        return text
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FieldErrors(
            {"received_at": "is not a date and time (YYYY-MM-DDTHH:MM+00:00)"}
        ) from None
    if moment.tzinfo is None:
        raise FieldErrors({"received_at": "needs its UTC offset, e.g. +00:00"})
    return moment


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_correct_view(request: HttpRequest, reference: str) -> HttpResponse:
    case, user = _case(request, reference)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        for field, problems in form.errors.items():
            messages.error(request, f"Correction not saved: {field} {' '.join(map(str, problems))}")
        return redirect("desk:case_detail", reference=case.reference)
    target, name = form.cleaned_data["field"].split(".", 1)
    try:
        value = correction_value(form.cleaned_data["field"], form.cleaned_data["value"])
        apply = case_correct if target == "case" else customer_correct
        apply(
            case=case,
            changes={name: value},
            reason=form.cleaned_data["reason"],
            actor=Actor.staff(user),
            now=timezone.now(),
        )
    except FieldErrors as exc:
        for field, problem in exc.errors.items():
            messages.error(request, f"Correction not saved: {field} {problem}")
    except DomainError as exc:
        messages.error(request, f"Correction not saved: {exc.message}")
    else:
        messages.success(request, f"Corrected {name.replace('_', ' ')}.")
    return redirect("desk:case_detail", reference=case.reference)


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def case_export_view(request: HttpRequest, reference: str) -> HttpResponse:
    case, user = _case(request, reference)
    pack = case_pack_export(case=case, actor=Actor.staff(user), now=timezone.now())
    request_access_record(
        request,
        AccessAction.PACK_EXPORTED,
        case_reference=case.reference,
        detail={"audience": "staff"},
    )
    response = HttpResponse(pack.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    return response


@require_POST
def customer_pack_view(request: HttpRequest) -> HttpResponse:
    """The customer's own pack (customer-visible events, internal ones withheld)."""
    case = customer_pack_case(str(request.POST.get("grant", "")))
    if case is None:
        return HttpResponse(
            "This download has expired. Open your complaint from your private link again.",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    pack = case_pack_export(
        case=case,
        actor=Actor.customer(case.customer.name),
        now=timezone.now(),
        audience="customer",
    )
    response = HttpResponse(pack.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def may_hold(user: User) -> bool:
    """Supervisors and legal reviewers place and lift legal holds."""
    return bool(user.has_perm("cases.reassign_case") or user.has_perm("cases.review_legal"))


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def case_hold_view(request: HttpRequest, reference: str) -> HttpResponse:
    case, user = _case(request, reference)
    if not may_hold(user):
        raise PermissionDenied("Only supervisors and legal reviewers place legal holds.")
    service = legal_hold_lift if case_on_hold(case) else legal_hold_place
    try:
        service(
            case=case,
            reason=str(request.POST.get("reason", "")),
            actor=Actor.staff(user),
            now=timezone.now(),
        )
    except FieldErrors as exc:
        for field, problem in exc.errors.items():
            messages.error(request, f"Legal hold not changed: {field} {problem}")
    except DomainError as exc:
        messages.error(request, f"Legal hold not changed: {exc.message}")
    else:
        done = "lifted" if service is legal_hold_lift else "placed"
        messages.success(request, f"Legal hold {done}.")
    return redirect("desk:case_detail", reference=case.reference)


def may_erase(user: User) -> bool:
    """Supervisors and admins confirm erasures (the service checks it again)."""
    return any(role in CONFIRMING_ROLES for role in getattr(user, "roles", ()))


def _organisation_today(case: Case) -> date:
    return timezone.now().astimezone(ZoneInfo(case.organisation.time_zone)).date()


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_erase_view(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: what erasing the case would remove, or why it may not be erased. POST: erase,
    once the case's reference has been typed to confirm."""
    case, user = _case(request, reference)
    if not may_erase(user):
        raise PermissionDenied("Only supervisors and admins confirm an erasure.")
    preview = erasure_preview(case=case, confirmed_by=user, today=_organisation_today(case))
    problem = ""
    if request.method == "POST":
        typed = str(request.POST.get("confirm_reference", "")).strip()
        if typed != case.reference:
            problem = (
                f"Not erased: type the case's reference, {case.reference}, to confirm "
                "(it was not typed, or typed differently)."
            )
        elif preview.allowed:
            try:
                done = case_erase(
                    case=case,
                    confirmed_by=user,
                    now=timezone.now(),
                    today=_organisation_today(case),
                )
            except DomainError as exc:
                problem = f"Not erased: {exc.message}"
            else:
                messages.success(
                    request,
                    f"{done.reference} erased: {done.personal_values} personal values, "
                    f"{done.files} files and {done.rows} rows. The timeline keeps the events, "
                    "with the erased values shown as erased.",
                )
                return redirect("desk:case_detail", reference=case.reference)
        else:
            problem = f"Not erased: {preview.refusal}"
    return render(
        request,
        "records/erase_confirm.html",
        {"case": case, "preview": preview, "problem": problem},
        status=400 if problem else 200,
    )
