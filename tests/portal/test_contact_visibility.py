"""A contact's summary has a visibility: staff's note of a call is internal by default.
The customer sees that the contact happened ("A phone call on 01 Mar 2026.") and not the
note, on the portal and in their own letters. Events written before summaries had a
visibility keep their meaning (the summary shows) and still verify."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases import services
from plaint.cases.ledger import Actor, event_append, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.domain import events as ev
from plaint.domain.vocabulary import Visibility
from plaint.letters.selectors import case_letter_file, case_letters
from plaint.letters.services import letter_generate
from plaint.portal.services import customer_actor
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]
CALLED = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)
NOTE = "Customer sounded upset; supervisor to review the tone of the first reply"


def _call(case: Case, agent: User, **kwargs: object) -> None:
    services.case_contact_log(
        case=case, contact_at=CALLED, channel="phone", direction="outbound",
        representative="Priya", ticket_number="T-1001", summary=NOTE,
        actor=Actor.staff(agent), now=NOW, **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_contact_summary_is_internal_by_default(case: Case, agent: User) -> None:
    _call(case, agent)
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None and event.visibility == "customer"
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    assert isinstance(payload, ev.ContactLogged)
    assert payload.summary_visibility == "internal" and payload.summary_internal
    assert case.contacts.get().summary_visibility == "internal"


def test_the_portal_shows_the_call_without_the_internal_summary(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    _call(case, agent)
    page = client.get(case_url(case)).content.decode()
    assert "A phone call on 01 Mar 2026." in page
    assert NOTE not in page and "Priya" not in page


def test_a_customer_visible_summary_is_shown(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    _call(case, agent, summary_visibility="customer")
    page = client.get(case_url(case)).content.decode()
    assert NOTE in page
    assert "A phone call on" not in page


def test_an_internal_contact_event_is_not_shown_at_all(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    _call(case, agent, visibility="internal", summary_visibility="customer")
    assert case.contacts.get().summary_visibility == "internal"
    page = client.get(case_url(case)).content.decode()
    assert NOTE not in page and "A phone call on" not in page


def test_the_customers_letter_lists_the_call_without_the_internal_summary(
    org: Organisation, agent: User, settings, tmp_path
) -> None:
    settings.LETTER_ROOT = tmp_path / "letters"
    case = open_case(
        org,
        agent,
        occurred_on=datetime(2026, 2, 14).date(),
        customer=services.CustomerDetails(
            name="Dana Whitfield",
            email="dana@example.org",
            phone="020 7946 0000",
            postal_address="1 High St\nLondon",
        ),
    )
    _call(case, agent)
    services.case_contact_log(
        case=case, contact_at=CALLED, channel="email", direction="inbound",
        summary="Asked for a refund", summary_visibility="customer",
        actor=Actor.staff(agent), now=NOW,
    )  # fmt: skip
    letter_generate(case=case, kind="escalation", actor=customer_actor(case), now=NOW)
    (kept,) = case_letters(case=case)
    markdown = case_letter_file(case=case, seq=kept.event.seq, fmt="md").decode()
    assert "T-1001" in markdown and "Priya" in markdown  # the call is listed
    assert NOTE not in markdown
    assert "Asked for a refund" in markdown


@dataclasses.dataclass(frozen=True, kw_only=True)
class _ContactLoggedBefore(ev.Payload):
    """`contact_logged` as it was written before summaries had a visibility."""

    kind: ClassVar[ev.EventKind] = ev.EventKind.CONTACT_LOGGED
    contact_id: int
    contact_at: str
    channel: str
    direction: str
    representative: str = ""
    ticket_number: str = ""
    wait_minutes: int | None = None
    summary: str = ""


def test_an_event_from_before_keeps_its_meaning_and_verifies(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    old = _ContactLoggedBefore(
        contact_id=0, contact_at=CALLED.isoformat(), channel="phone", direction="outbound",
        summary="Promised a refund within 5 days",
    )  # fmt: skip
    with transaction.atomic():
        locked = services.case_lock(case)
        event_append(
            case=locked, payload=old, actor=Actor.staff(agent), now=NOW,
            occurred_at=CALLED, visibility=Visibility.CUSTOMER,
        )  # fmt: skip
    stored = CaseEvent.objects.filter(case=case).last()
    assert stored is not None and "summary_visibility" not in stored.payload
    payload = ev.payload_from_json(stored.kind, stored.clear_payload)
    assert isinstance(payload, ev.ContactLogged) and payload.summary_visibility is None
    assert not payload.summary_internal
    # The portal shows its summary, as it did when it was written.
    assert "Promised a refund within 5 days" in client.get(case_url(case)).content.decode()
    # And the chain still verifies, through the service and through `plaint verify`.
    _call(case, agent)
    assert ledger_verify(reference=case.reference).ok
    call_command("verify", "--case", case.reference)
