"""Organisations created outside GB before the calendar followed the country kept the
GB-ENG default: give them their country's own calendar (US desks skipped Boxing Day)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from plaint.domain.deadlines.calendars import UnknownCalendar, holiday_calendar_for

    organisation = apps.get_model("accounts", "Organisation")
    for org in organisation.objects.exclude(country="GB").filter(holiday_calendar="GB-ENG"):
        try:
            org.holiday_calendar = holiday_calendar_for(org.country)
        except UnknownCalendar:
            continue  # no calendar for that country: left for an administrator to set
        org.save(update_fields=["holiday_calendar"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_staff_changes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
