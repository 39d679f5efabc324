"""Fixtures of the security sweep: a populated organisation (two cases, a sent letter,
customer and staff evidence), a second organisation with a case of its own, signed-in
clients of each kind, and a snapshot of everything the database and the file stores hold,
to prove that a refused request wrote nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, Evidence, ResolutionOffer
from plaint.cases.services import (
    CustomerDetails,
    case_evidence_attach,
    case_offer_record,
    case_transition,
)
from plaint.letters.services import letter_generate
from plaint.portal.services import Upload, evidence_add
from tests.conftest import NOW, _staff, open_case
from tests.portal.helpers import PDF, portal_token

#: Apps whose rows a refused request must leave untouched.
WATCHED_APPS = (
    "accounts",
    "cases",
    "deadlines",
    "triage",
    "letters",
    "portal",
    "consumer",
    "disputes",
    "records",
    "terminations",
    "reputation",
    "sessions",
    "django_tasks_db",
)


@pytest.fixture(autouse=True)
def _security_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def password(username: str) -> str:
    return f"pw-{username}-123"


def signed_in(username: str, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    assert client.login(username=username, password=password(username))
    return client


def with_csrf_cookie(client: Client) -> str:
    """Give the client a CSRF cookie as a page would, and return the token that goes with
    it (for the control requests that prove a 403 came from the missing token alone)."""
    secret = _get_new_csrf_string()
    client.cookies[django_settings.CSRF_COOKIE_NAME] = secret
    return secret


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    admin: User
    outsider: User
    member: User  # an agent of the organisation (alice)
    case: Case  # case A: the one every recipe targets
    sibling: Case  # case B, same organisation
    foreign: Case  # a case of the other organisation
    letter_seq: int  # a sent letter of case A, visible to the customer
    sibling_letter_seq: int  # a sent letter of case B (no PDF: it is only ever refused)
    customer_evidence: Evidence  # uploaded by case A's customer
    staff_evidence: Evidence  # uploaded by staff on case A (internal)
    sibling_evidence: Evidence  # uploaded by case B's customer
    tokens: dict[int, str] = field(default_factory=dict)  # case pk -> its link's token
    made: dict[str, object] = field(default_factory=dict)  # what was made on first use

    @property
    def offer(self) -> ResolutionOffer:
        """An offer on case A awaiting the customer's answer, made when first asked for
        (making it moves case A to "resolution proposed")."""
        if "offer" not in self.made:
            actor = Actor.staff(self.admin)
            case_transition(case=self.case, to="investigating", actor=actor, now=NOW)
            self.made["offer"] = case_offer_record(
                case=self.case, redress="apology", actor=actor, now=NOW
            )
        offer = self.made["offer"]
        assert isinstance(offer, ResolutionOffer)
        return offer

    def token(self, case: Case | None = None) -> str:
        """The case's private link (one per case and world, issued when first asked)."""
        target = case or self.case
        if target.pk not in self.tokens:
            self.tokens[target.pk] = portal_token(target)
        return self.tokens[target.pk]


def _customer(name: str) -> CustomerDetails:
    return CustomerDetails(
        name=name,
        email=f"{name.split()[0].lower()}@example.org",
        phone="+44 20 7946 0000",
        postal_address="1 High Street\nLondon N1 1AA",
        preferred_contact_times="weekdays after 5pm",
    )


def customer_upload(case: Case, name: str, data: bytes = PDF) -> Evidence:
    evidence_add(case=case, uploads=[Upload(name, io.BytesIO(data), "application/pdf")], now=NOW)
    return case.evidence.get(filename=name)


@pytest.fixture
def admin(org: Organisation) -> User:
    return _staff(org, "ada", Role.ADMIN, "Ada", "Admin")


@pytest.fixture
def bob(org: Organisation) -> User:
    return _staff(org, "bob", Role.AGENT, "Bob", "Agent")


@pytest.fixture
def world(
    org: Organisation, other_org: Organisation, admin: User, outsider: User, agent: User
) -> World:
    happened = date(2026, 2, 14)
    case = open_case(org, admin, customer=_customer("Dana Whitfield"), occurred_on=happened)
    sibling = open_case(org, admin, customer=_customer("Sam Sibling"), occurred_on=happened)
    foreign = open_case(other_org, outsider, customer=_customer("Fay Foreign"))
    actor = Actor.staff(admin)
    letter = letter_generate(case=case, kind="acknowledgement", actor=actor, now=NOW, sent_at=NOW)
    sibling_letter = letter_generate(
        case=sibling,
        kind="acknowledgement",
        actor=actor,
        now=NOW,
        sent_at=NOW,
        formats=("md", "html"),
    )
    staff_file = case_evidence_attach(
        case=case,
        filename="internal-memo.pdf",
        stream=io.BytesIO(PDF + b"% internal"),
        content_type="application/pdf",
        actor=actor,
        now=NOW,
    )
    made = World(
        org=org,
        other_org=other_org,
        admin=admin,
        outsider=outsider,
        member=agent,
        case=case,
        sibling=sibling,
        foreign=foreign,
        letter_seq=letter.event.seq,
        sibling_letter_seq=sibling_letter.event.seq,
        customer_evidence=customer_upload(case, "dana-receipt.pdf", PDF + b"% dana"),
        staff_evidence=staff_file,
        sibling_evidence=customer_upload(sibling, "sam-receipt.pdf", PDF + b"% sam"),
    )
    for each in (case, sibling, foreign):
        made.token(each)  # issued now, so no sweep's snapshot sees a link row appear
    return made


def _files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


Snapshot = dict[str, object]


@pytest.fixture
def snapshot(settings) -> Callable[[], Snapshot]:  # type: ignore[no-untyped-def]
    """Row counts of every model of the watched apps, the newest row id of each, and the
    files kept in the evidence, letter and records stores."""

    def take() -> Snapshot:
        state: Snapshot = {}
        for model in apps.get_models():
            if model._meta.app_label in WATCHED_APPS:
                manager = model._base_manager
                last = manager.order_by("-pk").values_list("pk", flat=True).first()
                state[model._meta.label] = (manager.count(), last)
        state["files:evidence"] = _files(Path(settings.EVIDENCE_ROOT))
        state["files:letters"] = _files(Path(settings.LETTER_ROOT))
        state["files:records"] = _files(Path(settings.RECORDS_ROOT))
        return state

    return take
