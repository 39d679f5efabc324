"""The desk's form for recording that a kept letter was sent. It only parses the input;
`plaint.letters.services.letter_mark_sent` decides what may be recorded."""

from __future__ import annotations

from django import forms

from plaint.desk.zoned_forms import ZonedForm
from plaint.domain.vocabulary import DeliveryMethod, choices
from plaint.letters.services import TRACKING_NUMBER_MAX_LENGTH, WITHDRAW_REASON_MAX_LENGTH

#: What a datetime-local input sends and shows.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LetterMarkSentForm(ZonedForm):
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

    time_field = "sent_at"


class LetterWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why withdraw it",
        max_length=WITHDRAW_REASON_MAX_LENGTH,
        help_text="For example: made twice by mistake, or superseded by a later draft.",
    )
