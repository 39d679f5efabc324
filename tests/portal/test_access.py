"""Only the link's own case is reachable: expired, altered, guessed or foreign links give
nothing, and downloads are checked against the case the link opens (no IDOR)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from time_machine import TimeMachineFixture

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.services import case_evidence_attach
from plaint.letters.services import letter_generate
from plaint.portal.links import LEGACY_SALT, link_lifetime
from plaint.portal.models import PortalLink
from plaint.portal.services import Upload, evidence_add
from tests.conftest import NOW, open_case
from tests.portal.helpers import PDF, portal_token

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine: TimeMachineFixture) -> None:
    """The views read the clock: pin it at NOW, so what they stamp is what the test
    expects on every day of the year."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


def _attach_as_customer(case: Case, name: str = "mine.pdf") -> int:
    import io

    evidence_add(case=case, uploads=[Upload(name, io.BytesIO(PDF), "application/pdf")], now=NOW)
    return case.evidence.get(filename=name).pk


def test_link_opens_the_case(client: Client, case: Case, case_url: CaseUrl) -> None:
    response = client.get(case_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Your complaint {case.reference}" in html
    assert "Received" in html


def test_expired_link_says_so_and_offers_a_new_one(client: Client, case: Case) -> None:
    issued = NOW - link_lifetime(case) - timedelta(seconds=1)
    token = portal_token(case, now=issued)
    response = client.get(f"/complain/acme/case/{token}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html
    assert "/complain/acme/new-link/" in html
    assert case.reference not in html


def test_link_within_its_lifetime_works(client: Client, case: Case) -> None:
    issued = NOW - link_lifetime(case) + timedelta(minutes=5)
    token = portal_token(case, now=issued)
    assert client.get(f"/complain/acme/case/{token}/").status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character altered
        lambda t: "x" + t,  # lengthened
        lambda t: t[:-6],  # truncated
        lambda t: "AC-2026-000001",  # a guessed reference
    ],
)
def test_tampered_or_guessed_links_give_nothing(
    client: Client, case: Case, mangle: Callable[[str], str]
) -> None:
    response = client.get(f"/complain/acme/case/{mangle(portal_token(case))}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link does not open a complaint" in html
    assert case.reference not in html and "Dana" not in html


def test_the_token_reveals_nothing_when_decoded(case: Case) -> None:
    token = portal_token(case)
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(decoded) == 32
    for clue in (case.reference, case.customer.name, "acme", '"c":', '"r":'):
        assert clue.encode() not in decoded and clue not in token
    assert ":" not in token
    # only its digest is kept
    link = PortalLink.objects.get(case=case)
    assert link.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(PortalLink.objects.values_list())


def test_two_links_for_one_case_differ(case: Case) -> None:
    assert portal_token(case) != portal_token(case)


def test_an_old_readable_link_asks_for_a_new_one(client: Client, case: Case) -> None:
    old = signing.dumps(
        {"o": case.organisation_id, "c": case.pk, "r": case.reference}, salt=LEGACY_SALT
    )
    response = client.get(f"/complain/acme/case/{old}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link is no longer used" in html
    assert "/complain/acme/new-link/" in html
    assert "Dana" not in html and "charged twice" not in html


def test_a_forged_old_link_gives_nothing(client: Client, case: Case) -> None:
    forged = signing.dumps(
        {"o": case.organisation_id, "c": case.pk, "r": case.reference},
        salt=LEGACY_SALT,
        key="not-the-key",
    )
    assert client.get(f"/complain/acme/case/{forged}/").status_code == 404
    other_salt = signing.dumps({"o": case.organisation_id, "c": case.pk, "r": case.reference})
    assert client.get(f"/complain/acme/case/{other_salt}/").status_code == 404


def test_link_under_another_organisation_gives_nothing(
    client: Client, case: Case, other_org: Organisation, case_url: CaseUrl
) -> None:
    response = client.get(case_url(case, org=other_org))
    assert response.status_code == 404
    assert case.reference not in response.content.decode()


def test_every_case_route_needs_the_link(client: Client, case: Case) -> None:
    for suffix in ("", "escalate/", "evidence/1/", "letters/1.pdf"):
        assert client.get(f"/complain/acme/case/nope/{suffix}").status_code == 404


def test_evidence_download_is_scoped_to_the_link(
    client: Client, org: Organisation, agent: User, case: Case, case_url: CaseUrl
) -> None:
    mine = _attach_as_customer(case)
    other = open_case(org, agent)
    theirs = _attach_as_customer(other, "theirs.pdf")
    import io

    staff_file = case_evidence_attach(
        case=case,
        filename="internal.pdf",
        stream=io.BytesIO(PDF + b"internal"),
        content_type="application/pdf",
        actor=Actor.staff(agent),
        now=NOW,
    )
    ok = client.get(case_url(case, f"evidence/{mine}/"))
    assert ok.status_code == 200
    assert ok["Content-Disposition"].startswith("attachment")
    assert b"".join(ok.streaming_content) == PDF  # type: ignore[attr-defined]
    assert client.get(case_url(case, f"evidence/{theirs}/")).status_code == 404
    assert client.get(case_url(case, f"evidence/{staff_file.pk}/")).status_code == 404
    assert "internal.pdf" not in client.get(case_url(case)).content.decode()


def test_letter_download_is_scoped_to_the_link(
    client: Client, org: Organisation, agent: User, case: Case, case_url: CaseUrl
) -> None:
    # A business draft that was not sent stays internal.
    draft = letter_generate(case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW)
    assert client.get(case_url(case, f"letters/{draft.event.seq}.pdf")).status_code == 404
    assert "Acknowledgement" not in client.get(case_url(case)).content.decode()
    # Sent: the customer may download it.
    sent = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW, sent_at=NOW
    )
    response = client.get(case_url(case, f"letters/{sent.event.seq}.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Other events' numbers (the opening, the draft) and unknown numbers give nothing.
    assert client.get(case_url(case, "letters/1.pdf")).status_code == 404
    assert client.get(case_url(case, "letters/9999.pdf")).status_code == 404
    # Another case's sent letter is reachable only through that case's own link.
    other = open_case(org, agent)
    theirs = letter_generate(
        case=other, kind="acknowledgement", actor=Actor.staff(agent), now=NOW, sent_at=NOW
    )
    body = client.get(case_url(other, f"letters/{theirs.event.seq}.pdf"))
    assert body.status_code == 200
    assert f"{other.reference}-acknowledgement" in body["Content-Disposition"]
