"""The ledger is append-only in the database, and `verify` catches what gets past that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from plaint.cases import services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from tests.conftest import NOW, open_case


@pytest.fixture
def busy_case(case: Case, agent) -> Case:
    actor = Actor.staff(agent)
    services.case_note_add(case=case, text="first", actor=actor, now=NOW + timedelta(minutes=1))
    services.case_transition(
        case=case, to="acknowledged", actor=actor, now=NOW + timedelta(minutes=2)
    )
    services.case_note_add(case=case, text="second", actor=actor, now=NOW + timedelta(minutes=3))
    return Case.objects.get(pk=case.pk)


def _bypass_triggers() -> None:
    """What an attacker with database access would do first. Rolled back with the test."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER plaint_case_event_no_update")
            cur.execute("DROP TRIGGER plaint_case_event_no_delete")
        else:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush Django's deferred FK checks
            cur.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER USER")


def test_update_through_the_orm_is_refused(busy_case: Case) -> None:
    with pytest.raises((IntegrityError, DatabaseError), match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(case=busy_case).update(payload='{"text":"edited"}')
    assert ledger_verify().ok


def test_delete_through_the_orm_is_refused(busy_case: Case) -> None:
    with pytest.raises((IntegrityError, DatabaseError), match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(case=busy_case, seq=4).delete()
    assert CaseEvent.objects.filter(case=busy_case).count() == 4


def test_raw_sql_update_and_delete_are_refused(busy_case: Case) -> None:
    for sql in (
        "UPDATE cases_caseevent SET actor_label = 'Mallory'",
        "DELETE FROM cases_caseevent",
    ):
        with (
            pytest.raises((IntegrityError, DatabaseError), match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
    assert CaseEvent.objects.count() == 4


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_on_postgres(busy_case: Case) -> None:
    with (
        pytest.raises((IntegrityError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush Django's deferred FK checks
        cur.execute("TRUNCATE cases_caseevent CASCADE")
    assert CaseEvent.objects.count() == 4


def test_verify_catches_an_altered_payload(busy_case: Case, org, agent) -> None:
    other = open_case(org, agent)
    _bypass_triggers()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_caseevent SET payload = %s WHERE case_id = %s AND seq = 2",
            ['{"text":"nothing to see here"}', busy_case.pk],
        )
    report = ledger_verify()
    assert not report.ok
    [broken] = report.broken
    assert (broken.case, broken.seq) == (f"acme/{busy_case.reference}", 2)
    assert "altered" in broken.reason
    assert ledger_verify(reference=other.reference).ok
    with pytest.raises(CommandError, match="FAILED: 1 broken"):
        call_command("verify")
    with pytest.raises(CommandError):
        call_command("verify", "--case", busy_case.reference)
    call_command("verify", "--case", other.reference)


def test_verify_catches_a_deleted_last_event(busy_case: Case) -> None:
    _bypass_triggers()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM cases_caseevent WHERE case_id = %s AND seq = 4", [busy_case.pk])
    [broken] = ledger_verify().broken
    assert "removed" in broken.reason


def test_verify_catches_a_changed_time(busy_case: Case) -> None:
    _bypass_triggers()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_caseevent SET occurred_at = %s WHERE case_id = %s AND seq = 3",
            [NOW - timedelta(days=30), busy_case.pk],
        )
    [broken] = ledger_verify().broken
    assert broken.seq == 3


def test_verify_catches_an_event_moved_to_another_case(busy_case: Case, org, agent) -> None:
    other = open_case(org, agent)
    _bypass_triggers()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_caseevent SET case_id = %s, seq = 2 WHERE case_id = %s AND seq = 4",
            [other.pk, busy_case.pk],
        )
    broken = {b.case: b for b in ledger_verify().broken}
    assert set(broken) == {f"acme/{busy_case.reference}", f"acme/{other.reference}"}


def test_verify_reports_an_unknown_case(db: None) -> None:
    with pytest.raises(CommandError, match="No case 'PL-1999-000001'"):
        call_command("verify", "--case", "PL-1999-000001")


def test_verify_output_when_intact(busy_case: Case, capsys) -> None:
    call_command("verify")
    out = capsys.readouterr().out
    assert "1 case(s), 4 event(s)" in out and "intact" in out


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=ZoneInfo("America/New_York")),
        datetime(2025, 10, 26, 1, 30, 0, 500000, tzinfo=ZoneInfo("Europe/London")),
    ],
)
def test_verify_reads_back_every_kind_of_time(org, agent, when) -> None:
    """The database spells times for verification itself; it must agree with Python."""
    case = open_case(org, agent, received_at=when - timedelta(days=1))
    services.case_note_add(case=case, text="n", actor=Actor.staff(agent), now=when)
    assert ledger_verify(reference=case.reference).ok


def test_case_page_shows_whether_the_ledger_verifies(busy_case: Case, supervisor) -> None:
    from django.test import Client

    client = Client()
    client.force_login(supervisor)
    page = client.get(f"/cases/{busy_case.reference}/").content.decode()
    assert "Checked now: chain of 4 events intact;" in page
    assert "Integrity check failed" not in page
    _bypass_triggers()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_caseevent SET payload = %s WHERE case_id = %s AND seq = 2",
            ['{"text":"rewritten"}', busy_case.pk],
        )
    page = client.get(f"/cases/{busy_case.reference}/").content.decode()
    assert "Checked now" not in page
    assert "Integrity check failed" in page and "Hash chain broken: Event #2:" in page
