"""Deriving the deadlines of many new cases at once (after an import).

The per-case path is `case_deadlines_refresh` (one case, its events and rows one by one),
then `deadlines_tick` (reminders, breaches). For a batch of cases that have no deadlines
yet, `DeadlineBatch` computes the very same rows and events with the same pure domain
engine, appends the events to the batch's `LedgerBatch` and writes the rows with
multi-row inserts, all in the caller's transaction.

What the watch would do at the import's `now` is done here too, but as history: a
reminder already due, or a deadline already past, when a case is imported is recorded
once (`historic`) with nobody notified and no escalation. A `plaint tick` at that `now`
then finds nothing to do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from plaint.accounts.models import Organisation
from plaint.cases.bulk import LedgerBatch, rows_insert
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.facts import FACT_KINDS, calendars_for, case_regimes, facts_build
from plaint.deadlines.models import CaseDeadline, RefreshMark
from plaint.deadlines.services import WATCH, _iso, _reminder_at, _state, cases_next_due_store
from plaint.domain import events as ev
from plaint.domain.deadlines.engine import derive
from plaint.domain.vocabulary import Visibility

_COLUMNS = tuple(f.attname for f in CaseDeadline._meta.concrete_fields if not f.primary_key)


@dataclass
class BulkDeadlines:
    cases: int = 0
    deadlines: int = 0
    reminders: int = 0  # recorded as historic: due before the import
    breaches: int = 0  # recorded as historic: past before the import


class DeadlineBatch:
    """The deadlines of a batch of cases of one organisation that have none yet."""

    def __init__(
        self,
        *,
        organisation: Organisation,
        cases: Sequence[Case],
        ledger: LedgerBatch,
        now: datetime,
    ) -> None:
        self.organisation = organisation
        self.cases = list(cases)
        self.ledger = ledger
        self.now = now
        self.rows: dict[int, list[CaseDeadline]] = {case.pk: [] for case in self.cases}
        self.report = BulkDeadlines(cases=len(self.cases))

    def derive(self) -> None:
        """Compute every case's deadlines and append `deadline_set` / `deadline_met`, as
        the first `case_deadlines_refresh` of each case would."""
        org = self.organisation
        events: dict[int, list[tuple[str, datetime, str]]] = defaultdict(list)
        for case_id, kind, occurred_at, payload in (
            CaseEvent.objects.filter(case_id__in=list(self.rows), kind__in=FACT_KINDS)
            .order_by("case_id", "seq")
            .values_list("case_id", "kind", "occurred_at", "payload")
        ):
            events[case_id].append((kind, occurred_at, payload))
        calendars = calendars_for(org)
        zone = ZoneInfo(org.time_zone)
        for case in self.cases:
            computed = derive(
                case_regimes(case),
                facts_build(case, org, events[case.pk]),
                zone=zone,
                close_of_business=org.close_of_business,
                calendars=calendars,
                explain=False,
            )
            for due in computed:
                state = _state(due, None)
                if state == CaseDeadline.State.WAITING:
                    continue
                row = CaseDeadline(
                    organisation=org,
                    case_id=case.pk,
                    key=due.key,
                    regime_version=due.regime.version,
                    title=due.rule.title,
                    party=due.rule.party.value,
                    kind=due.rule.kind,
                    verification=due.rule.verification.value,
                    due_at=due.due_at,
                    state=state,
                    met_at=due.met_at,
                    reminder_at=_reminder_at(due.rule, due, calendars),
                    waiting_for=due.blocked[:300],
                    updated_at=self.now,
                )
                self.rows[case.pk].append(row)
                self.ledger.append(
                    case.pk,
                    ev.DeadlineSet(
                        key=due.key,
                        title=due.rule.title,
                        party=row.party,
                        due_at=_iso(due.due_at),
                        previous_due_at=None,
                        reason="derived",
                        rule_version=due.regime.version,
                        verification=row.verification,
                    ),
                    actor=WATCH,
                    visibility=Visibility.CUSTOMER,
                )
                if due.met_at is not None:
                    self.ledger.append(
                        case.pk,
                        ev.DeadlineMet(
                            key=due.key,
                            title=due.rule.title,
                            met_at=due.met_at.isoformat(),
                            due_at=_iso(due.due_at),
                            on_time=due.due_at is None or due.met_at <= due.due_at,
                        ),
                        actor=WATCH,
                        occurred_at=due.met_at,
                        visibility=Visibility.CUSTOMER,
                    )
                self.report.deadlines += 1

    def nearest_business_due(self, case_id: int) -> datetime | None:
        """The due time of the case's nearest open business deadline (what intake gives
        triage)."""
        dues = [
            row.due_at
            for row in self.rows[case_id]
            if row.state == CaseDeadline.State.OPEN and row.party == "business" and row.due_at
        ]
        return min(dues, default=None)

    def record_past(self) -> None:
        """Record, once and as history, the reminders already due and the deadlines already
        past at `now`: what `deadlines_tick` would find, without mail or escalation."""
        now = self.now
        for case_id, rows in self.rows.items():
            open_rows = sorted(
                (row for row in rows if row.state == CaseDeadline.State.OPEN),
                key=lambda row: (row.due_at is None, row.due_at, row.key),
            )
            for row in open_rows:  # the tick sends reminders first, then records breaches
                if (
                    row.reminder_at is not None
                    and row.reminder_at <= now
                    and row.due_at is not None
                    and row.due_at > now
                ):
                    self.ledger.append(
                        case_id,
                        ev.DeadlineReminder(
                            key=row.key,
                            title=row.title,
                            due_at=row.due_at.isoformat(),
                            notified=[],
                            historic=True,
                        ),
                        actor=WATCH,
                    )
                    row.reminded_at = now
                    self.report.reminders += 1
            for row in open_rows:
                if row.kind == "deadline" and row.due_at is not None and row.due_at <= now:
                    self.ledger.append(
                        case_id,
                        ev.DeadlineBreached(
                            key=row.key,
                            title=row.title,
                            due_at=row.due_at.isoformat(),
                            escalated=False,
                            notified=[],
                            historic=True,
                        ),
                        actor=WATCH,
                    )
                    row.state, row.breached_at = CaseDeadline.State.MISSED, now
                    self.report.breaches += 1

    def write(self) -> None:
        """Insert the deadline rows, and each case's refresh mark at its ledger's length
        (call after every event of the batch has been appended)."""
        rows_insert(
            CaseDeadline,
            _COLUMNS,
            [
                tuple(getattr(row, column) for column in _COLUMNS)
                for rows in self.rows.values()
                for row in rows
            ],
        )
        rows_insert(
            RefreshMark,
            ("case_id", "ledger_seq"),
            [(case_id, self.ledger.length(case_id)) for case_id in self.rows],
        )
        cases_next_due_store(case_ids=list(self.rows))
