"""The access log (issue 17 finding 14): staff reads are recorded (who, when, what),
apart from the ledger and append-only like it, and admins can read them."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from plaint.accesslog.models import AccessAction, AccessRecord
from plaint.accesslog.selectors import AccessFilters, access_list
from plaint.accesslog.services import access_record
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.api import tokens
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.domain.errors import DomainError
from plaint.domain.vocabulary import Visibility
from plaint.letters.services import letter_generate
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db
FILENAME = "Dana-Whitfield-bank-statement.txt"


@pytest.fixture
def admin(org):  # type: ignore[no-untyped-def]
    return staff_create(
        organisation=org, username="ada", password="pw-ada-123", roles=[Role.ADMIN],
        first_name="Ada", last_name="Admin",
    )  # fmt: skip


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _case_with_files(org, agent):  # type: ignore[no-untyped-def]
    case = open_case(org, agent)
    actor = Actor.staff(agent)
    item = services.case_evidence_attach(
        case=case, stream=io.BytesIO(b"statement"), filename=FILENAME, content_type="text/plain",
        actor=actor, now=NOW, description="statement", visibility=Visibility.INTERNAL,
    )  # fmt: skip
    letter_generate(
        case=case, kind="acknowledgement", actor=actor, now=NOW, formats=("md", "html"),
        fields={"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row"},
    )  # fmt: skip
    return case, item


def _actions(org) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [
        (r.action, r.actor_label, r.case_reference)
        for r in access_list(organisation=org, filters=AccessFilters()).order_by("pk")
    ]


def test_desk_reads_are_recorded_with_who_what_and_where(org, agent):
    case, item = _case_with_files(org, agent)
    seq = case.events.filter(kind="letter_generated").get().seq
    client = _client(agent)
    assert client.get(reverse("desk:case_detail", args=[case.reference])).status_code == 200
    download = reverse("desk:evidence_download", args=[case.reference, item.pk])
    assert client.get(download, REMOTE_ADDR="203.0.113.9").status_code == 200
    letter = reverse("desk:letter_file", args=[case.reference, seq, "html"])
    assert client.get(letter).status_code == 200
    assert client.post(reverse("records:case_export", args=[case.reference])).status_code == 200
    who = agent.display_name
    assert _actions(org) == [
        ("case_viewed", who, case.reference),
        ("evidence_downloaded", who, case.reference),
        ("letter_downloaded", who, case.reference),
        ("pack_exported", who, case.reference),
    ]
    evidence = AccessRecord.objects.get(action="evidence_downloaded")
    assert evidence.user == agent and evidence.via == "desk"
    assert str(evidence.address) == "203.0.113.9"
    assert evidence.detail == {"evidence": item.pk, "sha256": item.sha256}
    # nothing the customer wrote: the record survives an erasure with nothing personal in it
    for record in AccessRecord.objects.all():
        assert FILENAME not in str(record.detail) and "Dana" not in str(record.detail)
    # a refused read (another organisation's case, a missing file) records nothing
    assert (
        client.get(reverse("desk:evidence_download", args=[case.reference, 999])).status_code == 404
    )
    assert AccessRecord.objects.count() == 4


def test_report_exports_are_recorded(org, supervisor):
    client = _client(supervisor)
    answer = client.get(reverse("reports:cfpb_export"), {"from": "2026-01-01", "to": "2026-06-30"})
    assert answer.status_code == 200
    (record,) = AccessRecord.objects.all()
    assert record.action == "report_exported" and record.user == supervisor
    assert (
        record.detail["file"].startswith("plaint-cfpb-") and "2026-01-01" in record.detail["query"]
    )


def test_api_reads_are_recorded_under_the_token(org, agent, admin):
    case, item = _case_with_files(org, agent)
    made = tokens.token_create(
        organisation=org, owner=admin, name="crm-sync", scopes=["read"], actor=admin, now=NOW
    )
    client = Client(headers={"Authorization": f"Bearer {made.secret}"})
    assert client.get(f"/api/v1/cases/{case.reference}").status_code == 200
    assert client.get(f"/api/v1/cases/{case.reference}/evidence/{item.pk}/file").status_code == 200
    assert client.get(f"/api/v1/cases/{case.reference}/events").status_code == 200
    records = list(AccessRecord.objects.order_by("pk"))
    assert [r.action for r in records] == ["case_viewed", "evidence_downloaded", "ledger_read"]
    assert {r.via for r in records} == {"api"} and {r.user for r in records} == {admin}
    assert all("crm-sync" in r.actor_label for r in records)


def test_subject_access_export_on_the_command_line_is_recorded(org, agent, tmp_path: Path):
    case = open_case(org, agent)
    out = tmp_path / "sar.zip"
    call_command(
        "customer", "export", "--org", org.slug, "--case", case.reference, "-o", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    (record,) = AccessRecord.objects.all()
    assert record.action == "subject_access_exported" and record.via == "cli"
    assert record.user is None and record.actor_label.startswith("Plaint command line")
    assert record.case_reference == case.reference and record.detail["cases"] == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accesslog_accessrecord SET actor_label = 'someone else'",
        "DELETE FROM accesslog_accessrecord",
    ],
)
def test_the_log_is_append_only_in_the_database(org, agent, statement):
    access_record(
        organisation=org, user=agent, action=AccessAction.CASE_VIEWED, via="desk", now=NOW,
        case_reference="AC-2026-000001",
    )  # fmt: skip
    refused = pytest.raises((IntegrityError, DatabaseError), match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    refused = pytest.raises((IntegrityError, DatabaseError), match="append-only")
    with refused, transaction.atomic():
        AccessRecord.objects.all().delete()
    assert AccessRecord.objects.get().actor_label == agent.display_name


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_on_postgresql(db):  # type: ignore[no-untyped-def]
    # (a row inserted in this test's transaction would make PostgreSQL refuse the TRUNCATE
    # for its pending foreign-key checks instead; the trigger fires on an empty table too)
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE accesslog_accessrecord")


def test_a_record_needs_an_aware_time_and_a_member_of_the_organisation(org, agent, outsider):
    with pytest.raises(DomainError, match="timezone-aware"):
        access_record(
            organisation=org, user=agent, action="case_viewed", via="desk",
            now=datetime(2026, 3, 2, 10, 30),  # naive: the point of the test
        )  # fmt: skip
    with pytest.raises(DomainError, match="not a member"):
        access_record(organisation=org, user=outsider, action="case_viewed", via="desk", now=NOW)
    with pytest.raises(ValueError):
        access_record(organisation=org, user=agent, action="case_edited", via="desk", now=NOW)
    assert AccessRecord.objects.count() == 0


def test_admins_read_and_filter_the_log_and_its_csv_is_recorded(org, agent, supervisor, admin):
    case = open_case(org, agent)
    for user, reference in ((agent, case.reference), (supervisor, case.reference), (agent, "")):
        access_record(
            organisation=org, user=user, action="case_viewed" if reference else "report_exported",
            via="desk", now=datetime(2026, 3, 5, 12, 0, tzinfo=UTC), case_reference=reference,
            detail={"file": "=HYPERLINK(1)"} if not reference else None,
        )  # fmt: skip
    url = reverse("accesslog:list")
    assert _client(agent).get(url).status_code == 403
    assert _client(supervisor).get(url).status_code == 403
    client = _client(admin)
    page = client.get(url)
    assert page.status_code == 200 and "3 records" in page.content.decode()
    mine = client.get(url, {"user": agent.pk, "case": case.reference.lower()})
    assert "1 record<" in mine.content.decode()
    bad = client.get(url, {"since": "2026-03-09", "until": "2026-03-01"})
    assert bad.status_code == 400 and "first day is after the last" in bad.content.decode()
    assert client.get(url, {"since": "not a day"}).status_code == 400
    csv_answer = client.get(url, {"format": "csv", "action": "report_exported"})
    text = b"".join(csv_answer.streaming_content).decode()  # type: ignore[attr-defined]
    lines = text.strip().splitlines()
    assert lines[0].startswith("at,user,username,via,action,case")
    assert len(lines) == 2 and "file==HYPERLINK(1)" in lines[1]
    exported = AccessRecord.objects.filter(action="access_log_exported").get()
    assert exported.user == admin


def test_the_command_line_lists_and_filters_the_log(org, agent, supervisor):
    for user in (agent, supervisor):
        access_record(
            organisation=org, user=user, action="case_viewed", via="desk", now=NOW,
            case_reference="AC-2026-000001",
        )  # fmt: skip
    out = io.StringIO()
    call_command("access", "list", "--org", org.slug, "--user", agent.username, stdout=out)
    assert agent.display_name in out.getvalue() and supervisor.display_name not in out.getvalue()
    out = io.StringIO()
    call_command("access", "list", "--org", org.slug, "--csv", stdout=out)
    assert len(out.getvalue().strip().splitlines()) == 3
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("access", "list", "--org", org.slug, "--since", "3rd March")
    with pytest.raises(CommandError, match="No member of staff"):
        call_command("access", "list", "--org", org.slug, "--user", "nobody")
