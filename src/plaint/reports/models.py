"""What reports need beyond the case file: how the organisation's products map to the
product groups of the FCA complaints return. Every figure itself is computed from the
case tables on each request (`selectors.py`); nothing here caches one."""

from __future__ import annotations

from django.db import models

from plaint.accounts.models import Organisation
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
