"""Staff desk views: parse the request, call a selector, render. No business logic."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.accounts.selectors import staff_list
from plaint.cases import selectors
from plaint.cases.selectors import CaseFilters, CaseNotFound
from plaint.deadlines.selectors import case_deadline_views
from plaint.desk.forms import CaseFilterForm
from plaint.domain.lifecycle import CaseStatus

PAGE_SIZE = 50


def _organisation(request: HttpRequest) -> Organisation:
    """The signed-in member of staff's organisation: the only one they can ever see."""
    org: Organisation | None = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    staff = [(u.pk, u.display_name) for u in staff_list(organisation=org)]
    form = CaseFilterForm(
        request.GET or None, products=selectors.case_products(organisation=org), staff=staff
    )
    filters = form.filters() if form.is_bound and form.is_valid() else CaseFilters()
    page = Paginator(selectors.case_list(organisation=org, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.case_status_counts(organisation=org)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": [
            (status, status.label, n) for status in CaseStatus if (n := counts.get(status.value, 0))
        ],
    }
    template = (
        "desk/_case_rows.html" if request.headers.get("HX-Request") else "desk/case_list.html"
    )
    return render(request, template, context)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    org = _organisation(request)
    try:
        case = selectors.case_get(organisation=org, reference=reference)
    except CaseNotFound:
        raise Http404(f"No case {reference} in {org.name}.") from None
    context = {
        "case": case,
        "timeline": selectors.case_timeline(case=case),
        "contacts": selectors.case_contacts(case=case),
        "evidence": selectors.case_evidence(case=case),
        "offers": selectors.case_offers(case=case),
        "next_statuses": selectors.case_next_statuses(case=case),
        "deadlines": case_deadline_views(case=case, now=timezone.now()),
    }
    return render(request, "desk/case_detail.html", context)
