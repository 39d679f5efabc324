"""Corrections are events with old value, new value and reason; the rows are the fold."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, Customer, Evidence
from plaint.deadlines.models import CaseDeadline
from plaint.domain import timeline
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events import payload_from_json
from plaint.records.corrections import case_correct, customer_correct
from plaint.records.integrity import files_verify, rows_verify
from tests.conftest import NOW

LATER = NOW + timedelta(hours=1)


def _verify(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify", *args, "--workers", "1", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_case_correction_is_one_event_with_old_new_and_reason(case, agent):
    case = case_correct(
        case=case,
        changes={
            "product": "Gas supply",
            "amount_in_dispute": "42.10",
            "order_number": "INV-12345",
        },
        reason="Customer read the bill again",
        actor=Actor.staff(agent),
        now=LATER,
    )
    case.refresh_from_db()
    assert case.product == "Gas supply"
    assert case.amount_in_dispute == Decimal("42.10")
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.kind == "case_corrected"
    payload = payload_from_json(event.kind, event.clear_payload)
    # the order number did not change, so it is not in the event
    assert payload.old == {"product": "Energy supply", "amount_in_dispute": "84.20"}  # type: ignore[attr-defined]
    assert payload.new == {"product": "Gas supply", "amount_in_dispute": "42.10"}  # type: ignore[attr-defined]
    sentence = timeline.describe(payload)
    assert "product “Energy supply” → “Gas supply”" in sentence
    assert timeline.detail(payload) == "Customer read the bill again"
    assert rows_verify().ok


def test_refusals_write_nothing(case, agent):
    before = case.ledger_length
    actor = Actor.staff(agent)
    with pytest.raises(FieldErrors) as exc:
        case_correct(case=case, changes={"product": "x"}, reason=" ", actor=actor, now=LATER)
    assert "reason" in exc.value.errors
    with pytest.raises(FieldErrors) as exc:
        case_correct(
            case=case, changes={"status": "closed"}, reason="because", actor=actor, now=LATER
        )
    assert "cannot be corrected" in exc.value.errors["status"]
    with pytest.raises(FieldErrors) as exc:
        case_correct(
            case=case,
            changes={"amount_in_dispute": "1e30", "occurred_on": "not a date"},
            reason="because",
            actor=actor,
            now=LATER,
        )
    assert set(exc.value.errors) == {"amount_in_dispute", "occurred_on"}
    with pytest.raises(FieldErrors) as exc:
        case_correct(
            case=case, changes={"product": "a\x00b"}, reason="because", actor=actor, now=LATER
        )
    assert "NUL" in exc.value.errors["product"]
    with pytest.raises(DomainError, match="Nothing to correct"):
        case_correct(
            case=case, changes={"product": "Energy supply"}, reason="same", actor=actor, now=LATER
        )
    case.refresh_from_db()
    assert case.ledger_length == before and case.product == "Energy supply"


def test_hostile_text_is_kept_as_text(case, agent):
    hostile = "<script>alert(1)</script> {{ 7*7 }} \u202e"
    case_correct(
        case=case, changes={"issue": hostile}, reason=hostile, actor=Actor.staff(agent), now=LATER
    )
    case.refresh_from_db()
    assert case.issue == hostile.strip()
    assert rows_verify().ok


def test_received_date_correction_refreshes_deadlines(case, agent):
    from plaint.deadlines.services import case_deadlines_refresh

    case_deadlines_refresh(case=case, now=NOW)
    before = {d.key: d.due_at for d in CaseDeadline.objects.filter(case=case)}
    assert before
    earlier = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
    case_correct(
        case=case,
        changes={"received_at": earlier},
        reason="The letter was postmarked earlier",
        actor=Actor.staff(agent),
        now=LATER,
    )
    after = {d.key: d.due_at for d in CaseDeadline.objects.filter(case=case)}
    assert any(after[k] != before[k] for k in before if before[k] is not None)
    assert rows_verify().ok


def test_customer_correction_updates_the_row_and_the_fold(case, agent):
    customer = customer_correct(
        case=case,
        changes={"email": "Dana.W@Example.org", "name": "Dana Whitfield-Jones"},
        reason="Married name; e-mail mistyped",
        actor=Actor.staff(agent),
        now=LATER,
    )
    assert customer.name == "Dana Whitfield-Jones"
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.kind == "customer_corrected"
    assert "Dana Whitfield-Jones" in timeline.describe(
        payload_from_json(event.kind, event.clear_payload)
    )
    assert rows_verify().ok
    with pytest.raises(FieldErrors) as exc:
        customer_correct(
            case=case,
            changes={"email": "not an address"},
            reason="x",
            actor=Actor.staff(agent),
            now=LATER,
        )
    assert "email" in exc.value.errors


def test_letters_use_the_corrected_value(case, agent):
    from plaint.letters.record import case_values

    case_correct(
        case=case,
        changes={"account_number": "ACC-111"},
        reason="Digits swapped",
        actor=Actor.staff(agent),
        now=LATER,
    )
    case = Case.objects.get(pk=case.pk)
    values = case_values(case=case, kind="acknowledgement", actor=Actor.staff(agent))
    assert "ACC-111" in str(values)


def test_verify_catches_rows_edited_behind_the_ledger(case, agent):
    out, _ = _verify()
    assert "Rows verified: 1 case(s) and 1 customer(s)" in out
    Case.objects.filter(pk=case.pk).update(description="forged", status="closed")
    Customer.objects.filter(pk=case.customer_id).update(name="Someone Else")
    with pytest.raises(CommandError, match="row value"):
        _verify()
    report = rows_verify()
    fields = sorted(m.field for m in report.mismatches)
    assert fields == ["description", "name", "status"]
    assert any("acme/" in str(m) for m in report.mismatches)


def test_verify_files_checks_hashes_and_orphans(case, agent, settings):
    services.case_evidence_attach(
        case=case,
        stream=io.BytesIO(b"the bill, page one"),
        filename="bill.txt",
        content_type="text/plain",
        actor=Actor.staff(agent),
        now=LATER,
    )
    assert files_verify().ok
    out, _ = _verify("--files")
    assert "Files verified: 1 file(s)" in out
    evidence = Evidence.objects.get(case=case)
    from plaint.cases.evidence_store import blob_path

    path = blob_path(evidence.sha256)
    path.chmod(0o640)
    path.write_bytes(b"a forged bill")
    orphan = path.parent / ("f" * 64)
    orphan.write_bytes(b"nobody names me")
    report = files_verify()
    reasons = sorted(p.reason for p in report.problems)
    assert reasons == [
        "content does not match its SHA-256: altered",
        "orphan: no record names this file",
    ]
    with pytest.raises(CommandError, match="file problem"):
        _verify("--files")


def test_cli_corrects_case_and_customer(case, agent):
    out = io.StringIO()
    call_command(
        "case",
        "correct",
        case.reference,
        "--org",
        "acme",
        "--set",
        "product=Dual fuel",
        "--set",
        "customer.phone=020 7946 0001",
        "--reason",
        "From the call recording",
        "--by",
        "alice",
        stdout=out,
    )
    assert "corrected product" in out.getvalue()
    case.refresh_from_db()
    assert case.product == "Dual fuel"
    assert case.customer.phone == "+442079460001"
    with pytest.raises(CommandError, match="cannot be corrected"):
        call_command("case", "correct", case.reference, "--set", "status=x", "--reason", "r")
    with pytest.raises(CommandError, match="No case"):
        call_command("case", "correct", "AC-1999-000001", "--set", "product=x", "--reason", "r")
    assert rows_verify().ok
