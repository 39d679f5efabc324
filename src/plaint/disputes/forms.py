"""Forms of the disputes panel. They only parse: the services check and decide."""

from __future__ import annotations

from typing import Any

from django import forms

from plaint.disputes.models import Dispute
from plaint.domain.disputes.eligibility import COMPLAINANT_LABELS
from plaint.domain.disputes.restrictions import RESTRICTION_LABELS
from plaint.domain.vocabulary import DeliveryMethod

_TEXT = forms.Textarea(attrs={"rows": 3})
_DATE = forms.DateInput(attrs={"type": "date"})


class DisputeLogForm(forms.Form):
    sender = forms.CharField(required=False, max_length=300, label="Sent by")
    on_behalf_of = forms.CharField(required=False, max_length=300, label="On behalf of")
    their_reference = forms.CharField(required=False, max_length=100, label="Their reference")
    letter_date = forms.DateField(required=False, widget=_DATE, label="Date of the letter")
    deadline = forms.DateField(
        required=False,
        widget=_DATE,
        label="Deadline it sets",
        help_text="Leave empty if it sets none: the policy default applies.",
    )
    demands = forms.CharField(required=False, widget=_TEXT, label="What it demands")
    letter = forms.FileField(required=False, label="The letter (scan or e-mail)")


class AuthorityForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(c.value, c.label) for c in Dispute.Authority if c.value],
        label="Authority to act for the customer",
    )
    letter_seq = forms.IntegerField(
        required=False, min_value=1, label="Kept letter asking for it (#)"
    )
    note = forms.CharField(required=False, widget=_TEXT)


class ConductForm(forms.Form):
    conduct = forms.CharField(required=False, widget=_TEXT, label="Conduct complained of")


class InvestigationForm(forms.Form):
    investigator = forms.CharField(required=False, max_length=200, label="Investigated by")
    records_checked = forms.CharField(
        required=False, widget=_TEXT, label="Records checked", help_text="One per line."
    )
    findings = forms.CharField(required=False, widget=_TEXT)

    def clean_records_checked(self) -> list[str]:
        return list(self.cleaned_data["records_checked"].splitlines())


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(c.value, c.label) for c in Dispute.Decision if c.value])
    reasons = forms.CharField(required=False, widget=_TEXT)


class RestrictionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k.value, label) for k, label in RESTRICTION_LABELS.items()], label="Restriction"
    )
    note = forms.CharField(required=False, widget=_TEXT)
    dispute_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LiftForm(forms.Form):
    restriction_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(required=False, widget=_TEXT, label="Why it is lifted")


class EligibilityForm(forms.Form):
    complainant = forms.ChoiceField(
        choices=[(k.value, label) for k, label in COMPLAINANT_LABELS.items()],
        label="Who is complaining?",
    )
    annual_turnover = forms.CharField(required=False, label="Annual turnover (GBP)")
    balance_sheet_total = forms.CharField(required=False, label="Balance sheet total (GBP)")
    employees = forms.CharField(required=False, label="Employees")
    annual_income = forms.CharField(required=False, label="Charity's annual income (GBP)")
    net_asset_value = forms.CharField(required=False, label="Trust's net asset value (GBP)")

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class ReplyForm(forms.Form):
    respond_by = forms.DateField(
        required=False,
        widget=_DATE,
        label="Full answer by",
        help_text="Leave empty to promise it by the letter's reply deadline.",
    )


class SentForm(forms.Form):
    sent_on = forms.DateField(required=False, widget=_DATE, label="Sent on")
    method = forms.ChoiceField(
        choices=[(m.value, m.label) for m in DeliveryMethod], label="How it was sent"
    )
    tracking_number = forms.CharField(required=False, max_length=100, label="Tracking number")
    comply_by = forms.DateField(required=False, widget=_DATE, label="Conduct to stop by")
    conduct = forms.CharField(required=False, widget=_TEXT, label="The conduct to stop")


class OutcomeForm(forms.Form):
    sent_id = forms.IntegerField(widget=forms.HiddenInput)
    stopped = forms.TypedChoiceField(
        choices=[("yes", "It stopped"), ("no", "It did not stop")],
        coerce=lambda value: value == "yes",
        label="Did the conduct stop?",
    )
    note = forms.CharField(required=False, widget=_TEXT)


FORMS: dict[str, type[forms.Form]] = {
    "log": DisputeLogForm,
    "authority": AuthorityForm,
    "conduct": ConductForm,
    "investigation": InvestigationForm,
    "decision": DecisionForm,
    "restrict": RestrictionForm,
    "lift": LiftForm,
    "eligibility": EligibilityForm,
    "reply": ReplyForm,
    "sent": SentForm,
    "outcome": OutcomeForm,
}


class PortalSentForm(forms.Form):
    """The customer's own record of the cease-and-desist they sent (portal wording)."""

    sent_on = forms.DateField(required=False, widget=_DATE, label="The date you sent it")
    method = forms.ChoiceField(
        choices=[(m.value, m.label) for m in DeliveryMethod], label="How you sent it"
    )
    tracking_number = forms.CharField(
        required=False,
        max_length=100,
        label="Tracking number",
        help_text="From your proof of posting; needed for a tracked or signed-for method.",
    )
    comply_by = forms.DateField(
        required=False,
        widget=_DATE,
        label="The date by which your letter asked them to stop",
    )
    conduct = forms.CharField(
        required=False, widget=_TEXT, label="What your letter asked them to stop"
    )


class PortalOutcomeForm(forms.Form):
    """Whether the conduct stopped after the customer's letter (portal wording)."""

    stopped = forms.TypedChoiceField(
        choices=[("yes", "Yes, it stopped"), ("no", "No, it carried on")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Did it stop?",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Anything to add (optional)",
        help_text="For example, the date they last contacted you.",
    )
