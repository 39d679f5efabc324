"""Logging a contact on the desk: the time defaults to now in the organisation's zone,
the summary is staff-only unless said otherwise, and names are checked."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, CaseEvent
from plaint.desk.forms import ContactForm

NOTE = "Customer sounded upset; supervisor to review the tone of the first reply"
#: 22:40 UTC in July: 23:40 in London (BST), 18:40 in New York, 07:40 next day in Tokyo.
PINNED = datetime(2026, 7, 14, 22, 40, 31, tzinfo=UTC)


def test_the_form_defaults_its_time_to_now_in_the_given_zone() -> None:
    london = ContactForm(zone=ZoneInfo("Europe/London"), now=PINNED)
    assert london.initial["contact_at"] == datetime(2026, 7, 14, 23, 40)
    assert 'value="2026-07-14T23:40"' in str(london["contact_at"])
    tokyo = ContactForm(zone=ZoneInfo("Asia/Tokyo"), now=PINNED)
    assert 'value="2026-07-15T07:40"' in str(tokyo["contact_at"])


def test_the_case_page_offers_now_in_the_organisations_zone(
    as_agent: Client, case: Case, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    org.time_zone = "America/New_York"
    org.save(update_fields=["time_zone"])
    monkeypatch.setattr(timezone, "now", lambda: PINNED)
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert 'name="contact_at" value="2026-07-14T18:40"' in page


def test_a_typed_time_is_read_in_the_organisations_zone(
    as_agent: Client, case: Case, org: Organisation
) -> None:
    org.time_zone = "America/New_York"
    org.save(update_fields=["time_zone"])
    data = {"contact_at": "2026-03-01T09:00", "channel": "phone", "direction": "inbound"}
    assert as_agent.post(f"/cases/{case.reference}/actions/contact/", data).status_code == 302
    assert case.contacts.get().contact_at == datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


def test_the_summary_is_staff_only_unless_chosen(as_agent: Client, case: Case) -> None:
    url = f"/cases/{case.reference}/actions/contact/"
    base = {"contact_at": "2026-03-01T12:00", "channel": "phone", "direction": "inbound"}
    assert as_agent.post(url, {**base, "summary": NOTE}).status_code == 302
    assert (
        as_agent.post(
            url, {**base, "summary": "Refund agreed", "summary_visibility": "customer"}
        ).status_code
        == 302
    )
    assert list(case.contacts.values_list("summary_visibility", flat=True)) == [
        "internal",
        "customer",
    ]
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert NOTE in page  # staff read their own note ...
    assert page.count("Staff only (the customer sees that the contact happened):") == 1


def test_a_hostile_representative_is_refused_on_its_field(as_agent: Client, case: Case) -> None:
    before = CaseEvent.objects.filter(case=case).count()
    data = {
        "contact_at": "2026-03-01T12:00",
        "channel": "phone",
        "direction": "inbound",
        "representative": "Raj\u202e",
    }
    response = as_agent.post(f"/cases/{case.reference}/actions/contact/", data)
    assert response.status_code == 400
    assert (
        "The representative&#x27;s name contains the invisible text-direction character U+202E"
        in response.content.decode()
    )
    assert CaseEvent.objects.filter(case=case).count() == before


def test_the_customers_phone_is_shown_in_the_national_format(as_agent: Client, case: Case) -> None:
    assert case.customer.phone == "+442079460000"
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "020 7946 0000" in page and "+442079460000" not in page
