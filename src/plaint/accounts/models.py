"""Organisations (the tenant boundary) and the staff who work in them."""

from __future__ import annotations

from datetime import time

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models

from plaint.accounts.roles import Role


class Organisation(models.Model):
    """A business using Plaint. Every case, customer and staff user belongs to exactly one,
    and no selector returns rows of another."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    reference_prefix = models.CharField(
        max_length=8,
        default="PL",
        validators=[RegexValidator(r"^[A-Z]{1,8}$", "1 to 8 capital letters.")],
        help_text="Case references read PREFIX-YEAR-NUMBER, e.g. PL-2026-000123.",
    )
    time_zone = models.CharField(max_length=64, default="Europe/London")
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166 country code.")
    holiday_calendar = models.CharField(
        max_length=20,
        default="GB-ENG",
        help_text="Public holidays for business days: COUNTRY or COUNTRY-SUBDIVISION as the "
        "holidays package spells them (GB-ENG, GB-SCT, US, US-CA...).",
    )
    close_of_business = models.TimeField(default=time(17, 0))
    sla_acknowledge_days = models.PositiveSmallIntegerField(
        default=2, help_text="House service level: acknowledge within N business days."
    )
    sla_response_days = models.PositiveSmallIntegerField(
        default=20, help_text="House service level: full response within N business days."
    )
    created_at = models.DateTimeField()
    two_factor_required = models.BooleanField(
        default=False,
        help_text="Every member of staff signing in with a password must use a second factor "
        "(a code from an authenticator app); those without one are sent to set it up.",
    )

    def __str__(self) -> str:
        return self.name


class ClosureDay(models.Model):
    """A day the organisation is closed on top of public holidays (not a business day)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="closures"
    )
    day = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="closure_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.reason}"


class User(AbstractUser):
    """A member of staff. Roles are Django groups (see `roles.py`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> list[Role]:
        """The member's roles, in the order of `Role` (uses prefetched groups if any)."""
        names = {group.name for group in self.groups.all()}
        return [role for role in Role if role.value in names]

    @property
    def roles_in_words(self) -> str:
        return ", ".join(role_label(role) for role in self.roles) or "no role"


def role_label(role: str) -> str:
    """A role in words: legal_reviewer → legal reviewer."""
    return role.replace("_", " ")


class StaffChange(models.Model):
    """One change to a member of staff: added, roles changed, (de)activated, details edited,
    password set. Append-only: written by `accounts.services` in the transaction of the
    change, never edited or deleted. Passwords are never recorded, only that one was set."""

    class What(models.TextChoices):
        CREATED = "created", "Added"
        ROLES_CHANGED = "roles_changed", "Roles changed"
        DETAILS_CHANGED = "details_changed", "Details changed"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        PASSWORD_SET = "password_set", "Password set"
        UNLOCKED = "unlocked", "Sign-in unlocked"
        TWO_FACTOR_ENROLLED = "2fa_enrolled", "Two-factor set up"
        TWO_FACTOR_RESET = "2fa_reset", "Two-factor reset"
        RECOVERY_CODES_NEW = "2fa_codes_new", "New recovery codes"
        RECOVERY_CODE_USED = "2fa_code_used", "Recovery code used"
        TWO_FACTOR_REQUIRED = "2fa_required", "Two-factor required for all staff"
        TWO_FACTOR_OPTIONAL = "2fa_optional", "Two-factor no longer required"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff_changes"
    )
    # None: a change to the organisation's own policy (two-factor required), not to a member.
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="staff_changes", null=True, blank=True
    )
    # None: made outside the desk (the `plaint staff` command, the demo loader).
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    at = models.DateTimeField()
    what = models.CharField(max_length=20, choices=What.choices)
    # Short and never secret: {"roles": [...]}, {"from": [...], "to": [...]},
    # {"fields": {"email": ["old", "new"]}}.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        default_permissions = ("add", "view")  # no change or delete: the trail is append-only
        indexes = [models.Index(fields=["organisation", "-at"], name="staffchange_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.what}"

    @property
    def sentence(self) -> str:
        """What happened, in words (without who did it or when)."""
        detail = self.detail or {}
        if self.what == self.What.CREATED:
            roles = ", ".join(role_label(r) for r in detail.get("roles", [])) or "no role"
            return f"added as {roles}"
        if self.what == self.What.ROLES_CHANGED:
            before = ", ".join(role_label(r) for r in detail.get("from", [])) or "no role"
            after = ", ".join(role_label(r) for r in detail.get("to", [])) or "no role"
            return f"roles changed from {before} to {after}"
        if self.what == self.What.DETAILS_CHANGED:
            changed = detail.get("fields", {})
            parts = [
                f"{_FIELD_WORDS.get(name, name)} from {_quoted(old)} to {_quoted(new)}"
                for name, (old, new) in sorted(changed.items())
            ]
            return "changed " + "; ".join(parts) if parts else "details changed"
        if self.what == self.What.RECOVERY_CODE_USED:
            left = detail.get("left")
            return (
                f"signed in with a recovery code ({left} left)"
                if left is not None
                else ("signed in with a recovery code")
            )
        return str(self.get_what_display()).lower()


_FIELD_WORDS = {"first_name": "first name", "last_name": "last name", "email": "e-mail"}


def _quoted(value: str) -> str:
    return f"“{value}”" if value else "(empty)"


class RecoveryCode(models.Model):
    """One of a member's one-use recovery codes for two-factor sign-in. Only a keyed hash
    of the code is kept (`plaint.accounts.twofactor`); the codes themselves are shown once,
    when made. A used code keeps its row (with `used_at`) until new codes replace them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id} ({'used' if self.used_at else 'unused'})"
