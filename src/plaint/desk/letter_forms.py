"""The desk's form for recording that a kept letter was sent. It only parses the input;
`plaint.letters.services.letter_mark_sent` decides what may be recorded."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.utils import timezone

from plaint.domain.vocabulary import DeliveryMethod, choices
from plaint.letters.services import TRACKING_NUMBER_MAX_LENGTH, WITHDRAW_REASON_MAX_LENGTH

#: What a datetime-local input sends and shows.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LetterMarkSentForm(forms.Form):
    method = forms.ChoiceField(label="Sent by", choices=choices(DeliveryMethod))
    tracking_number = forms.CharField(
        label="Tracking number",
        required=False,
        max_length=TRACKING_NUMBER_MAX_LENGTH,
        help_text="Needed for recorded delivery.",
    )
    sent_at = forms.DateTimeField(
        label="Sent on",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )

    def __init__(
        self, *args: Any, zone: tzinfo | None = None, now: datetime | None = None, **kwargs: Any
    ) -> None:
        """`zone` is the organisation's time zone: the date and time typed are read in it,
        and an empty form offers the current time there (or `now`'s)."""
        super().__init__(*args, **kwargs)
        self.zone = zone
        if not self.is_bound and "sent_at" not in self.initial:
            local = timezone.localtime(now or timezone.now(), zone)
            # Naive wall-clock time, so that rendering does not move it to another zone.
            self.initial["sent_at"] = local.replace(second=0, microsecond=0, tzinfo=None)

    def full_clean(self) -> None:
        if self.zone is None:
            super().full_clean()
            return
        with timezone.override(self.zone):
            super().full_clean()


class LetterWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why withdraw it",
        max_length=WITHDRAW_REASON_MAX_LENGTH,
        help_text="For example: made twice by mistake, or superseded by a later draft.",
    )
