"""Regimes as data: one TOML file per regime in `regimes/`, read and checked here.

A mistake in a regime file (an unknown unit, a rule that waits for a rule that does not
exist, a source without a last-verified date) stops loading with the file and rule named.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from plaint.domain.deadlines.model import (
    Counting,
    Party,
    Period,
    Regime,
    Roll,
    Rule,
    Source,
    Unit,
    Verification,
)
from plaint.domain.errors import DomainError


class RegimeError(DomainError):
    """A regime file is malformed."""


class UnknownRegime(DomainError):
    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(f"Unknown regime {code!r}. Known regimes: {', '.join(known)}.")


_RULE_KEYS = {
    "id", "title", "party", "trigger", "period", "counting", "sources", "description",
    "calendar", "roll", "end_of", "measured_to", "satisfied_by", "pausable", "pause_starts",
    "pause_ends", "min_days_after_pause", "extension", "extension_on", "earliest_of",
    "parameter", "reminder_before", "restarts_on", "kind", "calendar_note",
    "also_triggered_by", "restart_from",
}  # fmt: skip


def _period(raw: Any, where: str) -> Period:
    try:
        return Period(int(raw["amount"]), Unit(raw["unit"]))
    except (KeyError, TypeError, ValueError) as exc:
        units = ", ".join(u.value for u in Unit)
        raise RegimeError(
            f"{where}: a period is {{ amount = N, unit = ({units}) }} ({exc})"
        ) from None


def _source(raw: dict[str, Any], where: str) -> Source:
    try:
        verified = raw["last_verified"]
        if not isinstance(verified, date):
            raise TypeError("last_verified must be a date, e.g. 2026-11-23")
        return Source(
            citation=str(raw["citation"]),
            url=str(raw.get("url", "")),
            verification=Verification(raw["verification"]),
            last_verified=verified,
            note=str(raw.get("note", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RegimeError(
            f"{where}: each source needs citation, verification "
            f"(primary/secondary/unverified/policy) and last_verified ({exc})"
        ) from None


def _rule(raw: dict[str, Any], where: str) -> Rule:
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RegimeError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    try:
        sources = tuple(_source(s, f"{where} source {i + 1}") for i, s in enumerate(raw["sources"]))
        if not sources:
            raise RegimeError(f"{where}: every rule cites at least one source")
        policy = all(s.verification is Verification.POLICY for s in sources)
        calendar = raw.get("calendar", "organisation" if policy else "public")
        if calendar == "organisation" and not policy:
            raise RegimeError(
                f"{where}: only a house (policy) rule may count on the organisation's "
                'closure days; a rule of law counts on calendar = "public" or a named '
                "calendar"
            )
        return Rule(
            id=raw["id"],
            title=raw["title"],
            party=Party(raw.get("party", "business")),
            trigger=raw.get("trigger", ""),
            period=_period(raw.get("period", {"amount": 0, "unit": "calendar_days"}), where),
            counting=Counting(raw.get("counting", "after")),
            sources=sources,
            description=raw.get("description", ""),
            calendar=calendar,
            calendar_note=raw.get("calendar_note", ""),
            also_triggered_by=tuple(raw.get("also_triggered_by", ())),
            restart_from=raw.get("restart_from", "restart"),
            roll=Roll(raw.get("roll", "none")),
            end_of=raw.get("end_of", "day"),
            measured_to=raw.get("measured_to", "action"),
            satisfied_by=tuple(raw.get("satisfied_by", ())),
            pausable=bool(raw.get("pausable", False)),
            pause_starts=raw.get("pause_starts", ""),
            pause_ends=raw.get("pause_ends", ""),
            min_days_after_pause=int(raw.get("min_days_after_pause", 0)),
            extension=_period(raw["extension"], where) if "extension" in raw else None,
            extension_on=raw.get("extension_on", ""),
            earliest_of=tuple(raw.get("earliest_of", ())),
            parameter=raw.get("parameter", ""),
            reminder_before=_period(raw["reminder_before"], where)
            if "reminder_before" in raw
            else None,
            restarts_on=raw.get("restarts_on", ""),
            kind=raw.get("kind", "deadline"),
        )
    except KeyError as exc:
        raise RegimeError(f"{where}: missing {exc.args[0]!r}") from None
    except ValueError as exc:
        raise RegimeError(f"{where}: {exc}") from None


def regime_parse(text: str, name: str) -> Regime:
    """Read one regime file's text; `name` is used in error messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegimeError(f"{name}: not valid TOML ({exc})") from None
    rules = tuple(
        _rule(r, f"{name} rule {r.get('id', i + 1)!s}") for i, r in enumerate(raw.get("rules", []))
    )
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RegimeError(f"{name}: rule ids repeat")
    for position, rule in enumerate(rules):
        earlier = set(ids[:position])
        needs = list(rule.earliest_of) + (
            [rule.trigger[5:]] if rule.trigger.startswith("rule:") else []
        )
        missing = [n for n in needs if n not in earlier]
        if missing:
            raise RegimeError(
                f"{name} rule {rule.id}: refers to {', '.join(missing)}, which "
                "must be defined earlier in the file"
            )
        if not rule.earliest_of and not rule.trigger:
            raise RegimeError(f"{name} rule {rule.id}: needs a trigger")
        if rule.pausable and not (rule.pause_starts and rule.pause_ends):
            raise RegimeError(
                f"{name} rule {rule.id}: a pausable rule names pause_starts and pause_ends"
            )
        counts_on_calendar = rule.period.unit is Unit.BUSINESS_DAYS or rule.roll is not Roll.NONE
        if counts_on_calendar and not rule.calendar_note:
            raise RegimeError(
                f"{name} rule {rule.id}: a rule that counts working days says whose "
                "definition it uses (calendar_note)"
            )
        if rule.restart_from not in {"restart", "next_trigger"}:
            raise RegimeError(f"{name} rule {rule.id}: restart_from is restart/next_trigger")
        if rule.kind not in {"deadline", "window"} or rule.end_of not in {"day", "business"}:
            raise RegimeError(
                f"{name} rule {rule.id}: kind is deadline/window, end_of is day/business"
            )
    try:
        return Regime(
            code=raw["code"],
            title=raw["title"],
            jurisdiction=raw["jurisdiction"],
            version=raw["version"],
            rules=rules,
            description=raw.get("description", ""),
        )
    except KeyError as exc:
        raise RegimeError(f"{name}: missing {exc.args[0]!r}") from None


@cache
def regimes_all() -> dict[str, Regime]:
    """Every regime shipped with Plaint, by code."""
    found: dict[str, Regime] = {}
    folder = resources.files("plaint.domain.deadlines") / "regimes"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            regime = regime_parse(entry.read_text(encoding="utf-8"), entry.name)
            if regime.code in found:
                raise RegimeError(f"{entry.name}: regime code {regime.code} is used twice")
            found[regime.code] = regime
    return found


def regime_get(code: str) -> Regime:
    regimes = regimes_all()
    try:
        return regimes[code]
    except KeyError:
        raise UnknownRegime(code, sorted(regimes)) from None
