"""The Financial Ombudsman Service eligibility questions (DISP 2.7.3R), with range checks.

The thresholds are data (``referrals/fos-eligibility.toml``) with their sources. The
answers are what the customer says; `fos_eligibility` checks each answer is in range and
says whether the customer appears eligible, and why. A bad answer is a `FieldErrors` naming
the question, so nothing is recorded.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from plaint.domain.deadlines.model import Verification
from plaint.domain.disputes.referrals import Source
from plaint.domain.errors import FieldErrors
from plaint.domain.money import MoneyError, money_parse


class Complainant(StrEnum):
    CONSUMER = "consumer"
    MICRO_ENTERPRISE = "micro_enterprise"
    SMALL_BUSINESS = "small_business"
    CHARITY = "charity"
    TRUST = "trust"
    CBTL_CONSUMER = "cbtl_consumer"
    GUARANTOR = "guarantor"
    OTHER = "other"


COMPLAINANT_LABELS = {
    Complainant.CONSUMER: "A consumer (acting outside a trade, business or profession)",
    Complainant.MICRO_ENTERPRISE: "A micro-enterprise",
    Complainant.SMALL_BUSINESS: "A small business",
    Complainant.CHARITY: "A charity",
    Complainant.TRUST: "A trustee of a trust",
    Complainant.CBTL_CONSUMER: "A consumer buy-to-let borrower",
    Complainant.GUARANTOR: "A guarantor",
    Complainant.OTHER: "None of these (e.g. a larger business)",
}

#: The questions, in the order they are asked: (key, words, applies to).
QUESTIONS: tuple[tuple[str, str, frozenset[Complainant]], ...] = (
    ("complainant", "Who is complaining?", frozenset(Complainant)),
    (
        "annual_turnover",
        "Annual turnover (GBP)",
        frozenset({Complainant.SMALL_BUSINESS}),
    ),
    (
        "balance_sheet_total",
        "Annual balance sheet total (GBP)",
        frozenset({Complainant.SMALL_BUSINESS}),
    ),
    ("employees", "Number of employees", frozenset({Complainant.SMALL_BUSINESS})),
    ("annual_income", "Annual income (GBP)", frozenset({Complainant.CHARITY})),
    ("net_asset_value", "Net asset value of the trust (GBP)", frozenset({Complainant.TRUST})),
)

MAX_EMPLOYEES = 10_000_000


@dataclass(frozen=True)
class Thresholds:
    version: str
    currency: str
    turnover_under: Decimal
    balance_sheet_under: Decimal
    employees_under: int
    charity_income_under: Decimal
    trust_net_assets_under: Decimal
    sources: tuple[Source, ...]

    @property
    def verification(self) -> Verification:
        order = list(Verification)
        return max((s.verification for s in self.sources), key=order.index)


@cache
def thresholds() -> Thresholds:
    text = (
        resources.files("plaint.domain.disputes") / "referrals" / "fos-eligibility.toml"
    ).read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return Thresholds(
        version=raw["version"],
        currency=raw["currency"],
        turnover_under=Decimal(raw["small_business"]["turnover_under"]),
        balance_sheet_under=Decimal(raw["small_business"]["balance_sheet_under"]),
        employees_under=int(raw["small_business"]["employees_under"]),
        charity_income_under=Decimal(raw["charity"]["income_under"]),
        trust_net_assets_under=Decimal(raw["trust"]["net_assets_under"]),
        sources=tuple(
            Source(
                citation=s["citation"],
                verification=Verification(s["verification"]),
                last_verified=s["last_verified"],
                url=s.get("url", ""),
                note=s.get("note", ""),
            )
            for s in raw["sources"]
        ),
    )


@dataclass(frozen=True)
class Eligibility:
    answers: dict[str, str]  # the checked answers, as text (for the ledger)
    eligible: bool
    reasons: tuple[str, ...]
    version: str
    verification: Verification


def _amount(errors: dict[str, str], key: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        errors[key] = "is required for this kind of complainant"
        return None
    try:
        amount = money_parse(value)
    except MoneyError as exc:
        errors[key] = exc.message
        return None
    if amount is None:
        errors[key] = "is required for this kind of complainant"
    return amount


def _count(errors: dict[str, str], key: str, value: Any) -> int | None:
    if value is None or value == "":
        errors[key] = "is required for this kind of complainant"
        return None
    text = str(value).strip()
    if not text.isdigit():
        errors[key] = "must be a whole number of people, zero or more"
        return None
    number = int(text)
    if number > MAX_EMPLOYEES:
        errors[key] = f"is out of range (at most {MAX_EMPLOYEES:,})"
        return None
    return number


def fos_eligibility(answers: Mapping[str, Any]) -> Eligibility:
    """Check the answers and say whether the complainant appears eligible. Raises
    FieldErrors (nothing to record) when an answer is missing, malformed or out of range."""
    t = thresholds()
    errors: dict[str, str] = {}
    unknown = sorted(set(answers) - {key for key, _, _ in QUESTIONS})
    for key in unknown:
        errors[key] = "is not one of the eligibility questions"
    raw_kind = str(answers.get("complainant", "")).strip()
    try:
        kind = Complainant(raw_kind)
    except ValueError:
        options = ", ".join(c.value for c in Complainant)
        errors["complainant"] = f"{raw_kind[:40]!r} is not one of: {options}"
        raise FieldErrors(errors) from None
    for key, _, applies in QUESTIONS[1:]:
        if kind not in applies and answers.get(key) not in (None, ""):
            errors[key] = f"is not asked of {COMPLAINANT_LABELS[kind].lower()}"
    checked: dict[str, str] = {"complainant": kind.value}
    reasons: list[str] = []
    eligible = True
    cur = t.currency
    if kind is Complainant.SMALL_BUSINESS:
        turnover = _amount(errors, "annual_turnover", answers.get("annual_turnover"))
        sheet_given = answers.get("balance_sheet_total") not in (None, "")
        staff_given = answers.get("employees") not in (None, "")
        if not sheet_given and not staff_given:
            errors["balance_sheet_total"] = "or the number of employees is required"
        sheet = (
            _amount(errors, "balance_sheet_total", answers["balance_sheet_total"])
            if sheet_given
            else None
        )
        staff = _count(errors, "employees", answers["employees"]) if staff_given else None
        if errors:
            raise FieldErrors(errors)
        assert turnover is not None
        checked["annual_turnover"] = str(turnover)
        if sheet is not None:
            checked["balance_sheet_total"] = str(sheet)
        if staff is not None:
            checked["employees"] = str(staff)
        if turnover >= t.turnover_under:
            eligible = False
            reasons.append(f"annual turnover is not under {cur} {t.turnover_under:,}")
        small = (sheet is not None and sheet < t.balance_sheet_under) or (
            staff is not None and staff < t.employees_under
        )
        if not small:
            eligible = False
            reasons.append(
                f"neither a balance sheet under {cur} {t.balance_sheet_under:,} nor fewer "
                f"than {t.employees_under} employees"
            )
        if eligible:
            reasons.append("a small business within the DISP 2.7.3R thresholds")
    elif kind is Complainant.CHARITY:
        income = _amount(errors, "annual_income", answers.get("annual_income"))
        if errors:
            raise FieldErrors(errors)
        assert income is not None
        checked["annual_income"] = str(income)
        eligible = income < t.charity_income_under
        reasons.append(
            f"a charity with annual income {'under' if eligible else 'not under'} "
            f"{cur} {t.charity_income_under:,}"
        )
    elif kind is Complainant.TRUST:
        assets = _amount(errors, "net_asset_value", answers.get("net_asset_value"))
        if errors:
            raise FieldErrors(errors)
        assert assets is not None
        checked["net_asset_value"] = str(assets)
        eligible = assets < t.trust_net_assets_under
        reasons.append(
            f"a trust with net assets {'under' if eligible else 'not under'} "
            f"{cur} {t.trust_net_assets_under:,}"
        )
    else:
        if errors:
            raise FieldErrors(errors)
        eligible = kind is not Complainant.OTHER
        if kind is Complainant.MICRO_ENTERPRISE:
            reasons.append(
                "a micro-enterprise, as the complainant declares (definition not encoded)"
            )
        elif eligible:
            reasons.append(f"{COMPLAINANT_LABELS[kind].lower()} is an eligible complainant")
        else:
            reasons.append("not among the eligible complainants of DISP 2.7.3R")
    return Eligibility(
        answers=checked,
        eligible=eligible,
        reasons=tuple(reasons),
        version=t.version,
        verification=t.verification,
    )
