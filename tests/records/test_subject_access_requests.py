"""Subject access requests on the desk: logged with their clock (one calendar month,
unverified), listed until answered, answered with the ZIP by a supervisor or admin."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from plaint.cases.ledger import Actor
from plaint.cases.models import CaseEvent
from plaint.domain.errors import DomainError, FieldErrors
from plaint.records.models import SubjectAccessRequest
from plaint.records.subject_access import (
    subject_access_answer,
    subject_access_open,
    subject_access_request_log,
)
from tests.conftest import open_case

pytestmark = pytest.mark.django_db
DAY = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_clock_counts_one_calendar_month_and_clamps_to_the_months_end(org, agent):
    case = open_case(org, agent)
    row = subject_access_request_log(
        case=case, requested_on=date(2026, 1, 31), received_by="letter",
        actor=Actor.staff(agent), now=DAY,
    )  # fmt: skip
    assert row.due_on == date(2026, 2, 28)  # hand-counted: February 2026 has 28 days
    event = CaseEvent.objects.get(case=case, kind="subject_access_requested")
    assert event.data.due_on == "2026-02-28" and "UNVERIFIED" in event.data.due_note  # type: ignore[attr-defined]
    (item,) = subject_access_open(organisation=org, today=date(2026, 3, 2))
    assert item.overdue and item.days_over == 2


def test_bad_requests_write_nothing(org, agent):
    case = open_case(org, agent)
    actor = Actor.staff(agent)
    with pytest.raises(FieldErrors) as caught:
        subject_access_request_log(
            case=case, requested_on=date(2026, 4, 1), received_by="pigeon", actor=actor, now=DAY
        )
    assert set(caught.value.errors) == {"requested_on", "received_by"}
    subject_access_request_log(
        case=case, requested_on=date(2026, 3, 30), received_by="e-mail", actor=actor, now=DAY
    )
    other = open_case(org, agent, customer=case.customer)  # the same customer's second case
    with pytest.raises(DomainError, match="already has an open subject access request"):
        subject_access_request_log(
            case=other, requested_on=date(2026, 3, 30), received_by="e-mail", actor=actor,
            now=DAY,
        )  # fmt: skip
    assert SubjectAccessRequest.objects.count() == 1
    assert CaseEvent.objects.filter(kind="subject_access_requested").count() == 1


def test_only_supervisors_answer_and_the_zip_closes_the_request(org, agent, supervisor):
    case = open_case(org, agent)
    row = subject_access_request_log(
        case=case, requested_on=date(2026, 3, 30), received_by="e-mail",
        actor=Actor.staff(agent), now=DAY,
    )  # fmt: skip
    with pytest.raises(DomainError, match="supervisors and admins"):
        subject_access_answer(request=row, actor=Actor.staff(agent), now=DAY)
    export = subject_access_answer(request=row, actor=Actor.staff(supervisor), now=DAY)
    row.refresh_from_db()
    assert row.answered_by == supervisor
    assert row.zip_sha256 == hashlib.sha256(export.data).hexdigest()
    answered = CaseEvent.objects.get(case=case, kind="subject_access_answered")
    assert answered.data.late is False and answered.data.cases == 1  # type: ignore[attr-defined]
    with pytest.raises(DomainError, match="was answered on 2026-03-31"):
        subject_access_answer(request=row, actor=Actor.staff(supervisor), now=DAY)
    assert subject_access_open(organisation=org, today=date(2026, 3, 31)) == []


def test_the_desk_logs_lists_and_answers_a_request(org, agent, supervisor):
    case = open_case(org, agent)
    detail = reverse("desk:case_detail", args=[case.reference])
    with time_machine.travel(DAY, tick=False):
        client = _client(agent)
        log = reverse("records:subject_access_log", args=[case.reference])
        client.post(log, {"requested_on": "31/03/2026", "received_by": "e-mail"})
        assert SubjectAccessRequest.objects.count() == 0
        page = client.get(detail).content.decode()
        assert "write the day it arrived as YYYY-MM-DD" in page
        client.post(log, {"requested_on": "2026-03-30", "received_by": "e-mail"})
        page = client.get(detail).content.decode()
        assert "the answer is due by <strong>30 Apr 2026</strong>" in page
        assert "Produce the subject access ZIP" not in page  # agents do not answer
        row = SubjectAccessRequest.objects.get()
        answer = reverse("records:subject_access_answer", args=[row.pk])
        assert client.post(answer).status_code == 403
        boss = _client(supervisor)
        listing = boss.get(reverse("records:retention")).content.decode()
        assert "Subject access requests open" in listing and "in 30 days" in listing
        got = boss.post(answer)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    assert "index.json" in names and any(n.startswith("cases/") for n in names)
    row.refresh_from_db()
    assert row.answered_at is not None
