"""Forms of the consumer's pages: they parse; the services check and write."""

from __future__ import annotations

from django import forms

from plaint.consumer.services import JURISDICTIONS
from plaint.domain.vocabulary import Channel, DeliveryMethod

CHANNELS = [
    ("phone", "Phone call"),
    ("email", "E-mail"),
    ("chat", "Online chat"),
    ("letter", "Letter"),
    ("in_person", "In person"),
    ("web", "Website form"),
    ("social_media", "Social media"),
    ("other", "Other"),
]
assert {c for c, _ in CHANNELS} <= {c.value for c in Channel}


class CaseStartForm(forms.Form):
    title = forms.CharField(
        label="A name for this case", max_length=400, help_text="e.g. Brightline double charge"
    )
    jurisdiction = forms.ChoiceField(
        label="Where are you?", choices=list(JURISDICTIONS.items()), widget=forms.RadioSelect
    )
    time_zone = forms.CharField(
        label="Your time zone", max_length=64, initial="Europe/London",
        help_text="e.g. America/New_York or Europe/London: contact times are in it",
    )  # fmt: skip


class ContactForm(forms.Form):
    at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        error_messages={"invalid": "Write the date and time as YYYY-MM-DD HH:MM."},
    )
    channel = forms.ChoiceField(label="How", choices=CHANNELS)
    direction = forms.ChoiceField(
        label="Who got in touch",
        choices=[("inbound", "I contacted them"), ("outbound", "They contacted me")],
        widget=forms.RadioSelect,
        initial="inbound",
    )
    representative = forms.CharField(label="Name of the person you dealt with", required=False)
    ticket_number = forms.CharField(label="Ticket or reference number", required=False)
    wait_minutes = forms.IntegerField(
        label="Minutes you waited", required=False, min_value=0,
        error_messages={"invalid": "Give the wait as a whole number of minutes."},
    )  # fmt: skip
    summary = forms.CharField(
        label="What was said or promised", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label="File (a bill, a screenshot, a letter...)")
    description = forms.CharField(label="What it shows", required=False, max_length=600)


class SentForm(forms.Form):
    method = forms.ChoiceField(
        label="How you sent it",
        choices=[(m.value, m.label) for m in DeliveryMethod if m is not DeliveryMethod.PORTAL],
    )
    sent_on = forms.DateField(
        label="Date sent",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Write the date as YYYY-MM-DD."},
    )  # fmt: skip
    tracking_number = forms.CharField(
        label="Tracking number (tracked or certified post)", required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Case file (.zip export or .yaml)")


class SignInForm(forms.Form):
    email = forms.CharField(
        label="Your e-mail address", max_length=254,
        help_text="We e-mail you a link that signs you in; no password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip


class RemindersForm(forms.Form):
    reminders = forms.ChoiceField(
        label="E-mail me reminders of the dates that matter",
        choices=[("on", "Yes: three days before each date, and on the day"), ("off", "No")],
        widget=forms.RadioSelect,
    )
