"""Forms of the desk's team pages. They parse and check the shape of the input; the
account services decide what is allowed (roles, passwords, the last admin) and write."""

from __future__ import annotations

from typing import Any

from django import forms

from plaint.accounts.models import role_label
from plaint.accounts.roles import Role

_ROLE_HELP = (
    "Agent: works their own and unassigned cases. Supervisor: also reassigns and sees every "
    "case. Legal reviewer: sees every case and clears legal-risk flags. Admin: all of that, "
    "and manages the team."
)
# Longer than any password a person types; keeps hashing cheap for hostile input.
_PASSWORD_MAX = 256


def _password_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=_PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class MemberForm(forms.Form):
    """A member's names, e-mail, roles and whether they may sign in."""

    first_name = forms.CharField(label="First name", required=False, max_length=150)
    last_name = forms.CharField(label="Last name", required=False, max_length=150)
    email = forms.EmailField(label="E-mail", required=False)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=[(role.value, role_label(role).capitalize()) for role in Role],
        widget=forms.CheckboxSelectMultiple,
        help_text=_ROLE_HELP,
        error_messages={"required": "Choose at least one role."},
    )
    is_active = forms.BooleanField(
        label="Active (may sign in)",
        required=False,
        help_text="Untick to stop this person signing in. Their cases and history stay.",
    )


class MemberNewForm(MemberForm):
    """A new member: a username and a first password on top of the member's details."""

    field_order = ["username", "first_name", "last_name", "email", "roles", "password", "again"]

    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. Used to sign in; cannot be changed.",
    )
    password = _password_field("First password")
    again = _password_field("First password again")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["is_active"]  # a new member is active

    def clean(self) -> dict[str, Any]:
        return _passwords_match(self)


class PasswordSetForm(forms.Form):
    password = _password_field("New password")
    again = _password_field("New password again")

    def clean(self) -> dict[str, Any]:
        return _passwords_match(self)


def _passwords_match(form: forms.Form) -> dict[str, Any]:
    data: dict[str, Any] = form.cleaned_data
    if data.get("password") and data.get("again") and data["password"] != data["again"]:
        form.add_error("again", "The two passwords differ. Type the same password twice.")
    return data
