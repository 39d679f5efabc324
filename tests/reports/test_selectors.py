"""Item 2: every figure of the reports page, against the hand-built data set (dataset.py)
whose answers were worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from plaint.domain.errors import FieldErrors
from plaint.domain.returns.periods import Period
from plaint.reports.selectors import (
    Money,
    ReportFilters,
    figure_cases,
    report_build,
    report_filters_parse,
)
from tests.reports.dataset import NOW, Dataset, build

PERIOD = Period(date(2026, 1, 1), date(2026, 2, 28))


@pytest.fixture
def data(org, agent) -> Dataset:
    return build(org, agent)


def bars(items) -> list[tuple[str, int]]:
    return [(b.label, b.value) for b in items]


def refs(org, drill: str, filters: ReportFilters | None = None) -> list[str]:
    cases = figure_cases(
        organisation=org, filters=filters or ReportFilters(PERIOD), drill=drill, now=NOW
    )
    return sorted(cases.values_list("reference", flat=True))


def test_every_figure_of_the_hand_built_set(org, agent, data) -> None:
    r = report_build(organisation=org, filters=ReportFilters(PERIOD), now=NOW)
    assert r.total == 4  # E was received before the period
    assert bars(r.by_month) == [("Jan 2026", 3), ("Feb 2026", 1)]
    # Every week the period touches, from Monday 29 Dec 2025, empty ones too.
    assert bars(r.by_week) == [
        ("29 Dec 2025", 0),
        ("05 Jan 2026", 2),
        ("12 Jan 2026", 1),
        ("19 Jan 2026", 0),
        ("26 Jan 2026", 0),
        ("02 Feb 2026", 1),
        ("09 Feb 2026", 0),
        ("16 Feb 2026", 0),
        ("23 Feb 2026", 0),
    ]
    assert bars(r.by_product) == [("Current account", 2), ("Credit card", 1), ("Mortgage", 1)]
    assert bars(r.by_channel) == [("Phone", 2), ("Email", 1), ("Web", 1)]
    assert bars(r.by_category) == [("(none)", 4)]
    # C closed and was reopened: it is open now, so neither its outcome nor cause counts.
    assert bars(r.by_root_cause) == [("No fault found", 1), ("Systems", 1)]
    assert bars(r.outcomes) == [("Not upheld", 1), ("Upheld", 1)]
    assert r.upheld_percent == 50.0
    # Acknowledged after 24 h (A) and 96 h (B): median 60, p90 = 24 + 0.9 * 72.
    assert (r.acknowledge.count, r.acknowledge.median_hours, r.acknowledge.p90_hours) == (
        2,
        60.0,
        88.8,
    )
    # Closed after 73 h (A) and 193 h (B): median 133, p90 = 73 + 0.9 * 120.
    assert (r.resolve.count, r.resolve.median_hours, r.resolve.p90_hours) == (2, 133.0, 181.0)
    rules = {row.key: row for row in r.deadlines}
    ack = rules["HOUSE/acknowledge"]
    # A on time; B met late; C met on time by its resolution; D never acknowledged.
    assert (ack.on_time, ack.late, ack.missed, ack.pending, ack.on_time_percent) == (
        2,
        1,
        1,
        0,
        50.0,
    )
    respond = rules["HOUSE/respond"]
    # A and B on time; C's clock restarted when it reopened and has run out; D's runs.
    assert (respond.on_time, respond.late, respond.missed, respond.pending) == (2, 0, 1, 1)
    assert r.redress == [
        Money("credit", "EUR", Decimal("20.00"), 1, Decimal("0"), 0),
        Money("refund", "GBP", Decimal("50.00"), 1, Decimal("50.00"), 1),
    ]
    assert (r.repeat.value, r.escalated.value, r.legal_review.value) == (2, 1, 1)
    vulnerable, others = r.vulnerability
    assert (vulnerable.total, vulnerable.closed, vulnerable.upheld_percent) == (1, 0, None)
    assert (others.total, others.closed, others.upheld, others.upheld_percent) == (
        3,
        2,
        1,
        50.0,
    )
    assert bars(r.workload) == [("Alice Agent", 1), ("Unassigned", 1)]
    assert bars(r.ageing) == [
        ("0-7 days", 0),
        ("8-14 days", 0),
        ("15-28 days", 1),
        ("29-56 days", 1),
        ("Over 56 days", 0),
    ]


def test_every_figure_links_to_the_cases_behind_it(org, agent, data) -> None:
    a, b, c, d = (x.reference for x in (data.a, data.b, data.c, data.d))
    r = report_build(organisation=org, filters=ReportFilters(PERIOD), now=NOW)
    assert refs(org, r.by_month[0].drill) == sorted([a, b, c])
    assert refs(org, r.by_week[1].drill) == sorted([a, b])
    assert refs(org, r.by_week[0].drill) == []
    assert refs(org, "product:Current account") == sorted([a, c])
    assert refs(org, "root_cause:systems") == [a]
    assert refs(org, "outcome:not_upheld") == [b]
    assert refs(org, "deadline:HOUSE/acknowledge:late") == [b]
    assert refs(org, "deadline:HOUSE/acknowledge:missed") == [d]
    assert refs(org, "deadline:HOUSE/respond:missed") == [c]
    assert refs(org, "repeat:yes") == sorted([a, b])
    assert refs(org, "escalated:yes") == [b]
    assert refs(org, "legal:yes") == [b]
    assert refs(org, "vulnerable:yes") == [c]
    assert refs(org, "acknowledged") == sorted([a, b])
    assert refs(org, f"assignee:{agent.pk}") == [d]
    assert refs(org, "assignee:") == [c]
    assert refs(org, "age:29") == [c]
    with pytest.raises(FieldErrors, match="'bogus:1' is not a figure"):
        refs(org, "bogus:1")
    with pytest.raises(FieldErrors, match="'month:soon' is not a figure"):
        refs(org, "month:soon")


def test_filters_narrow_every_figure(org, agent, data) -> None:
    by_product = ReportFilters(PERIOD, product="Current account")
    r = report_build(organisation=org, filters=by_product, now=NOW)
    assert (r.total, bars(r.outcomes), bars(r.workload)) == (
        2,
        [("Upheld", 1)],
        [("Unassigned", 1)],
    )
    mine = ReportFilters(PERIOD, assignee_id=agent.pk)
    assert report_build(organisation=org, filters=mine, now=NOW).total == 1
    assert (
        report_build(
            organisation=org, filters=ReportFilters(PERIOD, regime="US-CFPB"), now=NOW
        ).total
        == 0
    )


def test_filters_parse_and_refuse_in_words(org, agent, data) -> None:
    today = date(2026, 3, 2)
    f = report_filters_parse(organisation=org, query={}, today=today)
    assert f.period == Period(date(2025, 3, 3), today)
    f = report_filters_parse(
        organisation=org,
        query={
            "from": "2026-01-01",
            "to": "2026-02-28",
            "product": "Mortgage",
            "assignee": str(agent.pk),
        },
        today=today,
    )
    assert f == ReportFilters(PERIOD, product="Mortgage", assignee_id=agent.pk)
    cases = [
        (
            {"from": "2026-03-01", "to": "2026-01-01"},
            {"to": "is before the first day (01 Jan 2026 is earlier than 01 Mar 2026)"},
        ),
        ({"from": "yesterday"}, {"from": "'yesterday' is not a date (write it as YYYY-MM-DD)"}),
        (
            {"from": "2020-01-01", "to": "2026-01-01"},
            {"to": "makes the period longer than 366 days"},
        ),
        ({"product": "Yachts"}, {"product": "'Yachts' is not the product of any case"}),
        ({"regime": "MARS"}, {"regime": "'MARS' is not the regime of any case"}),
        (
            {"assignee": "99999"},
            {"assignee": "'99999' is not a member of staff of this organisation"},
        ),
    ]
    for query, errors in cases:
        with pytest.raises(FieldErrors) as refused:
            report_filters_parse(organisation=org, query=query, today=today)
        assert refused.value.errors == errors, query


def test_the_database_counts_each_deadline_as_deadline_result_does(org, agent) -> None:  # type: ignore[no-untyped-def]
    """The deadline table is tallied by a GROUP BY; each edge of `deadline_result` (met at
    its due time to the microsecond, no due time, marked missed before its time, due
    exactly now) lands where the Python rule puts it, in the table and in its drill."""
    from datetime import timedelta

    from plaint.deadlines.models import CaseDeadline
    from plaint.reports.selectors import deadline_result
    from tests.conftest import open_case

    due = NOW - timedelta(days=1)
    tiny = timedelta(microseconds=1)
    shapes = [  # (due_at, met_at, state)
        (due, due, "met"),
        (due, due + tiny, "met"),
        (due, due - tiny, "met"),
        (None, NOW, "met"),
        (None, None, "pending"),
        (due, None, "pending"),  # past due, the tick has not marked it yet
        (NOW + timedelta(days=2), None, "missed"),  # marked missed before its time
        (NOW, None, "pending"),  # due exactly now: not yet missed
        (NOW + tiny, None, "pending"),
        (NOW - tiny, None, "pending"),
    ]
    expected: dict[str, list[str]] = {"on_time": [], "late": [], "missed": [], "pending": []}
    for due_at, met_at, state in shapes:
        case = open_case(org, agent, received_at=NOW - timedelta(days=3))
        CaseDeadline.objects.filter(case=case).delete()
        CaseDeadline.objects.create(
            organisation=org, case=case, key="TEST/edge", regime_version="1", title="Edge",
            party="business", kind="respond", verification="verified", due_at=due_at,
            state=state, met_at=met_at, updated_at=NOW,
        )  # fmt: skip
        expected[deadline_result(due_at, met_at, state, NOW)].append(case.reference)
    assert all(expected.values()), expected  # every result is reached by some row
    filters = ReportFilters(Period(date(2020, 1, 1), date(2030, 12, 31)))
    report = report_build(organisation=org, filters=filters, now=NOW)
    row = next(r for r in report.deadlines if r.key == "TEST/edge")
    assert (row.title, row.on_time, row.late, row.missed, row.pending) == (
        "Edge", *(len(expected[k]) for k in ("on_time", "late", "missed", "pending"))
    )  # fmt: skip
    for result, references in expected.items():
        assert refs(org, f"deadline:TEST/edge:{result}", filters) == sorted(references)
    with pytest.raises(FieldErrors):
        refs(org, "deadline:TEST/edge:sometime", filters)
