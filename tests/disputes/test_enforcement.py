"""Contact restrictions are enforced by the services that log a contact or send an
e-mail, not by the forms in front of them: refused with the restriction named and the
time it was recorded, nothing written, unless the contact is confirmed explicitly, and
then the override is kept in the contact's own event. Then each interface translates the
refusal: the desk's tick-box (contacts and e-mail)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from plaint.accounts.models import User
from plaint.cases import services as case_services
from plaint.cases.contact_restrictions import contact_forbidden
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent, Contact
from plaint.disputes import services
from plaint.disputes.models import ContactRestriction
from plaint.domain import events as ev
from plaint.domain import timeline
from plaint.domain.disputes.restrictions import (
    ContactAttempt,
    ContactRestricted,
    RecordedRestriction,
    RestrictionKind,
    forbidding,
)
from plaint.domain.errors import FieldErrors
from plaint.domain.vocabulary import Channel
from plaint.messaging.models import Message
from plaint.messaging.services import message_send
from plaint.outbox.models import Delivery
from tests.conftest import NOW

#: The fixtures' restriction is recorded at NOW, 2 March 2026 10:30 UTC.
RECORDED = "recorded 2026-03-02 10:30 UTC"
CALL_AT = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
AFTER = datetime(2026, 3, 2, 11, 5, tzinfo=UTC)


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def last_payload(case: Case, kind: str = "") -> ev.Payload:
    events = CaseEvent.objects.filter(case=case)
    event = (events.filter(kind=kind) if kind else events).order_by("-seq").first()
    assert event is not None
    return event.data


def restrict(case: Case, agent: User, kind: str = "stop_calling") -> ContactRestriction:
    services.restriction_add(case=case, kind=kind, actor=Actor.staff(agent), now=NOW)
    return ContactRestriction.objects.filter(case=case).latest("id")


def call(case: Case, agent: User, **kw: object) -> Contact:
    values: dict[str, object] = {
        "case": case,
        "contact_at": CALL_AT,
        "channel": "phone",
        "direction": "outbound",
        "actor": Actor.staff(agent),
        "now": AFTER,
        "summary": "Called about the bill.",
    }
    values.update(kw)
    return case_services.case_contact_log(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------------- the pure rules


def test_the_pure_rules_take_recorded_restrictions_and_an_instant() -> None:
    start = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    lifted = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    rows = [
        RecordedRestriction(1, RestrictionKind.STOP_CALLING, start, lifted),
        RecordedRestriction(2, RestrictionKind.NOT_AT_WORK, start),
    ]
    phone_at_work = ContactAttempt(Channel.PHONE, at_work=True)
    # Before the first was recorded nothing forbids; while both hold, both; once the
    # first is lifted (at 09:00 the next day, exactly), only the second.
    assert forbidding(rows, phone_at_work, start - timedelta(seconds=1)) == []
    assert [f.restriction.id for f in forbidding(rows, phone_at_work, start)] == [1, 2]
    assert [f.restriction.id for f in forbidding(rows, phone_at_work, lifted)] == [2]
    assert forbidding(rows, ContactAttempt(Channel.PHONE), lifted) == []
    assert forbidding(rows, ContactAttempt(Channel.PHONE, to_representative=True), start) == []
    (hit,) = forbidding(rows, ContactAttempt(Channel.PHONE), start)
    assert hit.sentence == (
        "Stop calling (restriction #1, recorded 2026-03-02 10:30 UTC): "
        "the customer asked not to be called"
    )
    refused = ContactRestricted("AC-2026-000001", [hit], doing="contact not logged")
    assert refused.message == f"AC-2026-000001: contact not logged, {hit.sentence}"


# ------------------------------------------------------------ the contact service


def test_a_restricted_contact_is_refused_by_the_service_with_nothing_written(
    case: Case, agent: User
) -> None:
    row = restrict(case, agent)
    before = kinds(case)
    with pytest.raises(ContactRestricted) as caught:
        call(case, agent)
    assert caught.value.message == (
        f"{case.reference}: contact not logged, Stop calling (restriction #{row.pk}, "
        f"{RECORDED}): the customer asked not to be called"
    )
    assert kinds(case) == before and not Contact.objects.exists()
    # Inbound, a letter, or a call before the restriction was recorded: no refusal.
    call(case, agent, direction="inbound")
    call(case, agent, channel="letter")
    call(case, agent, contact_at=NOW - timedelta(minutes=1))
    assert Contact.objects.count() == 3


def test_a_confirmed_contact_keeps_the_override_in_its_own_event(case: Case, agent: User) -> None:
    row = restrict(case, agent)
    before = len(kinds(case))
    call(case, agent, confirmed_despite_restriction=True, confirmed_by="Alice Agent")
    assert len(kinds(case)) == before + 1  # one event: the contact, with its override
    payload = last_payload(case, "contact_logged")
    assert isinstance(payload, ev.ContactLogged)
    assert payload.restriction_override == {
        "confirmed_by": "Alice Agent",
        "restrictions": [
            {"id": row.pk, "kind": "stop_calling", "recorded_at": "2026-03-02T10:30:00+00:00"}
        ],
    }
    assert timeline.describe(payload) == (
        f"Outbound phone contact. Went ahead despite contact restriction #{row.pk} "
        "(stop calling), confirmed by Alice Agent."
    )
    assert ledger_verify(reference=case.reference).ok
    # A contact nothing forbids keeps no override, even when "confirmed".
    call(case, agent, channel="email", confirmed_despite_restriction=True, confirmed_by="A")
    plain = last_payload(case, "contact_logged")
    assert isinstance(plain, ev.ContactLogged) and plain.restriction_override is None


@pytest.mark.parametrize(
    ("who", "problem"),
    [
        ("", "is required"),
        ("   ", "is required"),
        ("Alice\nAgent", "line break"),
        ("Alice\u202eAgent", "direction"),
        ("<script>x</script>", "markup"),
        ("Ali\x00ce", "NUL"),
    ],
)
def test_an_override_needs_a_clean_name_of_who_confirmed(
    case: Case, agent: User, who: str, problem: str
) -> None:
    restrict(case, agent)
    before = kinds(case)
    with pytest.raises(FieldErrors) as caught:
        call(case, agent, confirmed_despite_restriction=True, confirmed_by=who)
    assert problem in caught.value.errors["confirmed_by"]
    assert kinds(case) == before and not Contact.objects.exists()


def test_a_bad_contact_is_refused_for_its_fields_before_the_restriction(
    case: Case, agent: User
) -> None:
    restrict(case, agent)
    with pytest.raises(FieldErrors) as caught:
        call(case, agent, channel="pigeon")
    assert "channel" in caught.value.errors


def test_contact_forbidden_reads_what_the_services_enforce(case: Case, agent: User) -> None:
    row = restrict(case, agent, "solicitor_only")
    (hit,) = contact_forbidden(case=case, channel=Channel.EMAIL, at=AFTER)
    assert hit.restriction.id == row.pk
    assert contact_forbidden(case=case, channel=Channel.EMAIL, at=NOW - timedelta(seconds=1)) == []
    assert (
        contact_forbidden(case=case, channel=Channel.EMAIL, at=AFTER, to_representative=True) == []
    )


# ------------------------------------------------------------------------- e-mail


def test_an_email_is_refused_naming_the_restriction_or_sent_when_confirmed(
    case: Case, agent: User
) -> None:
    row = restrict(case, agent, "solicitor_only")
    by = Actor.staff(agent)
    before = kinds(case)
    with pytest.raises(ContactRestricted) as caught:
        message_send(case=case, subject="Your bill", text="Hello.", actor=by, now=AFTER)
    assert caught.value.message == (
        f"{case.reference}: not sent, Contact only through their solicitor "
        f"(restriction #{row.pk}, {RECORDED}): the customer asked to be contacted only "
        "through their solicitor"
    )
    assert kinds(case) == before
    assert not Message.objects.exists() and not Delivery.objects.exists()
    message = message_send(
        case=case, subject="Your bill", text="Hello.", actor=by, now=AFTER,
        confirmed_despite_restriction=True, confirmed_by="Alice Agent",
    )  # fmt: skip
    payload = last_payload(case, "message_queued")
    assert isinstance(payload, ev.MessageQueued) and payload.message_pk == message.pk
    assert payload.restriction_override is not None
    assert payload.restriction_override["confirmed_by"] == "Alice Agent"
    assert [r["id"] for r in payload.restriction_override["restrictions"]] == [row.pk]


# --------------------------------------------------------------------------- desk


def test_the_desk_translates_the_refusal_into_its_tick_box(
    as_agent: Client, case: Case, agent: User
) -> None:
    row = restrict(case, agent)
    before = kinds(case)
    form = {"contact_at": "2026-03-02T11:00", "channel": "phone", "direction": "outbound"}
    url = f"/cases/{case.reference}/actions/contact/"
    refused = as_agent.post(url, form)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f"Stop calling (restriction #{row.pk}, {RECORDED})" in page
    assert "Tick to log it anyway" in page
    assert kinds(case) == before
    assert as_agent.post(url, {**form, "confirm_restricted": "on"}).status_code == 302
    payload = last_payload(case, "contact_logged")
    assert isinstance(payload, ev.ContactLogged) and payload.restriction_override is not None
    assert payload.restriction_override["confirmed_by"] == agent.display_name


def test_the_desk_mail_panel_warns_and_sends_only_when_ticked(
    as_agent: Client, case: Case, agent: User
) -> None:
    row = restrict(case, agent, "solicitor_only")
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert f"Contact only through their solicitor (restriction #{row.pk}, {RECORDED})" in page
    assert 'name="confirm_restricted"' in page
    url = reverse("messaging:send", args=[case.reference])
    mail = {"subject": "Your bill", "text": "Hello."}
    refused = as_agent.post(url, mail)
    assert refused.status_code == 400
    assert "Tick to send it anyway" in refused.content.decode()
    assert not Message.objects.exists()
    assert as_agent.post(url, {**mail, "confirm_restricted": "on"}).status_code == 302
    payload = last_payload(case, "message_queued")
    assert isinstance(payload, ev.MessageQueued) and payload.restriction_override is not None
    assert payload.restriction_override["confirmed_by"] == agent.display_name
