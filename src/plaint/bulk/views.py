"""Bulk-action views: resolve what was chosen on the queue into case ids (through the
queue's own selector, so "all matching" is exactly what the page showed), then call the
bulk service; show a job's progress and result. No business logic here."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from plaint.accesslog.models import AccessAction
from plaint.accesslog.recording import request_access_record
from plaint.accounts.models import User
from plaint.accounts.selectors import staff_list
from plaint.bulk import selectors, services
from plaint.bulk.forms import BulkForm, Scope
from plaint.bulk.models import BulkJob
from plaint.desk.selectors import queue_select
from plaint.desk.views import PAGE_SIZE
from plaint.domain.bulk import BulkAction, BulkRequest
from plaint.domain.errors import DomainError, FieldErrors

#: Refusals shown on the result page (the count names the rest).
REFUSALS_SHOWN = 500


class _Echo:
    def write(self, value: str) -> str:
        return value


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.organisation_id is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return user


def _chosen_ids(request: HttpRequest, user: User, form: BulkForm) -> list[int]:
    """The case ids the form names: the ticked rows, or the page or whole queue its query
    shows (resolved again here, through the queue's selector)."""
    scope = form.cleaned_data["scope"]
    if scope == Scope.SELECTED:
        raw = request.POST.getlist("case")
        if not all(value.isdigit() and len(value) < 19 for value in raw):
            raise FieldErrors({"cases": "a chosen case is not a case id"})
        return [int(value) for value in raw]
    assert user.organisation is not None
    chosen = queue_select(
        organisation=user.organisation,
        user=user,
        params=QueryDict(form.cleaned_data["query"] or ""),
        now=timezone.now(),
    )
    if scope == Scope.PAGE:
        page = Paginator(chosen.cases, PAGE_SIZE).get_page(form.cleaned_data["page"])
        return [case.pk for case in page]
    return list(chosen.cases.values_list("pk", flat=True))


def _refused(request: HttpRequest, errors: dict[str, str], status: int = 400) -> HttpResponse:
    return render(
        request,
        "bulk/refused.html",
        {"errors": sorted(errors.items()), "query": request.POST.get("query", "")},
        status=status,
    )


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def bulk_start_view(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            {field: " ".join(str(p) for p in problems) for field, problems in form.errors.items()},
        )
    action = BulkAction(form.cleaned_data["action"])
    if not services.bulk_allowed(user=user, action=action):
        raise PermissionDenied("Your role does not allow this on a case.")
    try:
        ids = services.bulk_cases_check(user=user, case_ids=_chosen_ids(request, user, form))
        if action is BulkAction.EXPORT:
            return _export(request, user, ids)
        job = services.bulk_start(
            user=user,
            request=BulkRequest(
                action=action,
                assignee_id=form.assignee_id(),
                priority=form.cleaned_data["priority"],
                to=form.cleaned_data["to"],
                text=form.cleaned_data["text"],
            ),
            case_ids=ids,
            now=timezone.now(),
            background_over=settings.PLAINT_BULK_BACKGROUND_OVER,
        )
    except FieldErrors as exc:
        return _refused(request, exc.errors)
    except services.BulkNotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        return _refused(request, {"action": exc.message})
    except ValueError as exc:  # the assignee field was not an id
        return _refused(request, {"assignee": str(exc)})
    return redirect("bulk:job", pk=job.pk)


def _export(request: HttpRequest, user: User, ids: list[int]) -> HttpResponseBase:
    request_access_record(request, AccessAction.REPORT_EXPORTED, detail={"bulk_export": len(ids)})
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        for row in selectors.bulk_export_rows(user=user, case_ids=ids):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="plaint-cases.csv"'
    return response


def _job(request: HttpRequest, pk: int) -> BulkJob:
    try:
        return selectors.bulk_job_get(user=_user(request), pk=pk)
    except selectors.JobNotFound:
        raise Http404(f"No bulk job #{pk}.") from None


def _job_context(job: BulkJob) -> dict[str, object]:
    assignee = ""
    if job.action == BulkAction.ASSIGN:
        wanted = job.parameters.get("assignee_id")
        names = {u.pk: u.display_name for u in staff_list(organisation=job.organisation)}
        assignee = names.get(wanted, "a former member of staff") if wanted else "nobody"
    refusals = list(selectors.bulk_refusals(job=job)[:REFUSALS_SHOWN])
    return {
        "job": job,
        "assignee": assignee,
        "refusals": refusals,
        "more_refusals": job.refused - len(refusals),
        "percent": (100 * job.cursor // job.total) if job.total else 100,
    }


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def bulk_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "bulk/job.html", _job_context(job))


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def bulk_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone (htmx polls it; once the job is done it stops polling)."""
    job = _job(request, pk)
    return render(request, "bulk/_progress.html", _job_context(job))
