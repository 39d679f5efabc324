"""The admins' page of the access log, and its CSV. Views parse, call a selector, and
answer; the export of the log is itself put on the log."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from plaint.accounts.models import Organisation, User
from plaint.domain.csv_cells import csv_cell

from .forms import AccessFilterForm
from .models import AccessAction
from .recording import request_access_record
from .selectors import CSV_HEADERS, AccessFilters, access_list, access_rows

MANAGE = "cases.manage_organisation"
PAGE_SIZE = 100


def _admin(request: HttpRequest) -> Organisation:
    user = request.user
    org: Organisation | None = getattr(user, "organisation", None)
    if org is None or not isinstance(user, User) or not user.has_perm(MANAGE):
        raise PermissionDenied("Only admins read the access log.")
    return org


def _form(request: HttpRequest, org: Organisation) -> AccessFilterForm:
    staff = User.objects.filter(organisation=org).order_by("username")
    return AccessFilterForm(request.GET or None, staff=staff)


class _Echo:
    def write(self, value: str) -> str:
        return value


@never_cache
@login_required
@require_GET
def access_log_view(request: HttpRequest) -> HttpResponseBase:
    org = _admin(request)
    form = _form(request, org)
    zone = ZoneInfo(org.time_zone)
    if form.is_bound and not form.is_valid():
        return render(request, "accesslog/list.html", {"form": form, "page": None}, status=400)
    filters = form.filters(zone) if form.is_bound else AccessFilters()
    records = access_list(organisation=org, filters=filters)
    if request.GET.get("format") == "csv":
        request_access_record(
            request, AccessAction.ACCESS_LOG_EXPORTED, detail={"query": request.GET.urlencode()}
        )
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(CSV_HEADERS)
            for row in access_rows(records):
                yield writer.writerow([csv_cell(v) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="plaint-access-log-{org.slug}.csv"'
        return response
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accesslog/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "zone": zone},
    )
