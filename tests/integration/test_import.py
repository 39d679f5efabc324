"""`plaint import cfpb`: idempotent, crash-safe, and precise about bad rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from plaint.cases import importing
from plaint.cases.importing import ImportAborted, cfpb_import, cfpb_import_text
from plaint.cases.ledger import ledger_verify
from plaint.cases.models import Case, CaseEvent, Customer
from plaint.domain.cfpb import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from tests.conftest import NOW

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cfpb_complaints_sample.csv"
COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]


def row(complaint_id: int, **changes: str) -> dict[str, str]:
    base = dict.fromkeys(COLUMNS, "")
    base.update(
        {
            "Date received": f"2023-0{1 + complaint_id % 9}-1{complaint_id % 10}",
            "Product": "Debt collection",
            "Issue": "Attempts to collect debt not owed",
            "Consumer complaint narrative": f"Complaint {complaint_id}: they keep calling me.",
            "Company": "Collectors Inc",
            "Complaint ID": str(complaint_id),
            "Submitted via": "Web",
            "State": "TX",
        }
    )
    base.update(changes)
    return base


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_imports_cases_with_their_opening_event(org) -> None:
    summary = cfpb_import_text(organisation=org, text=to_csv([row(1), row(2)]), now=NOW)
    assert (summary.rows, summary.imported, summary.malformed) == (2, 2, [])
    case = Case.objects.get(external_id="1")
    assert case.source == "cfpb" and case.product == "Debt collection"
    assert case.respondent == "Collectors Inc" and case.channel == "web"
    assert case.received_at.date().isoformat() == "2023-02-11"
    assert case.reference.startswith("AC-2023-")
    assert case.customer.postal_address == "TX"
    [event] = CaseEvent.objects.filter(case=case)
    payload = json.loads(event.clear_payload)
    assert payload["source"] == "cfpb" and payload["external_id"] == "1"
    assert payload["source_details"] == {"state": "TX"}
    assert event.actor_kind == "system" and event.actor_label == "CFPB import"
    assert ledger_verify().ok


def test_reimport_imports_nothing_twice(org) -> None:
    text = to_csv([row(n) for n in range(1, 6)])
    first = cfpb_import_text(organisation=org, text=text, now=NOW)
    again = cfpb_import_text(organisation=org, text=to_csv([row(n) for n in range(1, 8)]), now=NOW)
    assert (first.imported, again.imported, again.already_imported) == (5, 2, 5)
    assert Case.objects.count() == CaseEvent.objects.count() == Customer.objects.count() == 7


def test_repeated_ids_in_one_file(org) -> None:
    summary = cfpb_import_text(organisation=org, text=to_csv([row(1), row(1), row(2)]), now=NOW)
    assert (summary.imported, summary.duplicates_in_file) == (2, 1)


def test_same_complaint_in_two_organisations(org, other_org) -> None:
    text = to_csv([row(1)])
    cfpb_import_text(organisation=org, text=text, now=NOW)
    cfpb_import_text(organisation=other_org, text=text, now=NOW)
    assert Case.objects.filter(external_id="1").count() == 2


def test_interrupted_import_then_rerun_leaves_exactly_one_copy(org, monkeypatch) -> None:
    text = to_csv([row(n) for n in range(1, 26)])
    real = importing.rows_insert
    calls = {"events": 0}

    def crash_on_third_batch(model, columns, rows):
        # The third batch dies after writing its customers and cases, before its events.
        if model is importing.CaseEvent:
            calls["events"] += 1
            if calls["events"] == 3:
                raise RuntimeError("power cut")
        return real(model, columns, rows)

    monkeypatch.setattr(importing, "rows_insert", crash_on_third_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        cfpb_import(organisation=org, source=io.StringIO(text), now=NOW, batch_size=10)
    # Two whole batches landed; the third left nothing half-written behind it.
    assert Case.objects.count() == CaseEvent.objects.count() == Customer.objects.count() == 20
    monkeypatch.undo()
    summary = cfpb_import(organisation=org, source=io.StringIO(text), now=NOW, batch_size=10)
    assert (summary.imported, summary.already_imported) == (5, 20)
    assert sorted(Case.objects.values_list("external_id", flat=True)) == sorted(
        str(n) for n in range(1, 26)
    )
    assert Case.objects.count() == CaseEvent.objects.count() == Customer.objects.count() == 25
    refs = list(Case.objects.values_list("reference", flat=True))
    assert len(set(refs)) == 25
    assert ledger_verify().ok


def test_malformed_rows_are_reported_by_line_and_good_rows_kept(org) -> None:
    text = to_csv(
        [
            row(1),
            row(2, **{"Consumer complaint narrative": "line one\r\nline two\r\nline three"}),
            row(3, **{"Complaint ID": "abc"}),
            row(4, **{"Date received": "31/02/2023"}),
            row(5),
            row(6, Company=""),
        ]
    )
    summary = cfpb_import_text(organisation=org, text=text, now=NOW)
    assert summary.imported == 3
    # Row 2's narrative spans three physical lines, so row 3 starts on line 6.
    assert [(m.line, m.problem) for m in summary.malformed] == [
        (6, "'Complaint ID' must be a number, got 'abc'"),
        (7, "'Date received' is not a date: '31/02/2023'"),
        (9, "empty 'Company'"),
    ]
    assert Case.objects.get(external_id="2").description == "line one\r\nline two\r\nline three"


def test_broken_csv_quoting_is_reported(org) -> None:
    text = to_csv([row(1)]) + '2023-01-01,"Debt collection,unterminated\n'
    summary = cfpb_import_text(organisation=org, text=text, now=NOW)
    assert summary.imported == 1 and len(summary.malformed) == 1
    assert summary.malformed[0].line == 3


def test_a_file_that_is_not_cfpb_is_refused(org) -> None:
    with pytest.raises(ImportAborted, match=r"missing column.*'Complaint ID'"):
        cfpb_import_text(organisation=org, text="name,email\nDana,d@example.org\n", now=NOW)
    with pytest.raises(ImportAborted, match="missing column"):
        cfpb_import_text(organisation=org, text="", now=NOW)
    assert Case.objects.count() == 0


def test_hostile_text_imports_as_data(org) -> None:
    hostile = "<script>alert(1)</script>{{ 7*7 }}{% debug %}"
    cfpb_import_text(
        organisation=org,
        text=to_csv([row(1, **{"Consumer complaint narrative": hostile})]),
        now=NOW,
    )
    assert Case.objects.get().description == hostile


def test_command_prints_a_summary_and_lists_bad_lines(org, tmp_path, capsys) -> None:
    path = tmp_path / "complaints.csv"
    path.write_text(to_csv([row(1), row(2, **{"Complaint ID": "x"})]), encoding="utf-8")
    call_command("import", "cfpb", str(path), "--org", "acme")
    out, err = capsys.readouterr()
    assert "2 rows read: 1 imported" in out and "1 malformed" in out
    assert "complaints.csv:line 3: 'Complaint ID' must be a number" in err
    call_command("import", "cfpb", str(path), "--org", "acme")
    assert "0 imported, 1 already imported" in capsys.readouterr().out


def test_command_errors(org, tmp_path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "cfpb", str(tmp_path / "nope.csv"), "--org", "acme")
    path = tmp_path / "latin1.csv"
    path.write_bytes(to_csv([row(1)]).encode() + "2023-01-01,caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not valid UTF-8"):
        call_command("import", "cfpb", str(path), "--org", "acme")
    # Far into a big file, the rows before the bad byte are imported and kept.
    big = tmp_path / "big.csv"
    big.write_bytes(to_csv([row(n) for n in range(1, 400)]).encode() + b"2023-01-01,caf\xe9\n")
    with pytest.raises(CommandError, match="not valid UTF-8 near line"):
        call_command("import", "cfpb", str(big), "--org", "acme", "--batch-size", "50")
    assert Case.objects.count() > 0
    with pytest.raises(CommandError, match="no organisation 'nobody'"):
        call_command("import", "cfpb", str(path), "--org", "nobody")


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside the repository")
def test_the_real_cfpb_sample_imports_completely(org) -> None:
    summary = cfpb_import(organisation=org, source=SHARED, now=NOW)
    assert (summary.rows, summary.imported, len(summary.malformed)) == (3700, 3700, 0)
    assert Case.objects.filter(organisation=org).count() == 3700
    report = ledger_verify(organisation=org)
    assert report.ok and report.events == 3700
