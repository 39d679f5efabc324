"""Bulk import of complaints from files, idempotent by external ID.

Rows are read, checked and written in batches; each batch is one transaction that writes
the customers, the cases and each case's `case_opened` event together, and whatever the
caller's `derive` step writes for the batch's new cases (`plaint.intake.bulk` derives
their deadlines and triage there, so a case is never left half-derived). A crash loses at
most the batch in flight, and a re-run skips every complaint already imported, so a file
can be imported again and again and each complaint exists exactly once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from plaint.accounts.models import Organisation
from plaint.cases.bulk import EVENT_COLUMNS, PERSONAL_COLUMNS, rows_insert
from plaint.cases.ledger import Actor, event_values, ledger_entry
from plaint.cases.models import Case, CaseEvent, Customer, PersonalDatum, SearchEntry
from plaint.cases.search import case_text, search_index_rows
from plaint.cases.services import opened_payload, reference_allocate
from plaint.domain import cfpb
from plaint.domain.errors import DomainError, MalformedRow
from plaint.domain.ledger import GENESIS, LedgerEntry, chain_hash
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.personal import Datum
from plaint.domain.vocabulary import Visibility

csv.field_size_limit(4 * 1024 * 1024)

#: The first key of the advisory lock that orders imports (the second is the organisation).
IMPORT_LOCK = 0x504C_494D  # "PLIM"


class ImportAborted(DomainError):
    """The file cannot be read any further (not CSV, wrong columns, not UTF-8)."""


@dataclass
class ImportSummary:
    rows: int = 0
    imported: int = 0
    already_imported: int = 0
    duplicates_in_file: int = 0
    malformed: list[MalformedRow] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.rows} rows read: {self.imported} imported, {self.already_imported} already "
            f"imported, {self.duplicates_in_file} repeated in the file, "
            f"{len(self.malformed)} malformed"
        )


def _rows(stream: TextIO) -> Iterator[tuple[int, dict[str, str | None] | MalformedRow]]:
    """Yield (line, row) pairs; a row that cannot be parsed as CSV comes as MalformedRow."""
    reader = csv.DictReader(stream, strict=True)
    try:
        header = reader.fieldnames
    except UnicodeDecodeError:
        raise ImportAborted(
            "the file is not valid UTF-8 (save it as UTF-8 CSV and import it again)"
        ) from None
    except csv.Error as exc:
        raise ImportAborted(f"the file is not a readable CSV file: {exc}") from None
    missing = cfpb.missing_columns(list(header or []))
    if missing:
        raise ImportAborted(
            "this is not a CFPB complaints file: missing column(s) "
            + ", ".join(repr(column) for column in missing)
        )
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, MalformedRow(line, f"not valid CSV: {exc}")
            line = reader.line_num + 1
            continue
        except UnicodeDecodeError:
            raise ImportAborted(
                f"the file is not valid UTF-8 near line {line}; the rows before it were "
                "imported and a re-run after fixing the file is safe"
            ) from None
        yield line, row
        line = reader.line_num + 1


def cfpb_import(
    *,
    organisation: Organisation,
    source: Path | TextIO,
    now: datetime,
    actor: Actor | None = None,
    batch_size: int = 2000,
    progress: Callable[[ImportSummary], None] | None = None,
    derive: Callable[[list[int]], object] | None = None,
) -> ImportSummary:
    """Import a CSV file in the CFPB Consumer Complaint Database format. `derive`, if
    given, is called with each batch's new case ids inside the batch's transaction."""
    if isinstance(source, Path):
        with source.open(encoding="utf-8-sig", newline="") as stream:
            return cfpb_import(
                organisation=organisation,
                source=stream,
                now=now,
                actor=actor,
                batch_size=batch_size,
                progress=progress,
                derive=derive,
            )
    actor = actor or Actor.system("CFPB import")
    summary = ImportSummary()
    seen: set[str] = set()
    batch: list[cfpb.CfpbComplaint] = []
    for line, row in _rows(source):
        summary.rows += 1
        if isinstance(row, MalformedRow):
            summary.malformed.append(row)
            continue
        try:
            complaint = cfpb.parse_row(row, line)
        except MalformedRow as problem:
            summary.malformed.append(problem)
            continue
        if complaint.complaint_id in seen:
            summary.duplicates_in_file += 1
            continue
        seen.add(complaint.complaint_id)
        batch.append(complaint)
        if len(batch) >= batch_size:
            _flush(organisation, batch, now, actor, summary, progress, derive)
            batch = []
    if batch:
        _flush(organisation, batch, now, actor, summary, progress, derive)
    return summary


def _flush(
    organisation: Organisation,
    batch: list[cfpb.CfpbComplaint],
    now: datetime,
    actor: Actor,
    summary: ImportSummary,
    progress: Callable[[ImportSummary], None] | None,
    derive: Callable[[list[int]], object] | None,
) -> None:
    imported = len(
        cfpb_batch_write(
            organisation=organisation, complaints=batch, now=now, actor=actor, derive=derive
        )
    )
    summary.imported += imported
    summary.already_imported += len(batch) - imported
    if progress is not None:
        progress(summary)


_CASE_DEFAULTS = {
    f.attname: f.get_default() for f in Case._meta.concrete_fields if not f.primary_key
}
_CASE_COLUMNS = tuple(_CASE_DEFAULTS)
_CUSTOMER_COLUMNS = (
    "organisation_id",
    "name",
    "email",
    "phone",
    "postal_address",
    "preferred_contact_times",
    "vulnerability_notes",
    "created_at",
)


@transaction.atomic
def cfpb_batch_write(
    *,
    organisation: Organisation,
    complaints: Iterable[cfpb.CfpbComplaint],
    now: datetime,
    actor: Actor,
    derive: Callable[[list[int]], object] | None = None,
) -> list[int]:
    """Write the complaints not yet imported, each as customer + case + `case_opened`, in
    one transaction, then call `derive` with the new case ids in the same transaction.
    Returns the new case ids.

    Batches of one organisation are written one at a time (`_import_lock`), so two
    imports of the same file at once never both insert a complaint: the second waits,
    then finds the first one's rows and skips them."""
    batch = list(complaints)
    _import_lock(organisation)
    existing = set(
        Case.objects.filter(
            organisation=organisation,
            source=cfpb.SOURCE,
            external_id__in=[c.complaint_id for c in batch],
        ).values_list("external_id", flat=True)
    )
    new = [c for c in batch if c.complaint_id not in existing]
    if not new:
        return []
    zone = ZoneInfo(organisation.time_zone)
    references: dict[int, Iterator[str]] = {}
    for year in sorted({c.received_on.year for c in new}):
        count = sum(1 for c in new if c.received_on.year == year)
        references[year] = iter(
            reference_allocate(organisation=organisation, year=year, count=count)
        )
    names = [f"CFPB consumer {c.complaint_id}" for c in new]
    customer_ids = rows_insert(
        Customer,
        _CUSTOMER_COLUMNS,
        [
            (
                organisation.pk,
                name,
                "",
                "",
                " ".join(part for part in (c.state, c.zip_code) if part),
                "",
                f"CFPB tags: {c.tags}" if c.tags else "",
                now,
            )
            for c, name in zip(new, names, strict=True)
        ],
    )
    case_rows: list[tuple[object, ...]] = []
    entries: list[LedgerEntry] = []
    personal: list[list[Datum]] = []
    for complaint, customer_id, name in zip(new, customer_ids, names, strict=True):
        received_at = datetime.combine(complaint.received_on, time(0), tzinfo=zone)
        values = {
            **_CASE_DEFAULTS,
            "organisation_id": organisation.pk,
            "reference": next(references[complaint.received_on.year]),
            "customer_id": customer_id,
            "channel": complaint.channel.value,
            "received_at": received_at,
            "product": complaint.product,
            "issue": complaint.issue,
            "respondent": complaint.company,
            "description": complaint.narrative,
            "regime": "US-CFPB",
            "status": CaseStatus.RECEIVED.value,
            "source": cfpb.SOURCE,
            "external_id": complaint.complaint_id,
            "created_at": now,
            "updated_at": now,
        }
        entry, data = ledger_entry(
            reference=values["reference"],
            seq=1,
            payload=opened_payload(
                values, customer_name=name, source_details=complaint.source_details
            ),
            actor=actor,
            occurred_at=received_at,
            recorded_at=now,
            visibility=Visibility.CUSTOMER,
        )
        values["ledger_length"], values["ledger_head"] = 1, chain_hash(GENESIS, entry)
        case_rows.append(tuple(values[column] for column in _CASE_COLUMNS))
        entries.append(entry)
        personal.append(data)
    case_ids = rows_insert(Case, _CASE_COLUMNS, case_rows)
    head_index = _CASE_COLUMNS.index("ledger_head")
    event_rows = []
    for entry, case_id, case_row in zip(entries, case_ids, case_rows, strict=True):
        values = event_values(
            entry,
            organisation_id=organisation.pk,
            case_id=case_id,
            prev_hash=GENESIS,
            digest=str(case_row[head_index]),
        )
        event_rows.append(tuple(values[column] for column in EVENT_COLUMNS))
    rows_insert(CaseEvent, EVENT_COLUMNS, event_rows)
    rows_insert(
        PersonalDatum,
        PERSONAL_COLUMNS,
        [
            (case_id, 1, d.path, d.salt, d.value)
            for case_id, data in zip(case_ids, personal, strict=True)
            for d in data
        ],
    )
    search_index_rows(
        [
            (
                organisation.pk,
                case_id,
                SearchEntry.Source.CASE,
                case_text(
                    customer_name=name,
                    product=complaint.product,
                    issue=complaint.issue,
                    description=complaint.narrative,
                ),
            )
            for complaint, case_id, name in zip(new, case_ids, names, strict=True)
        ]
    )
    if derive is not None:
        derive(case_ids)
    return case_ids


def _import_lock(organisation: Organisation) -> None:
    """Hold, until the transaction ends, the lock that orders imports into `organisation`.

    On PostgreSQL a transaction-scoped advisory lock (not a row lock: locking the
    organisation row would also block every case insert, whose foreign key shares it).
    SQLite transactions take the database's write lock up front (`BEGIN IMMEDIATE`), which
    orders them already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, organisation.pk])


def cfpb_import_text(*, organisation: Organisation, text: str, now: datetime) -> ImportSummary:
    """Import CSV held in memory (uploads, tests)."""
    return cfpb_import(organisation=organisation, source=io.StringIO(text), now=now)
