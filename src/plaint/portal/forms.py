"""Portal forms: they check what a person typed and say what is wrong in plain words. The
rules of a complaint stay in the services; the views map the services' FieldErrors back
onto these fields."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from plaint.domain import contactpoints
from plaint.domain.letters import ALL_FIELDS
from plaint.domain.letters.fields import Kind
from plaint.domain.money import MoneyError, money_parse

MAX_FILES = 10
#: A complaint form's token: 32 URL-safe characters from `form_token_new`.
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def form_token_new() -> str:
    """A new complaint form's token (see `ComplaintSubmission`)."""
    return secrets.token_urlsafe(24)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one input."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(items) > MAX_FILES:
            raise forms.ValidationError(f"Please attach at most {MAX_FILES} files at a time.")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _text(label: str, *, required: bool = False, max_length: int = 200, **kw: Any) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": f"Please tell us {label[0].lower() + label[1:]}.",
            "max_length": f"Please keep this under {max_length:,} characters.",
        },
        **kw,
    )


def refusal(label: str, message: str) -> str:
    """A contact-point refusal as a sentence: "Your full name contains '<', ..."."""
    return f"{label}{',' if message.startswith('line ') else ''} {message}."


def _contact_point(form: forms.Form, name: str, kind: contactpoints.Kind, country: str) -> str:
    """Field `name` cleaned by the contact-point rules, or a ValidationError saying why
    not."""
    try:
        return contactpoints.contact_point_clean(kind, form.cleaned_data[name], country=country)
    except contactpoints.ContactPointError as exc:
        label = str(form.fields[name].label or name)
        raise forms.ValidationError(refusal(label, exc.message)) from None


class ComplaintForm(forms.Form):
    name = _text("Your full name", required=True)
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="We send your private link here.",
        error_messages={
            "required": "Please give an e-mail address, so we can send you your private link.",
            "invalid": "That does not look like an e-mail address (it should look like "
            "name@example.com).",
        },
    )
    phone = _text("Your phone number", max_length=40, help_text="With the area code.")
    best_times = _text("Best times to reach you", help_text="For example: weekdays after 5pm.")
    address = _text(
        "Your postal address",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you later want an escalation letter.",
    )
    order_number = _text("Order number", max_length=100)
    account_number = _text("Account number", max_length=100)
    product = _text("Product or service", help_text="With a model or plan name if you have one.")
    occurred_on = forms.DateField(
        label="Date it happened",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Please give the date as YYYY-MM-DD, for example 2026-03-02."},
    )
    description = _text(
        "What went wrong",
        required=True,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    desired_resolution = _text(
        "What you would like us to do",
        required=True,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount = forms.CharField(label="Amount in dispute", required=False, max_length=40)
    currency = forms.CharField(
        label="Currency",
        required=False,
        max_length=3,
        help_text="A three-letter code such as GBP, EUR or USD.",
        error_messages={"max_length": "Please use a three-letter code such as GBP."},
    )
    evidence = MultipleFileField(
        label="Evidence (optional)",
        help_text="Receipts, bills, photos, e-mails, letters. You can choose several files.",
    )
    # The honeypot: hidden from people (off-screen, aria-hidden, out of the tab order);
    # bots fill every field. Its label reads like any other field's, so nothing on the
    # page or in the refusal tells a bot which field gave it away.
    website = forms.CharField(label="Website", required=False)
    # The form token: the same form sent again files the complaint once.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_amount(self) -> Decimal | None:
        try:
            return money_parse(self.cleaned_data.get("amount"))
        except MoneyError as exc:
            raise forms.ValidationError(f"Please correct the amount: it {exc.message}.") from None

    def clean_currency(self) -> str:
        code: str = self.cleaned_data.get("currency", "").strip().upper()
        if code and not (len(code) == 3 and code.isalpha()):
            raise forms.ValidationError("Please use a three-letter code such as GBP.")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None and not data.get("currency"):
            self.add_error("currency", "Please say which currency the amount is in (e.g. GBP).")
        token = data.get("submission") or ""
        if token and not FORM_TOKEN.fullmatch(token):
            # Not a field a person can correct: said once, above the form.
            self.add_error(
                None,
                "This form was damaged on its way to us. Please reload the page and send "
                "your complaint again.",
            )
        return data

    def __init__(self, *args: Any, country: str = "GB", **kwargs: Any) -> None:
        """`country` is the organisation's (ISO 3166 alpha-2): phone numbers without a
        country code are read as numbers of that country."""
        super().__init__(*args, **kwargs)
        self.country = country

    def clean_name(self) -> str:
        return _contact_point(self, "name", contactpoints.Kind.NAME, self.country)

    def clean_email(self) -> str:
        return _contact_point(self, "email", contactpoints.Kind.EMAIL, self.country)

    def clean_phone(self) -> str:
        return _contact_point(self, "phone", contactpoints.Kind.PHONE, self.country)

    def clean_address(self) -> str:
        return _contact_point(self, "address", contactpoints.Kind.ADDRESS, self.country)

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())


class LinkRequestForm(forms.Form):
    reference = _text(
        "Your complaint's reference",
        required=True,
        max_length=32,
        help_text="As in the e-mail we sent you, for example PL-2026-000123.",
    )
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="The address you gave with your complaint.",
        error_messages={
            "required": "Please give the e-mail address you gave with your complaint.",
            "invalid": "That does not look like an e-mail address (it should look like "
            "name@example.com).",
        },
    )


class ReplyForm(forms.Form):
    text = _text(
        "Your message",
        required=True,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = MultipleFileField(
        label="Files to send with it (optional)",
        help_text="Receipts, bills, photos, e-mails, letters. You can choose several files.",
    )


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label="Files to add")

    def clean_evidence(self) -> list[UploadedFile[bytes]]:
        files: list[UploadedFile[bytes]] = self.cleaned_data.get("evidence") or []
        if not files:
            raise forms.ValidationError("Please choose at least one file.")
        return files


class OfferAnswerForm(forms.Form):
    """One button per answer: "accept" alone, or "reject" with the reason beside it."""

    answer = forms.ChoiceField(
        choices=[("accept", "Accept"), ("reject", "Reject")],
        error_messages={"required": "Please choose to accept or reject the offer."},
    )
    reason = _text(
        "Why are you rejecting the offer?",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you reject it; it goes to the business with your answer.",
    )

    @property
    def accepted(self) -> bool:
        return bool(self.cleaned_data.get("answer") == "accept")


GROUNDS = [
    ("deadline", "A deadline the business committed to has passed"),
    ("unhappy", "I am unhappy with how my complaint is being handled"),
]


def _letter_field(key: str) -> forms.Field:
    spec = ALL_FIELDS[key]
    label = spec.label
    if spec.kind is Kind.DATE:
        return forms.DateField(
            label=label,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"required": f"Please give: {label}.", "invalid": "Use YYYY-MM-DD."},
        )
    if spec.kind is Kind.INT:
        return forms.IntegerField(label=label, min_value=1, max_value=365)
    widget = forms.Textarea(attrs={"rows": 3}) if key.endswith("address") else None
    return forms.CharField(
        label=label,
        max_length=2000,
        widget=widget,
        error_messages={"required": f"Please give: {label}."},
    )


class EscalationForm(forms.Form):
    grounds = forms.ChoiceField(
        label="Why are you escalating?",
        choices=GROUNDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose why you are escalating."},
    )
    explanation = _text(
        "Anything you want to add (optional)",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, letter_keys: Sequence[str] = (), country: str = "GB", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.country = country
        self.letter_keys = [k for k in letter_keys if k in ALL_FIELDS]
        for key in self.letter_keys:
            self.fields[key] = _letter_field(key)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        asked = {k: data[k] for k in self.letter_keys if isinstance(data.get(k), str)}
        cleaned, errors = contactpoints.letter_values_clean(asked, country=self.country)
        for key, message in errors.items():
            self.add_error(key, refusal(str(self.fields[key].label or key), message))
        data.update({k: v for k, v in cleaned.items() if k not in errors})
        return data

    def letter_fields(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in self.letter_keys
            if self.cleaned_data.get(k) not in (None, "")
        }
