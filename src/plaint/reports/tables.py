"""The report's figures as tables: the same rows feed the page (the table alternative to
each chart) and the CSV export, so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plaint.reports.selectors import Bar, Durations, Report


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[list[object], str]]  # (cells, drill key of the cases behind the row)
    chart: str = ""  # "line", "bar", "histogram" or "" (no chart)

    @property
    def bars(self) -> list[Bar]:
        return [Bar(str(cells[0]), int(str(cells[1])), drill) for cells, drill in self.rows]


def _counts(name: str, title: str, first: str, bars: Sequence[Bar], chart: str) -> Table:
    return Table(
        name, title, (first, "Cases"), [([b.label, b.value], b.drill) for b in bars], chart
    )


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _times(label: str, d: Durations) -> tuple[list[object], str]:
    return [label, d.count, _hours(d.median_hours), _hours(d.p90_hours)], d.drill


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def report_tables(report: Report) -> list[Table]:
    r = report
    return [
        _counts("by_month", "Complaints received by month", "Month", r.by_month, "line"),
        _counts("by_week", "Complaints received by week", "Week starting", r.by_week, "line"),
        _counts("by_product", "By product", "Product", r.by_product, "bar"),
        _counts("by_category", "By category", "Category", r.by_category, "bar"),
        _counts("by_channel", "By channel", "Channel", r.by_channel, "bar"),
        _counts(
            "by_root_cause", "Closed cases by root cause", "Root cause", r.by_root_cause, "bar"
        ),
        _counts("outcomes", "Closed cases by outcome", "Outcome", r.outcomes, "bar"),
        Table(
            "times",
            "Time to acknowledge and to close (hours)",
            ("Measure", "Cases", "Median", "90th percentile"),
            [_times("Acknowledge", r.acknowledge), _times("Close", r.resolve)],
        ),
        Table(
            "deadlines",
            "Deadlines by rule",
            ("Rule", "Title", "On time", "Late", "Missed", "Not yet due", "On time %"),
            [
                (
                    [
                        d.key,
                        d.title,
                        d.on_time,
                        d.late,
                        d.missed,
                        d.pending,
                        _percent(d.on_time_percent),
                    ],
                    f"deadline:{d.key}:late",
                )
                for d in r.deadlines
            ],
        ),
        Table(
            "redress",
            "Redress offered and accepted",
            ("Kind", "Currency", "Offers", "Offered", "Accepted offers", "Accepted"),
            [
                (
                    [
                        m.kind,
                        m.currency or "-",
                        m.offered_count,
                        f"{m.offered:.2f}",
                        m.accepted_count,
                        f"{m.accepted:.2f}",
                    ],
                    "redress:",
                )
                for m in r.redress
            ],
        ),
        Table(
            "flags",
            "Repeat complainants, escalations and legal review",
            ("Measure", "Cases"),
            [([b.label, b.value], b.drill) for b in (r.repeat, r.escalated, r.legal_review)],
        ),
        Table(
            "vulnerability",
            "Vulnerability: outcomes compared",
            ("Customers", "Cases", "Closed", "Upheld (fully or partly)", "Upheld %"),
            [
                ([v.label, v.total, v.closed, v.upheld, _percent(v.upheld_percent)], v.drill)
                for v in r.vulnerability
            ],
        ),
        _counts("workload", "Open cases by team member (now)", "Team member", r.workload, "bar"),
        _counts("ageing", "Open cases by age (now)", "Age", r.ageing, "histogram"),
    ]
