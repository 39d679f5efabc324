"""The desk pages and the portal appeal, through Django's test client."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from time_machine import TimeMachineFixture

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.terminations import services, views
from plaint.terminations.models import Termination
from tests.conftest import NOW, open_case
from tests.portal.helpers import portal_token
from tests.termination.test_workflow import noticed

HOSTILE = "<script>alert(1)</script> {{ 7*7 }} \u202e"


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_desk_flow_from_proposal_to_letter(
    client: Client, bank_case: Case, agent: User, boss: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(NOW)
    login(client, agent)
    page = client.get(f"/cases/{bank_case.reference}/")
    assert "Propose ending this customer" in page.content.decode()
    refused = client.post(
        "/terminations/new/",
        {"case": bank_case.reference, "reason": "commercial", "facts": "x", "product": "other"},
    )
    assert refused.status_code == 400
    assert "Rule T1 (alternatives first)" in refused.content.decode()
    response = client.post(
        "/terminations/new/",
        {
            "case": bank_case.reference,
            "reason": "abuse",
            "facts": HOSTILE,
            "product": "payment_framework",
            "contract_concluded_on": "2024-06-01",
            "alt0": "warning_letter",
            "alt0_outcome": "did_not_work",
            "alt0_note": "Abuse went on.",
        },
    )
    assert response.status_code == 302
    t = Termination.objects.get()
    url = f"/terminations/{t.pk}/"
    detail = client.get(url).content.decode()
    assert "<script>alert" not in detail and "&lt;script&gt;" in detail
    client.post(
        url,
        {
            "action": "check",
            "contract_clause": "Clause 14.2",
            "contract_notice_days": "30",
            "open_cases_note": "Answered first.",
            "not_discriminatory": "yes",
        },
    )
    same = client.post(url, {"action": "decide", "approve": "yes", "reasons": "ok"})
    assert same.status_code == 400 and "Rule T4 (four-eyes approval)" in same.content.decode()
    login(client, boss)
    assert (
        client.post(url, {"action": "decide", "approve": "yes", "reasons": "Safety"}).status_code
        == 302
    )
    page = client.get(url).content.decode()
    assert "PSRs" in page or "Payment Services Regulations 2017" in page
    assert (
        client.post(
            url,
            {
                "action": "notice",
                "letter_case": bank_case.reference,
                "reasons_stated": "You threatened our staff on 20 February.",
                "alternatives_offered": "A basic bank account elsewhere\nPost office card account",
                "money_and_data": "Any balance goes to an account you name.",
            },
        ).status_code
        == 302
    )
    t.refresh_from_db()
    assert t.letter_seq is not None and t.effective_on == date(2026, 5, 2)
    assert client.post(url, {"action": "deliver", "method": "email"}).status_code == 302
    t.refresh_from_db()
    assert t.status == "notice_sent"
    listing = client.get("/terminations/").content.decode()
    assert f"#{t.pk}" in listing and "Notice sent" in listing


@pytest.fixture
def sent(client: Client, bank_case: Case, agent: User, boss: User) -> Termination:
    t = noticed(bank_case, agent, boss)
    return services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )


def test_portal_appeal(
    client: Client, sent: Termination, bank_case: Case, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(NOW + timedelta(days=3))  # before the effective date, 2 May 2026
    token = portal_token(bank_case)
    page = client.get(f"/complain/{bank_case.organisation.slug}/case/{token}/")
    body = page.content.decode()
    assert "Notice that your service will end" in body
    start = body.index('name="token" value="') + len('name="token" value="')
    appeal_token = body[start : body.index('"', start)]
    bad = client.post("/terminations/appeal/", {"token": "forged", "grounds": "x"})
    assert bad.status_code == 400
    ok = client.post("/terminations/appeal/", {"token": appeal_token, "grounds": HOSTILE})
    assert ok.status_code == 200 and "We have your appeal" in ok.content.decode()
    sent.refresh_from_db()
    assert sent.status == "appealed"
    again = client.post("/terminations/appeal/", {"token": appeal_token, "grounds": "again"})
    assert again.status_code == 400


def test_a_later_complaint_is_flagged_as_a_reaction(
    client: Client, sent: Termination, bank_case: Case, agent: User
) -> None:
    later = open_case(
        bank_case.organisation, agent, customer=bank_case.customer,
        received_at=NOW + timedelta(days=2), now=NOW + timedelta(days=2),
        description="You cannot close my account!",
    )  # fmt: skip
    login(client, agent)
    page = client.get(f"/cases/{later.reference}/").content.decode()
    assert "Reaction to a termination" in page
    behind = client.get(f"/cases/{bank_case.reference}/").content.decode()
    assert "Reaction to a termination" not in behind


def test_explain_command(sent: Termination) -> None:
    out = io.StringIO()
    call_command(
        "terminations", "explain", sent.organisation.slug, str(sent.pk), "--on", "2026-03-02",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Earliest effective date: 2026-05-02" in text
    assert "source: Payment Services Regulations 2017 (SI 2017/752) reg 51(4) [secondary" in text
    with pytest.raises(CommandError, match="No such termination"):
        call_command("terminations", "explain", sent.organisation.slug, "999")


def test_tick_command(sent: Termination) -> None:
    out = io.StringIO()
    call_command("terminations", "tick", "--now", "2026-05-02T09:00:00+01:00", stdout=out)
    assert "1 took effect, 3 aftermath task(s) created" in out.getvalue()


def test_who_sees_a_termination(
    client: Client, sent: Termination, outsider: User, lawyer: User, org: Organisation
) -> None:
    url = f"/terminations/{sent.pk}/"
    assert login(client, outsider).get(url).status_code == 404
    assert login(client, lawyer).get(url).status_code == 200  # to sign off
    other = staff_create(
        organisation=org, username="al2", password="pw-al2-123", roles=[Role.AGENT]
    )
    assert login(client, other).get(url).status_code == 404  # not theirs
    assert f"#{sent.pk}" not in client.get("/terminations/").content.decode()


def test_portal_offers_no_second_appeal(
    client: Client, sent: Termination, bank_case: Case, boss: User,
    time_machine: TimeMachineFixture,
) -> None:  # fmt: skip
    services.termination_appeal(
        termination=sent, grounds="Provoked.", actor=Actor.customer("Dana"),
        now=NOW + timedelta(days=1),
    )  # fmt: skip
    services.termination_appeal_review(
        termination=sent, upheld=False, note="The recordings show the threats.",
        actor=Actor.staff(boss), now=NOW + timedelta(days=2),
    )  # fmt: skip
    time_machine.move_to(NOW + timedelta(days=3))
    token = portal_token(bank_case)
    body = client.get(f"/complain/{bank_case.organisation.slug}/case/{token}/").content.decode()
    assert "Notice that your service will end" in body
    assert "terminations/appeal/" not in body  # no appeal form
    assert "did not uphold it: The recordings show the threats." in body
    assert "one appeal per termination" in body
    forged_again = views.appeal_token(termination=sent, case_id=bank_case.pk)
    again = client.post("/terminations/appeal/", {"token": forged_again, "grounds": "Again."})
    assert again.status_code == 400
    assert "Rule T7 (one appeal per termination)" in again.content.decode()
