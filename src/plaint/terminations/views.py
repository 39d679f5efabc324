"""The terminations pages of the desk and the customer's appeal: parse the request, call
a service or selector, render. Every rule is the services' (and the domain's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required, permission_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.letters import InvalidFields, MissingFields
from plaint.domain.termination import (
    REASON_LABELS,
    Alternative,
    AlternativeOutcome,
    NoticeDecision,
    ProductKind,
    Status,
)
from plaint.domain.vocabulary import DeliveryMethod
from plaint.terminations import selectors, services
from plaint.terminations.models import Termination, TerminationTask

WORK = "cases.work_case"
VIEW = "cases.view_case"
ALL = "cases.view_all_cases"
APPEAL_SALT = "plaint.terminations.appeal"
APPEAL_MAX_AGE = 60 * 60 * 24 * 120  # seconds: longer than any notice period encoded


def _organisation(request: HttpRequest) -> Organisation:
    org: Organisation | None = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org


def _date(errors: dict[str, str], field: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = f"{value[:40]!r} is not a date (YYYY-MM-DD)"
        return None


def _int(errors: dict[str, str], field: str, value: str) -> int:
    try:
        return int(value or 0)
    except ValueError:
        errors[field] = f"{value[:40]!r} is not a whole number"
        return 0


@login_required
@permission_required(VIEW, raise_exception=True)
def termination_list_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    status = request.GET.get("status", "")
    if status and status not in set(Status):
        status = ""
    rows = selectors.termination_list(organisation=org, status=status)
    if not request.user.has_perm(ALL):
        rows = rows.filter(proposed_by=request.user)  # type: ignore[misc]
    return render(
        request,
        "terminations/list.html",
        {
            "terminations": rows[:200],
            "tasks": selectors.termination_tasks_open(organisation=org)[:200],
            "statuses": list(Status),
            "status": status,
        },
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@login_required
@permission_required(WORK, raise_exception=True)
def termination_new_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    source = request.GET.get("case", "") or request.POST.get("case", "")
    try:
        case = case_get(organisation=org, reference=source, visible_to=request.user)  # type: ignore[arg-type]
    except CaseNotFound:
        raise Http404("No such case.") from None
    errors: dict[str, str] = {}
    if request.method == "POST":
        refs = [case.reference, *request.POST.get("more_cases", "").split()]
        cases = []
        for ref in dict.fromkeys(refs):
            try:
                cases.append(case_get(organisation=org, reference=ref, visible_to=request.user))  # type: ignore[arg-type]
            except CaseNotFound:
                errors["more_cases"] = f"there is no case {ref[:40]!r} you can see"
        alternatives = [
            services.AlternativeTried(
                alternative=request.POST.get(f"alt{i}", ""),
                outcome=request.POST.get(f"alt{i}_outcome", ""),
                note=request.POST.get(f"alt{i}_note", ""),
            )
            for i in range(3)
            if request.POST.get(f"alt{i}")
        ]
        concluded = _date(
            errors, "contract_concluded_on", request.POST.get("contract_concluded_on", "")
        )
        evidence = [int(v) for v in request.POST.getlist("evidence") if v.isdigit()]
        if not errors:
            try:
                t = services.termination_propose(
                    organisation=org,
                    cases=cases,
                    reason=request.POST.get("reason", ""),
                    facts=request.POST.get("facts", ""),
                    product=request.POST.get("product", ""),
                    alternatives=alternatives,
                    immediate_justification=request.POST.get("immediate_justification", ""),
                    evidence_ids=evidence,
                    contract_concluded_on=concluded,
                    actor=Actor.staff(request.user),  # type: ignore[arg-type]
                    now=timezone.now(),
                )
                return redirect("terminations:detail", pk=t.pk)
            except FieldErrors as exc:
                errors.update(exc.errors)
            except DomainError as exc:
                errors["proposal"] = str(exc)
    return render(
        request,
        "terminations/new.html",
        {
            "case": case,
            "evidence": case.evidence.all(),
            "reasons": list(REASON_LABELS.items()),
            "products": list(ProductKind),
            "alternatives": list(Alternative),
            "outcomes": list(AlternativeOutcome),
            "errors": errors,
            "post": request.POST,
            "slots": range(3),
        },
        status=400 if errors else 200,
    )


def _preview(t: Termination, today: date) -> NoticeDecision | None:
    try:
        return services.termination_notice_decision(termination=t, notice_on=today)
    except DomainError:
        return None


Action = Callable[[HttpRequest, Termination, Actor, Any], Any]


def _check(request: HttpRequest, t: Termination, actor: Actor, now: Any) -> Any:
    errors: dict[str, str] = {}
    days = _int(errors, "contract_notice_days", request.POST.get("contract_notice_days", ""))
    if errors:
        raise FieldErrors(errors)
    return services.termination_check_record(
        termination=t,
        contract_clause=request.POST.get("contract_clause", ""),
        contract_notice_days=days,
        vulnerability_steps=request.POST.get("vulnerability_steps", ""),
        open_cases_note=request.POST.get("open_cases_note", ""),
        bill_disputed=request.POST.get("bill_disputed") == "yes",
        not_discriminatory_confirmed=request.POST.get("not_discriminatory") == "yes",
        actor=actor,
        now=now,
    )


def _notice(request: HttpRequest, t: Termination, actor: Actor, now: Any) -> Any:
    errors: dict[str, str] = {}
    effective = _date(errors, "effective_on", request.POST.get("effective_on", ""))
    org = t.organisation
    try:
        letter_case = case_get(organisation=org, reference=request.POST.get("letter_case", ""))
    except CaseNotFound:
        errors["letter_case"] = "choose one of the cases behind the termination"
    if errors:
        raise FieldErrors(errors)
    return services.termination_notice_issue(
        termination=t,
        letter_case=letter_case,
        alternatives_offered=_lines(request.POST.get("alternatives_offered", "")),
        reasons_stated=request.POST.get("reasons_stated", ""),
        money_and_data=request.POST.get("money_and_data", ""),
        effective_on=effective,
        actor=actor,
        now=now,
    )


def _deliver(request: HttpRequest, t: Termination, actor: Actor, now: Any) -> Any:
    return services.termination_notice_delivered(
        termination=t,
        method=request.POST.get("method", ""),
        tracking_number=request.POST.get("tracking_number", ""),
        sent_at=now,
        actor=actor,
        now=now,
    )


def _review(request: HttpRequest, t: Termination, actor: Actor, now: Any) -> Any:
    errors: dict[str, str] = {}
    effective = _date(errors, "effective_on", request.POST.get("effective_on", ""))
    if errors:
        raise FieldErrors(errors)
    return services.termination_appeal_review(
        termination=t,
        upheld=request.POST.get("upheld") == "yes",
        note=request.POST.get("note", ""),
        effective_on=effective,
        actor=actor,
        now=now,
    )


def _task_done(request: HttpRequest, t: Termination, actor: Actor, now: Any) -> Any:
    errors: dict[str, str] = {}
    done_on = _date(errors, "done_on", request.POST.get("done_on", ""))
    task = TerminationTask.objects.filter(
        termination=t, pk=_int(errors, "task", request.POST.get("task", ""))
    ).first()
    if task is None:
        errors["task"] = "no such task on this termination"
    if done_on is None:
        errors.setdefault("done_on", "is required")
    if errors:
        raise FieldErrors(errors)
    assert task is not None and done_on is not None
    return services.termination_task_done(
        task=task, outcome=request.POST.get("outcome", ""), done_on=done_on, actor=actor, now=now
    )


ACTIONS: dict[str, Action] = {
    "check": _check,
    "signoff": lambda r, t, a, n: services.termination_legal_signoff(
        termination=t, note=r.POST.get("note", ""), actor=a, now=n
    ),
    "decide": lambda r, t, a, n: services.termination_decide(
        termination=t,
        approve=r.POST.get("approve") == "yes",
        reasons=r.POST.get("reasons", ""),
        actor=a,
        now=n,
    ),
    "notice": _notice,
    "deliver": _deliver,
    "reverse": lambda r, t, a, n: services.termination_reverse(
        termination=t, reason=r.POST.get("reason", ""), actor=a, now=n
    ),
    "review": _review,
    "task_done": _task_done,
}


@login_required
@permission_required(VIEW, raise_exception=True)
def termination_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Supervisors, legal reviewers and admins see every termination; an agent sees the
    ones they proposed."""
    org = _organisation(request)
    try:
        t = selectors.termination_get(organisation=org, pk=pk)
    except selectors.TerminationNotFound:
        raise Http404("No such termination.") from None
    if not request.user.has_perm(ALL) and t.proposed_by_id != request.user.pk:
        raise Http404("No such termination.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            errors["action"] = "unknown action"
        else:
            try:
                action(request, t, Actor.staff(request.user), timezone.now())  # type: ignore[arg-type]
                return redirect("terminations:detail", pk=t.pk)
            except FieldErrors as exc:
                errors.update(exc.errors)
            except (MissingFields, InvalidFields) as exc:
                errors["letter"] = str(exc)
            except DomainError as exc:
                errors["refused"] = str(exc)
        t = selectors.termination_get(organisation=org, pk=pk)
    today = timezone.now().astimezone(ZoneInfo(org.time_zone)).date()
    return render(
        request,
        "terminations/detail.html",
        {
            "t": t,
            "reason_label": REASON_LABELS[t.reason],  # type: ignore[index]
            "product_label": ProductKind(t.product).label,
            "cases": t.cases.order_by("pk"),
            "alternatives": t.alternatives.select_related("recorded_by"),
            "tasks": t.tasks.select_related("owner"),
            "open_cases": selectors.termination_customer_open_cases(termination=t),
            "flags": sorted(selectors.record_flags(cases=list(t.cases.all()))),
            "preview": _preview(t, today) if t.status in ("checked", "approved") else None,
            "methods": list(DeliveryMethod),
            "errors": errors,
            "post": request.POST,
        },
        status=400 if errors else 200,
    )


def appeal_token(*, termination: Termination, case_id: int) -> str:
    """The signed value the portal's appeal form carries: which termination, from which
    case page (rendered only on a page whose private link was already checked)."""
    return signing.dumps({"t": termination.pk, "c": case_id}, salt=APPEAL_SALT)


@require_POST
def appeal_view(request: HttpRequest) -> HttpResponse:
    """The customer's appeal from the portal case page. Answers with a plain page."""
    try:
        value = signing.loads(
            request.POST.get("token", ""), salt=APPEAL_SALT, max_age=APPEAL_MAX_AGE
        )
        t = Termination.objects.select_related("organisation", "customer").get(
            pk=int(value["t"]), cases__pk=int(value["c"])
        )
    except (signing.BadSignature, Termination.DoesNotExist, KeyError, TypeError, ValueError):
        return render(
            request,
            "terminations/appeal_done.html",
            {"ok": False, "message": "This appeal form is not valid. Open your complaint's "
             "link again and appeal from there."},
            status=400,
        )  # fmt: skip
    try:
        services.termination_appeal(
            termination=t,
            grounds=request.POST.get("grounds", ""),
            actor=Actor.customer(t.customer.name),
            now=timezone.now(),
        )
    except FieldErrors as exc:
        message = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
        return render(
            request, "terminations/appeal_done.html", {"ok": False, "message": message}, status=400
        )
    except DomainError as exc:
        return render(
            request, "terminations/appeal_done.html", {"ok": False, "message": str(exc)}, status=400
        )
    return render(request, "terminations/appeal_done.html", {"ok": True, "t": t})
