"""Every figure of the reports page, computed from the case tables on each request (no
cache that could drift from the record).

A report covers the cases *received* in its period (and matching its filters); team
workload and ageing describe the cases open at `now`. Each figure comes with a `drill`
key that `figure_cases` turns back into the cases behind it.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case as DbCase
from django.db.models import CharField, Count, F, FloatField, Func, Min, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, Lower

from plaint.accounts.models import Organisation
from plaint.accounts.selectors import staff_list
from plaint.cases.models import Case, CaseEvent, ResolutionOffer
from plaint.cases.selectors import case_menu_values
from plaint.cases.taxonomy import root_cause_labels
from plaint.config.replicas import stale_ok
from plaint.deadlines.facts import calendars_for
from plaint.deadlines.models import CaseDeadline
from plaint.domain.errors import FieldErrors
from plaint.domain.events import EventKind
from plaint.domain.lifecycle import OPEN_STATUSES, CaseStatus
from plaint.domain.returns.cfpb import ExportFacts, export_row
from plaint.domain.returns.fca import UNMAPPED, CaseFacts, FcaReturn, fca_return
from plaint.domain.returns.periods import Period, period_make
from plaint.domain.rootcauses import Effect, action_effect
from plaint.domain.vocabulary import Channel, Outcome, label
from plaint.reports.models import ImprovementAction, ReturnProductMap
from plaint.triage.models import TriageRecord

#: Ageing histogram of open cases: (label, first day, last day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7 days", 0, 7),
    ("8-14 days", 8, 14),
    ("15-28 days", 15, 28),
    ("29-56 days", 29, 56),
    ("Over 56 days", 57, None),
)


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    product: str = ""
    assignee_id: int | None = None
    regime: str = ""

    def query(self) -> dict[str, str]:
        """The filters as the query string of the reports page."""
        q = {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()}
        if self.product:
            q["product"] = self.product
        if self.assignee_id is not None:
            q["assignee"] = str(self.assignee_id)
        if self.regime:
            q["regime"] = self.regime
        return q


def _date(errors: dict[str, str], name: str, raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = f"{raw!r} is not a date (write it as YYYY-MM-DD)"
        return None


def report_filters_parse(
    *, organisation: Organisation, query: Mapping[str, str], today: date
) -> ReportFilters:
    """Filters from the page's query string; by default the 365 days ending `today`.
    Anything wrong is a FieldErrors naming the field, in words."""
    errors: dict[str, str] = {}
    first = _date(errors, "from", query["from"]) if query.get("from") else None
    last = _date(errors, "to", query["to"]) if query.get("to") else None
    if errors:
        raise FieldErrors(errors)
    last = last or today
    first = first or last - timedelta(days=364)
    try:
        period = period_make(first, last)
    except FieldErrors as exc:
        raise FieldErrors(
            {{"first": "from", "last": "to"}[k]: v for k, v in exc.errors.items()}
        ) from None
    product = query.get("product", "").strip()
    if product and product not in case_menu_values(organisation=organisation, column="product"):
        errors["product"] = f"{product!r} is not the product of any case"
    regime = query.get("regime", "").strip()
    if regime and regime not in case_menu_values(organisation=organisation, column="regime"):
        errors["regime"] = f"{regime!r} is not the regime of any case"
    assignee_id = None
    raw = query.get("assignee", "").strip()
    if raw:
        staff = {str(u.pk): u.pk for u in staff_list(organisation=organisation)}
        if raw not in staff:
            errors["assignee"] = f"{raw!r} is not a member of staff of this organisation"
        else:
            assignee_id = staff[raw]
    if errors:
        raise FieldErrors(errors)
    return ReportFilters(period, product, assignee_id, regime)


def _zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.time_zone)


def report_cases(*, organisation: Organisation, filters: ReportFilters) -> QuerySet[Case]:
    """The cases a report covers: received in the period, matching the filters."""
    zone = _zone(organisation)
    cases = Case.objects.filter(
        organisation=organisation,
        received_at__gte=filters.period.start(zone),
        received_at__lt=filters.period.end(zone),
    )
    return _narrowed(cases, filters)


def _narrowed(cases: QuerySet[Case], filters: ReportFilters) -> QuerySet[Case]:
    """`cases` narrowed to the filters' product, team member and regime."""
    if filters.product:
        cases = cases.filter(product=filters.product)
    if filters.assignee_id is not None:
        cases = cases.filter(assignee_id=filters.assignee_id)
    if filters.regime:
        cases = cases.filter(regime=filters.regime)
    return cases


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Bar:
    """One labelled count; `drill` names the cases behind it (see `figure_cases`)."""

    label: str
    value: int
    drill: str


@dataclass(frozen=True)
class Durations:
    """Median and 90th percentile, in hours, of a set of durations."""

    count: int
    median_hours: float | None
    p90_hours: float | None
    drill: str


def durations(values: Iterable[timedelta], drill: str) -> Durations:
    return hours_durations([v.total_seconds() / 3600 for v in values], drill)


def hours_durations(values: Iterable[float], drill: str) -> Durations:
    hours = sorted(values)
    if not hours:
        return Durations(0, None, None, drill)
    p90 = hours[0] if len(hours) == 1 else statistics.quantiles(hours, n=10, method="inclusive")[8]
    return Durations(len(hours), round(statistics.median(hours), 1), round(p90, 1), drill)


class HoursBetween(Func):
    """The hours from one timestamp column to another, as a float computed by the
    database (so a year's cases are not read as datetimes to be subtracted in Python)."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        start, end = (compiler.compile(e) for e in self.get_source_expressions())
        return f"(EXTRACT(EPOCH FROM ({end[0]} - {start[0]})) / 3600.0)", (*end[1], *start[1])

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        start, end = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"((julianday({end[0]}) - julianday({start[0]})) * 24.0)"
        return sql, (*end[1], *start[1])


@dataclass(frozen=True)
class RuleRow:
    key: str
    title: str
    on_time: int
    late: int
    missed: int
    pending: int

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.on_time / self.decided, 1) if self.decided else None


@dataclass(frozen=True)
class Split:
    """Cases of one group of customers and how their complaints ended."""

    label: str
    total: int
    closed: int
    upheld: int
    upheld_percent: float | None
    drill: str


@dataclass(frozen=True)
class Money:
    kind: str
    currency: str
    offered: Decimal
    offered_count: int
    accepted: Decimal
    accepted_count: int


@dataclass
class Report:
    filters: ReportFilters
    total: int
    by_month: list[Bar]
    by_week: list[Bar]
    by_product: list[Bar]
    by_category: list[Bar]
    by_channel: list[Bar]
    by_root_cause: list[Bar]
    outcomes: list[Bar]
    acknowledge: Durations
    resolve: Durations
    deadlines: list[RuleRow]
    redress: list[Money]
    repeat: Bar
    escalated: Bar
    legal_review: Bar
    vulnerability: list[Split]
    workload: list[Bar]
    ageing: list[Bar]
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def upheld_percent(self) -> float | None:
        counts = {b.drill: b.value for b in self.outcomes}
        decided = sum(counts.get(f"outcome:{o.value}", 0) for o in Outcome)
        upheld = counts.get("outcome:upheld", 0) + counts.get("outcome:partly_upheld", 0)
        return round(100 * upheld / decided, 1) if decided else None


def _bars(
    cases: QuerySet[Case], column: str, figure: str, labels: Mapping[str, str] | None = None
) -> list[Bar]:
    rows = cases.values(column).annotate(n=Count("id")).order_by("-n", column)
    return [
        Bar(
            (labels or {}).get(row[column], row[column]) or "(none)",
            row["n"],
            f"{figure}:{row[column]}",
        )
        for row in rows
    ]


def _buckets(period: Period, weekly: bool) -> list[date]:
    """The first day of every week (Monday) or month that the period touches."""
    if weekly:
        day = period.first - timedelta(days=period.first.weekday())
        days = []
        while day <= period.last:
            days.append(day)
            day += timedelta(days=7)
        return days
    day = period.first.replace(day=1)
    months = []
    while day <= period.last:
        months.append(day)
        day = day.replace(year=day.year + (day.month == 12), month=day.month % 12 + 1)
    return months


def _trend(cases: QuerySet[Case], period: Period, zone: ZoneInfo, *, weekly: bool) -> list[Bar]:
    """Cases received per week or month, every bucket of the period shown (zeros too, so
    a line does not jump over an empty month). Each bucket is a range of `received_at`
    between two instants of the organisation's time zone (a day of a clock change is as
    long as it is), all counted by the database in one query: truncating every row's date
    instead would, on SQLite, call a Python function per row."""
    days = _buckets(period, weekly)
    ends = [*days[1:], _next_bucket(days[-1], weekly)]
    start = [datetime.combine(day, time.min, tzinfo=zone) for day in days]
    end = [datetime.combine(day, time.min, tzinfo=zone) for day in ends]
    counts = cases.aggregate(
        **{
            f"b{i}": Count("id", filter=Q(received_at__gte=a, received_at__lt=b))
            for i, (a, b) in enumerate(zip(start, end, strict=True))
        }
    )
    figure, fmt = ("week", "%d %b %Y") if weekly else ("month", "%b %Y")
    return [
        Bar(day.strftime(fmt), counts[f"b{i}"], f"{figure}:{day.isoformat()}")
        for i, day in enumerate(days)
    ]


def _next_bucket(day: date, weekly: bool) -> date:
    if weekly:
        return day + timedelta(days=7)
    return day.replace(year=day.year + (day.month == 12), month=day.month % 12 + 1)


def _acknowledged_at(cases: QuerySet[Case]) -> dict[int, datetime]:
    """When each case was first acknowledged: the "acknowledgement sent" milestone or the
    move to the acknowledged status, whichever came first."""
    first: dict[int, datetime] = {}
    rows = CaseEvent.objects.filter(
        case__in=cases, kind__in=[EventKind.MILESTONE_RECORDED, EventKind.STATUS_CHANGED]
    ).filter(
        Q(payload__contains='"acknowledgement_sent"')
        | Q(payload__contains='"to_status":"acknowledged"')
    )
    for case_id, kind, occurred_at, payload in rows.values_list(
        "case_id", "kind", "occurred_at", "payload"
    ):
        data = json.loads(payload)
        if kind == EventKind.MILESTONE_RECORDED:
            if data.get("milestone") != "acknowledgement_sent":
                continue
            moment = datetime.fromisoformat(data["at"])
        elif data.get("to_status") == CaseStatus.ACKNOWLEDGED:
            moment = occurred_at
        else:
            continue
        if case_id not in first or moment < first[case_id]:
            first[case_id] = moment
    return first


def _deadline_results(now: datetime) -> dict[str, Q]:
    """`deadline_result` as conditions on a deadline row, so the database counts: each row
    meets exactly one of them."""
    met = Q(met_at__isnull=False)
    on_time = met & (Q(due_at__isnull=True) | Q(met_at__lte=F("due_at")))
    late = met & Q(due_at__isnull=False, met_at__gt=F("due_at"))
    missed = Q(met_at__isnull=True) & (Q(state=CaseDeadline.State.MISSED) | Q(due_at__lt=now))
    pending = (
        Q(met_at__isnull=True)
        & ~Q(state=CaseDeadline.State.MISSED)
        & (Q(due_at__isnull=True) | Q(due_at__gte=now))
    )
    return {"on_time": on_time, "late": late, "missed": missed, "pending": pending}


def _deadline_rows(cases: QuerySet[Case], now: datetime) -> list[RuleRow]:
    """Each rule's deadlines by result, counted by one GROUP BY in the database."""
    results = _deadline_results(now)
    rows = (
        CaseDeadline.objects.filter(
            case__in=cases,
            source=CaseDeadline.Source.RULE,  # the rules, not the other side's dates
        )
        .values("key")
        .annotate(
            rule_title=Min("title"),
            on_time=Count("id", filter=results["on_time"]),
            late=Count("id", filter=results["late"]),
            missed=Count("id", filter=results["missed"]),
            pending=Count("id", filter=results["pending"]),
        )
        .order_by("key")
    )
    return [
        RuleRow(r["key"], r["rule_title"], r["on_time"], r["late"], r["missed"], r["pending"])
        for r in rows
    ]


def deadline_result(
    due_at: datetime | None, met_at: datetime | None, state: str, now: datetime
) -> str:
    """on_time, late (met after its due time), missed (its due time has passed by `now`
    and it is not met, whether or not the tick has marked the breach yet) or pending."""
    if met_at is not None:
        return "on_time" if due_at is None or met_at <= due_at else "late"
    if state == CaseDeadline.State.MISSED or (due_at is not None and due_at < now):
        return "missed"
    return "pending"


def _redress(cases: QuerySet[Case]) -> list[Money]:
    sums: dict[tuple[str, str], list[Decimal | int]] = {}
    for redress, currency, amount, answer in ResolutionOffer.objects.filter(
        case__in=cases
    ).values_list("redress", "currency", "amount", "answer"):
        row = sums.setdefault((redress, currency), [Decimal(0), 0, Decimal(0), 0])
        row[0] += amount or Decimal(0)
        row[1] += 1
        if answer == ResolutionOffer.Answer.ACCEPTED:
            row[2] += amount or Decimal(0)
            row[3] += 1
    return [
        Money(kind, cur, Decimal(v[0]), int(v[1]), Decimal(v[2]), int(v[3]))
        for (kind, cur), v in sorted(sums.items())
    ]


def _complainant() -> DbCase:
    """Who complained, for repeat complainants: the customer's e-mail address in lower
    case, or, for a customer with none, the customer record."""
    return DbCase(
        When(customer__email="", then=Concat(Value("c:"), Cast("customer_id", CharField()))),
        default=Concat(Value("e:"), Lower("customer__email")),
        output_field=CharField(),
    )


def _repeat_groups(cases: QuerySet[Case]) -> list[tuple[str, int]]:
    """The complainants with more than one case in `cases`, and how many each has."""
    rows = (
        cases.annotate(complainant=_complainant())
        .order_by()
        .values_list("complainant")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return [(key, n) for key, n in rows]


def _repeat_count(cases: QuerySet[Case]) -> int:
    """Cases whose customer (the same customer record, or the same e-mail address) has
    more than one case in the report, counted by the database."""
    return sum(n for _, n in _repeat_groups(cases))


def _repeat_ids(cases: QuerySet[Case]) -> list[int]:
    """The cases `_repeat_count` counts."""
    keys = [key for key, _ in _repeat_groups(cases)]
    return sorted(
        cases.annotate(complainant=_complainant())
        .filter(complainant__in=keys)
        .values_list("pk", flat=True)
    )


def _escalated_ids(cases: QuerySet[Case]) -> set[int]:
    # The ids are read first: PostgreSQL plans the doubly nested IN (...) badly.
    return set(
        CaseEvent.objects.filter(
            case__in=cases,
            kind=EventKind.STATUS_CHANGED,
            payload__contains='"to_status":"escalated"',
        ).values_list("case_id", flat=True)
    )


def _legal_ids(cases: QuerySet[Case]) -> set[int]:
    return set(
        TriageRecord.objects.filter(case__in=cases)
        .exclude(legal_review=TriageRecord.LegalReview.NONE)
        .values_list("case_id", flat=True)
    )


def _vulnerable(cases: QuerySet[Case], vulnerable: bool) -> QuerySet[Case]:
    flag = Q(customer__vulnerability_notes="")
    return cases.exclude(flag) if vulnerable else cases.filter(flag)


def _open(organisation: Organisation, filters: ReportFilters) -> QuerySet[Case]:
    cases = Case.objects.filter(
        organisation=organisation, status__in=[s.value for s in OPEN_STATUSES]
    )
    return _narrowed(cases, filters)


def _age_filter(
    cases: QuerySet[Case], now: datetime, first: int, last: int | None
) -> QuerySet[Case]:
    cases = cases.filter(received_at__lte=now - timedelta(days=first))
    if last is not None:
        cases = cases.filter(received_at__gt=now - timedelta(days=last + 1))
    return cases


def report_build(*, organisation: Organisation, filters: ReportFilters, now: datetime) -> Report:
    """The report's figures, read from the read replica when there is one (a report may be
    a moment behind; `plaint.config.replicas`)."""
    with stale_ok():
        return _report_build(organisation=organisation, filters=filters, now=now)


def _report_build(*, organisation: Organisation, filters: ReportFilters, now: datetime) -> Report:
    zone = _zone(organisation)
    cases = report_cases(organisation=organisation, filters=filters)
    case_count = cases.count()
    acknowledged = _acknowledged_at(cases)
    received = dict(
        cases.filter(pk__in=list(acknowledged)).values_list("pk", "received_at")
        if len(acknowledged) <= 10_000
        else cases.values_list("pk", "received_at")
    )
    resolve_hours = list(
        cases.filter(status="closed", closed_at__isnull=False)
        .annotate(hours=HoursBetween("received_at", "closed_at"))
        .values_list("hours", flat=True)
    )
    outcome_labels = {o.value: label(o) for o in Outcome} | {"": "Not closed"}
    vulnerability = []
    for flag in (True, False):
        group = _vulnerable(cases, flag)
        total = group.count()
        done = group.filter(status="closed").values("outcome").annotate(n=Count("id"))
        counts = {row["outcome"]: row["n"] for row in done}
        decided = sum(counts.values())
        upheld = counts.get(Outcome.UPHELD, 0) + counts.get(Outcome.PARTLY_UPHELD, 0)
        vulnerability.append(
            Split(
                "Customers flagged vulnerable" if flag else "Other customers",
                total,
                decided,
                upheld,
                round(100 * upheld / decided, 1) if decided else None,
                f"vulnerable:{'yes' if flag else 'no'}",
            )
        )
    open_cases = _open(organisation, filters)
    names = {u.pk: u.display_name for u in staff_list(organisation=organisation)}
    return Report(
        filters=filters,
        total=case_count,
        by_month=_trend(cases, filters.period, zone, weekly=False),
        by_week=_trend(cases, filters.period, zone, weekly=True),
        by_product=_bars(cases, "product", "product"),
        by_category=_bars(cases, "category", "category"),
        by_channel=_bars(cases, "channel", "channel", {c.value: label(c) for c in Channel}),
        by_root_cause=_bars(
            cases.filter(status="closed"),
            "root_cause_code",
            "root_cause",
            root_cause_labels(organisation=organisation),
        ),
        outcomes=_bars(cases.filter(status="closed"), "outcome", "outcome", outcome_labels),
        acknowledge=durations(
            (at - received[pk] for pk, at in acknowledged.items()), "acknowledged"
        ),
        resolve=hours_durations(resolve_hours, "closed"),
        deadlines=_deadline_rows(cases, now),
        redress=_redress(cases),
        repeat=Bar("Cases from repeat complainants", _repeat_count(cases), "repeat:yes"),
        escalated=Bar("Cases escalated", len(_escalated_ids(cases)), "escalated:yes"),
        legal_review=Bar("Cases flagged for legal review", len(_legal_ids(cases)), "legal:yes"),
        vulnerability=vulnerability,
        workload=sorted(
            (
                Bar(
                    names.get(row["assignee_id"], "Unassigned"),
                    row["n"],
                    f"assignee:{row['assignee_id'] or ''}",
                )
                for row in open_cases.values("assignee_id").annotate(n=Count("id"))
            ),
            key=lambda bar: (-bar.value, bar.label),
        ),
        ageing=[
            Bar(text, _age_filter(open_cases, now, a, b).count(), f"age:{a}")
            for text, a, b in AGE_BUCKETS
        ],
    )


def figure_cases(
    *, organisation: Organisation, filters: ReportFilters, drill: str, now: datetime
) -> QuerySet[Case]:
    """The cases behind one figure of `report_build` (its `drill` key)."""
    figure, _, value = drill.partition(":")
    zone = _zone(organisation)
    cases = report_cases(organisation=organisation, filters=filters)
    if figure in {"month", "week"}:
        try:
            start = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=zone)
        except ValueError:
            raise FieldErrors({"figure": f"{drill!r} is not a figure of this report"}) from None
        if figure == "week":
            end = start + timedelta(days=7)
        else:
            end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
        return cases.filter(received_at__gte=start, received_at__lt=end)
    if figure == "all":
        return cases
    simple = {"product": "product", "category": "category", "channel": "channel"}
    if figure in simple:
        return cases.filter(**{simple[figure]: value})
    if figure == "root_cause":
        return cases.filter(status="closed", root_cause_code=value)
    if figure == "outcome":
        return cases.filter(status="closed", outcome=value)
    if figure == "acknowledged":
        return cases.filter(pk__in=list(_acknowledged_at(cases)))
    if figure == "closed":
        return cases.filter(status="closed")
    if figure == "deadline":
        key, _, result = value.rpartition(":")
        condition = _deadline_results(now).get(result)
        if condition is None:
            raise FieldErrors({"figure": f"{drill!r} is not a figure of this report"})
        return cases.filter(
            pk__in=CaseDeadline.objects.filter(condition, case__in=cases, key=key).values("case_id")
        )
    if figure == "redress":
        return cases.filter(pk__in=ResolutionOffer.objects.filter(case__in=cases).values("case_id"))
    if figure == "repeat":
        return cases.filter(pk__in=_repeat_ids(cases))
    if figure == "escalated":
        return cases.filter(pk__in=_escalated_ids(cases))
    if figure == "legal":
        return cases.filter(pk__in=_legal_ids(cases))
    if figure == "vulnerable":
        return _vulnerable(cases, value == "yes")
    open_cases = _open(organisation, filters)
    if figure == "assignee":
        return (
            open_cases.filter(assignee_id=int(value))
            if value.isdigit()
            else (open_cases.filter(assignee__isnull=True))
        )
    if figure == "age":
        for _, a, b in AGE_BUCKETS:
            if value == str(a):
                return _age_filter(open_cases, now, a, b)
    raise FieldErrors({"figure": f"{drill!r} is not a figure of this report"})


# ---------------------------------------------------------------- FCA return


def return_product_groups(*, organisation: Organisation) -> dict[str, str]:
    return dict(
        ReturnProductMap.objects.filter(organisation=organisation).values_list("product", "group")
    )


def fca_return_build(*, organisation: Organisation, period: Period) -> FcaReturn:
    """The FCA complaints return of the organisation for `period`, from its cases."""
    zone = _zone(organisation)
    groups = return_product_groups(organisation=organisation)
    start, end = period.start(zone), period.end(zone)
    cases = Case.objects.filter(organisation=organisation, received_at__lt=end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start) | ~Q(status="closed")
    )
    paid: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for case_id, currency, amount in ResolutionOffer.objects.filter(
        case__in=cases, answer=ResolutionOffer.Answer.ACCEPTED, amount__gt=0
    ).values_list("case_id", "currency", "amount"):
        paid[case_id][currency] = paid[case_id].get(currency, Decimal(0)) + (amount or Decimal(0))
    facts = [
        CaseFacts(
            reference=ref,
            product_group=groups.get(product, UNMAPPED),
            received_at=received_at,
            closed_at=closed_at if status == "closed" else None,
            outcome=outcome,
            redress_paid=tuple(sorted(paid.get(pk, {}).items())),
        )
        for pk, ref, product, received_at, closed_at, status, outcome in cases.values_list(
            "pk", "reference", "product", "received_at", "closed_at", "status", "outcome"
        )
    ]
    calendar = calendars_for(organisation)("organisation")
    return fca_return(facts, period=period, calendar=calendar, zone=zone)


# ---------------------------------------------------------------- improvement actions


@dataclass(frozen=True)
class ActionView:
    action: ImprovementAction
    root_cause: str
    effect: Effect | None  # None until the action is done


def action_effect_of(
    *, action: ImprovementAction, today: date, window_days: int = 90
) -> Effect | None:
    """Closed complaints with the action's root cause, received before and after it was
    done (a cause is known only once a case closes, so recent weeks fill in as cases
    close)."""
    if action.done_on is None:
        return None
    start = action.done_on - timedelta(days=window_days)
    zone = ZoneInfo(action.organisation.time_zone)
    received = [
        at.astimezone(zone).date()
        for at in Case.objects.filter(
            organisation_id=action.organisation_id,
            status="closed",
            root_cause_code=action.root_cause_code,
            received_at__gte=datetime.combine(start, datetime.min.time(), tzinfo=zone),
        ).values_list("received_at", flat=True)
    ]
    return action_effect(received, done_on=action.done_on, today=today, window_days=window_days)


def actions_list(*, organisation: Organisation, today: date) -> list[ActionView]:
    labels = root_cause_labels(organisation=organisation)
    actions = (
        ImprovementAction.objects.filter(organisation=organisation)
        .select_related("owner", "organisation")
        .prefetch_related("cases")
    )
    return [
        ActionView(
            a,
            labels.get(a.root_cause_code, a.root_cause_code),
            action_effect_of(action=a, today=today),
        )
        for a in actions
    ]


# ---------------------------------------------------------------- CFPB-style export


def cfpb_export(
    *, organisation: Organisation, filters: ReportFilters, now: datetime
) -> list[list[str]]:
    """The report's cases as Consumer Complaint Database rows (`domain.returns.cfpb`)."""
    zone = _zone(organisation)
    cases = report_cases(organisation=organisation, filters=filters).order_by("received_at", "pk")
    accepted: dict[int, list[tuple[str, Decimal | None]]] = defaultdict(list)
    for case_id, redress, amount in ResolutionOffer.objects.filter(
        case__in=cases, answer=ResolutionOffer.Answer.ACCEPTED
    ).values_list("case_id", "redress", "amount"):
        accepted[case_id].append((redress, amount))
    timely: dict[int, bool | None] = {}
    for case_id, due, met, state in CaseDeadline.objects.filter(
        case__in=cases, key="US-CFPB/company-response"
    ).values_list("case_id", "due_at", "met_at", "state"):
        result = deadline_result(due, met, state, now)
        timely[case_id] = None if result == "pending" else result == "on_time"
    details = {
        case_id: json.loads(payload).get("source_details", {})
        for case_id, payload in CaseEvent.objects.filter(
            case__in=cases, kind=EventKind.CASE_OPENED
        ).values_list("case_id", "payload")
    }
    rows = []
    for c in cases.only(
        "pk",
        "reference",
        "source",
        "external_id",
        "received_at",
        "product",
        "issue",
        "description",
        "respondent",
        "channel",
        "status",
        "outcome",
    ):
        rows.append(
            export_row(
                ExportFacts(
                    complaint_id=c.external_id
                    if c.source == "cfpb" and c.external_id
                    else c.reference,
                    received_on=c.received_at.astimezone(zone).date(),
                    product=c.product,
                    issue=c.issue,
                    narrative=c.description,
                    company=c.respondent or organisation.name,
                    channel=c.channel,
                    closed=c.status == CaseStatus.CLOSED,
                    outcome=c.outcome,
                    accepted=tuple(accepted.get(c.pk, ())),
                    timely=timely.get(c.pk),
                    details=details.get(c.pk, {}),
                )
            )
        )
    return rows
