"""The notice a termination must give, from rules kept as data (`rules/*.toml`, each
with its sources and last-verified date) plus the contract's own clause and the
organisation's house minimum. `notice_compute` explains each step, as `plaint deadlines
explain` does for deadlines."""

from __future__ import annotations

import calendar
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from plaint.domain.deadlines.model import Source, Verification
from plaint.domain.errors import DomainError


class ProductKind(StrEnum):
    PAYMENT_FRAMEWORK = "payment_framework"  # a current or payment account (PSRs)
    CREDIT_ACCOUNT = "credit_account"  # a credit card or other credit account (Reg B)
    ENERGY = "energy"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "payment_framework": "Payment account (framework contract)",
            "credit_account": "Credit account",
            "energy": "Energy supply",
            "other": "Other product or service",
        }[self.value]


class NoticeRuleError(DomainError):
    """A notice rule file is malformed."""


class NoticeTooShort(DomainError):
    """The effective date asked for gives less notice than a rule requires."""


@dataclass(frozen=True)
class NoticeRule:
    code: str
    title: str
    jurisdiction: str
    version: str
    applies_to: ProductKind
    kind: str  # "minimum_notice" or "notify_within_after_action"
    amount: int
    unit: str  # "days" or "months"
    summary: str
    sources: tuple[Source, ...]
    concluded_from: date | None = None
    concluded_before: date | None = None
    requires: tuple[str, ...] = ()
    unverified: str = ""

    @property
    def period_words(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit.rstrip("s")
        return f"{self.amount} {unit}"

    @property
    def verification(self) -> Verification:
        order = list(Verification)
        return max((s.verification for s in self.sources), key=order.index)

    def covers(self, facts: NoticeFacts) -> bool:
        if self.applies_to is not facts.product or self.jurisdiction != facts.jurisdiction:
            return False
        concluded = facts.contract_concluded_on
        if concluded is None:
            # Unknown contract date: the rule for the newest contracts (the longer
            # notice) applies, never the older, shorter one.
            return self.concluded_before is None
        if self.concluded_from is not None and concluded < self.concluded_from:
            return False
        return not (self.concluded_before is not None and concluded >= self.concluded_before)


_KEYS = {
    "code", "title", "jurisdiction", "version", "applies_to", "kind", "period", "summary",
    "sources", "concluded_from", "concluded_before", "requires", "unverified",
}  # fmt: skip


def _rule(raw: dict[str, Any], where: str) -> NoticeRule:
    unknown = set(raw) - _KEYS
    if unknown:
        raise NoticeRuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    try:
        sources = tuple(
            Source(
                citation=str(s["citation"]),
                url=str(s.get("url", "")),
                verification=Verification(s["verification"]),
                last_verified=s["last_verified"],
                note=str(s.get("note", "")),
            )
            for s in raw["sources"]
        )
        if not sources or any(not isinstance(s.last_verified, date) for s in sources):
            raise ValueError("every rule needs a source with a last_verified date")
        unit = str(raw["period"]["unit"])
        if unit not in ("days", "months") or raw["kind"] not in (
            "minimum_notice",
            "notify_within_after_action",
        ):
            raise ValueError(
                "unit is days or months; kind is minimum_notice or notify_within_after_action"
            )
        return NoticeRule(
            code=str(raw["code"]),
            title=str(raw["title"]),
            jurisdiction=str(raw["jurisdiction"]),
            version=str(raw["version"]),
            applies_to=ProductKind(raw["applies_to"]),
            kind=str(raw["kind"]),
            amount=int(raw["period"]["amount"]),
            unit=unit,
            summary=str(raw["summary"]),
            sources=sources,
            concluded_from=raw.get("concluded_from"),
            concluded_before=raw.get("concluded_before"),
            requires=tuple(raw.get("requires", ())),
            unverified=str(raw.get("unverified", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NoticeRuleError(f"{where}: {exc}") from None


@cache
def notice_rules() -> tuple[NoticeRule, ...]:
    """Every notice rule file shipped in `rules/`, in file-name order."""
    folder = resources.files("plaint.domain.termination") / "rules"
    rules = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            try:
                raw = tomllib.loads(item.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise NoticeRuleError(f"{item.name}: {exc}") from None
            rules.append(_rule(raw, item.name))
    return tuple(rules)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later; the month's last day when it is
    shorter (31 December + 2 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _after(day: date, rule: NoticeRule) -> date:
    if rule.unit == "months":
        return add_months(day, rule.amount)
    return day + timedelta(days=rule.amount)


@dataclass(frozen=True)
class NoticeFacts:
    product: ProductKind
    jurisdiction: str  # the organisation's country, "GB" or "US"
    contract_concluded_on: date | None = None
    contract_notice_days: int = 0  # what the clause relied on requires
    house_minimum_days: int = 0  # the organisation's own minimum


@dataclass(frozen=True)
class NoticeDecision:
    notice_on: date
    earliest: date
    effective: date
    steps: tuple[str, ...]
    rules: tuple[NoticeRule, ...]
    deciding: str  # what set the earliest date
    notify_by: date | None = None  # Reg B: notice no later than this
    requires: frozenset[str] = field(default_factory=frozenset)
    unverified: tuple[str, ...] = ()

    @property
    def notice_days(self) -> int:
        return (self.earliest - self.notice_on).days


def notice_compute(
    facts: NoticeFacts, *, notice_on: date, effective: date | None = None
) -> NoticeDecision:
    """The earliest effective date for notice given on `notice_on`, step by step, and the
    effective date (`effective`, or the earliest). Refused (`NoticeTooShort`, naming the
    rule) when `effective` comes before the earliest."""
    if facts.contract_notice_days < 0 or facts.house_minimum_days < 0:
        raise DomainError("Notice periods are zero days or more.")
    steps = [f"Notice given on {notice_on.isoformat()}; product: {facts.product.label}."]
    candidates: list[tuple[date, str]] = [(notice_on, "no minimum notice")]
    rules = [r for r in notice_rules() if r.covers(facts)]
    notify_by: date | None = None
    requires: set[str] = set()
    unverified: list[str] = []
    if facts.product is ProductKind.PAYMENT_FRAMEWORK and facts.contract_concluded_on is None:
        steps.append(
            "The contract's date is not recorded, so the rule for contracts concluded from "
            "28 April 2026 (the longer notice) is applied."
        )
    for rule in rules:
        cite = "; ".join(s.citation for s in rule.sources)
        mark = rule.verification.value
        if rule.kind == "minimum_notice":
            day = _after(notice_on, rule)
            steps.append(
                f"{cite} ({mark}, last verified {rule.sources[0].last_verified.isoformat()}): "
                f"at least {rule.period_words}' notice, so not before {day.isoformat()}."
            )
            candidates.append((day, f"{rule.code} ({cite})"))
        else:
            notify_by = notice_on + timedelta(days=rule.amount)
            steps.append(
                f"{cite} ({mark}, last verified {rule.sources[0].last_verified.isoformat()}): "
                f"the notice must go within {rule.period_words} of the action; it sets no "
                "minimum notice before the account closes."
            )
        requires.update(rule.requires)
        if rule.unverified:
            unverified.append(f"{rule.code}: {rule.unverified}")
    if not rules:
        steps.append(
            "No statutory notice rule is encoded for this product and country; the "
            "contract's clause decides."
        )
    if facts.contract_notice_days:
        day = notice_on + timedelta(days=facts.contract_notice_days)
        steps.append(
            f"The contract clause requires {facts.contract_notice_days} days' notice: not "
            f"before {day.isoformat()}."
        )
        candidates.append((day, "the contract clause"))
    if facts.house_minimum_days:
        day = notice_on + timedelta(days=facts.house_minimum_days)
        steps.append(
            f"The organisation's house minimum is {facts.house_minimum_days} days: not "
            f"before {day.isoformat()}."
        )
        candidates.append((day, "the organisation's house minimum"))
    earliest, deciding = max(candidates, key=lambda c: c[0])
    steps.append(f"Earliest effective date: {earliest.isoformat()} (set by {deciding}).")
    if effective is not None and effective < earliest:
        raise NoticeTooShort(
            f"Rule T5 (notice period): {effective.isoformat()} gives less notice than "
            f"{deciding} requires; the earliest effective date for notice given on "
            f"{notice_on.isoformat()} is {earliest.isoformat()}."
        )
    chosen = effective or earliest
    if effective is not None and effective > earliest:
        steps.append(f"Effective date chosen: {chosen.isoformat()}, later than the earliest.")
    return NoticeDecision(
        notice_on=notice_on,
        earliest=earliest,
        effective=chosen,
        steps=tuple(steps),
        rules=tuple(rules),
        deciding=deciding,
        notify_by=notify_by,
        requires=frozenset(requires),
        unverified=tuple(unverified),
    )
