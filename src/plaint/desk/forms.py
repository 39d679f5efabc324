"""Forms of the staff desk. They validate input; they never write."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from plaint.cases.selectors import CaseFilters
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.vocabulary import Priority, label


class CaseFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *[(s.value, s.label) for s in CaseStatus]]
    )
    product = forms.ChoiceField(required=False, choices=[("", "Any product")])
    priority = forms.ChoiceField(
        required=False, choices=[("", "Any priority"), *[(p.value, label(p)) for p in Priority]]
    )
    assignee = forms.ChoiceField(required=False, choices=[("", "Anyone")])
    received_from = forms.DateField(
        required=False, label="Received from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        required=False, label="Received to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: object, products: list[str], staff: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["product"]).choices = [
            ("", "Any product"),
            *[(p, p) for p in products],
        ]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", "Anyone"),
            ("none", "Unassigned"),
            *[(str(pk), name) for pk, name in staff],
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError("'Received from' is after 'Received to'.")
        return data

    def filters(self) -> CaseFilters:
        data = self.cleaned_data
        assignee = data.get("assignee") or ""
        return CaseFilters(
            q=data.get("q") or "",
            status=data.get("status") or "",
            product=data.get("product") or "",
            priority=data.get("priority") or "",
            assignee_id=int(assignee) if assignee.isdigit() else None,
            unassigned=assignee == "none",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )
