"""What to send next, from the state of a consumer's case.

The ladder: a complaint; an escalation once the reply date the complaint set has passed;
a cease-and-desist letter when the conduct goes on after that; the statutory letter where
the law gives one, which runs on its own clock and is suggested as soon as it applies (the
Fair Credit Billing Act notice for a US card, with the date it must arrive; the Consumer
Rights Act short-term rejection for faulty goods in the UK); then the agency or ombudsman.

A pure function of facts the caller gathers; the disputes app's own "what next" (for a
business's cases) can be offered the same `CaseState` and its suggestions put after ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from plaint.domain.letters.schedule import day_words, days_after, rule_date

#: The facts "what next" asks for on the case page, per jurisdiction (letter fields, so
#: the letters that need them find them answered): a US card statement that shows the
#: charge starts the Fair Credit Billing Act's 60 days; faulty goods delivered in the UK
#: start the Consumer Rights Act's 30 days to reject.
FACTS = {"US": ("letter.statement_date",), "GB": ("letter.delivered_on", "letter.fault")}


@dataclass(frozen=True)
class LetterState:
    kind: str
    drafted_on: date
    sent_on: date | None
    dates: dict[str, date] = field(default_factory=dict)  # reply_by, comply_by...


@dataclass(frozen=True)
class CaseState:
    jurisdiction: str  # US, GB
    letters: Sequence[LetterState]
    conduct_continues: bool = False
    statement_date: date | None = None  # a US card statement showing the error
    card_billing: bool = False  # the problem is a charge on a credit card
    delivered_on: date | None = None  # goods delivered (UK)
    goods_faulty: bool = False
    agency: str = ""


@dataclass(frozen=True)
class Suggestion:
    kind: str  # a letter kind, or "agency" / "wait"
    title: str
    why: str
    by: date | None = None  # the date it must arrive / be done by
    urgent: bool = False


def _latest(state: CaseState, kind: str) -> LetterState | None:
    found = [letter for letter in state.letters if letter.kind == kind]
    return max(found, key=lambda letter: letter.drafted_on) if found else None


def _due(letter: LetterState, name: str, default_days: int) -> date:
    start = letter.sent_on or letter.drafted_on
    return letter.dates.get(name) or days_after(start, default_days)


def next_steps(state: CaseState, *, today: date) -> list[Suggestion]:
    """The suggestions, the most pressing first."""
    us = state.jurisdiction.upper().startswith("US")
    out: list[Suggestion] = []
    out += _statutory(state, today, us)
    complaint = _latest(state, "complaint")
    escalation = _latest(state, "escalation")
    cease = _latest(state, "cease-and-desist")
    if complaint is None and escalation is None:
        out.append(
            Suggestion(
                "complaint",
                "Complaint letter",
                "Put the problem in writing first: what happened, what you want done and "
                "by when. A written complaint starts the record everything else builds on.",
            )
        )
        return out
    if escalation is None:
        assert complaint is not None
        if complaint.sent_on is None:
            out.append(_send_it(complaint, "complaint letter"))
            return out
        wait = _due(complaint, "wait_until", 14)
        if today <= wait:
            out.append(
                Suggestion(
                    "wait",
                    "Wait for their reply",
                    f"Your complaint gave them until {day_words(wait, us)}. If nothing "
                    "useful has come by then, escalate.",
                    by=wait,
                )
            )
            return out
        out.append(
            Suggestion(
                "escalation",
                "Escalation letter",
                f"The reply date of your complaint ({day_words(wait, us)}) has passed. An "
                "escalation to a manager lists every contact you have had, so they cannot "
                "say they did not know.",
            )
        )
        return out
    if escalation.sent_on is None:
        out.append(_send_it(escalation, "escalation letter"))
        return out
    reply_by = _due(escalation, "reply_by", 7)
    if cease is None:
        if state.conduct_continues and today > reply_by:
            out.append(
                Suggestion(
                    "cease-and-desist",
                    "Cease-and-desist letter",
                    f"The escalation's reply date ({day_words(reply_by, us)}) has passed and "
                    "the conduct is still going on: demand that it stops by a date, and say "
                    "what you will do if it does not.",
                )
            )
        elif today <= reply_by:
            out.append(
                Suggestion(
                    "wait",
                    "Wait for their reply to the escalation",
                    f"They have until {day_words(reply_by, us)}.",
                    by=reply_by,
                )
            )
        else:
            out.append(_agency(state, f"the escalation's reply date ({day_words(reply_by, us)})"))
        return out
    if cease.sent_on is None:
        out.append(_send_it(cease, "cease-and-desist letter"))
        return out
    comply_by = _due(cease, "comply_by", 14)
    if today <= comply_by:
        out.append(
            Suggestion(
                "wait",
                "Wait until the date to comply",
                f"Your cease-and-desist letter gave them until {day_words(comply_by, us)}.",
                by=comply_by,
            )
        )
    else:
        out.append(_agency(state, f"the date to comply ({day_words(comply_by, us)})"))
    return out


def _send_it(letter: LetterState, words: str) -> Suggestion:
    return Suggestion(
        "send",
        f"Send your {words}",
        f"It was drafted on {letter.drafted_on.isoformat()} but is not recorded as sent. "
        "Send it, then record how and when: the reply dates count from it.",
    )


def _agency(state: CaseState, passed: str) -> Suggestion:
    where = state.agency or (
        "the Financial Ombudsman Service, Trading Standards (through Citizens Advice) or "
        "the small claims court"
        if state.jurisdiction.upper().startswith("GB")
        else "your state Attorney General's consumer protection office, or the CFPB for "
        "a bank or card"
    )
    return Suggestion(
        "agency",
        "Take it to an agency or ombudsman",
        f"{passed[0].upper()}{passed[1:]} has passed without a fix. Complain to {where}, "
        "with copies of your letters and your contact log.",
    )


def _statutory(state: CaseState, today: date, us: bool) -> list[Suggestion]:
    out: list[Suggestion] = []
    statement = state.statement_date
    if (
        us
        and state.card_billing
        and statement is not None
        and statement <= today
        and _latest(state, "us-fcba-billing-error") is None
    ):
        arrive = rule_date("US-FCBA/consumer-notice", statement, None)
        if today <= arrive.day:
            out.append(
                Suggestion(
                    "us-fcba-billing-error",
                    "Fair Credit Billing Act billing-error notice",
                    "A billing error on a credit card can be disputed in writing with the "
                    "card issuer; the notice must reach its billing-error address by "
                    f"{day_words(arrive.day, us)} ({arrive.basis}; {arrive.citation}).",
                    by=arrive.day,
                    urgent=True,
                )
            )
    delivered = state.delivered_on
    if (
        not us
        and state.goods_faulty
        and delivered is not None
        and delivered <= today
        and _latest(state, "uk-cra-short-term-rejection") is None
    ):
        end = rule_date("UK-CRA-GOODS/short-term-reject", delivered, None)
        if today <= end.day:
            out.append(
                Suggestion(
                    "uk-cra-short-term-rejection",
                    "Reject the faulty goods (Consumer Rights Act 2015)",
                    "Faulty goods can be rejected for a full refund within 30 days after "
                    f"delivery; the last day is {day_words(end.day)} ({end.citation}).",
                    by=end.day,
                    urgent=True,
                )
            )
    return out
