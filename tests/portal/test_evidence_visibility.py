"""The customer's own uploads are recorded as customer-visible events; staff uploads stay
internal and never reach the portal."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.domain.vocabulary import Visibility
from tests.conftest import NOW, open_case
from tests.portal.helpers import pdf_file

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


def test_customer_upload_is_customer_visible(client: Client, case: Case, case_url: CaseUrl):
    assert client.post(case_url(case, "evidence/"), {"evidence": [pdf_file("receipt.pdf")]})
    event = CaseEvent.objects.get(case=case, kind="evidence_attached")
    assert (event.visibility, event.actor_kind) == ("customer", "customer")


def staff_upload(case: Case, agent: User, name: str, **visibility: Visibility) -> None:
    services.case_evidence_attach(
        case=case,
        filename=name,
        stream=io.BytesIO(b"%PDF-1.4\n%" + name.encode() + b"\n"),
        content_type="application/pdf",
        actor=Actor.staff(agent),
        now=NOW,
        **visibility,
    )


def test_staff_upload_stays_internal(client: Client, case: Case, case_url: CaseUrl, agent):
    staff_upload(case, agent, "internal-memo.pdf")
    assert CaseEvent.objects.get(case=case, kind="evidence_attached").visibility == "internal"
    assert "internal-memo.pdf" not in client.get(case_url(case)).content.decode()


def test_staff_evidence_shared_with_the_customer_is_listed(
    client: Client, case: Case, case_url: CaseUrl, agent
):
    staff_upload(case, agent, "engineer-report.pdf", visibility=Visibility.CUSTOMER)
    assert "engineer-report.pdf" in client.get(case_url(case)).content.decode()
