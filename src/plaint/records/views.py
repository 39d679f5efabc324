"""Desk pages of the records part: corrections and evidence packs. Views parse, call a
service or selector, and answer; they hold no rules."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from plaint.accesslog.models import AccessAction
from plaint.accesslog.recording import request_access_record
from plaint.accounts.models import Organisation, User
from plaint.accounts.reauth import confirm_url, recent_password_required, recently_authenticated
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.cases.services import case_at_version
from plaint.domain.collision import version_parse
from plaint.domain.deadlines.regimes import regimes_all
from plaint.domain.errors import DomainError, FieldErrors
from plaint.records.corrections import case_correct, customer_correct
from plaint.records.erasure import CONFIRMING_ROLES, case_erase, erasure_preview
from plaint.records.forms import CorrectionForm
from plaint.records.grants import customer_pack_case
from plaint.records.models import SubjectAccessRequest
from plaint.records.packs import case_pack_export
from plaint.records.retention import (
    case_on_hold,
    legal_hold_lift,
    legal_hold_place,
    retention_due,
    retention_policy_history,
    retention_policy_set,
    retention_schedule,
)
from plaint.records.subject_access import (
    subject_access_answer,
    subject_access_open,
    subject_access_request_log,
)


def _organisation_of(request: HttpRequest) -> tuple[Organisation, User]:
    user = request.user
    org: Organisation | None = getattr(user, "organisation", None)
    if org is None or not isinstance(user, User):
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org, user


def _case(request: HttpRequest, reference: str) -> tuple[Case, User]:
    org, user = _organisation_of(request)
    try:
        return case_get(organisation=org, reference=reference, visible_to=user), user
    except CaseNotFound:
        raise Http404(f"No case {reference} in {org.name}.") from None


def _at_version(request: HttpRequest, case: Case, now: datetime) -> AbstractContextManager[Case]:
    """The case, locked, if it is still at the version the form was rendered at; else
    `StaleForm` (collision: someone else changed it meanwhile), and nothing is written."""
    return case_at_version(case=case, version=version_parse(request.POST.get("version")), now=now)


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
        now = timezone.now()
        with _at_version(request, case, now):
            apply(
                case=case,
                changes={name: value},
                reason=form.cleaned_data["reason"],
                actor=Actor.staff(user),
                now=now,
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
    now = timezone.now()
    try:
        with _at_version(request, case, now):
            service(
                case=case,
                reason=str(request.POST.get("reason", "")),
                actor=Actor.staff(user),
                now=now,
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


def _organisation_today(org: Organisation) -> date:
    return timezone.now().astimezone(ZoneInfo(org.time_zone)).date()


@login_required
@permission_required("cases.view_case", raise_exception=True)
@recent_password_required("cases.reassign_case")
def case_erase_view(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: what erasing the case would remove, or why it may not be erased. POST: erase,
    once the case's reference has been typed to confirm."""
    case, user = _case(request, reference)
    if not may_erase(user):
        raise PermissionDenied("Only supervisors and admins confirm an erasure.")
    today = _organisation_today(case.organisation)
    problem = ""
    if request.method == "POST":
        typed = str(request.POST.get("confirm_reference", "")).strip()
        if typed != case.reference:
            problem = (
                f"Not erased: type the case's reference, {case.reference}, to confirm "
                "(it was not typed, or typed differently)."
            )
        else:
            try:  # the service makes the preview's checks itself, under the case's lock
                done = case_erase(case=case, confirmed_by=user, now=timezone.now(), today=today)
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
    preview = erasure_preview(case=case, confirmed_by=user, today=today)
    return render(
        request,
        "records/erase_confirm.html",
        {"case": case, "preview": preview, "problem": problem},
        status=400 if problem else 200,
    )


def _policy_set(request: HttpRequest, org: Organisation, user: User) -> tuple[str, int]:
    """Set the schedule from the form: ("", 200) when done, else the problem and 400."""
    try:
        years = int(str(request.POST.get("years", "")).strip())
    except ValueError:
        return "Schedule not changed: years must be a whole number.", 400
    try:
        retention_policy_set(
            organisation=org,
            regime=str(request.POST.get("regime", "")),
            years=years,
            counted_from=str(request.POST.get("counted_from", "")),
            reason=str(request.POST.get("reason", "")),
            set_by=user,
            now=timezone.now(),
        )
    except FieldErrors as exc:
        words = "; ".join(f"{field} {text}" for field, text in exc.errors.items())
        return f"Schedule not changed: {words}", 400
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None
    return "", 200


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_http_methods(["GET", "POST"])
def retention_view(request: HttpRequest) -> HttpResponse:
    """The closed cases whose retention period has ended: the ones a supervisor or admin
    may now erase (each through its confirmation page), and those a hold keeps; the
    organisation's schedule, which admins may change (POST)."""
    org, user = _organisation_of(request)
    if not may_erase(user):
        raise PermissionDenied("Only supervisors and admins see the cases due for erasure.")
    problem, status = "", 200
    if request.method == "POST":
        if not user.has_perm("cases.manage_organisation"):
            raise PermissionDenied("Only admins change the retention schedule.")
        if not recently_authenticated(
            request, now=timezone.now(), minutes=settings.PLAINT_REAUTH_MINUTES
        ):
            messages.warning(
                request, "Nothing was changed: confirm your password, then do it again."
            )
            return redirect(confirm_url(reverse("records:retention") + "#schedule"))
        problem, status = _policy_set(request, org, user)
        if not problem:
            messages.success(request, "Retention schedule changed.")
            return redirect("records:retention")
    today = _organisation_today(org)
    items = retention_due(organisation=org, today=today)
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "records/retention.html",
        {
            "page": page,
            "today": today,
            "held": sum(item.on_hold for item in items),
            "due": sum(not item.on_hold for item in items),
            "schedule": retention_schedule(organisation=org),
            "requests": subject_access_open(organisation=org, today=today),
            "history": retention_policy_history(organisation=org)[:20],
            "can_set": user.has_perm("cases.manage_organisation"),
            "regimes": sorted(regimes_all()),
            "problem": problem,
            "form": request.POST if problem else {},
        },
        status=status,
    )


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def subject_access_log_view(request: HttpRequest, reference: str) -> HttpResponse:
    case, user = _case(request, reference)
    try:
        requested_on = date.fromisoformat(str(request.POST.get("requested_on", "")).strip())
    except ValueError:
        messages.error(request, "Request not logged: write the day it arrived as YYYY-MM-DD.")
        return redirect("desk:case_detail", reference=case.reference)
    now = timezone.now()
    try:
        with _at_version(request, case, now):
            row = subject_access_request_log(
                case=case,
                requested_on=requested_on,
                received_by=str(request.POST.get("received_by", "")),
                actor=Actor.staff(user),
                now=now,
            )
    except FieldErrors as exc:
        for field, problem in exc.errors.items():
            messages.error(request, f"Request not logged: {field.replace('_', ' ')} {problem}")
    except DomainError as exc:
        messages.error(request, f"Request not logged: {exc.message}")
    else:
        messages.success(
            request,
            f"Subject access request logged: the answer is due by {row.due_on:%d %B %Y} "
            "(one calendar month; the period is not in Plaint's verified legal reference).",
        )
    return redirect("desk:case_detail", reference=case.reference)


@login_required
@permission_required("cases.reassign_case", raise_exception=True)
@require_POST
@recent_password_required("cases.reassign_case", back=lambda pk: reverse("records:retention"))
def subject_access_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    org, user = _organisation_of(request)
    row = (
        SubjectAccessRequest.objects.filter(organisation=org, pk=pk).select_related("case").first()
    )
    if row is None:
        raise Http404(f"No subject access request #{pk} in {org.name}.")
    try:
        export = subject_access_answer(request=row, actor=Actor.staff(user), now=timezone.now())
    except DomainError as exc:
        messages.error(request, f"Not produced: {exc.message}")
        return redirect("desk:case_detail", reference=row.case.reference)
    request_access_record(
        request,
        AccessAction.SUBJECT_ACCESS_EXPORTED,
        case_reference=row.case.reference,
        detail={"request": row.pk, "cases": export.cases},
    )
    response = HttpResponse(export.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
