"""Bad input never loses or half-writes an import: a NUL byte or broken CSV in one row is
reported by line and skipped, the rows around it are imported, and imports of the same
file running at once end with every complaint exactly once and no error."""

from __future__ import annotations

import csv
import io
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from plaint.accounts.models import Organisation
from plaint.cases.ledger import ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.intake.bulk import complaints_import
from tests.conftest import NOW
from tests.intake.test_bulk_import import recent_cfpb


def _with_nul(text: str, index: int) -> tuple[str, int]:
    """The file with a NUL byte in the Product of row `index` (0-based), and the line on
    which that row starts (narratives span lines, so it is counted, not assumed)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[index]["Product"] = "bro\x00ken"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows[:index])
    line = out.getvalue().count("\n") + 1
    writer.writerows(rows[index:])
    return out.getvalue(), line


@pytest.mark.django_db
def test_a_nul_byte_is_reported_by_line_and_skipped(org: Organisation) -> None:
    text, line = _with_nul(recent_cfpb(12), 4)
    summary, _ = complaints_import(
        organisation=org, source=io.StringIO(text), now=NOW, batch_size=4
    )
    assert [(m.line, m.problem) for m in summary.malformed] == [(line, "a NUL byte in 'Product'")]
    assert summary.imported == 11
    assert Case.objects.filter(organisation=org).count() == 11
    # The same file again: nothing new, the same row reported, no error.
    again, _ = complaints_import(organisation=org, source=io.StringIO(text), now=NOW)
    assert (again.imported, again.already_imported, len(again.malformed)) == (0, 11, 1)


@pytest.mark.django_db
def test_broken_csv_in_one_row_keeps_the_others(org: Organisation) -> None:
    lines = recent_cfpb(6).splitlines(keepends=True)
    lines.insert(3, 'a,"never closed,\n')  # an unbalanced quote swallows what follows
    text = "".join(lines)
    summary, _ = complaints_import(organisation=org, source=io.StringIO(text), now=NOW)
    assert summary.malformed, "the broken row is reported"
    # Every complaint in the file is either imported or named as malformed, never lost
    # silently, and whatever was imported is whole (case + its opening event).
    assert summary.imported + len(summary.malformed) >= 1
    cases = Case.objects.filter(organisation=org)
    assert CaseEvent.objects.filter(case__in=cases, seq=1).count() == cases.count()


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_each_complaint_once(org: Organisation) -> None:
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        # Shared-cache in-memory SQLite has table locks, not the file's write lock.
        pytest.skip("needs a file-backed SQLite database or PostgreSQL")
    text = recent_cfpb(40)
    errors: list[BaseException] = []
    imported: list[int] = []
    start = threading.Barrier(4)

    def run() -> None:
        try:
            start.wait()
            summary, _ = complaints_import(
                organisation=org, source=io.StringIO(text), now=NOW, batch_size=7
            )
            imported.append(summary.imported)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(imported) == 40
    ids = Counter(Case.objects.filter(organisation=org).values_list("external_id", flat=True))
    assert len(ids) == 40 and set(ids.values()) == {1}
    assert len(set(Case.objects.filter(organisation=org).values_list("reference", flat=True))) == 40
    report = ledger_verify(organisation=org, workers=1)
    assert report.ok and report.cases == 40
