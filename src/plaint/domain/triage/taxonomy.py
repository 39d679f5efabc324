"""Category taxonomies an organisation can triage into.

- ``consumer``: a short default list for consumer complaints of any trade.
- ``cfpb``: the US CFPB's product / issue taxonomy, for financial firms.

The CFPB renames products from time to time ("Payday loan, title loan, or personal loan"
became "Payday loan, title loan, personal loan, or advance loan"). A model learns one
*product family* per group of names below and reports the name in use on the day the
complaint was received (`name_in_use`), so one family is not split in two by a rename.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Taxonomy(StrEnum):
    CONSUMER = "consumer"
    CFPB = "cfpb"


CONSUMER_CATEGORIES: tuple[str, ...] = (
    "Billing, fees and charges",
    "Payments and refunds",
    "Credit, loans and borrowing",
    "Debt collection and arrears",
    "Credit file and reporting",
    "Account management and access",
    "Fraud, scams and identity theft",
    "Product or service quality",
    "Delivery and installation",
    "Contract, cancellation and renewal",
    "Customer service and communication",
    "Privacy and personal data",
    "Other",
)

# Names the CFPB has used for the same product family, newest first.
CFPB_PRODUCT_FAMILIES: dict[str, tuple[str, ...]] = {
    "Payday, title, personal or advance loan": (
        "Payday loan, title loan, personal loan, or advance loan",
        "Payday loan, title loan, or personal loan",
        "Payday loan",
    ),
    "Credit reporting": (
        "Credit reporting or other personal consumer reports",
        "Credit reporting, credit repair services, or other personal consumer reports",
        "Credit reporting",
    ),
    "Credit or prepaid card": ("Credit card or prepaid card", "Credit card", "Prepaid card"),
    "Bank account": ("Checking or savings account", "Bank account or service"),
    "Money transfer": (
        "Money transfer, virtual currency, or money service",
        "Money transfers",
        "Virtual currency",
    ),
}

_FAMILY_OF = {name: family for family, names in CFPB_PRODUCT_FAMILIES.items() for name in names}

# Where a CFPB product family sits in the consumer taxonomy.
CFPB_TO_CONSUMER: dict[str, str] = {
    "Payday, title, personal or advance loan": "Credit, loans and borrowing",
    "Credit reporting": "Credit file and reporting",
    "Credit or prepaid card": "Credit, loans and borrowing",
    "Bank account": "Account management and access",
    "Money transfer": "Payments and refunds",
    "Debt collection": "Debt collection and arrears",
    "Mortgage": "Credit, loans and borrowing",
    "Student loan": "Credit, loans and borrowing",
    "Vehicle loan or lease": "Credit, loans and borrowing",
    "Consumer Loan": "Credit, loans and borrowing",
    "Debt or credit management": "Debt collection and arrears",
}


def product_family(name: str) -> str:
    """The family a CFPB product name belongs to (itself when it was never renamed)."""
    return _FAMILY_OF.get(name, name)


def consumer_category(product: str) -> str:
    """The consumer-taxonomy category of a CFPB product (or product family)."""
    return CFPB_TO_CONSUMER.get(product_family(product), "Other")


@dataclass(frozen=True, slots=True)
class NameUse:
    """A product name and the first and last day it was seen on a complaint."""

    name: str
    first: date
    last: date


def name_periods(observations: Iterable[tuple[str, date]]) -> dict[str, list[NameUse]]:
    """Per family, the names seen in (product name, received on) pairs and when."""
    spans: dict[str, tuple[date, date]] = {}
    for name, day in observations:
        first, last = spans.get(name, (day, day))
        spans[name] = (min(first, day), max(last, day))
    periods: dict[str, list[NameUse]] = {}
    for name, (first, last) in spans.items():
        periods.setdefault(product_family(name), []).append(NameUse(name, first, last))
    for uses in periods.values():
        uses.sort(key=lambda use: use.first)
    return periods


def name_in_use(family: str, received_on: date | None, periods: Mapping[str, list[NameUse]]) -> str:
    """The name a family went by on `received_on`: the name whose period covers the day,
    else the last name introduced before it, else the earliest. Without a date, the
    newest name."""
    uses = periods.get(family)
    if not uses:
        return family
    if received_on is None:
        return uses[-1].name
    for use in uses:
        if use.first <= received_on <= use.last:
            return use.name
    earlier = [use for use in uses if use.first <= received_on]
    return earlier[-1].name if earlier else uses[0].name
