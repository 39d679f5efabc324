"""Names, phones, e-mail and addresses through the case services, so every interface gets
the same rules: hostile text refused with the field named and nothing written; phones
stored in E.164 read in the organisation's country; e-mail normalised."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plaint.accounts.services import organisation_create
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, Contact, Customer
from plaint.domain.errors import FieldErrors
from plaint.letters.services import letter_generate
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db

HOSTILE = {
    "newline": "Dana\nBcc: everyone@example.org",
    "script": "<script>alert(1)</script>",
    "template": "{{ 7*7 }}",
    "rtl-override": "Dana \u202eWhitfield",
    "nul": "Dana\x00Whitfield",
}


def _details(**overrides: str) -> services.CustomerDetails:
    values = {"name": "Dana Whitfield", "email": "dana@example.org", "phone": "020 7946 0000"}
    values.update(overrides)
    return services.CustomerDetails(**values)


CASES = [
    (field, hostile)
    for field in ("name", "email", "phone", "postal_address")
    for hostile in HOSTILE
    # An address has lines: see test_an_address_keeps_its_lines.
    if (field, hostile) != ("postal_address", "newline")
]


@pytest.mark.parametrize(("field", "hostile"), CASES)
def test_case_open_refuses_hostile_contact_points(org, agent, field: str, hostile: str) -> None:
    with pytest.raises(FieldErrors) as caught:
        open_case(org, agent, customer=_details(**{field: HOSTILE[hostile]}))
    message = caught.value.errors[f"customer.{field}"]
    assert message.startswith(("contains", "line 1 contains", "line 2 contains", "'")), message
    assert Case.objects.count() == Customer.objects.count() == CaseEvent.objects.count() == 0


def test_an_address_keeps_its_lines(org, agent) -> None:
    case = open_case(org, agent, customer=_details(postal_address=" 2 Elm Row \r\nLeeds\n\n"))
    assert case.customer.postal_address == "2 Elm Row\nLeeds"


def test_the_refusals_say_what_is_wrong(org, agent) -> None:
    with pytest.raises(FieldErrors) as caught:
        open_case(
            org,
            agent,
            respondent="Acme\nEnergy",
            customer=_details(
                name="Dana\nBcc: x@example.org",
                email="dana@",
                phone="12",
                postal_address="2 Elm Row\nLeeds \u202e",
            ),
        )
    assert caught.value.errors == {
        "respondent": "contains a line break; write it on one line",
        "customer.name": "contains a line break; write it on one line",
        "customer.email": "'dana@' is not a valid e-mail address: There must be something "
        "after the @-sign",
        "customer.phone": "'12' is not a valid phone number for GB; check the digits, or start "
        "with + and the country code",
        "customer.postal_address": "line 2 contains the invisible text-direction character "
        "U+202E, which can make it read differently from what is stored",
    }


def test_phones_are_stored_in_e164_in_the_organisations_country(org, agent) -> None:
    case = open_case(
        org, agent, customer=_details(phone="020 7946 0000", email=" Dana@Example.ORG ")
    )
    assert case.customer.phone == "+442079460000"
    assert case.customer.email == "Dana@example.org"
    us = organisation_create(
        slug="usco", name="US Co", now=NOW, time_zone="America/New_York", country="US"
    )
    american = open_case(us, agent, regime="", customer=_details(phone="(202) 555-0143"))
    assert american.customer.phone == "+12025550143"


def test_a_contact_with_a_hostile_representative_writes_nothing(case: Case, agent) -> None:
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(FieldErrors) as caught:
        services.case_contact_log(
            case=case,
            contact_at=NOW - timedelta(hours=1),
            channel="phone",
            direction="inbound",
            representative="Raj\r\nX-Injected: yes",
            actor=Actor.staff(agent),
            now=NOW,
        )
    assert caught.value.errors == {"representative": "contains a line break; write it on one line"}
    assert CaseEvent.objects.filter(case=case).count() == before
    assert Contact.objects.count() == 0


def test_letter_fields_typed_for_a_letter_follow_the_same_rules(
    case: Case, agent, settings, tmp_path
) -> None:
    settings.LETTER_ROOT = tmp_path / "letters"
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(FieldErrors) as caught:
        letter_generate(
            case=case,
            kind="acknowledgement",
            actor=Actor.staff(agent),
            now=NOW,
            fields={
                "business.address": "1 Commerce Way\n<script>x</script>",
                "customer.address": "2 Elm Row\nLeeds",
                "business.email": "complaints@acme.example\nBcc: x@example.org",
            },
        )
    assert caught.value.errors == {
        "business.address": "line 2 contains '<', which is markup or template syntax and not "
        "part of it",
        "business.email": "contains a line break; write it on one line",
    }
    assert CaseEvent.objects.filter(case=case).count() == before
