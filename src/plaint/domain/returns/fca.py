"""The FCA complaints return (DISP 1.10, layout of DISP 1 Annex 1R) for one reporting
period, computed from case facts.

What is verified and what is not (see docs/reports.md and shared/reference/legal_rules.md
section 5): DISP 1.10.1R (the duty to report, twice a year for most firms) is verified;
the return's columns used here (opened, closed, outstanding at the start, closed within 3
business days / within 8 weeks / after 8 weeks, upheld, redress paid) and its product
groups follow the Annex 1R form as the product brief describes it and are marked
unverified: legal_rules.md records only the 2013 layout (4 weeks / 4-8 weeks / over 8
weeks). The FCA's rule for blanks and zeros is not encoded (unverified): every figure is
written, zeros included. PS25/19 replaces this return with a consolidated one from the
period 1 January-30 June 2027; that layout is not encoded, and a period from 2027 on
carries a warning. `ReturnVersion` is where the second version goes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum

from plaint.domain.deadlines.calendars import WorkCalendar
from plaint.domain.returns.periods import Period
from plaint.domain.vocabulary import Outcome

LAST_VERIFIED = date(2026, 4, 7)  # DISP 1.10.1R, as legal_rules.md records it
SOURCE = "FCA Handbook DISP 1.10.1R; DISP 1 Annex 1R (form layout unverified)"
#: What every copy of the return says about itself (page, workbook).
NOTICE = (
    "Unverified: the column definitions, the product groups and the FCA's rule for blank "
    "and zero cells are not confirmed from the rule text; every cell is filled, zeros "
    "included. Check the figures against the FCA's current form before filing. This is "
    "not legal advice."
)
CONSOLIDATED_FROM = date(2027, 1, 1)  # PS25/19, 🟡 secondary sources


class ReturnVersion(StrEnum):
    ANNEX_1R = "disp1-annex1r"  # until the PS25/19 consolidated return


class ProductGroup(StrEnum):
    """The return's product groups (Annex 1R; unverified)."""

    BANKING = "banking_credit_cards"
    HOME_FINANCE = "home_finance"
    INSURANCE = "insurance_pure_protection"
    PENSIONS = "decumulation_pensions"
    INVESTMENTS = "investments"

    @property
    def label(self) -> str:
        return PRODUCT_GROUP_LABELS[self]


PRODUCT_GROUP_LABELS: dict[ProductGroup, str] = {
    ProductGroup.BANKING: "Banking and credit cards",
    ProductGroup.HOME_FINANCE: "Home finance",
    ProductGroup.INSURANCE: "Insurance and pure protection",
    ProductGroup.PENSIONS: "Decumulation and pensions",
    ProductGroup.INVESTMENTS: "Investments",
}

UNMAPPED = "unmapped"
_GROUPS = frozenset(group.value for group in ProductGroup)


class Band(StrEnum):
    WITHIN_3_BUSINESS_DAYS = "within_3_business_days"
    WITHIN_8_WEEKS = "within_8_weeks"
    AFTER_8_WEEKS = "after_8_weeks"


@dataclass(frozen=True)
class CaseFacts:
    """What the return needs of one case. `closed_at` is None unless the case is closed
    now (a reopened case counts in the period of its last closure); `redress_paid` is the
    money of offers the customer accepted, by currency."""

    reference: str
    product_group: str  # a ProductGroup value, or UNMAPPED
    received_at: datetime
    closed_at: datetime | None
    outcome: str
    redress_paid: tuple[tuple[str, Decimal], ...] = ()


def band(received_at: datetime, closed_at: datetime, calendar: WorkCalendar, zone: tzinfo) -> Band:
    """How soon a complaint closed: by the end of the third business day after the day of
    receipt (DISP 1.5), by the end of 8 weeks after receipt (DISP 1.6.2R), or later."""
    received_day = received_at.astimezone(zone).date()
    if closed_at.astimezone(zone).date() <= calendar.nth_working_day_after(received_day, 3):
        return Band.WITHIN_3_BUSINESS_DAYS
    if closed_at <= received_at + timedelta(weeks=8):
        return Band.WITHIN_8_WEEKS
    return Band.AFTER_8_WEEKS


FIGURES: tuple[tuple[str, str], ...] = (
    ("outstanding_at_start", "Outstanding at the start of the period"),
    ("opened", "Opened in the period"),
    ("closed", "Closed in the period"),
    (Band.WITHIN_3_BUSINESS_DAYS.value, "Closed within 3 business days"),
    (Band.WITHIN_8_WEEKS.value, "Closed after 3 business days and within 8 weeks"),
    (Band.AFTER_8_WEEKS.value, "Closed after 8 weeks"),
    ("upheld", "Closed and upheld (fully or partly)"),
    ("outstanding_at_end", "Outstanding at the end of the period"),
)


@dataclass
class GroupRow:
    """One product group's figures, each with the references of the cases behind it."""

    group: str
    cases: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    redress_paid: dict[str, Decimal] = field(default_factory=dict)

    def count(self, figure: str) -> int:
        return len(self.cases.get(figure, ()))

    @property
    def label(self) -> str:
        return ProductGroup(self.group).label if self.group != UNMAPPED else "Not mapped"


@dataclass(frozen=True)
class FcaReturn:
    version: ReturnVersion
    period: Period
    rows: list[GroupRow]
    warnings: list[str]

    def total(self, figure: str) -> int:
        return sum(row.count(figure) for row in self.rows)


def fca_return(
    facts: Iterable[CaseFacts], *, period: Period, calendar: WorkCalendar, zone: tzinfo
) -> FcaReturn:
    start, end = period.start(zone), period.end(zone)
    rows = {group.value: GroupRow(group.value) for group in ProductGroup}
    unmapped: list[str] = []
    for case in facts:
        if case.received_at >= end:
            continue
        closed = case.closed_at if case.closed_at is not None and case.closed_at < end else None
        if closed is not None and closed < start:
            continue  # finished before the period
        if case.product_group in _GROUPS:
            row = rows[case.product_group]
        else:
            row = rows.setdefault(UNMAPPED, GroupRow(UNMAPPED))
            unmapped.append(case.reference)
        if case.received_at < start:
            row.cases["outstanding_at_start"].append(case.reference)
        else:
            row.cases["opened"].append(case.reference)
        if closed is None:
            row.cases["outstanding_at_end"].append(case.reference)
            continue
        row.cases["closed"].append(case.reference)
        row.cases[band(case.received_at, closed, calendar, zone).value].append(case.reference)
        if case.outcome in {Outcome.UPHELD, Outcome.PARTLY_UPHELD}:
            row.cases["upheld"].append(case.reference)
        for currency, amount in case.redress_paid:
            row.redress_paid[currency] = row.redress_paid.get(currency, Decimal(0)) + amount
    warnings = []
    if unmapped:
        many = len(unmapped) != 1
        warnings.append(
            f"{len(unmapped)} complaint{'s are' if many else ' is'} about "
            f"{'products' if many else 'a product'} not mapped to a return product group; "
            f"map {'them' if many else 'it'} in the report settings before filing."
        )
    if period.last >= CONSOLIDATED_FROM:
        warnings.append(
            "From the period starting 1 January 2027 the FCA's consolidated complaints return "
            "(PS25/19) replaces this layout; Plaint does not yet produce it (unverified)."
        )
    return FcaReturn(ReturnVersion.ANNEX_1R, period, list(rows.values()), warnings)
