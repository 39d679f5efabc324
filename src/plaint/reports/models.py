"""What reports need beyond the case file: how the organisation's products map to the
product groups of the FCA complaints return. Every figure itself is computed from the
case tables on each request (`selectors.py`); nothing here caches one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.domain.returns.fca import ProductGroup


class ReturnProductMap(models.Model):
    """One of the organisation's products (the case's `product` text) and the FCA return
    product group its complaints are counted under."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    product = models.CharField(max_length=200)
    group = models.CharField(max_length=40, choices=[(g.value, g.label) for g in ProductGroup])
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "product"], name="return_product_map_unique"
            ),
        ]
        ordering = ["product"]

    def __str__(self) -> str:
        return f"{self.product} -> {self.group}"


class ImprovementAction(models.Model):
    """A change the organisation makes because of what complaints showed: what will change,
    who owns it, by when, the root cause it addresses and the cases it came from; when it
    was done, and whether it worked (judged by a supervisor against the complaints with
    that root cause before and after, `selectors.action_effect`)."""

    class Result(models.TextChoices):
        PENDING = "", "Not judged yet"
        WORKED = "worked", "Worked"
        DID_NOT_WORK = "did_not_work", "Did not work"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    title = models.CharField("what will change", max_length=300)
    root_cause_code = models.CharField(max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvement_actions"
    )
    due_on = models.DateField()
    cases = models.ManyToManyField(Case, blank=True, related_name="improvement_actions")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    done_on = models.DateField(null=True, blank=True)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    result_note = models.TextField(blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title
