"""Fixtures of the records tests: stores in the test's folder, a case with a full record."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
from django.db import connection

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, PersonalDatum
from plaint.domain.ledger import GENESIS, LedgerEntry, canonical_time, chain_hash
from plaint.domain.vocabulary import Visibility
from plaint.letters.services import letter_generate
from tests.conftest import NOW

ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}
_TRIGGERS = importlib.import_module("plaint.cases.migrations.0002_ledger_append_only")


@pytest.fixture(autouse=True)
def _records_stores(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"
    settings.RECORDS_ROOT = tmp_path / "records"


@pytest.fixture
def full_case(case: Case, agent) -> Case:  # type: ignore[no-untyped-def]
    """A case with internal and customer-visible events, two files and a kept letter."""
    actor = Actor.staff(agent)
    at = NOW + timedelta(minutes=5)
    services.case_note_add(
        case=case, text="Internal: check the meter <b>readings</b>", actor=actor, now=at
    )
    services.case_evidence_attach(
        case=case,
        stream=io.BytesIO(b"%PDF-1.4 the February bill"),
        filename="bill.pdf",
        content_type="application/pdf",
        actor=actor,
        now=at,
        visibility=Visibility.CUSTOMER,
    )
    services.case_evidence_attach(
        case=case,
        stream=io.BytesIO(b"meter photo notes"),
        filename="meter.txt",
        content_type="text/plain",
        actor=actor,
        now=at,
    )
    letter_generate(
        case=case,
        kind="acknowledgement",
        actor=actor,
        now=at,
        fields=ADDRESS,
        formats=("md", "html"),
    )
    return Case.objects.get(pk=case.pk)


def chain_rewrite(case: Case, seq: int, payload_text: str) -> None:
    """What an attacker with write access to the database does: replace event `seq`'s
    payload, re-chain every later event and move the case's head, so `plaint verify`'s
    hash check passes."""

    down = {"sqlite": _TRIGGERS.SQLITE_DOWN, "postgresql": _TRIGGERS.POSTGRES_DOWN}
    up = {"sqlite": _TRIGGERS.SQLITE_UP, "postgresql": _TRIGGERS.POSTGRES_UP}
    with connection.cursor() as cursor:
        for statement in down[connection.vendor]:
            cursor.execute(statement)
    # the rewritten payload is in clear: the attacker drops the personal data it replaces
    PersonalDatum.objects.filter(case=case, seq=seq).delete()
    prev = GENESIS
    for event in CaseEvent.objects.filter(case=case).order_by("seq"):
        if event.seq == seq:
            event.payload = payload_text
        entry = LedgerEntry(
            case=case.reference,
            seq=event.seq,
            kind=event.kind,
            occurred_at=canonical_time(event.occurred_at),
            recorded_at=canonical_time(event.recorded_at),
            actor_kind=event.actor_kind,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            visibility=event.visibility,
            payload_json=event.payload,
        )
        digest = chain_hash(prev, entry)
        CaseEvent.objects.filter(pk=event.pk).update(
            payload=event.payload, prev_hash=prev, hash=digest
        )
        prev = digest
    Case.objects.filter(pk=case.pk).update(ledger_head=prev)
    with connection.cursor() as cursor:
        for statement in up[connection.vendor]:
            cursor.execute(statement)
