"""The bulk-action form the queue page sends."""

from __future__ import annotations

from django import forms

from plaint.domain.bulk import BulkAction
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.vocabulary import Priority

ACTION_LABELS = {
    BulkAction.ASSIGN: "Assign to",
    BulkAction.PRIORITY: "Set priority",
    BulkAction.TRANSITION: "Move to status",
    BulkAction.NOTE: "Add an internal note",
    BulkAction.EXPORT: "Export CSV",
}


class Scope:
    SELECTED = "selected"
    PAGE = "page"
    ALL = "all"


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, ACTION_LABELS[a]) for a in BulkAction])
    scope = forms.ChoiceField(
        choices=[
            (Scope.SELECTED, "The rows ticked"),
            (Scope.PAGE, "Every case on this page"),
            (Scope.ALL, "Every case matching this filter"),
        ]
    )
    #: The queue's query string (its filters) and page number, as the page showed them.
    query = forms.CharField(required=False, max_length=4000)
    page = forms.IntegerField(required=False, min_value=1)
    assignee = forms.CharField(required=False, max_length=20)
    priority = forms.ChoiceField(
        required=False, choices=[("", "—"), *[(p.value, p.value) for p in Priority]]
    )
    to = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "—"), *[(s.value, s.label) for s in CaseStatus if s != CaseStatus.CLOSED]],
    )
    text = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)

    def assignee_id(self) -> int | None:
        """The chosen assignee's id; empty means unassign."""
        raw = self.cleaned_data.get("assignee") or ""
        if not raw:
            return None
        if not raw.isdigit():
            raise forms.ValidationError("not a member of staff")
        return int(raw)
