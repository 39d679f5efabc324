"""Forms whose date and time are typed in the organisation's time zone."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.utils import timezone


class ZonedForm(forms.Form):
    """Reads the times typed in `zone` (the organisation's time zone) and, empty, offers
    `now` there (the current time when `now` is not given) in its `time_field`."""

    time_field = ""

    def __init__(
        self, *args: Any, zone: tzinfo | None = None, now: datetime | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        if self.time_field and not self.is_bound and self.time_field not in self.initial:
            local = timezone.localtime(now or timezone.now(), zone)
            # Naive wall-clock time, so that rendering does not move it to another zone.
            self.initial[self.time_field] = local.replace(second=0, microsecond=0, tzinfo=None)

    def full_clean(self) -> None:
        if self.zone is None:
            super().full_clean()
            return
        with timezone.override(self.zone):
            super().full_clean()
