"""A small hand-built data set, made through the real services at fixed times, whose
every report figure is worked out by hand in test_selectors.py.

Europe/London, all in GMT (January-February 2026). Week of Monday 5 January:
  A  Current account, phone, dana@example.org. Acknowledged Tue 6 Jan 09:00 (24 h).
     Refund GBP 50.00 offered and accepted; final response sent Thu 8 Jan 09:00; closed
     Thu 8 Jan 10:00 upheld, systems (73 h after receipt).
  B  Credit card, email, same e-mail as A (a repeat complainant), threatens court (triage
     sends it to legal review). Acknowledged Fri 9 Jan
     10:00 (96 h: late, the house rule wanted Wed 7 Jan 17:00). Credit EUR 20.00 offered
     and rejected; escalated; final response sent Tue 13 Jan 10:00; closed Tue 13 Jan
     11:00 not upheld, no fault found (193 h).
Week of 12 January:
  C  Current account, web, a customer flagged vulnerable. Resolved 13 Jan, closed partly
     upheld (communication) with no final response sent, then reopened Tue 20 Jan: open
     at NOW, 49 days old.
Week of 2 February:
  D  Mortgage, phone, assigned to Alice, never acknowledged: open at NOW, 28 days old.
Outside the period (received 15 Dec 2025):
  E  Mortgage, letter; closed 2 Mar 2026 08:00 upheld, refund GBP 10.00 accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from plaint.accounts.models import Organisation, User
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.services import CustomerDetails
from plaint.deadlines.services import case_deadlines_refresh
from plaint.triage.services import triage_run

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def at(day: int, hour: int, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Dataset:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case


def _open(org: Organisation, user: User, when: datetime, **fields: object) -> Case:
    customer = fields.pop("customer", None) or CustomerDetails(name="Dana Whitfield")
    description = str(fields.pop("description", "My complaint."))
    return services.case_open(
        organisation=org,
        customer=customer,  # type: ignore[arg-type]
        received_at=when,
        description=description,
        actor=Actor.staff(user),
        now=when,
        **fields,  # type: ignore[arg-type]
    )


def _move(case: Case, to: str, user: User, when: datetime) -> None:
    services.case_transition(case=case, to=to, actor=Actor.staff(user), now=when)


def _close(case: Case, outcome: str, code: str, user: User, when: datetime) -> None:
    services.case_close(
        case=case, outcome=outcome, root_cause_code=code, actor=Actor.staff(user), now=when
    )


def _final_response(case: Case, user: User, when: datetime) -> None:
    """The final response sent: what meets a response deadline (an offer or a desk
    resolution does not)."""
    services.case_milestone_record(
        case=case, milestone="final_response_sent", at=when, actor=Actor.staff(user), now=when
    )


def build(org: Organisation, agent: User) -> Dataset:
    me = Actor.staff(agent)
    dana = CustomerDetails(name="Dana Whitfield", email="dana@example.org")
    a = _open(org, agent, at(5, 9), product="Current account", channel="phone", customer=dana)
    _move(a, "acknowledged", agent, at(6, 9))
    _move(a, "investigating", agent, at(6, 10))
    offer = services.case_offer_record(
        case=a, redress="refund", amount="50", currency="GBP", actor=me, now=at(7, 9)
    )
    services.case_offer_answer(offer=offer, accepted=True, actor=me, now=at(7, 12))
    _final_response(a, agent, at(8, 9))
    _close(a, "upheld", "systems", agent, at(8, 10))

    dana2 = CustomerDetails(name="Dana W.", email="Dana@Example.org")
    b = _open(
        org,
        agent,
        at(5, 10),
        product="Credit card",
        channel="email",
        customer=dana2,
        description="I will take you to court over this.",
    )
    triage_run(case=b, now=at(5, 11))  # a legal-risk flag: to legal review
    _move(b, "acknowledged", agent, at(9, 10))
    _move(b, "investigating", agent, at(9, 11))
    offer = services.case_offer_record(
        case=b, redress="credit", amount="20", currency="EUR", actor=me, now=at(10, 9)
    )
    services.case_offer_answer(offer=offer, accepted=False, actor=me, now=at(10, 12))
    _move(b, "escalated", agent, at(12, 9))
    _move(b, "resolved", agent, at(13, 10))
    _final_response(b, agent, at(13, 10))
    _close(b, "not_upheld", "no_fault_found", agent, at(13, 11))

    vulnerable = CustomerDetails(name="Sam Reed", vulnerability_notes="Recently bereaved.")
    c = _open(org, agent, at(12, 9), product="Current account", channel="web", customer=vulnerable)
    _move(c, "resolved", agent, at(13, 9))
    _close(c, "partly_upheld", "communication", agent, at(13, 10))
    _move(c, "reopened", agent, at(20, 9))

    d = _open(org, agent, at(2, 9, month=2), product="Mortgage", channel="phone")
    services.case_assign(case=d, assignee=agent, actor=me, now=at(2, 10, month=2))

    e = _open(org, agent, at(15, 9, month=12, year=2025), product="Mortgage", channel="letter")
    _move(e, "investigating", agent, at(16, 9, month=12, year=2025))
    offer = services.case_offer_record(
        case=e, redress="refund", amount="10", currency="GBP", actor=me, now=at(1, 9, month=3)
    )
    services.case_offer_answer(offer=offer, accepted=True, actor=me, now=at(1, 10, month=3))
    _close(e, "upheld", "staff_error", agent, at(2, 8, month=3))

    cases = [Case.objects.get(pk=x.pk) for x in (a, b, c, d, e)]
    for case in cases:
        case_deadlines_refresh(case=case, now=NOW)
    return Dataset(*[Case.objects.get(pk=x.pk) for x in cases])
