from __future__ import annotations

from datetime import date

import pytest

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.terminations import services
from plaint.terminations.models import Termination
from tests.browser.conftest import browser, page  # noqa: F401  (the browser fixtures)
from tests.conftest import NOW, open_case


@pytest.fixture
def boss(org: Organisation) -> User:
    return staff_create(
        organisation=org, username="bo", password="pw-bo-123", roles=[Role.SUPERVISOR],
        first_name="Bo", last_name="Boss",
    )  # fmt: skip


@pytest.fixture
def lawyer(org: Organisation) -> User:
    return staff_create(
        organisation=org, username="lee", password="pw-lee-123", roles=[Role.LEGAL_REVIEWER],
        first_name="Lee", last_name="Gal",
    )  # fmt: skip


@pytest.fixture
def bank_case(org: Organisation, agent: User) -> Case:
    return open_case(
        org, agent, product="Current account", amount_in_dispute=None, currency="",
        description="The customer shouted at and threatened our branch staff.",
    )  # fmt: skip


def propose(case: Case, user: User, **kw: object) -> Termination:
    fields: dict[str, object] = {
        "organisation": case.organisation,
        "cases": [case],
        "reason": "abuse",
        "facts": "Threatened branch staff on 20 and 27 February.",
        "product": "payment_framework",
        "contract_concluded_on": date(2024, 6, 1),
        "alternatives": [
            services.AlternativeTried(
                alternative="contact_restriction", outcome="did_not_work", note="Kept calling."
            )
        ],
        "actor": Actor.staff(user),
        "now": NOW,
    }
    fields.update(kw)
    return services.termination_propose(**fields)  # type: ignore[arg-type]


def check(termination: Termination, user: User, **kw: object) -> Termination:
    fields: dict[str, object] = {
        "termination": termination,
        "contract_clause": "Clause 14.2 of the account terms lets us end the account.",
        "contract_notice_days": 30,
        "open_cases_note": "The complaint is answered before the effective date.",
        "not_discriminatory_confirmed": True,
        "actor": Actor.staff(user),
        "now": NOW,
    }
    fields.update(kw)
    return services.termination_check_record(**fields)  # type: ignore[arg-type]
