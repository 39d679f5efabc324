"""The reports over the API (/api/v1/reports/...): the same selectors and tables as the
desk page and its CSV/XLSX downloads, as JSON.

This router is mounted by `plaint.api` (by its dotted path, so the reports app does not
import the interface layer above it). The API's token authentication runs first; a
report counts every case of the organisation, so the token needs the `read` scope and its
owner the desk's permission to see every case (supervisors, legal reviewers, admins).
Refused filters are a 422 problem+json naming each field, through the API's handler of
`FieldErrors`.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from plaint.accounts.models import Organisation
from plaint.domain.errors import FieldErrors
from plaint.domain.returns import fca
from plaint.domain.returns.periods import half_year, period_make
from plaint.reports.selectors import fca_return_build, report_build, report_filters_parse
from plaint.reports.tables import report_tables

router = Router(tags=["reports"])

VIEW = "cases.view_all_cases"


def _organisation(request: HttpRequest) -> Organisation:
    token: Any = request.auth  # type: ignore[attr-defined]
    if "read" not in token.scopes:
        raise HttpError(403, "This token does not have the 'read' scope.")
    if not token.owner.has_perm(VIEW):
        raise HttpError(
            403,
            f"The token's owner, {token.owner.display_name}, may not see reports in the desk "
            "(they count every case of the organisation).",
        )
    org: Organisation = token.organisation
    return org


class ReportQuery(Schema):
    from_: str = Field(
        "", alias="from", description="First day, YYYY-MM-DD (default: 364 days before `to`)."
    )
    to: str = Field("", description="Last day, YYYY-MM-DD (default: today).")
    product: str = ""
    assignee: str = Field("", description="A team member's id: the cases assigned to them.")
    regime: str = ""


class Row(Schema):
    cells: list[int | float | str]
    cases: str = Field(description="The desk page listing the cases behind this row.")


class TableOut(Schema):
    name: str
    title: str
    headers: list[str]
    rows: list[Row]


class ReportOut(Schema):
    first: date
    last: date
    total: int
    upheld_percent: float | None
    tables: list[TableOut]


class ReportFieldError(Schema):
    field: str
    message: str


class ReportProblemOut(Schema):
    """RFC 9457 problem details, as the API's handlers write them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ReportFieldError] | None = None


ERRORS = dict.fromkeys((401, 403, 422, 429), ReportProblemOut)


@router.get(
    "/reports",
    response={200: ReportOut, **ERRORS},
    summary="The reports page's figures (the tables of the desk page, the rows of its CSVs)",
)
def report_get(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Every table of the desk's report for the period and filters; each row links to the
    cases behind it."""
    org = _organisation(request)
    raw = {"from": query.from_, "to": query.to, "product": query.product}
    raw |= {"assignee": query.assignee, "regime": query.regime}
    today = timezone.now().astimezone(ZoneInfo(org.time_zone)).date()
    filters = report_filters_parse(
        organisation=org, query={k: v for k, v in raw.items() if v}, today=today
    )
    report = report_build(organisation=org, filters=filters, now=timezone.now())
    base = reverse("reports:cases")
    q = filters.query()
    return {
        "first": filters.period.first,
        "last": filters.period.last,
        "total": report.total,
        "upheld_percent": report.upheld_percent,
        "tables": [
            {
                "name": t.name,
                "title": t.title,
                "headers": list(t.headers),
                "rows": [
                    {
                        "cells": [c if isinstance(c, int | float) else str(c) for c in cells],
                        "cases": f"{base}?{urlencode({**q, 'drill': drill})}",
                    }
                    for cells, drill in t.rows
                ],
            }
            for t in report_tables(report)
        ],
    }


class ReturnQuery(Schema):
    year: int | None = Field(None, description="With `half`: a half-year return.")
    half: int | None = Field(None, description="1 (January to June) or 2 (July to December).")
    from_: str = Field("", alias="from", description="Or any period: first day, YYYY-MM-DD.")
    to: str = Field("", description="Last day, YYYY-MM-DD.")


class ReturnRowOut(Schema):
    group: str
    label: str
    figures: dict[str, int]
    redress_paid: dict[str, str]
    cases: dict[str, list[str]]


class ReturnOut(Schema):
    version: str
    first: date
    last: date
    rows: list[ReturnRowOut]
    totals: dict[str, int]
    warnings: list[str]
    source: str
    last_verified: date
    notice: str


@router.get(
    "/reports/fca-return",
    response={200: ReturnOut, **ERRORS},
    summary="The FCA complaints return (DISP 1.10) for a period, with the cases behind it",
)
def fca_return_get(request: HttpRequest, query: Query[ReturnQuery]) -> Any:
    org = _organisation(request)
    try:
        if query.from_ or query.to:
            first = date.fromisoformat(query.from_) if query.from_ else None
            last = date.fromisoformat(query.to) if query.to else None
            period = period_make(first, last)
        elif query.year is not None and query.half is not None:
            if not 2000 <= query.year <= 2100:
                raise FieldErrors({"year": f"{query.year} is not a year Plaint reports on"})
            period = half_year(query.year, query.half)
        else:
            raise FieldErrors({"period": "give `year` and `half`, or `from` and `to`"})
    except ValueError:
        raise FieldErrors({"period": "write dates as YYYY-MM-DD"}) from None
    ret = fca_return_build(organisation=org, period=period)
    return {
        "version": ret.version.value,
        "first": period.first,
        "last": period.last,
        "rows": [
            {
                "group": row.group,
                "label": row.label,
                "figures": {key: row.count(key) for key, _ in fca.FIGURES},
                "redress_paid": {cur: f"{amount:.2f}" for cur, amount in row.redress_paid.items()},
                "cases": {key: list(refs) for key, refs in row.cases.items()},
            }
            for row in ret.rows
        ],
        "totals": {key: ret.total(key) for key, _ in fca.FIGURES},
        "warnings": ret.warnings,
        "source": fca.SOURCE,
        "last_verified": fca.LAST_VERIFIED,
        "notice": fca.NOTICE,
    }
