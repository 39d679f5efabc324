"""The reports pages of the desk: parse the request, call a selector, render. Supervisors,
legal reviewers and admins (`cases.view_all_cases`) see them; agents get 403, because a
report counts every case of the organisation and agents see only their own."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from plaint.accesslog.models import AccessAction
from plaint.accesslog.recording import request_access_record
from plaint.accounts.models import Organisation, User
from plaint.accounts.selectors import staff_list
from plaint.cases.queue import DEFAULT_COLUMNS, case_due_state
from plaint.cases.selectors import case_menu_values
from plaint.cases.taxonomy import root_causes
from plaint.domain.csv_cells import csv_cell
from plaint.domain.errors import FieldErrors
from plaint.domain.returns import cfpb as cfpb_columns
from plaint.domain.returns import fca
from plaint.domain.returns.periods import Period, half_year, period_make
from plaint.reports import charts, spreadsheets
from plaint.reports import services as report_services
from plaint.reports.models import ImprovementAction
from plaint.reports.selectors import (
    AGE_BUCKETS,
    ReportFilters,
    actions_list,
    cfpb_export,
    fca_return_build,
    figure_cases,
    report_build,
    report_filters_parse,
    return_product_groups,
)
from plaint.reports.tables import Table, report_tables

VIEW = "cases.view_all_cases"
PAGE_SIZE = 50


def _organisation(request: HttpRequest) -> Organisation:
    org: Organisation | None = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org


def _today(org: Organisation) -> date:
    return timezone.now().astimezone(ZoneInfo(org.time_zone)).date()


def _menus(org: Organisation) -> dict[str, Any]:
    return {
        "products": case_menu_values(organisation=org, column="product"),
        "regimes": case_menu_values(organisation=org, column="regime"),
        "staff": [(u.pk, u.display_name) for u in staff_list(organisation=org)],
    }


def _filters(
    request: HttpRequest, org: Organisation
) -> tuple[ReportFilters | None, dict[str, str]]:
    try:
        return report_filters_parse(organisation=org, query=request.GET, today=_today(org)), {}
    except FieldErrors as exc:
        return None, exc.errors


def _href(filters: ReportFilters) -> Callable[[str], str]:
    base = reverse("reports:cases")
    query = filters.query()
    return lambda drill: f"{base}?{urlencode({**query, 'drill': drill})}"


def _chart(table: Table, href: Callable[[str], str], nonce: str) -> str:
    """The table's chart; its <style> carries the response's CSP `nonce`."""
    if not table.rows or not table.chart:
        return ""
    if table.chart == "line":
        return charts.line_chart(table.title, table.bars, href, nonce=nonce)
    if table.chart == "histogram":
        edges = [(a, b if b is not None else a + 30) for _, a, b in AGE_BUCKETS]
        return charts.histogram(table.title, table.bars, edges, href, nonce=nonce)
    return charts.bar_chart(table.title, table.bars, href, nonce=nonce)


def _refused(errors: dict[str, str]) -> HttpResponse:
    """A download whose filters were refused: the reasons, field by field, as text."""
    problems = "; ".join(f"{field}: {text}" for field, text in errors.items())
    return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def reports_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    filters, errors = _filters(request, org)
    context: dict[str, Any] = {"errors": errors, "query": request.GET, **_menus(org)}
    if filters is None:
        return render(request, "reports/reports.html", context, status=400)
    report = report_build(organisation=org, filters=filters, now=timezone.now())
    href = _href(filters)
    tables = report_tables(report)
    nonce = str(request.csp_nonce)  # type: ignore[attr-defined]  # django-csp's middleware
    context |= {
        "report": report,
        "filters": filters,
        "export_query": urlencode(filters.query()),
        "sections": [(t, _chart(t, href, nonce)) for t in tables],
        "href_all": href("all"),
    }
    return render(request, "reports/reports.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def report_cases_view(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure of the report."""
    org = _organisation(request)
    filters, errors = _filters(request, org)
    drill = request.GET.get("drill", "")
    cases = None
    if filters is not None:
        try:
            cases = figure_cases(organisation=org, filters=filters, drill=drill, now=timezone.now())
        except FieldErrors as exc:
            errors = exc.errors
    if cases is None:
        return render(request, "reports/cases.html", {"errors": errors, "drill": drill}, status=400)
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(
        cases.select_related("customer", "assignee").order_by("-received_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    action_link = ""
    if drill.startswith("root_cause:") and request.user.has_perm(EDIT):
        refs = " ".join(c.reference for c in page)
        action_link = f"{reverse('reports:actions')}?" + urlencode(
            {"root_cause": drill.partition(":")[2], "cases": refs}
        )
    now = timezone.now()
    context = {
        "page": page,
        # The desk's case table: its default columns, each case with its deadline in words.
        "rows": [(case, case_due_state(case, now=now)) for case in page],
        "columns": DEFAULT_COLUMNS,
        "query": query.urlencode(),
        "drill": drill,
        "action_link": action_link,
        "filters": filters,
        "back": f"{reverse('reports:reports')}?{urlencode(filters.query())}",  # type: ignore[union-attr]
    }
    return render(request, "reports/cases.html", context)


def _csv(
    request: HttpRequest, name: str, headers: Iterable[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    _exported(request, f"{name}.csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def report_csv_view(request: HttpRequest, name: str) -> HttpResponse:
    org = _organisation(request)
    filters, errors = _filters(request, org)
    if filters is None:
        return _refused(errors)
    report = report_build(organisation=org, filters=filters, now=timezone.now())
    tables = {t.name: t for t in report_tables(report)}
    if name not in tables:
        raise Http404(f"No table {name!r}.")
    table = tables[name]
    return _csv(
        request,
        f"plaint-{name}-{filters.period.first}-{filters.period.last}",
        table.headers,
        (cells for cells, _ in table.rows),
    )


def _exported(request: HttpRequest, filename: str) -> None:
    """Every export is a read of many cases: the access log says who took which."""
    query = request.GET.urlencode()
    request_access_record(
        request, AccessAction.REPORT_EXPORTED, detail={"file": filename, "query": query}
    )


def _xlsx(request: HttpRequest, name: str, sheets: Iterable[spreadsheets.Sheet]) -> HttpResponse:
    _exported(request, f"{name}.xlsx")
    response = HttpResponse(
        spreadsheets.workbook_bytes(sheets), content_type=spreadsheets.CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def report_xlsx_view(request: HttpRequest) -> HttpResponse:
    """The whole report as one workbook: a sheet per table, the rows of its CSV."""
    org = _organisation(request)
    filters, errors = _filters(request, org)
    if filters is None:
        return _refused(errors)
    report = report_build(organisation=org, filters=filters, now=timezone.now())
    sheets = [
        spreadsheets.Sheet(t.title, t.headers, [cells for cells, _ in t.rows])
        for t in report_tables(report)
    ]
    return _xlsx(request, f"plaint-report-{filters.period.first}-{filters.period.last}", sheets)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def cfpb_export_view(request: HttpRequest) -> HttpResponse:
    """The report's cases in the CFPB Consumer Complaint Database's columns."""
    org = _organisation(request)
    filters, errors = _filters(request, org)
    if filters is None:
        return _refused(errors)
    rows = cfpb_export(organisation=org, filters=filters, now=timezone.now())
    name = f"plaint-cfpb-{filters.period.first}-{filters.period.last}"
    return _csv(request, name, cfpb_columns.COLUMNS, rows)


# ---------------------------------------------------------------- FCA return


def _return_period(request: HttpRequest, org: Organisation) -> tuple[Period | None, dict[str, str]]:
    q = request.GET
    try:
        if q.get("from") or q.get("to"):
            first = date.fromisoformat(q["from"]) if q.get("from") else None
            last = date.fromisoformat(q["to"]) if q.get("to") else None
            return period_make(first, last), {}
        today = _today(org)
        year = int(q.get("year") or (today - timedelta(days=183)).year)
        half = int(q.get("half") or (1 if (today - timedelta(days=183)).month <= 6 else 2))
        if not 2000 <= year <= 2100:
            return None, {"year": f"{year} is not a year Plaint reports on (2000 to 2100)"}
        return half_year(year, half), {}
    except ValueError:
        return None, {
            "period": "write dates as YYYY-MM-DD, the year as 4 digits and the half as 1 or 2"
        }
    except FieldErrors as exc:
        return None, exc.errors


def _return_rows(ret: fca.FcaReturn) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in ret.rows:
        money = "; ".join(f"{cur} {amount:.2f}" for cur, amount in sorted(row.redress_paid.items()))
        rows.append([row.label, *(row.count(key) for key, _ in fca.FIGURES), money])
    return rows


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def fca_return_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    period, errors = _return_period(request, org)
    if period is None:
        return render(request, "reports/fca_return.html", {"errors": errors}, status=400)
    ret = fca_return_build(organisation=org, period=period)
    context = {
        "ret": ret,
        "figures": fca.FIGURES,
        "rows": _return_rows(ret),
        "totals": [ret.total(key) for key, _ in fca.FIGURES],
        "period_query": urlencode({"from": period.first, "to": period.last}),
        "source": fca.SOURCE,
        "last_verified": fca.LAST_VERIFIED,
    }
    return render(request, "reports/fca_return.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def fca_return_csv_view(request: HttpRequest) -> HttpResponse:
    """The return in its layout, then the cases behind it (`_return_sheets`)."""
    org = _organisation(request)
    period, errors = _return_period(request, org)
    if period is None:
        return _refused(errors)
    ret = fca_return_build(organisation=org, period=period)
    figures, cases = _return_sheets(ret)
    rows = [*figures.rows, [], list(cases.headers), *cases.rows]
    return _csv(request, f"plaint-fca-return-{period.first}-{period.last}", figures.headers, rows)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def fca_return_xlsx_view(request: HttpRequest) -> HttpResponse:
    """The return as a workbook: the figures in the return's layout, then the cases."""
    org = _organisation(request)
    period, errors = _return_period(request, org)
    if period is None:
        return _refused(errors)
    ret = fca_return_build(organisation=org, period=period)
    figures, cases = _return_sheets(ret)
    notes = spreadsheets.Sheet(
        "Notes",
        ["Note"],
        [[w] for w in ret.warnings]
        + [[f"Source: {fca.SOURCE}, last verified {fca.LAST_VERIFIED}."], [fca.NOTICE]],
    )
    return _xlsx(
        request, f"plaint-fca-return-{period.first}-{period.last}", [figures, cases, notes]
    )


def _return_sheets(ret: fca.FcaReturn) -> tuple[spreadsheets.Sheet, spreadsheets.Sheet]:
    """The return in its layout (one row per product group and a total), and one row per
    case behind the figures (its reference and which figures it counts in), so every
    number traces back to cases."""
    headers = ["Product group", *(title for _, title in fca.FIGURES), "Redress paid"]
    rows = _return_rows(ret)
    rows.append(["Total", *(ret.total(key) for key, _ in fca.FIGURES), ""])
    counted_rows: list[list[object]] = []
    for row in ret.rows:
        counted: dict[str, list[str]] = {}
        for key, _ in fca.FIGURES:
            for ref in row.cases.get(key, ()):
                counted.setdefault(ref, []).append(key)
        counted_rows.extend(
            [ref, row.label, " ".join(keys)] for ref, keys in sorted(counted.items())
        )
    return (
        spreadsheets.Sheet("Return", headers, rows),
        spreadsheets.Sheet("Cases", ["Case", "Product group", "Counted in"], counted_rows),
    )


# ---------------------------------------------------------------- settings

EDIT = "cases.reassign_case"  # supervisors and admins


def _settings_context(org: Organisation, errors: dict[str, str]) -> dict[str, Any]:
    mapping = return_product_groups(organisation=org)
    return {
        "causes": root_causes(organisation=org),
        "products": [
            (p, mapping.get(p, "")) for p in case_menu_values(organisation=org, column="product")
        ],
        "groups": [(g.value, g.label) for g in fca.ProductGroup],
        "errors": errors,
    }


@login_required
@permission_required(EDIT, raise_exception=True)
def report_settings_view(request: HttpRequest) -> HttpResponse:
    """The root-cause taxonomy and the products' return groups. A POST names its `action`:
    add_cause (label), retire_cause (code) or map_product (product, group)."""
    org = _organisation(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        user, now, post = cast(User, request.user), timezone.now(), request.POST
        action = post.get("action", "")
        try:
            if action == "add_cause":
                report_services.root_cause_add(
                    organisation=org, label=post.get("label", ""), actor=user, now=now
                )
            elif action == "retire_cause":
                report_services.root_cause_retire(
                    organisation=org, code=post.get("code", ""), actor=user, now=now
                )
            elif action == "map_product":
                report_services.return_product_map_set(
                    organisation=org,
                    product=post.get("product", ""),
                    group=post.get("group", ""),
                    actor=user,
                    now=now,
                )
            else:
                errors = {"action": f"{action!r} is not something this page does"}
        except FieldErrors as exc:
            errors = exc.errors
        if not errors:
            return redirect("reports:settings")
    status = 400 if errors else 200
    return render(request, "reports/settings.html", _settings_context(org, errors), status=status)


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        raise FieldErrors({"date": f"{raw!r} is not a date (write it as YYYY-MM-DD)"}) from None


def _action_post(org: Organisation, user: User, post: Any) -> None:
    now = timezone.now()
    what = post.get("action", "")
    if what == "open":
        owner = post.get("owner", "")
        report_services.action_open(
            organisation=org,
            title=post.get("title", ""),
            root_cause_code=post.get("root_cause_code", ""),
            owner_id=int(owner) if owner.isdigit() else None,
            due_on=_day(post.get("due_on", "")),
            case_references=post.get("cases", "").replace(",", " ").split(),
            actor=user,
            now=now,
        )
        return
    found = ImprovementAction.objects.filter(organisation=org, pk=post.get("id") or 0).first()
    if what not in {"done", "judge"}:
        raise FieldErrors({"action": f"{what!r} is not something this page does"})
    if found is None:
        raise FieldErrors({"id": "is not an improvement action of this organisation"})
    if what == "done":
        report_services.action_done(
            action=found, done_on=_day(post.get("done_on", "")), actor=user, now=now
        )
    else:
        worked = post.get("worked", "")
        if worked not in {"yes", "no"}:
            raise FieldErrors({"worked": "say whether it worked: yes or no"})
        report_services.action_judge(
            action=found, worked=worked == "yes", note=post.get("note", ""), actor=user, now=now
        )


@login_required
@permission_required(VIEW, raise_exception=True)
def report_actions_view(request: HttpRequest) -> HttpResponse:
    """Improvement actions and their measured effect. Supervisors and admins open them,
    record when the change was done, and judge whether it worked."""
    org = _organisation(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not request.user.has_perm(EDIT):
            raise PermissionDenied("Your role does not open or judge improvement actions.")
        try:
            _action_post(org, cast(User, request.user), request.POST)
        except FieldErrors as exc:
            errors = exc.errors
        else:
            return redirect("reports:actions")
    context = {
        "actions": actions_list(organisation=org, today=_today(org)),
        "causes": root_causes(organisation=org),
        "staff": [(u.pk, u.display_name) for u in staff_list(organisation=org)],
        "errors": errors,
        "post": request.POST if errors else {},
        "can_edit": request.user.has_perm(EDIT),
        "prefill": {
            "cases": request.GET.get("cases", ""),
            "root_cause_code": request.GET.get("root_cause", ""),
        },
    }
    return render(request, "reports/actions.html", context, status=400 if errors else 200)
