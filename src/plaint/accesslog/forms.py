"""The access log page's filters."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms

from plaint.accounts.models import User

from .models import AccessAction
from .selectors import AccessFilters


class AccessFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Who")
    case = forms.CharField(required=False, max_length=40, label="Case reference")
    action = forms.ChoiceField(
        required=False, choices=[("", "any"), *AccessAction.choices], label="What"
    )
    since = forms.DateField(required=False, label="From (day)")
    until = forms.DateField(required=False, label="To (day, included)")

    def __init__(self, *args: object, staff: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if staff is not None:
            self.fields["user"].queryset = staff  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The first day is after the last.")
        return data

    def filters(self, zone: ZoneInfo) -> AccessFilters:
        """The valid form as the selector's filters, days read in the organisation's zone."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return AccessFilters(
            user_id=data["user"].pk if data.get("user") else None,
            case_reference=data.get("case") or "",
            action=data.get("action") or "",
            since=datetime.combine(since, time(), zone) if since else None,
            until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
        )
