"""Legal holds and the retention schedule: which closed cases have outlived their period.

A hold is an event (`legal_hold_placed`, `legal_hold_lifted`) with its reason; a case is
on hold while its last hold event is a placement. `retention_due` lists the cases whose
period (`plaint.domain.retention`) has ended and that are not on hold: the candidates a
supervisor confirms for erasure (`plaint.records.erasure`; the desk's retention page lists
them). Cases already erased are not listed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, CaseEvent, Customer
from plaint.cases.services import _text, case_lock, require_aware
from plaint.domain.deadlines.regimes import regimes_all
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events import EventKind
from plaint.domain.events_records import (
    CustomerHoldLifted,
    CustomerHoldPlaced,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from plaint.domain.retention import (
    RULES,
    RetentionRule,
    policy_problems,
    policy_rule,
    retention_ends,
    retention_rule,
)
from plaint.records.models import RetentionPolicy

_HOLD_KINDS = (EventKind.LEGAL_HOLD_PLACED.value, EventKind.LEGAL_HOLD_LIFTED.value)
_CUSTOMER_HOLD_KINDS = (
    EventKind.CUSTOMER_HOLD_PLACED.value,
    EventKind.CUSTOMER_HOLD_LIFTED.value,
)


def _held_customers(organisation: Organisation) -> set[int]:
    """The customers whose last customer-hold event (on any of their cases) is a placement."""
    last: dict[int, str] = {}
    for customer_id, kind in (
        CaseEvent.objects.filter(organisation=organisation, kind__in=_CUSTOMER_HOLD_KINDS)
        .order_by("recorded_at", "id")
        .values_list("case__customer_id", "kind")
    ):
        last[customer_id] = kind
    return {c for c, kind in last.items() if kind == EventKind.CUSTOMER_HOLD_PLACED.value}


def customer_on_hold(customer: Customer) -> bool:
    return customer.pk in _held_customers(customer.organisation)


def case_on_hold(case: Case) -> bool:
    last = (
        CaseEvent.objects.filter(case=case, kind__in=_HOLD_KINDS)
        .order_by("-seq")
        .values_list("kind", flat=True)
        .first()
    )
    return last == EventKind.LEGAL_HOLD_PLACED.value


def _reason(reason: str) -> str:
    errors: dict[str, str] = {}
    text = _text(errors, "reason", reason, required=True, max_length=2000)
    if errors:
        raise FieldErrors(errors)
    return text


@transaction.atomic
def legal_hold_place(*, case: Case, reason: str, actor: Actor, now: datetime) -> Case:
    """Put the case on legal hold (say why: a claim, a regulator's inquiry...)."""
    require_aware(now=now)
    text = _reason(reason)
    case = case_lock(case)
    if case_on_hold(case):
        raise DomainError(f"{case.reference} is already on legal hold.")
    event_append(case=case, payload=LegalHoldPlaced(reason=text), actor=actor, now=now)
    return case


@transaction.atomic
def legal_hold_lift(*, case: Case, reason: str, actor: Actor, now: datetime) -> Case:
    require_aware(now=now)
    text = _reason(reason)
    case = case_lock(case)
    if not case_on_hold(case):
        raise DomainError(f"{case.reference} is not on legal hold.")
    event_append(case=case, payload=LegalHoldLifted(reason=text), actor=actor, now=now)
    return case


@transaction.atomic
def customer_hold_place(*, customer: Customer, reason: str, actor: Actor, now: datetime) -> int:
    """Put the customer on legal hold: one event on each of their cases. Returns how many."""
    return _customer_hold(customer, reason, actor, now, place=True)


@transaction.atomic
def customer_hold_lift(*, customer: Customer, reason: str, actor: Actor, now: datetime) -> int:
    return _customer_hold(customer, reason, actor, now, place=False)


def _customer_hold(
    customer: Customer, reason: str, actor: Actor, now: datetime, *, place: bool
) -> int:
    require_aware(now=now)
    text = _reason(reason)
    Customer.objects.select_for_update().get(pk=customer.pk)
    held = customer_on_hold(customer)
    if place and held:
        raise DomainError(f"Customer #{customer.pk} is already on legal hold.")
    if not place and not held:
        raise DomainError(f"Customer #{customer.pk} is not on legal hold.")
    cases = list(Case.objects.filter(customer=customer).order_by("pk"))
    if not cases:
        raise DomainError(f"Customer #{customer.pk} has no case to record the hold on.")
    payload_type = CustomerHoldPlaced if place else CustomerHoldLifted
    for case in cases:
        case = case_lock(case)
        event_append(
            case=case,
            payload=payload_type(customer_id=customer.pk, reason=text),
            actor=actor,
            now=now,
        )
    return len(cases)


@dataclass(frozen=True)
class RetentionItem:
    reference: str
    rule: RetentionRule
    ends_on: date
    on_hold: bool


def retention_due(*, organisation: Organisation, today: date) -> list[RetentionItem]:
    """The organisation's closed cases whose retention period has ended by `today` and
    that are not erased yet, held ones included and marked (a hold stops their erasure)."""
    zone = ZoneInfo(organisation.time_zone)
    last_hold: dict[int, str] = {}
    for case_id, kind in (
        CaseEvent.objects.filter(organisation=organisation, kind__in=_HOLD_KINDS)
        .order_by("case_id", "seq")
        .values_list("case_id", "kind")
    ):
        last_hold[case_id] = kind
    held_customers = _held_customers(organisation)
    policies = retention_policies(organisation=organisation)
    erased = set(
        CaseEvent.objects.filter(
            organisation=organisation, kind=EventKind.CASE_ERASED.value
        ).values_list("case_id", flat=True)
    )
    items = []
    for pk, reference, regime, received_at, closed_at, customer_id in (
        Case.objects.filter(organisation=organisation, closed_at__isnull=False, status="closed")
        .order_by("closed_at", "pk")
        .values_list("pk", "reference", "regime", "received_at", "closed_at", "customer_id")
        .iterator()
    ):
        if closed_at is None or pk in erased:
            continue
        rule = retention_rule(regime, policies)
        ends = retention_ends(
            rule,
            received_on=received_at.astimezone(zone).date(),
            closed_on=closed_at.astimezone(zone).date(),
        )
        if ends is not None and ends <= today:
            on_hold = (
                last_hold.get(pk) == EventKind.LEGAL_HOLD_PLACED.value
                or customer_id in held_customers
            )
            items.append(RetentionItem(reference, rule, ends, on_hold))
    return items


# ------------------------------------------------------------ the organisation's schedule


def retention_policies(*, organisation: Organisation) -> dict[str, RetentionRule]:
    """The organisation's policies in force, by regime ("" for every regime without its
    own): the newest row of each regime."""
    zone = ZoneInfo(organisation.time_zone)
    found: dict[str, RetentionRule] = {}
    for row in RetentionPolicy.objects.filter(organisation=organisation).order_by(
        "regime", "-set_at", "-pk"
    ):
        if row.regime not in found:
            found[row.regime] = policy_rule(
                row.regime,
                years=row.years,
                counted_from=row.counted_from,
                reason=row.reason,
                set_on=row.set_at.astimezone(zone).date(),
            )
    return found


@dataclass(frozen=True)
class ScheduleLine:
    """One line of the schedule as the desk shows it."""

    regime: str
    rule: RetentionRule


def retention_schedule(*, organisation: Organisation) -> list[ScheduleLine]:
    """What each regime is kept for in this organisation: the rules Plaint knows, the
    organisation's own policies, and the default for every other regime (regime "")."""
    policies = retention_policies(organisation=organisation)
    regimes = sorted({*RULES, *(r for r in policies if r)})
    lines = [ScheduleLine(regime, retention_rule(regime, policies)) for regime in regimes]
    lines.append(ScheduleLine("", policies.get("") or retention_rule("")))
    return lines


def retention_policy_history(*, organisation: Organisation) -> list[RetentionPolicy]:
    return list(
        RetentionPolicy.objects.filter(organisation=organisation)
        .select_related("set_by")
        .order_by("-set_at", "-pk")
    )


def retention_policy_set(
    *,
    organisation: Organisation,
    regime: str,
    years: int,
    counted_from: str,
    reason: str,
    set_by: User,
    now: datetime,
) -> RetentionPolicy:
    """Set the organisation's retention period for `regime` ("" for every regime without
    its own). Only an admin may; a period that would end before a rule's is refused. The
    change is a new row: the history of the schedule stays."""
    require_aware(now=now)
    if Role.ADMIN not in set(set_by.roles) or set_by.organisation_id != organisation.pk:
        raise DomainError(
            f"{set_by.username} may not set the retention schedule: only an admin may."
        )
    regime = regime.strip()
    errors: dict[str, str] = {}
    if regime and regime not in regimes_all():
        errors["regime"] = f"{regime[:40]!r} is not a regime Plaint knows"
    errors.update(policy_problems(regime, years, counted_from))
    why = _text(errors, "reason", reason, required=True, max_length=2000)
    if errors:
        raise FieldErrors(errors)
    return RetentionPolicy.objects.create(
        organisation=organisation,
        regime=regime,
        years=years,
        counted_from=counted_from,
        reason=why,
        set_by=set_by,
        set_at=now,
    )
