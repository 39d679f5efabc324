"""The consumer's YAML case file: one small file holds what a letter is filled from.

    customer: {name: ..., address: ..., phone: ..., email: ...}
    business: {name: ..., address: ...}
    case:     {order_number: ..., description: ..., occurred_on: 2026-02-03}
    letter:   {compliance_days: 14, agency: ...}
    contacts: [{at: 2026-02-10 14:05, channel: phone, ticket_number: ...}]
    evidence: [{description: Bank statement for February}]

Top-level `letter_date`, `jurisdiction`, `time_zone` and `holiday_calendar` are optional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from plaint.domain.contactpoints import letter_values_clean
from plaint.domain.errors import DomainError
from plaint.domain.letters.fields import ALL_FIELDS, parse_date
from plaint.domain.letters.render import LetterRequest

SECTIONS = ("customer", "business", "case", "handler", "letter")
TOP_LEVEL = frozenset(
    {*SECTIONS, "contacts", "evidence", "letter_date", "jurisdiction", "time_zone",
     "holiday_calendar"}
)  # fmt: skip


class CaseFileError(DomainError):
    """The YAML case file cannot be read; the message names the line or the key."""


@dataclass(frozen=True)
class CaseFile:
    values: dict[str, Any]
    contacts: list[Any]
    evidence: list[Any]
    letter_date: date | None
    jurisdiction: str
    time_zone: str
    holiday_calendar: str

    def request(
        self, kind: str, *, today: date, formats: tuple[str, ...], page_size: str = "A4"
    ) -> LetterRequest:
        return LetterRequest(
            kind=kind,
            values=self.values,
            today=self.letter_date or today,
            contacts=self.contacts,
            evidence=self.evidence,
            jurisdiction=self.jurisdiction,
            time_zone=self.time_zone,
            holiday_calendar=self.holiday_calendar,
            formats=formats,
            page_size=page_size,
        )


def casefile_parse(text: str, name: str = "case file") -> CaseFile:
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CaseFileError(f"{name} is not valid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise CaseFileError(f"{name} is not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CaseFileError(f"{name} must be a mapping of sections (customer:, business:, ...)")
    problems = []
    unknown = sorted(str(k) for k in set(data) - TOP_LEVEL)
    if unknown:
        problems.append(
            f"unknown section(s) {', '.join(unknown)}; the sections are "
            f"{', '.join(sorted(TOP_LEVEL))}"
        )
    values: dict[str, Any] = {}
    for section in SECTIONS:
        block = data.get(section) or {}
        if not isinstance(block, dict):
            problems.append(f"`{section}:` must be a mapping of field: value")
            continue
        for key, value in block.items():
            dotted = f"{section}.{key}"
            if dotted not in ALL_FIELDS:
                known = sorted(
                    k.split(".", 1)[1] for k in ALL_FIELDS if k.startswith(section + ".")
                )
                problems.append(
                    f"`{section}:` has no field `{key}` (its fields: {', '.join(known)})"
                )
                continue
            values[dotted] = value
    lists: dict[str, list[Any]] = {}
    for section in ("contacts", "evidence"):
        block = data.get(section) or []
        if not isinstance(block, list):
            problems.append(f"`{section}:` must be a list (each item starts with '- ')")
            block = []
        lists[section] = block
    letter_date = None
    if data.get("letter_date") is not None:
        try:
            letter_date = parse_date(data["letter_date"])
        except ValueError as exc:
            problems.append(f"`letter_date:` {exc}")
    jurisdiction = str(data.get("jurisdiction") or "").upper()
    if not problems:
        # Names, phones, e-mail and addresses follow the contact-point rules (no line
        # breaks in a name or an e-mail header, no markup; phones read in the
        # jurisdiction's country and shown in its national format).
        values, refused = letter_values_clean(values, country=jurisdiction[:2] or "GB")
        problems += [
            f"`{key.split('.', 1)[0]}: {key.split('.', 1)[1]}` {message}"
            for key, message in sorted(refused.items())
        ]
    if problems:
        raise CaseFileError(f"{name}: " + "; ".join(problems))
    default_calendar = {"US": "US", "GB": "GB-ENG"}.get(jurisdiction[:2], "GB-ENG")
    return CaseFile(
        values=values,
        contacts=lists["contacts"],
        evidence=lists["evidence"],
        letter_date=letter_date,
        jurisdiction=jurisdiction,
        time_zone=str(data.get("time_zone") or "UTC"),
        holiday_calendar=str(data.get("holiday_calendar") or default_calendar),
    )
