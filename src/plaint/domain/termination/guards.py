"""The guards of a termination, as pure functions: each returns the refusals (the rule
and a message naming it) for the facts it is given; `refuse_if_any` raises them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from plaint.domain.errors import DomainError
from plaint.domain.termination.notice import ProductKind
from plaint.domain.termination.taxonomy import IMMEDIATE_REASONS, REASON_LABELS, Reason

#: Each guard's rule, as the refusal names it.
RULES: dict[str, str] = {
    "T1": "Rule T1 (alternatives first)",
    "T3a": "Rule T3a (contract clause)",
    "T3b": "Rule T3b (vulnerable customer: extra steps)",
    "T3c": "Rule T3c (protected characteristics: no discrimination)",
    "T3d": "Rule T3d (open complaint or dispute)",
    "T3e": "Rule T3e (energy: no disconnection while a bill is genuinely disputed; "
    "Electricity Act 1989 Sch 6, Gas Act 1986 Sch 2B)",
    "T3f": "Rule T3f (legal risk: legal reviewer sign-off)",
    "T4": "Rule T4 (four-eyes approval)",
    "T7": "Rule T7 (one appeal per termination)",
}


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{RULES[self.rule]}: {self.message}"


class GuardRefused(DomainError):
    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = tuple(refusals)
        super().__init__(" ".join(str(r) for r in self.refusals))


def refuse_if_any(refusals: Sequence[Refusal]) -> None:
    if refusals:
        raise GuardRefused(refusals)


def proposal_refusals(
    *, reason: Reason, alternatives_tried: int, immediate_justification: str
) -> list[Refusal]:
    """A proposal needs an alternative tried first, unless its reason is one where
    safety or the law allows immediate action and the proposal says why."""
    if alternatives_tried:
        return []
    if reason in IMMEDIATE_REASONS:
        if immediate_justification.strip():
            return []
        return [
            Refusal(
                "T1",
                f"no alternative was tried; for '{REASON_LABELS[reason]}' immediate action "
                "is possible, but only with the reason it is needed recorded.",
            )
        ]
    return [
        Refusal(
            "T1",
            f"no alternative was tried, and '{REASON_LABELS[reason]}' is not a reason that "
            "allows immediate action. Record a warning letter, contact restriction, "
            "modified terms, payment plan or product referral and its outcome first.",
        )
    ]


@dataclass(frozen=True)
class CheckFacts:
    """What the legal and contract check knows: what the check recorded and what the
    record says (triage flags, the customer's vulnerability notes, open cases)."""

    product: ProductKind
    contract_clause: str
    vulnerable: bool  # triage's vulnerability flag, or vulnerability notes on the customer
    vulnerability_steps: str
    discrimination_flagged: bool  # triage's discrimination flag on a case behind it
    not_discriminatory_confirmed: bool
    legal_risk_flags: tuple[str, ...]  # triage flags that need a legal reviewer
    legal_signed_off: bool
    open_cases: tuple[str, ...]  # references of the customer's open cases
    open_cases_note: str
    bill_disputed: bool  # the checker's finding, or an open case with an amount in dispute


def check_refusals(facts: CheckFacts) -> list[Refusal]:
    out: list[Refusal] = []
    if not facts.contract_clause.strip():
        out.append(Refusal("T3a", "name the contract clause that allows ending the service."))
    if facts.vulnerable and not facts.vulnerability_steps.strip():
        out.append(
            Refusal(
                "T3b",
                "the customer is recorded as vulnerable; record the extra steps taken "
                "(support offered, a trusted contact, more time) before going on.",
            )
        )
    if not facts.not_discriminatory_confirmed:
        out.append(
            Refusal(
                "T3c",
                "confirm that the reason has nothing to do with a protected characteristic.",
            )
        )
    if facts.discrimination_flagged and not facts.legal_signed_off:
        out.append(
            Refusal(
                "T3c",
                "triage flagged discrimination on a case behind this termination; a legal "
                "reviewer must sign it off.",
            )
        )
    if facts.open_cases and not facts.open_cases_note.strip():
        out.append(
            Refusal(
                "T3d",
                f"the customer has open complaints or disputes ({', '.join(facts.open_cases)}); "
                "say how they are handled before their service ends.",
            )
        )
    if facts.product is ProductKind.ENERGY and facts.bill_disputed:
        out.append(
            Refusal(
                "T3e",
                "the customer genuinely disputes the amount billed; resolve the dispute "
                "before disconnection.",
            )
        )
    other_risks = [f.replace("_", " ") for f in facts.legal_risk_flags if f != "discrimination"]
    if other_risks and not facts.legal_signed_off:
        out.append(
            Refusal(
                "T3f",
                f"triage flagged legal risk ({', '.join(other_risks)}); "
                "a legal reviewer must sign it off.",
            )
        )
    return out


def approval_refusals(
    *, proposer_id: int | None, approver_id: int, approver_is_supervisor: bool
) -> list[Refusal]:
    out: list[Refusal] = []
    if proposer_id is not None and proposer_id == approver_id:
        out.append(Refusal("T4", "the person who proposed the termination cannot approve it."))
    if not approver_is_supervisor:
        out.append(Refusal("T4", "only a supervisor can approve or refuse a termination."))
    return out


def appeal_refusals(*, appealed_on: date | None, reviewed: bool) -> list[Refusal]:
    """A customer appeals a termination once. `appealed_on`: the day of an earlier appeal
    (None: none yet); `reviewed`: that appeal was reviewed and not upheld (an upheld one
    withdraws the termination, so nothing is left to appeal)."""
    if appealed_on is None:
        return []
    outcome = "was reviewed and not upheld" if reviewed else "is still being reviewed"
    return [
        Refusal(
            "T7",
            f"the customer appealed on {appealed_on.isoformat()} and that appeal "
            f"{outcome}; a termination can be appealed only once. The customer can still "
            "complain about the decision.",
        )
    ]
