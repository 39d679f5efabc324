"""Issue 17 finding 3: anyone with a customer link could fill the disk (three posts of
10 x 19 MiB files stored 570 MiB in 2.2 s). Now files from the customer's side stop at the
case's file and byte quotas and the organisation's daily quota; every upload, staff's too,
stops at the organisation's storage quota; posts on one case stop at an hourly limit. A
refusal says which quota and what to do, and nothing of the refused post is kept.

Sizes are small here (20 KiB files) with limits configured to match, so the test is fast."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases import evidence_store
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, Evidence
from plaint.cases.quotas import QuotaExceeded
from plaint.cases.services import case_evidence_attach
from plaint.limits.models import LimitWindow
from tests.conftest import open_case
from tests.portal.helpers import complaint, portal_token

pytestmark = pytest.mark.django_db

KIB = 1024
#: A pinned instant after the fixtures' cases were opened (tests.conftest.NOW).
LATER = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
FILE = 20 * KIB


def files(n: int, tag: str) -> list[SimpleUploadedFile]:
    """`n` different text files of FILE bytes each (different, so nothing is deduplicated)."""
    return [
        SimpleUploadedFile(
            f"{tag}-{i}.txt", (f"{tag} {i} ".encode() * FILE)[:FILE], content_type="text/plain"
        )
        for i in range(n)
    ]


def stored_files() -> int:
    folder = evidence_store.root()
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


@pytest.fixture
def link(case: Case) -> str:
    return f"/complain/{case.organisation.slug}/case/{portal_token(case)}/"


def reply(client: Client, link: str, tag: str, n: int = 10):  # type: ignore[no-untyped-def]
    return client.post(link + "reply/", {"text": f"More evidence {tag}", "evidence": files(n, tag)})


def test_the_disk_filling_posts_stop_at_the_case_byte_quota(
    client: Client, case: Case, link: str, configure: Callable[..., None]
) -> None:
    configure(case_customer_bytes=450 * KIB, case_customer_files=0, portal_posts_per_hour=0)
    assert reply(client, link, "a").status_code == 302
    assert reply(client, link, "b").status_code == 302  # 400 KiB of 450
    on_disk, events = stored_files(), CaseEvent.objects.filter(case=case).count()

    refused = reply(client, link, "c")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "c-2.txt (20.0 KiB) was not accepted" in page
    assert "may take up to 450.0 KiB in all, and 440.0 KiB is used" in page
    assert "Nothing from this submission was kept" in page
    assert f"ask {case.organisation.name} how to get the rest to them" in page
    # Nothing partial: no file of the third post, no reply, no file on disk.
    assert Evidence.objects.filter(case=case).count() == 20
    assert not Evidence.objects.filter(case=case, filename__startswith="c-").exists()
    assert CaseEvent.objects.filter(case=case).count() == events
    assert stored_files() == on_disk
    # The quota is the case's for good: a later post is refused too; a message goes.
    assert reply(client, link, "d", n=3).status_code == 400
    assert reply(client, link, "e", n=0).status_code == 302


def test_the_case_file_count_quota(
    client: Client, case: Case, link: str, configure: Callable[..., None]
) -> None:
    configure(case_customer_files=12)
    assert client.post(link + "evidence/", {"evidence": files(10, "a")}).status_code == 302
    refused = client.post(link + "evidence/", {"evidence": files(3, "b")})
    assert refused.status_code == 400
    assert "already holds the most files that can be sent to it (12 files)" in (
        refused.content.decode()
    )
    assert Evidence.objects.filter(case=case).count() == 10
    # Staff are not held to the customer's quotas.
    agent = User.objects.get(username="alice")
    case_evidence_attach(
        case=case,
        filename="staff.txt",
        stream=io.BytesIO(b"call notes"),
        actor=Actor.staff(agent),
        now=LATER,
    )
    assert Evidence.objects.filter(case=case).count() == 11


def test_a_new_complaint_with_too_much_files_files_nothing(
    client: Client, org: Organisation, configure: Callable[..., None]
) -> None:
    configure(case_customer_bytes=100 * KIB)
    response = client.post(f"/complain/{org.slug}/", complaint(evidence=files(10, "f")))
    assert response.status_code == 400
    assert "may take up to 100.0 KiB in all" in response.content.decode()
    assert not Case.objects.exists() and not Evidence.objects.exists()
    assert stored_files() == 0


def test_the_organisation_daily_quota_spans_its_cases_and_resets(
    client: Client, org: Organisation, agent: User, configure: Callable[..., None]
) -> None:
    configure(org_customer_bytes_per_day=300 * KIB)
    first, second = open_case(org, agent), open_case(org, agent)
    day = LATER.replace(hour=10, minute=0)
    with time_machine.travel(day, tick=False):
        first_link = f"/complain/{org.slug}/case/{portal_token(first)}/"
        second_link = f"/complain/{org.slug}/case/{portal_token(second)}/"
        assert reply(Client(), first_link, "a").status_code == 302
        refused = reply(Client(), second_link, "b")
        assert refused.status_code == 400
        page = refused.content.decode()
        assert "has received as many files from customers today as it can take" in page
        assert "(300.0 KiB a day). The limit resets at midnight UTC, in about 14 hour(s)" in page
        assert not Evidence.objects.filter(case=second).exists()
    with time_machine.travel(day + timedelta(days=1), tick=False):
        assert reply(Client(), second_link, "b").status_code == 302


def test_the_organisation_storage_quota_applies_to_staff_with_a_clear_message(
    client: Client, case: Case, agent: User, link: str, configure: Callable[..., None]
) -> None:
    configure(org_storage_bytes=50 * KIB)
    staff = Actor.staff(agent)
    now = LATER
    case_evidence_attach(
        case=case, filename="one.txt", stream=io.BytesIO(b"x" * FILE), actor=staff, now=now
    )
    with pytest.raises(QuotaExceeded) as refused:
        case_evidence_attach(
            case=case, filename="two.txt", stream=io.BytesIO(b"y" * 40 * KIB), actor=staff, now=now
        )
    assert refused.value.errors["file"] == (
        "two.txt (40.0 KiB) was not stored: Acme Energy's evidence storage holds 20.0 KiB of "
        "its 50.0 KiB. Nothing was stored. An administrator can raise "
        "PLAINT_ORG_STORAGE_BYTES or remove files under the retention rules."
    )
    # Through the desk, the same words on the form.
    desk = Client()
    desk.force_login(agent)
    upload = SimpleUploadedFile("three.txt", b"z" * 40 * KIB, "text/plain")
    page = desk.post(f"/cases/{case.reference}/actions/evidence/", {"file": upload})
    assert page.status_code == 400
    assert "evidence storage holds 20.0 KiB of its 50.0 KiB" in page.content.decode()
    # The customer is told without the figures.
    customer = reply(client, link, "c", n=2)
    assert customer.status_code == 400
    text = customer.content.decode()
    assert "Acme Energy cannot take more files at the moment" in text and "50.0 KiB" not in text
    assert Evidence.objects.filter(case=case).count() == 1


def test_e_mail_attachments_from_the_customer_meet_the_same_quota(
    case: Case, configure: Callable[..., None]
) -> None:
    configure(case_customer_files=1)
    customer = Actor.customer(case.customer.name)
    now = LATER
    case_evidence_attach(
        case=case, filename="a.txt", stream=io.BytesIO(b"a"), actor=customer, now=now
    )
    with pytest.raises(QuotaExceeded, match=r"\(1 files\)"):
        case_evidence_attach(
            case=case, filename="b.txt", stream=io.BytesIO(b"b"), actor=customer, now=now
        )
    # The refused file's count was rolled back with it.
    assert LimitWindow.objects.get(scope="case-customer-files").count == 1


def test_posts_per_hour_on_one_case_whichever_link(
    case: Case, configure: Callable[..., None]
) -> None:
    configure(portal_posts_per_hour=3, public_rate_limit=0)
    hour = LATER.replace(minute=20)
    with time_machine.travel(hour, tick=False):
        one = f"/complain/{case.organisation.slug}/case/{portal_token(case)}/"
        two = f"/complain/{case.organisation.slug}/case/{portal_token(case)}/"
        client = Client()
        assert client.post(one + "reply/", {"text": "first"}).status_code == 302
        assert client.post(two + "evidence/", {"evidence": files(1, "a")}).status_code == 302
        assert client.post(one + "reply/", {"text": "third"}).status_code == 302
        before = CaseEvent.objects.filter(case=case).count()
        for attempt in (
            client.post(two + "reply/", {"text": "fourth"}),
            client.post(one + "evidence/", {"evidence": files(1, "b")}),
            client.post(one + "escalate/", {"grounds": "unhappy", "explanation": "slow"}),
        ):
            assert attempt.status_code == 429
            assert attempt["Retry-After"] == str(40 * 60)
            page = attempt.content.decode()
            assert "(3 an hour), so this one was not sent" in page
            assert "You can send it again in 40 minute(s)" in page
            assert "portal.css" in page  # the portal's own page
        assert CaseEvent.objects.filter(case=case).count() == before
    with time_machine.travel(hour + timedelta(hours=1), tick=False):
        assert Client().post(one + "reply/", {"text": "next hour"}).status_code == 302
