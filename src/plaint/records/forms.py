"""The desk's correction form: one field, its new value, and the reason."""

from __future__ import annotations

from django import forms

from plaint.domain.fold import CORRECTABLE_CASE_FIELDS, CORRECTABLE_CUSTOMER_FIELDS

FIELD_CHOICES = [
    *((f"case.{name}", f"Case: {name.replace('_', ' ')}") for name in CORRECTABLE_CASE_FIELDS),
    *(
        (f"customer.{name}", f"Customer: {name.replace('_', ' ')}")
        for name in CORRECTABLE_CUSTOMER_FIELDS
    ),
]


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(choices=FIELD_CHOICES)
    value = forms.CharField(
        required=False,
        max_length=2000,
        help_text="The right value (dates as YYYY-MM-DD; the date received as "
        "YYYY-MM-DDTHH:MM with its offset, e.g. 2026-03-01T09:00+00:00). Empty clears it.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
