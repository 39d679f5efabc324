"""Organisations (the tenant boundary) and the staff who work in them."""

from __future__ import annotations

from datetime import time

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models


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
