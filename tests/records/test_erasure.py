"""Erasure by redaction: no personal datum is left anywhere, while the chain verifies and the
reports still count the case."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from plaint.cases import services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent, Customer, PersonalDatum, SearchEntry
from plaint.cases.selectors import CaseFilters, case_list, case_timeline
from plaint.cases.services import CustomerDetails
from plaint.domain.errors import DomainError
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.pack import pack_verify
from plaint.domain.personal import ERASED
from plaint.domain.returns.periods import Period
from plaint.domain.vocabulary import Visibility
from plaint.letters.services import letter_generate
from plaint.messaging import rawstore
from plaint.messaging.outbound import message_send
from plaint.records.erasure import case_erase
from plaint.records.integrity import files_verify, rows_verify
from plaint.records.packs import case_pack_build
from plaint.records.retention import legal_hold_lift, legal_hold_place
from plaint.records.verify_pack import verify as script_verify
from plaint.reports.selectors import ReportFilters, cfpb_export, report_build
from tests.conftest import NOW, open_case

NAME = "Zephyrine Quillfeather-Oyelaran"
EMAIL = "zq.erasure.7f3a@example.net"
#: What must not be found, in any case: the name, its rarest part, the e-mail and its user part.
NEEDLES = [NAME, "Quillfeather", EMAIL, "zq.erasure.7f3a"]
CLOSED = NOW + timedelta(days=10)
TODAY = date(2029, 3, 2)  # past the 3 years of DISP 1.9.1R from receipt
LATER = datetime(2029, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DEFAULT_FROM_EMAIL = "desk@acme.test"


def _file_case(org, agent) -> Case:  # type: ignore[no-untyped-def]
    """A closed case whose every part carries the customer's name or e-mail."""
    case = open_case(
        org,
        agent,
        customer=CustomerDetails(name=NAME, email=EMAIL, phone="+44 20 7946 0999"),
        description=f"I am {NAME}, write to {EMAIL}: charged twice.",
        order_number="INV-QF-1",
    )
    actor = Actor.staff(agent)
    at = NOW + timedelta(minutes=5)
    services.case_note_add(case=case, text=f"Called {NAME} back.", actor=actor, now=at)
    services.case_contact_log(
        case=case, contact_at=at, channel="phone", direction="outbound", actor=actor, now=at,
        summary=f"{NAME} confirmed {EMAIL}",
    )  # fmt: skip
    services.case_evidence_attach(
        case=case,
        stream=io.BytesIO(f"Bill for {NAME}, {EMAIL}".encode()),
        filename="quillfeather-bill.txt",
        content_type="text/plain",
        actor=actor,
        now=at,
        description=f"{NAME}'s bill",
        visibility=Visibility.CUSTOMER,
    )
    letter_generate(
        case=case,
        kind="acknowledgement",
        actor=actor,
        now=at,
        fields={"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row"},
        formats=("md", "html"),
    )
    message_send(
        case=case, subject=f"For {NAME}", text=f"Dear {NAME}, we are on it.", actor=actor, now=at
    )
    services.case_transition(
        case=case, to=CaseStatus.RESOLVED, actor=actor, now=CLOSED, reason=f"{NAME} agreed"
    )
    services.case_close(
        case=case, outcome="upheld", root_cause_code="staff_error",
        root_cause=f"Billing error on {NAME}'s account", actor=actor, now=CLOSED,
    )  # fmt: skip
    return Case.objects.get(pk=case.pk)


def _table_hits() -> list[str]:
    """Every row of every table, as text, searched for the needles (case-insensitive)."""
    hits = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(v).decode("utf-8", "replace")
                    if isinstance(v, bytes | memoryview)
                    else str(v)
                    for v in row
                ).lower()
                hits += [f"{table}: {n}" for n in NEEDLES if n.lower() in text]
    return hits


def _file_hits(*roots: Path) -> list[str]:
    hits = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                data = (Path(folder) / name).read_bytes().lower()
                hits += [f"{name}: {n}" for n in NEEDLES if n.lower().encode() in data]
    return hits


def test_erasure_leaves_no_personal_datum_and_keeps_the_chain_and_the_counts(
    org, agent, supervisor, settings
) -> None:
    case = _file_case(org, agent)
    kept = open_case(org, agent)  # another customer's case: untouched
    assert _table_hits(), "the case must hold the needles before it is erased"
    roots = (Path(settings.EVIDENCE_ROOT), Path(settings.LETTER_ROOT), rawstore.root())
    assert _file_hits(*roots)
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    before = report_build(organisation=org, filters=ReportFilters(period), now=LATER)

    done = case_erase(case=case, confirmed_by=supervisor, now=LATER, today=TODAY)

    assert done.personal_values > 5 and done.files >= 3
    assert _table_hits() == []
    assert _file_hits(*roots) == []
    assert SearchEntry.objects.filter(case=case).count() == 0
    for word in ("Quillfeather", "Zephyrine"):
        assert list(case_list(organisation=org, filters=CaseFilters(q=word))) == []
    assert not PersonalDatum.objects.filter(case=case).exists()
    # the facts reports count are kept; the rest is the marker
    case.refresh_from_db()
    assert (case.status, case.outcome, case.root_cause_code, case.product) == (
        "closed", "upheld", "staff_error", "Energy supply"
    )  # fmt: skip
    assert (case.description, case.order_number, case.root_cause) == (ERASED, ERASED, ERASED)
    assert str(case.amount_in_dispute) == "84.20" and case.closed_at is not None
    customer = Customer.objects.get(pk=case.customer_id)
    assert customer.name == f"Erased customer #{customer.pk}" and customer.email == ""
    # the chain, the rows and the files still verify; the other case is whole
    assert ledger_verify().ok
    assert rows_verify().ok
    assert files_verify().ok
    call_command("verify", stdout=io.StringIO())
    assert kept.description and PersonalDatum.objects.filter(case=kept).exists()
    # the reports count the case as before
    after = report_build(organisation=org, filters=ReportFilters(period), now=LATER)
    assert (after.total, after.outcomes, after.by_product, after.by_root_cause) == (
        before.total, before.outcomes, before.by_product, before.by_root_cause
    )  # fmt: skip
    rows = cfpb_export(organisation=org, filters=ReportFilters(period), now=LATER)
    assert len(rows) == 2 and not any(n.lower() in str(rows).lower() for n in NEEDLES)
    # a fresh pack holds none of it, and both verifiers pass it
    pack = case_pack_build(case=case, exported_at=LATER)
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        for name in archive.namelist():
            body = archive.read(name).lower()
            assert not [n for n in NEEDLES if n.lower().encode() in body], name
    report = pack_verify(pack.data)
    assert report.ok, report.problems
    assert any("erased" in note for note in report.notes)
    assert script_verify(pack.data)[0] == []
    # the erasure is on the ledger, with the rule and the supervisor, and readable
    last = CaseEvent.objects.filter(case=case).latest("seq")
    payload = json.loads(last.clear_payload)
    assert last.kind == "case_erased" and payload["rule"] == "UK-FCA-DISP"
    assert payload["retention_ended_on"] == "2029-03-01" and payload["confirmed_by_id"] == (
        supervisor.pk
    )
    words = [e.payload for e in case_timeline(case=case)]
    assert all(getattr(w, "text", "") in ("", ERASED) for w in words)
    with pytest.raises(DomainError, match="already been erased"):
        case_erase(case=case, confirmed_by=supervisor, now=LATER, today=TODAY)


def test_erasure_is_refused_on_hold_before_its_time_for_agents_and_for_old_events(
    org, agent, supervisor, monkeypatch
) -> None:
    case = _file_case(org, agent)
    actor = Actor.staff(supervisor)
    with pytest.raises(DomainError, match="only a supervisor or an admin"):
        case_erase(case=case, confirmed_by=agent, now=LATER, today=TODAY)
    with pytest.raises(DomainError, match="kept under UK-FCA-DISP until 2029-03-01"):
        case_erase(case=case, confirmed_by=supervisor, now=LATER, today=date(2029, 2, 28))
    legal_hold_place(case=case, reason="Claim", actor=actor, now=LATER)
    with pytest.raises(DomainError, match="on legal hold"):
        case_erase(case=case, confirmed_by=supervisor, now=LATER, today=TODAY)
    legal_hold_lift(case=case, reason="Settled", actor=actor, now=LATER)
    open_one = open_case(org, agent)
    with pytest.raises(DomainError, match="is open"):
        case_erase(case=open_one, confirmed_by=supervisor, now=LATER, today=TODAY)
    # nothing was written by the refusals
    assert PersonalDatum.objects.filter(case=case).count() > 5
    # a case whose events were written before commitments holds its data in clear: refused
    monkeypatch.setattr("plaint.cases.ledger.commit_payload", lambda kind, text, salt: (text, []))
    old = open_case(org, agent)
    services.case_transition(case=old, to=CaseStatus.RESOLVED, actor=actor, now=CLOSED)
    services.case_close(
        case=old, outcome="upheld", root_cause_code="staff_error", actor=actor, now=CLOSED
    )
    monkeypatch.undo()
    with pytest.raises(DomainError, match="written before personal data were kept apart"):
        case_erase(case=old, confirmed_by=supervisor, now=LATER, today=TODAY)
    assert ledger_verify().ok and rows_verify().ok


def test_the_command_erases_and_names_refusals(org, agent, supervisor) -> None:
    case = _file_case(org, agent)
    held = _file_case(org, agent)
    legal_hold_place(case=held, reason="Claim", actor=Actor.staff(supervisor), now=LATER)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 case"):
        call_command(
            "retention", "erase", case.reference, held.reference, "--confirmed-by", "sue",
            "--today", "2029-03-02", stdout=out, stderr=err,
        )  # fmt: skip
    assert f"{case.reference}: erased" in out.getvalue()
    assert f"REFUSED {held.reference} is on legal hold" in err.getvalue()
    with pytest.raises(CommandError, match="No member of staff 'nobody'"):
        call_command("retention", "erase", case.reference, "--confirmed-by", "nobody")
    assert ledger_verify().ok


def test_a_tampered_personal_datum_is_named_by_verify(case: Case) -> None:
    datum = PersonalDatum.objects.filter(case=case, path="description").get()
    PersonalDatum.objects.filter(pk=datum.pk).update(value=json.dumps("forged"))
    [broken] = ledger_verify().broken
    assert "'description' does not match its commitment" in broken.reason


SCRIPT = r"""
import os, sys, io
from datetime import date
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
sys.path.insert(0, os.environ["PLAINT_REPO"])
from tests.conftest import _staff, NOW
from tests.records import test_erasure as t
from plaint.accounts.roles import Role
from plaint.accounts.services import organisation_create
org = organisation_create(slug="acme", name="Acme Energy", now=NOW, reference_prefix="AC")
agent = _staff(org, "alice", Role.AGENT, "Alice", "Agent")
sue = _staff(org, "sue", Role.SUPERVISOR, "Sue", "Visor")
case = t._file_case(org, agent)
for _ in range(3):
    t.open_case(org, agent)
from plaint.cases.search import search_rebuild
search_rebuild()
if sys.argv[1] == "erase":
    t.case_erase(case=case, confirmed_by=sue, now=t.LATER, today=t.TODAY)
"""


def _raw_run(tmp_path: Path, action: str) -> bytes:
    folder = tmp_path / action
    folder.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder}/plaint.sqlite3",
        "PLAINT_DATA_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "plaint.config.settings",
        "PLAINT_REPO": str(Path(__file__).parents[2]),
    }
    subprocess.run(
        [sys.executable, "-c", SCRIPT, action], env=env, check=True, timeout=600, cwd=folder
    )
    return b"".join(
        path.read_bytes() for path in folder.glob("plaint.sqlite3*") if path.is_file()
    ).lower()


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the raw database file is SQLite's; on PostgreSQL the tables are searched",
)
def test_the_raw_sqlite_file_holds_no_personal_datum_after_erasure(tmp_path: Path) -> None:
    """A real database file, written and erased by a real process: its bytes (and its
    write-ahead log's) hold neither the name nor the e-mail, in any case."""
    kept = _raw_run(tmp_path, "keep")
    assert all(n.lower().encode() in kept for n in NEEDLES)  # the search can find them
    erased = _raw_run(tmp_path, "erase")
    assert [n for n in NEEDLES if n.lower().encode() in erased] == []


def test_erasure_rewrites_the_webhook_messages_of_the_case(org, agent, supervisor) -> None:  # type: ignore[no-untyped-def]
    """A webhook message keeps the exact body sent; the erasure rebuilds it from the ledger
    as it now reads, so neither a delivered nor a waiting message keeps the customer."""
    from plaint.api.models import WebhookEndpoint, WebhookMessage
    from plaint.api.webhooks import webhooks_follow

    WebhookEndpoint.objects.create(
        organisation=org, url="https://hooks.example.net/plaint", kinds=[],
        secret="whsec_" + "A" * 32, created_at=NOW - timedelta(days=1),
    )  # fmt: skip
    webhooks_follow(NOW)  # the producer starts after the ledger's newest event
    case = _file_case(org, agent)
    other = open_case(org, agent, customer=CustomerDetails(name="Ottoline Brackenbury"))
    assert webhooks_follow(CLOSED) > 5
    mine = WebhookMessage.objects.filter(case_id=case.pk)
    assert any(NAME.encode() in bytes(m.body) for m in mine)
    ids = sorted(mine.values_list("msg_id", flat=True))

    case_erase(case=case, confirmed_by=supervisor, now=LATER, today=TODAY)

    mine = WebhookMessage.objects.filter(case_id=case.pk)
    assert sorted(mine.values_list("msg_id", flat=True)) == ids  # the log keeps its ids
    for message in mine:
        body = bytes(message.body)
        assert not [n for n in NEEDLES if n.lower().encode() in body.lower()], body[:300]
        assert json.loads(body)["data"]["case"] == case.reference
    assert _table_hits() == []
    theirs = WebhookMessage.objects.filter(case_id=other.pk)
    assert any(b"Ottoline Brackenbury" in bytes(m.body) for m in theirs)
