"""The intake of many complaints at once: an import, with every new case's deadlines and
triage derived in bulk in the same transaction as the batch that created it.

Per case this writes what `complaint_receive` (deadlines, then triage with the nearest
deadline) followed by a `plaint tick` at the same `now` would write, except that the
past is recorded as past: reminders already due and deadlines already missed when the
complaint is imported are recorded once as `historic`, with nobody e-mailed and no case
escalated. A `plaint tick` at that `now` then has nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from django.db import transaction

from plaint.accounts.models import Organisation
from plaint.cases.bulk import LedgerBatch
from plaint.cases.importing import ImportSummary, cfpb_import
from plaint.cases.models import Case
from plaint.deadlines.bulk import BulkDeadlines, DeadlineBatch
from plaint.deadlines.models import RefreshMark
from plaint.deadlines.services import case_deadlines_refresh
from plaint.triage.bulk import triage_batch, untriaged


@dataclass
class BulkReport:
    """What the bulk derivation wrote, summed over batches."""

    deadlines: BulkDeadlines
    triaged: int = 0
    events: int = 0

    def __str__(self) -> str:
        d = self.deadlines
        return (
            f"{d.cases} case(s) derived: {d.deadlines} deadline(s), {self.triaged} triaged; "
            f"{d.breaches} deadline(s) already missed and {d.reminders} reminder(s) already "
            "due before the import, recorded without notifying anyone"
        )


@transaction.atomic
def cases_derive_bulk(
    *,
    organisation: Organisation,
    case_ids: Sequence[int],
    now: datetime,
    report: BulkReport,
    record_past: bool = True,
) -> None:
    """Derive the deadlines and triage of new cases (of `organisation`) in one pass.

    Cases that already have deadlines go through `case_deadlines_refresh` one by one;
    cases already triaged are not triaged again. With `record_past=False` nothing is
    recorded as already missed or already due: for a caller (the demo) that goes on to
    record, with their own dates, the steps that met those deadlines."""
    cases = list(
        Case.objects.select_for_update()
        .filter(organisation=organisation, pk__in=list(case_ids))
        .select_related("customer")
        .order_by("pk")
    )
    seen = set(RefreshMark.objects.filter(case__in=cases).values_list("case_id", flat=True))
    for case in cases:
        if case.pk in seen:
            case_deadlines_refresh(case=case, now=now)
    fresh = [case for case in cases if case.pk not in seen]
    for case in fresh:
        case.organisation = organisation
    ledger = LedgerBatch(fresh, now=now)
    deadlines = DeadlineBatch(organisation=organisation, cases=fresh, ledger=ledger, now=now)
    deadlines.derive()
    to_triage = untriaged(fresh)
    records = triage_batch(
        organisation=organisation,
        cases=to_triage,
        ledger=ledger,
        now=now,
        next_deadlines={case.pk: deadlines.nearest_business_due(case.pk) for case in to_triage},
    )
    if record_past:
        deadlines.record_past()
    deadlines.write()
    report.events += ledger.events
    ledger.write()
    part = deadlines.report
    report.deadlines.cases += part.cases
    report.deadlines.deadlines += part.deadlines
    report.deadlines.reminders += part.reminders
    report.deadlines.breaches += part.breaches
    report.triaged += len(records)


def complaints_import(
    *,
    organisation: Organisation,
    source: Path | TextIO,
    now: datetime,
    batch_size: int = 2000,
    progress: Callable[[ImportSummary], None] | None = None,
    record_past: bool = True,
) -> tuple[ImportSummary, BulkReport]:
    """`cfpb_import`, with each batch's new cases derived in bulk in the batch's own
    transaction (see the module docstring)."""
    report = BulkReport(deadlines=BulkDeadlines())

    def derive(case_ids: list[int]) -> None:
        cases_derive_bulk(
            organisation=organisation,
            case_ids=case_ids,
            now=now,
            report=report,
            record_past=record_past,
        )

    summary = cfpb_import(
        organisation=organisation,
        source=source,
        now=now,
        batch_size=batch_size,
        progress=progress,
        derive=derive,
    )
    return summary, report
