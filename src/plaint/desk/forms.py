"""Forms of the staff desk. They validate input; they never write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from plaint.cases.queue import DEFAULT_COLUMNS, Column, Sort
from plaint.cases.selectors import CaseFilters
from plaint.desk.zoned_forms import ZonedForm
from plaint.domain import contactpoints
from plaint.domain.deadlines.milestones import DERIVED, MILESTONES
from plaint.domain.letters import CATALOGUE
from plaint.domain.letters.fields import Missing
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.triage.flags import FLAG_LABELS, Flag
from plaint.domain.vocabulary import (
    Channel,
    Direction,
    Outcome,
    Priority,
    RedressKind,
    Visibility,
    choices,
    label,
)


class MenuSelect(forms.Select):
    """A <select> rendered in Python rather than through a template per option: the case
    list's filter menus hold a few hundred options, and Django's option templates cost
    ~30 ms a page at that size. Labels and values are escaped by `format_html`."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (o["value"], mark_safe(" selected") if o["selected"] else "", o["label"])
                    for o in options
                ),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, rendered)
                if group
                else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((part,) for part in parts)),  # already safe
        )


class CaseFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        widget=MenuSelect,
        required=False,
        choices=[("", "Any status"), *[(s.value, s.label) for s in CaseStatus]],
    )
    product = forms.ChoiceField(widget=MenuSelect, required=False, choices=[("", "Any product")])
    priority = forms.ChoiceField(
        widget=MenuSelect,
        required=False,
        choices=[("", "Any priority"), *[(p.value, label(p)) for p in Priority]],
    )
    assignee = forms.ChoiceField(widget=MenuSelect, required=False, choices=[("", "Anyone")])
    received_from = forms.DateField(
        required=False, label="Received from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        required=False, label="Received to", widget=forms.DateInput(attrs={"type": "date"})
    )

    queue = forms.ChoiceField(widget=MenuSelect, required=False, choices=[("", "All cases")])
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        label="Due within (days)",
        initial=7,
        # A filtered list is a bound form, which shows no initial value: say the default.
        widget=forms.NumberInput(attrs={"placeholder": "7"}),
    )
    category = forms.ChoiceField(widget=MenuSelect, required=False, choices=[("", "Any category")])
    flag = forms.ChoiceField(
        widget=MenuSelect,
        required=False,
        label="Risk flag",
        choices=[("", "Any flag"), *[(f.value, FLAG_LABELS[f]) for f in Flag]],
    )
    regime = forms.ChoiceField(widget=MenuSelect, required=False, choices=[("", "Any regime")])
    sort = forms.ChoiceField(
        widget=MenuSelect,
        required=False,
        label="Sort by",
        choices=[(s.value, s.label) for s in Sort],
    )
    cols = forms.MultipleChoiceField(
        required=False,
        label="Columns",
        widget=forms.CheckboxSelectMultiple,
        choices=[(c.value, c.label) for c in Column],
    )

    def __init__(
        self,
        *args: object,
        products: list[str],
        staff: list[tuple[int, str]],
        queues: Sequence[tuple[str, str]] = (),
        categories: Sequence[str] = (),
        regimes: Sequence[str] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["queue"]).choices = [("", "All cases"), *queues]
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "Any category"),
            *[(c, c) for c in categories],
        ]
        cast(forms.ChoiceField, self.fields["regime"]).choices = [
            ("", "Any regime"),
            *[(r, r) for r in regimes],
        ]
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

    def chosen_sort(self) -> Sort:
        """The chosen order (newest first unless another was chosen)."""
        value = self.cleaned_data.get("sort") if self.is_bound and self.is_valid() else ""
        return Sort(value) if value else Sort.NEWEST

    def chosen_columns(self) -> tuple[Column, ...]:
        """The chosen columns in the table's own order (the default set if none)."""
        chosen = self.cleaned_data.get("cols") if self.is_bound and self.is_valid() else None
        if not chosen:
            return DEFAULT_COLUMNS
        return tuple(c for c in Column if c.value in chosen)


# ---------------------------------------------------------------- case-page actions
# Each form only parses and validates input; the service decides and writes.

_TEXTAREA = forms.Textarea(attrs={"rows": 3})


#: What a datetime-local input sends and shows.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class ContactForm(ZonedForm):
    contact_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    channel = forms.ChoiceField(choices=choices(Channel))
    direction = forms.ChoiceField(choices=choices(Direction))
    representative = forms.CharField(required=False, max_length=200)
    ticket_number = forms.CharField(required=False, max_length=100, label="Ticket number")
    wait_minutes = forms.IntegerField(required=False, min_value=0, label="Wait (minutes)")
    summary = forms.CharField(required=False, widget=_TEXTAREA)
    summary_visibility = forms.TypedChoiceField(
        required=False,
        empty_value=Visibility.INTERNAL.value,  # a form sent without it: staff only
        label="Who may read the summary",
        choices=[
            (Visibility.INTERNAL.value, "Staff only (the customer sees that the contact happened)"),
            (Visibility.CUSTOMER.value, "The customer too"),
        ],
        initial=Visibility.INTERNAL.value,
    )
    confirm_restricted = forms.BooleanField(
        required=False, label="A contact restriction applies and I confirm this contact anyway"
    )

    time_field = "contact_at"

    def __init__(self, *args: Any, country: str = "GB", **kwargs: Any) -> None:
        """`zone` (the organisation's time zone, passed on to `ZonedForm`): the time typed
        is read in it, and an empty form offers `now` there; `country` is the default
        region of the phone numbers typed."""
        super().__init__(*args, **kwargs)
        self.country = country

    def clean_representative(self) -> str:
        try:
            return contactpoints.name_clean(self.cleaned_data["representative"])
        except contactpoints.ContactPointError as exc:
            raise forms.ValidationError(f"The representative's name {exc.message}.") from None


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=_TEXTAREA)
    visibility = forms.ChoiceField(
        choices=[
            (Visibility.INTERNAL.value, "Internal (staff only)"),
            (Visibility.CUSTOMER.value, "Customer-visible"),
        ]
    )


class EvidenceForm(forms.Form):
    file = forms.FileField()
    description = forms.CharField(required=False, max_length=500)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(required=False, choices=[("", "Unassigned")])

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", "Unassigned"),
            *[(str(pk), name) for pk, name in staff],
        ]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="New status")
    reason = forms.CharField(required=False, widget=_TEXTAREA)

    def __init__(self, *args: Any, statuses: list[CaseStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to"]).choices = [(s.value, s.label) for s in statuses]


class OfferForm(forms.Form):
    redress = forms.ChoiceField(choices=choices(RedressKind))
    amount = forms.CharField(required=False, max_length=30)
    currency = forms.CharField(required=False, max_length=3)
    description = forms.CharField(required=False, widget=_TEXTAREA)


class OfferAnswerForm(forms.Form):
    offer = forms.ChoiceField()
    answer = forms.ChoiceField(choices=[("accept", "Accepted"), ("reject", "Rejected")])
    comment = forms.CharField(required=False, widget=_TEXTAREA)

    def __init__(self, *args: Any, offers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["offer"]).choices = [
            (str(pk), text) for pk, text in offers
        ]


class CloseForm(forms.Form):
    """Closing codes the outcome and the root cause (from the organisation's taxonomy);
    the free text is the detail."""

    outcome = forms.ChoiceField(choices=[("", "Choose…"), *choices(Outcome)])
    root_cause_code = forms.ChoiceField(label="Root cause")
    root_cause = forms.CharField(required=False, max_length=300, label="Root cause detail")
    summary = forms.CharField(required=False, widget=_TEXTAREA)

    def __init__(
        self, *args: Any, root_causes: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["root_cause_code"]).choices = [
            ("", "Choose…"),
            *root_causes,
        ]


class MilestoneForm(forms.Form):
    milestone = forms.ChoiceField(
        choices=[(m.name, m.label) for m in MILESTONES.values() if m.name not in DERIVED]
    )
    at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(required=False, max_length=500)


class TriageConfirmForm(forms.Form):
    """The labels of the organisation's taxonomy, pre-filled with the suggestion."""

    def __init__(
        self, *args: Any, names: tuple[str, ...], choices: tuple[str, ...], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in names:
            if choices:
                self.fields[name] = forms.ChoiceField(choices=[(c, c) for c in choices])
            else:
                self.fields[name] = forms.CharField(max_length=300)


class LegalClearForm(forms.Form):
    note = forms.CharField(widget=_TEXTAREA, help_text="Why the flags need no legal action.")


# ---------------------------------------------------------------- letters


_LETTER_CHOICES: list[tuple[str, str]] = sorted(
    ((spec.id, f"{spec.title} ({spec.sender} sends)") for spec in CATALOGUE.values()),
    key=lambda choice: choice[1],
)


class LetterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Letter",
        choices=_LETTER_CHOICES,
    )
    page_size = forms.ChoiceField(
        label="Page size", choices=[("A4", "A4"), ("Letter", "US Letter")]
    )


class LetterFieldsForm(forms.Form):
    """The fields a letter needs that the case does not hold, asked for inline. The letter
    service parses and checks the values."""

    def __init__(self, *args: Any, missing: list[Missing], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in missing:
            definition = item.field
            help_text = f"{item.why + '. ' if item.why else ''}Or supply it: {definition.desk}."
            field: forms.Field
            if definition.choices:
                field = forms.ChoiceField(
                    label=definition.label, choices=[(c, c) for c in definition.choices]
                )
            elif definition.kind == "date":
                field = forms.DateField(
                    label=definition.label, widget=forms.DateInput(attrs={"type": "date"})
                )
            else:
                field = forms.CharField(label=definition.label, widget=_TEXTAREA)
            field.help_text = help_text
            self.fields[definition.key] = field
