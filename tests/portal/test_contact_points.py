"""The complaint form checks names, phones, e-mail and addresses field by field, with
the field's own message, and files nothing when one is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from plaint.cases.models import Case, Customer
from tests.portal.helpers import complaint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Dana\nBcc: all@example.org", "Your full name contains a line break"),
        ("name", "<script>alert(1)</script>", "Your full name contains &#x27;&lt;&#x27;"),
        ("name", "{{ 7*7 }}", "Your full name contains &#x27;{&#x27;"),
        ("name", "Dana \u202eWhitfield", "Your full name contains the invisible"),
        ("phone", "12", "Your phone number &#x27;12&#x27; is not a valid phone number for GB"),
        ("address", "1 High St\nLondon {{ 7*7 }}", "Your postal address, line 2 contains"),
    ],
)
def test_a_refused_contact_point_is_named_on_its_field(
    client: Client, org, field: str, value: str, message: str
) -> None:
    response = client.post("/complain/acme/", complaint(**{field: value}))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html or "field-error" in html
    assert Case.objects.count() == Customer.objects.count() == 0


def test_the_phone_is_stored_in_e164_and_the_email_normalised(client: Client, org) -> None:
    response = client.post(
        "/complain/acme/", complaint(phone="020 7946 0000", email="Dana@Example.ORG")
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.phone, customer.email) == ("+442079460000", "Dana@example.org")
