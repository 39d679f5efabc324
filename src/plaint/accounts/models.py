"""Organisations (the tenant boundary) and the staff who work in them."""

from __future__ import annotations

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
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Roles are Django groups (see `roles.py`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
