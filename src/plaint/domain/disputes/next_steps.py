"""What to do next when a letter was ignored: the steps of ``next-steps.toml`` that apply
to a side (the customer's or the business's), a jurisdiction and a kind of problem, each
with its text written from the facts given. A fact the text needs and the record lacks is
listed as still needed, never made up; a step that needs something the user must say
(an arbitration clause) appears only when they said it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from plaint.domain.deadlines.model import Verification
from plaint.domain.disputes.referrals import Source
from plaint.domain.errors import FieldErrors


class Problem(StrEnum):
    FINANCIAL = "financial"
    DEBT_COLLECTION = "debt_collection"
    CREDIT_REPORT = "credit_report"
    TELECOMS = "telecoms"
    ENERGY = "energy"
    GOODS_SERVICES = "goods_services"
    OTHER = "other"


SIDES = ("customer", "business")
JURISDICTIONS = ("US", "GB", "EU", "OTHER")
#: The regimes a case is filed under, and the kind of problem each one is about.
REGIME_PROBLEMS = {
    "UK-FCA-DISP": Problem.FINANCIAL,
    "UK-FCA-PSD": Problem.FINANCIAL,
    "UK-OFCOM": Problem.TELECOMS,
    "UK-OFGEM": Problem.ENERGY,
    "UK-CRA-GOODS": Problem.GOODS_SERVICES,
    "US-FDCPA": Problem.DEBT_COLLECTION,
    "US-FCRA": Problem.CREDIT_REPORT,
    "US-FCBA": Problem.FINANCIAL,
    "US-CFPB": Problem.FINANCIAL,
    "EU-CRD": Problem.GOODS_SERVICES,
}
FACT_LABELS = {
    "business": "the business's name",
    "other_party": "the other side's name",
    "first_letter_date": "the date of your first letter",
    "conduct": "the conduct to stop",
    "product": "the product or service",
    "description": "what happened",
    "desired_resolution": "what you want done",
    "reference": "the reference",
    "account_number": "the account or order number",
    "history": "what you have done so far",
    "occurred_on": "when it happened",
    "amount": "the amount",
    "final_response": "their final response",
}
_KIND_ORDER = {"letter": 0, "agency": 1, "legal_help": 2, "alternative": 3}
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class StepSpec:
    id: str
    side: str
    kind: str
    title: str
    jurisdictions: tuple[str, ...]
    problems: tuple[str, ...]
    needs: tuple[str, ...]
    text: str
    facts: tuple[str, ...]
    letter: str
    where: str
    referral: str
    only_if: str
    sources: tuple[Source, ...]

    @property
    def verification(self) -> Verification:
        order = list(Verification)
        return max((s.verification for s in self.sources), key=order.index)


@dataclass(frozen=True)
class Step:
    spec: StepSpec
    text: str  # the step's text, filled from the facts
    facts: tuple[str, ...]  # the facts laid out as the body asks, the known ones
    missing: tuple[str, ...]  # labels of facts still needed


@cache
def step_specs() -> tuple[StepSpec, ...]:
    raw = tomllib.loads(
        (resources.files("plaint.domain.disputes") / "next-steps.toml").read_text("utf-8")
    )
    specs = []
    for s in raw["steps"]:
        sources = tuple(
            Source(
                citation=x["citation"],
                verification=Verification(x["verification"]),
                last_verified=x["last_verified"],
                url=x.get("url", ""),
                note=x.get("note", ""),
            )
            for x in s["sources"]
        )
        specs.append(
            StepSpec(
                id=s["id"],
                side=s["side"],
                kind=s["kind"],
                title=s["title"],
                jurisdictions=tuple(s["jurisdictions"]),
                problems=tuple(s["problems"]),
                needs=tuple(s.get("needs", ())),
                text=s.get("text", ""),
                facts=tuple(s.get("facts", ())),
                letter=s.get("letter", ""),
                where=s.get("where", ""),
                referral=s.get("referral", ""),
                only_if=s.get("only_if", ""),
                sources=sources,
            )
        )
    return tuple(specs)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return " ".join(str(value).split())


def _fill(template: str, facts: Mapping[str, str]) -> str:
    """The template with each fact put in; a fact's own full stop is dropped, since the
    template ends the sentence ("stop this conduct: {conduct}.")."""
    return _FIELD.sub(lambda m: facts.get(m.group(1), "").rstrip("."), template)


def next_steps(
    *,
    side: str,
    jurisdiction: str,
    problem: str,
    facts: Mapping[str, Any],
    arbitration_clause: bool = False,
) -> list[Step]:
    """The steps for this side, jurisdiction and problem, in the order of the data file:
    letters first, then agencies and ombudsmen, legal help and the alternatives."""
    errors: dict[str, str] = {}
    if side not in SIDES:
        errors["side"] = f"{str(side)[:40]!r} is not one of: {', '.join(SIDES)}"
    if jurisdiction not in JURISDICTIONS:
        errors["jurisdiction"] = (
            f"{str(jurisdiction)[:40]!r} is not one of: {', '.join(JURISDICTIONS)}"
        )
    if problem not in {p.value for p in Problem}:
        errors["problem"] = (
            f"{str(problem)[:40]!r} is not one of: {', '.join(p.value for p in Problem)}"
        )
    if errors:
        raise FieldErrors(errors)
    known = {key: _plain(value) for key, value in facts.items() if _plain(value)}
    said = {"arbitration_clause": arbitration_clause}
    steps = []
    for spec in step_specs():
        if spec.side not in (side, "either"):
            continue
        if "ANY" not in spec.jurisdictions and jurisdiction not in spec.jurisdictions:
            continue
        if "ANY" not in spec.problems and problem not in spec.problems:
            continue
        if spec.only_if and not said.get(spec.only_if):
            continue
        missing = tuple(FACT_LABELS.get(n, n) for n in spec.needs if n not in known)
        wanted = _FIELD.findall(spec.text)
        text = _fill(spec.text, known) if all(name in known for name in wanted) else ""
        laid_out = tuple(
            _fill(line, known)
            for line in spec.facts
            if all(name in known for name in _FIELD.findall(line))
        )
        steps.append(Step(spec, text, laid_out, missing))
    return sorted(steps, key=lambda step: _KIND_ORDER.get(step.spec.kind, len(_KIND_ORDER)))
