"""Deriving deadlines onto cases, and watching them: reminders before, escalation after.

Every change to a deadline is a ledger event written in the same transaction as the
change: `deadline_set` when a deadline appears or its date moves, `deadline_met`,
`deadline_reminder`, `deadline_breached`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case
from plaint.cases.services import case_priority_set, case_transition
from plaint.deadlines import notifications
from plaint.deadlines.facts import calendars_for, case_regimes, fact_events, facts_build
from plaint.deadlines.models import CaseDeadline, RefreshMark
from plaint.domain import events as ev
from plaint.domain.deadlines.engine import CalendarResolver, derive, rule_calendar
from plaint.domain.deadlines.model import ComputedDeadline, Rule, Unit
from plaint.domain.lifecycle import OPEN_STATUSES, CaseStatus, allowed_targets
from plaint.domain.vocabulary import Priority, Visibility

WATCH = Actor.system("Deadline watch")
_FINISHED = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value)
#: What a demanded deadline's events give as its rule version and verification: it is
#: the other side's date, not a rule of any regime.
DEMAND = "demand"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _reminder_at(rule: Rule, due: ComputedDeadline, calendars: CalendarResolver) -> datetime | None:
    if rule.reminder_before is None or due.due_at is None or due.due_date is None:
        return None
    before = rule.reminder_before
    if before.unit is Unit.BUSINESS_DAYS:
        day, steps = due.due_date, before.amount
        calendar = rule_calendar(rule, calendars)
        while steps:
            day -= timedelta(days=1)
            if calendar.is_working_day(day):
                steps -= 1
        return due.due_at - timedelta(days=(due.due_date - day).days)
    days = before.amount * (7 if before.unit is Unit.WEEKS else 1)
    return due.due_at - timedelta(days=days)


def _state(computed: ComputedDeadline, row: CaseDeadline | None) -> str:
    if computed.met_at is not None:
        return CaseDeadline.State.MET
    if row is not None and row.breached_at is not None:
        return CaseDeadline.State.MISSED
    if computed.blocked.startswith("paused"):
        return CaseDeadline.State.PAUSED
    if computed.due_at is None:
        return CaseDeadline.State.WAITING
    return CaseDeadline.State.OPEN


@dataclass
class RefreshResult:
    changed: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)


@transaction.atomic
def case_deadlines_refresh(*, case: Case, now: datetime) -> RefreshResult:
    """Derive the case's deadlines from its record and store what changed, one ledger
    event per change. Running it twice changes nothing the second time."""
    case = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    org = case.organisation
    calendars = calendars_for(org)
    computed = derive(
        case_regimes(case),
        facts_build(case, org, fact_events(case)),
        zone=ZoneInfo(org.time_zone),
        close_of_business=org.close_of_business,
        calendars=calendars,
        explain=False,
    )
    locked = CaseDeadline.objects.select_for_update().filter(case=case)
    rows = {row.key: row for row in locked.filter(source=CaseDeadline.Source.RULE)}
    result = RefreshResult()
    for due in computed:
        row = rows.pop(due.key, None)
        state = _state(due, row)
        if row is None and state == CaseDeadline.State.WAITING:
            continue  # nothing to show until its trigger happens
        if row is None:
            row = CaseDeadline(organisation=org, case=case, key=due.key)
        previous_due, previously_met = row.due_at, row.met_at
        is_new = row.pk is None
        values = {
            "regime_version": due.regime.version,
            "title": due.rule.title,
            "party": due.rule.party.value,
            "kind": due.rule.kind,
            "verification": due.rule.verification.value,
            "due_at": due.due_at,
            "state": state,
            "met_at": due.met_at,
            "reminder_at": _reminder_at(due.rule, due, calendars),
            "waiting_for": due.blocked[:300],
            "provisional": due.provisional[:300],
        }
        if not is_new and previous_due != due.due_at and row.reminded_at is not None:
            values["reminded_at"] = None  # a moved deadline deserves a fresh reminder
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, values[name])
        if is_new or previous_due != due.due_at:
            reason = "derived" if is_new else (due.blocked or "recomputed from the case record")
            event_append(
                case=case,
                now=now,
                visibility=Visibility.CUSTOMER,
                actor=WATCH,
                payload=ev.DeadlineSet(
                    key=due.key,
                    title=due.rule.title,
                    party=row.party,
                    due_at=_iso(due.due_at),
                    previous_due_at=_iso(previous_due),
                    reason=reason,
                    rule_version=due.regime.version,
                    verification=row.verification,
                ),
            )
            result.changed.append(due.key)
        if due.met_at is not None and previously_met is None:
            event_append(
                case=case,
                now=now,
                visibility=Visibility.CUSTOMER,
                actor=WATCH,
                occurred_at=due.met_at,
                payload=ev.DeadlineMet(
                    key=due.key,
                    title=due.rule.title,
                    met_at=due.met_at.isoformat(),
                    due_at=_iso(due.due_at),
                    on_time=due.due_at is None or due.met_at <= due.due_at,
                ),
            )
            result.met.append(due.key)
        if is_new or changed:
            row.updated_at = now
            row.save(update_fields=None if is_new else [*changed, "updated_at"])
    for gone in rows.values():  # the case's regime changed: these no longer apply
        event_append(
            case=case,
            now=now,
            actor=WATCH,
            payload=ev.DeadlineSet(
                key=gone.key,
                title=gone.title,
                party=gone.party,
                due_at=None,
                previous_due_at=_iso(gone.due_at),
                reason="no longer applies to this case",
                rule_version=gone.regime_version,
                verification=gone.verification,
            ),
        )
        gone.delete()
        result.changed.append(gone.key)
    if case.status in _FINISHED:  # a demand no longer runs once the case is finished
        for demand in locked.filter(source=CaseDeadline.Source.DEMAND, state="open"):
            _demand_cancel(case, demand, now=now, reason=f"the case is {case.status}")
            result.changed.append(demand.key)
        case.refresh_from_db(fields=["ledger_length"])
    if not RefreshMark.objects.filter(case=case).update(ledger_seq=case.ledger_length):
        RefreshMark.objects.create(case=case, ledger_seq=case.ledger_length)
    cases_next_due_store(case_ids=[case.pk])
    return result


def cases_next_due_store(*, case_ids: list[int]) -> None:
    """Store on each case (`Case.next_due_at`) the due time of its most urgent deadline the
    business still owes: the earliest open or missed deadline that is not the customer's.
    A closed or withdrawn case owes nothing, and has none. One UPDATE for all the cases;
    call it in the transaction that changed their deadlines."""
    soonest = (
        CaseDeadline.objects.filter(
            case=OuterRef("pk"),
            state__in=(CaseDeadline.State.OPEN, CaseDeadline.State.MISSED),
            due_at__isnull=False,
        )
        .exclude(party="customer")
        .values("case")
        .annotate(soonest=Min("due_at"))
        .values("soonest")
    )
    for start in range(0, len(case_ids), 5_000):  # keep each statement's parameters few
        chunk = case_ids[start : start + 5_000]
        cases = Case.objects.filter(pk__in=chunk)
        cases.filter(status__in=_FINISHED).exclude(next_due_at=None).update(next_due_at=None)
        cases.exclude(status__in=_FINISHED).update(next_due_at=Subquery(soonest))


@dataclass
class TickReport:
    refreshed: int = 0
    reminders: int = 0
    breaches: int = 0
    escalated: int = 0


_STALE = Q(refreshmark__isnull=True) | ~Q(refreshmark__ledger_seq=F("ledger_length"))


def cases_needing_refresh() -> list[int]:
    """Cases whose ledger moved since their deadlines were last derived. A closed case is
    among them once more after it closes, so that what closing it met is recorded."""
    return list(Case.objects.filter(_STALE).values_list("pk", flat=True))


def deadlines_tick(*, now: datetime) -> TickReport:
    """One pass of the deadline watch: re-derive changed cases, send due reminders,
    record and escalate breaches. Safe to run twice: nothing is sent or recorded twice."""
    report = TickReport()
    for pk in cases_needing_refresh():
        case_deadlines_refresh(case=Case(pk=pk), now=now)
        report.refreshed += 1
    _watch(CaseDeadline.objects.all(), now=now, report=report, historic=False)
    return report


def deadlines_history_record(*, organisation: Organisation, now: datetime) -> TickReport:
    """Record as history what the watch would find at `now` on the organisation's
    deadlines (reminders already due, deadlines already missed): once, marked
    `historic`, with nobody told and no case escalated. For a backlog loaded with its own
    dates (the demo), so that the first tick does not raise the alarm about the past."""
    report = TickReport()
    _watch(
        CaseDeadline.objects.filter(organisation=organisation),
        now=now,
        report=report,
        historic=True,
    )
    return report


def _watch(
    deadlines: QuerySet[CaseDeadline], *, now: datetime, report: TickReport, historic: bool
) -> None:
    reminders = deadlines.filter(
        state=CaseDeadline.State.OPEN,
        reminder_at__lte=now,
        reminded_at__isnull=True,
        due_at__gt=now,
    ).values_list("pk", flat=True)
    for pk in list(reminders):
        report.reminders += _remind(pk, now, historic=historic)
    breaches = deadlines.filter(
        state=CaseDeadline.State.OPEN, kind="deadline", due_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(breaches):
        escalated = _breach(pk, now, historic=historic)
        if escalated is not None:
            report.breaches += 1
            report.escalated += int(escalated)


def _lock(pk: int, **still: object) -> tuple[Case, CaseDeadline] | None:
    """Lock the deadline's case, then the deadline (the order the refresh uses, so the two
    never deadlock), and return both if the deadline still matches `still`."""
    case_id = CaseDeadline.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        return None
    case = Case.objects.select_for_update().get(pk=case_id)
    row = CaseDeadline.objects.select_for_update().filter(pk=pk, **still).first()
    return None if row is None else (case, row)


@transaction.atomic
def _remind(pk: int, now: datetime, *, historic: bool = False) -> int:
    locked = _lock(pk, reminded_at__isnull=True)
    if locked is None:
        return 0  # another worker got there first
    case, row = locked
    recipients = [] if historic else notifications.recipients_for_reminder(case)
    event_append(
        case=case,
        now=now,
        actor=WATCH,
        payload=ev.DeadlineReminder(
            key=row.key,
            title=row.title,
            due_at=row.due_at.isoformat() if row.due_at else "",
            notified=recipients,
            historic=historic,
        ),
    )
    row.reminded_at = now
    row.save(update_fields=["reminded_at"])
    if not historic:
        notifications.send_on_commit(recipients, notifications.reminder_message(case, row))
    return 1


@transaction.atomic
def _breach(pk: int, now: datetime, *, historic: bool = False) -> bool | None:
    locked = _lock(pk, state=CaseDeadline.State.OPEN)
    if locked is None:
        return None
    case, row = locked
    # Only a business deadline on a case still being worked escalates it; a missed
    # customer-side deadline, or one on a finished case, is recorded and reported. A
    # historic breach (the backlog's) is recorded only: nobody is told, nothing escalates.
    # A date the other side demands (not a rule of law) is recorded and told, never escalates.
    escalate = (
        not historic
        and row.party == "business"
        and row.source == CaseDeadline.Source.RULE
        and case.status_enum in OPEN_STATUSES
    )
    recipients = [] if historic else notifications.recipients_for_breach(case)
    event_append(
        case=case,
        now=now,
        actor=WATCH,
        payload=ev.DeadlineBreached(
            key=row.key,
            title=row.title,
            due_at=row.due_at.isoformat() if row.due_at else "",
            escalated=escalate,
            notified=recipients,
            historic=historic,
        ),
    )
    row.state, row.breached_at = CaseDeadline.State.MISSED, now
    row.save(update_fields=["state", "breached_at"])
    if escalate:
        reason = f"Deadline missed: {row.title}"
        if CaseStatus.ESCALATED in allowed_targets(case.status_enum):
            case = case_transition(
                case=case, to=CaseStatus.ESCALATED, actor=WATCH, now=now, reason=reason
            )
        if case.priority != Priority.URGENT:
            case_priority_set(
                case=case, priority=Priority.URGENT, actor=WATCH, now=now, reason=reason
            )
    if not historic:
        notifications.send_on_commit(recipients, notifications.breach_message(case, row))
    return escalate


def organisation_deadlines_refresh(*, organisation: Organisation, now: datetime) -> int:
    count = 0
    for pk in (
        Case.objects.filter(organisation=organisation)
        .filter(~Q(status=CaseStatus.CLOSED.value) | _STALE)
        .values_list("pk", flat=True)
    ):
        case_deadlines_refresh(case=Case(pk=pk), now=now)
        count += 1
    return count


# ------------------------------------------------- deadlines the other side demands


def _demand_row(case: Case, key: str) -> CaseDeadline | None:
    return (
        CaseDeadline.objects.select_for_update()
        .filter(case=case, key=key, source=CaseDeadline.Source.DEMAND)
        .first()
    )


@transaction.atomic
def demand_deadline_set(
    *, case: Case, key: str, title: str, due_at: datetime, actor: Actor, now: datetime
) -> CaseDeadline:
    """Put on `case` a deadline the other side demands (a cease-and-desist's reply date):
    a business deadline shown with the case's others, counted in its next due time and
    watched for a breach, but never derived from a regime (`source` demand) and never
    escalating the case. One `deadline_set` event, in the caller's transaction; setting
    the same date again writes nothing."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    row = _demand_row(case, key)
    if row is not None and row.due_at == due_at:
        return row
    previous = row.due_at if row is not None else None
    if row is None:
        row = CaseDeadline(
            organisation_id=case.organisation_id, case=case, key=key,
            source=CaseDeadline.Source.DEMAND,
        )  # fmt: skip
    row.regime_version, row.title, row.party = DEMAND, title[:300], "business"
    row.kind, row.verification, row.due_at = "deadline", DEMAND, due_at
    row.state, row.met_at, row.breached_at = CaseDeadline.State.OPEN, None, None
    row.reminder_at, row.updated_at = None, now
    row.save()
    event_append(
        case=case,
        now=now,
        visibility=Visibility.INTERNAL,
        actor=actor,
        payload=ev.DeadlineSet(
            key=key,
            title=row.title,
            party=row.party,
            due_at=due_at.isoformat(),
            previous_due_at=_iso(previous),
            reason="demanded by the other side's letter (not a rule of law)",
            rule_version=DEMAND,
            verification=DEMAND,
        ),
    )
    cases_next_due_store(case_ids=[case.pk])
    return row


@transaction.atomic
def demand_deadline_met(
    *, case: Case, key: str, met_at: datetime, actor: Actor, now: datetime
) -> CaseDeadline | None:
    """Mark the demanded deadline `key` met at `met_at` (the reply was sent), even after a
    breach was recorded (then it was met late). One `deadline_met` event; None (nothing
    written) when the case has no such deadline or it was met or cancelled already."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    row = _demand_row(case, key)
    if row is None or row.met_at is not None:
        return None
    row.state, row.met_at, row.updated_at = CaseDeadline.State.MET, met_at, now
    row.save(update_fields=["state", "met_at", "updated_at"])
    event_append(
        case=case,
        now=now,
        visibility=Visibility.INTERNAL,
        actor=actor,
        occurred_at=met_at,
        payload=ev.DeadlineMet(
            key=key,
            title=row.title,
            met_at=met_at.isoformat(),
            due_at=_iso(row.due_at),
            on_time=row.due_at is None or met_at <= row.due_at,
        ),
    )
    cases_next_due_store(case_ids=[case.pk])
    return row


def _demand_cancel(case: Case, row: CaseDeadline, *, now: datetime, reason: str) -> None:
    """The demand no longer runs: one `deadline_set` event with no due time, and the row
    goes (as a rule's deadline that no longer applies does)."""
    event_append(
        case=case,
        now=now,
        visibility=Visibility.INTERNAL,
        actor=WATCH,
        payload=ev.DeadlineSet(
            key=row.key,
            title=row.title,
            party=row.party,
            due_at=None,
            previous_due_at=_iso(row.due_at),
            reason=f"cancelled: {reason}",
            rule_version=DEMAND,
            verification=DEMAND,
        ),
    )
    row.delete()
