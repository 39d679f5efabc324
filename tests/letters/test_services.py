"""letter_generate on a real case: one ledger event, files kept by hash, nothing written
on errors, regeneration byte-identical, the milestone a sent letter represents."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from plaint.cases import services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import CaseEvent
from plaint.domain.errors import FieldErrors
from plaint.domain.letters import MissingFields
from plaint.letters import store
from plaint.letters.selectors import case_letter_file, case_letter_regenerate, case_letters
from plaint.letters.services import letter_generate
from tests.conftest import NOW, open_case
from tests.letters.records import folder_with_gap

ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}


def _contacts(case, agent) -> None:  # type: ignore[no-untyped-def]
    actor = Actor.staff(agent)
    services.case_contact_log(
        case=case, contact_at=datetime(2026, 2, 10, 14, 5, tzinfo=UTC), channel="phone",
        direction="inbound", actor=actor, now=NOW, representative="Sam",
        ticket_number="T-1", wait_minutes=35, summary="Promised a refund",
    )  # fmt: skip
    services.case_contact_log(
        case=case, contact_at=datetime(2026, 2, 12, 10, 0, tzinfo=UTC), channel="email",
        direction="outbound", actor=actor, now=NOW, representative="Priya",
    )  # fmt: skip


def test_generate_keeps_an_exact_copy_in_one_event(case, agent) -> None:  # type: ignore[no-untyped-def]
    _contacts(case, agent)
    before = CaseEvent.objects.filter(case=case).count()
    done = letter_generate(
        case=case, kind="escalation", actor=Actor.customer("Dana Whitfield"), now=NOW,
        fields={**ADDRESS, "case.occurred_on": "2026-02-03"}, formats=("md", "html", "pdf", "docx"),
    )  # fmt: skip
    assert CaseEvent.objects.filter(case=case).count() == before + 1
    payload = case_letters(case=case)[-1].payload
    assert payload.letter == "escalation" and payload.template_version == "2026-11-23.1"
    assert set(payload.files) == {"md", "html", "pdf", "docx"}
    for fmt, sha in payload.files.items():
        data = case_letter_file(case=case, seq=done.event.seq, fmt=fmt)
        assert hashlib.sha256(data).hexdigest() == sha == done.files[fmt]
    assert payload.fields["case.reference"] == case.reference
    # stored in E.164, shown in the organisation's national format
    assert payload.fields["customer.phone"] == "020 7946 0000"
    text = case_letter_file(case=case, seq=done.event.seq, fmt="md").decode()
    assert "| phone | me | Sam | T-1 | 35 min |" in text  # from the logged contacts
    assert "weekdays after 5pm" in text  # the customer's preferred contact times
    assert ledger_verify(reference=case.reference).ok


def test_missing_fields_write_nothing(case) -> None:  # type: ignore[no-untyped-def]
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(MissingFields) as caught:
        letter_generate(case=case, kind="cease-and-desist", actor=Actor.system(), now=NOW)
    keys = [m.field.key for m in caught.value.missing]
    assert keys == ["customer.address", "letter.issue_type", "letter.conduct", "letter.agency"]
    assert "on the desk: case page → Customer → Postal address" in caught.value.message
    assert CaseEvent.objects.filter(case=case).count() == before
    assert not store.root().exists() or not any(store.root().rglob("*"))


def test_regeneration_is_byte_identical(case, agent) -> None:  # type: ignore[no-untyped-def]
    done = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW, fields=ADDRESS
    )
    # the case changes afterwards; the kept letter is reproduced from its own values
    services.case_contact_log(
        case=case, contact_at=NOW, channel="phone", direction="inbound",
        actor=Actor.staff(agent), now=NOW + timedelta(hours=1),
    )  # fmt: skip
    again = case_letter_regenerate(case=case, seq=done.event.seq)
    for fmt in ("md", "html"):
        assert hashlib.sha256(again.outputs[fmt]).hexdigest() == done.files[fmt]
    text = again.outputs["md"].decode()
    assert "26 April 2026" in text  # 8 weeks after 1 March (UK-FCA-DISP)
    assert "Alice Agent" in text


def test_sent_final_response_records_the_milestone(org, agent) -> None:  # type: ignore[no-untyped-def]
    case = open_case(org, agent, regime="")
    services.case_transition(case=case, to="investigating", actor=Actor.staff(agent), now=NOW)
    services.case_offer_record(
        case=case, redress="refund", actor=Actor.staff(agent), now=NOW,
        amount=Decimal("84.20"), currency="GBP", description="the duplicate charge",
    )  # fmt: skip
    done = letter_generate(
        case=case, kind="final-response", actor=Actor.staff(agent), now=NOW,
        fields={"letter.outcome": "offer", "letter.findings": "The charge ran twice."},
        sent_at=NOW,
    )  # fmt: skip
    assert done.milestone_event is not None
    assert '"milestone":"final_response_sent"' in done.milestone_event.payload
    assert "Refund of GBP 84.20: the duplicate charge" in done.letter.outputs["md"].decode()


def test_incomplete_fca_wording_cannot_be_recorded_as_sent(
    case, agent, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    folder_with_gap(tmp_path, monkeypatch)
    before = CaseEvent.objects.filter(case=case).count()
    fields = {
        "letter.outcome": "reject", "letter.findings": "No error.", "letter.reasons": "Correct.",
        "letter.fos_time_limit_case": "no_waiver_six_months",
    }  # fmt: skip
    with pytest.raises(FieldErrors, match="wording to complete"):
        letter_generate(
            case=case, kind="final-response", actor=Actor.staff(agent), now=NOW,
            fields=fields, sent_at=NOW,
        )  # fmt: skip
    assert CaseEvent.objects.filter(case=case).count() == before
    letter_generate(
        case=case, kind="final-response", actor=Actor.staff(agent), now=NOW, fields=fields
    )
    assert CaseEvent.objects.filter(case=case).count() == before + 1


def test_override_folder_setting(case, agent, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from plaint.config import appsettings

    (tmp_path / "acknowledgement.md").write_text(
        '{% extends "_layout.md" %}{% block subject %}Got it{% endblock %}'
        "{% block body %}Acme letterhead wording for {{ case.reference }}.{% endblock %}"
    )
    monkeypatch.setattr(
        appsettings,
        "APP",
        appsettings.AppSettings.from_env({"PLAINT_LETTER_TEMPLATES_DIR": str(tmp_path)}),
    )
    done = letter_generate(case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW)
    assert f"Acme letterhead wording for {case.reference}." in done.letter.outputs["md"].decode()
    assert done.letter.template_version.endswith("+org")
