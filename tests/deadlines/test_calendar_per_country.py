"""Issue 10, item 2: an organisation's holiday calendar follows its country."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from plaint.accounts.models import Organisation
from plaint.accounts.services import organisation_create
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW


@pytest.mark.django_db
def test_a_us_organisation_gets_the_us_calendar() -> None:
    org = organisation_create(slug="usco", name="US Co", now=NOW, country="US")
    assert org.holiday_calendar == "US"
    gb = organisation_create(slug="gbco", name="GB Co", now=NOW)
    assert gb.holiday_calendar == "GB-ENG"
    sct = organisation_create(
        slug="sco", name="Scot Co", now=NOW, country="GB", holiday_calendar="GB-SCT"
    )
    assert sct.holiday_calendar == "GB-SCT"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "calendar", "message"),
    [
        ("GB", "GB", "GB-ENG, GB-SCT, GB-WLS or GB-NIR"),
        ("US", "GB-ENG", "not one of US's"),
        ("XX", None, "No holiday calendar for XX"),
    ],
)
def test_a_wrong_calendar_is_refused_and_nothing_is_written(country, calendar, message) -> None:
    with pytest.raises(FieldErrors, match=message):
        organisation_create(
            slug="bad", name="Bad", now=NOW, country=country, holiday_calendar=calendar
        )
    assert not Organisation.objects.filter(slug="bad").exists()


@pytest.mark.django_db
def test_the_command_sets_the_calendar(capsys) -> None:
    call_command("organisation", "create", "usco", "US Co", "--country", "US")
    assert Organisation.objects.get(slug="usco").holiday_calendar == "US"
    call_command("organisation", "create", "nico", "NI Co", "--holiday-calendar", "GB-NIR")
    assert Organisation.objects.get(slug="nico").holiday_calendar == "GB-NIR"
    assert "GB-NIR holiday calendar" in capsys.readouterr().out
    with pytest.raises(CommandError, match="GB-ENG, GB-SCT, GB-WLS or GB-NIR"):
        call_command("organisation", "create", "gbco", "GB Co", "--holiday-calendar", "GB")
