"""Corrections without rewriting history: a case's or customer's facts change by a new
event holding the old value, the new value and the reason, never by editing an event.

Letters read the case row, so they use the corrected value from then on; a corrected date
that drives deadlines (when the complaint was received) re-derives the case's deadlines in
the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from plaint.cases import search
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, CaseEvent, Customer, SearchEntry
from plaint.cases.services import (
    CustomerDetails,
    _contact_point,
    _currency,
    _money,
    _text,
    case_lock,
    customer_details_check,
    require_aware,
)
from plaint.deadlines.services import case_deadlines_refresh
from plaint.domain import contactpoints
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events_records import CaseCorrected, CustomerCorrected
from plaint.domain.fold import CORRECTABLE_CASE_FIELDS, CORRECTABLE_CUSTOMER_FIELDS, fact_text

#: Corrected facts that the deadline engine reads.
DEADLINE_DRIVERS = frozenset({"received_at"})


def _reason(errors: dict[str, str], reason: str) -> str:
    text = _text(errors, "reason", reason, required=True, max_length=2000)
    if "reason" in errors and errors["reason"] == "is required":
        errors["reason"] = "is required: say why the value was wrong"
    return text


def _case_values(case: Case, changes: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The cleaned new values of the case's fields, by field."""
    values: dict[str, Any] = {}
    for name, raw in changes.items():
        kind = CORRECTABLE_CASE_FIELDS.get(name)
        if kind is None:
            errors[name] = (
                f"cannot be corrected here (correctable: {', '.join(CORRECTABLE_CASE_FIELDS)})"
            )
        elif kind == "amount":
            values[name] = _amount(errors, name, raw)
        elif kind == "date":
            if raw in (None, ""):
                values[name] = None
            elif isinstance(raw, date):
                values[name] = raw
            else:
                try:
                    values[name] = date.fromisoformat(str(raw).strip())
                except ValueError:
                    errors[name] = f"{str(raw)[:40]!r} is not a date (YYYY-MM-DD)"
        elif kind == "datetime":
            if not isinstance(raw, datetime):
                errors[name] = "must be a date and time"
            elif raw.tzinfo is None:
                errors[name] = "must be a timezone-aware date and time"
            else:
                values[name] = raw
        elif name == "respondent":
            values[name] = _contact_point(
                errors,
                name,
                contactpoints.Kind.NAME,
                str(raw or ""),
                country=case.organisation.country,
            )
        else:
            values[name] = _text(errors, name, str(raw or ""), max_length=_max_length(name))
    amount = values.get("amount_in_dispute", case.amount_in_dispute)
    if "currency" in values or "amount_in_dispute" in values:
        values["currency"] = _currency(
            errors, "currency", values.get("currency", case.currency), amount
        )
    return values


def _amount(errors: dict[str, str], name: str, raw: Any) -> Decimal | None:
    """`_money` (that is, `plaint.domain.money.money_parse`) on the stripped text."""
    return _money(errors, name, str(raw).strip() if raw is not None else None)


def _max_length(name: str) -> int:
    field = Case._meta.get_field(name)
    return int(getattr(field, "max_length", None) or 100_000)


def _checked_dates(
    case: Case, values: Mapping[str, Any], now: datetime, errors: dict[str, str]
) -> None:
    received = values.get("received_at", case.received_at)
    occurred = values.get("occurred_on", case.occurred_on)
    if "received_at" in values and received > now:
        errors["received_at"] = "is in the future"
    if occurred is not None and occurred > received.date():
        errors["occurred_on"] = "is after the complaint was received"


@transaction.atomic
def case_correct(
    *,
    case: Case,
    changes: Mapping[str, Any],
    reason: str,
    actor: Actor,
    now: datetime,
) -> Case:
    """Correct some of the case's facts (product, issue, respondent, order and account
    numbers, amount and currency, date of occurrence, date received) in one
    `case_corrected` event. Values equal to the current ones are left out; a correction
    that changes nothing is refused."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    reason = _reason(errors, reason)
    if not changes:
        errors["changes"] = "name at least one field to correct"
    case = case_lock(case)
    values = _case_values(case, changes, errors)
    _checked_dates(case, values, now, errors)
    if errors:
        raise FieldErrors(errors)
    old: dict[str, str | None] = {}
    new: dict[str, str | None] = {}
    for name, value in values.items():
        before = getattr(case, name)
        if fact_text(before) != fact_text(value):
            old[name], new[name] = fact_text(before), fact_text(value)
            setattr(case, name, value)
    if not new:
        raise DomainError("Nothing to correct: every value given is the one already recorded.")
    event_append(
        case=case,
        payload=CaseCorrected(old=old, new=new, reason=reason),
        actor=actor,
        now=now,
        changed=list(new),
    )
    _reindex(case)
    if DEADLINE_DRIVERS & set(new):
        case_deadlines_refresh(case=case, now=now)
    return case


@transaction.atomic
def customer_correct(
    *,
    case: Case,
    changes: Mapping[str, str],
    reason: str,
    actor: Actor,
    now: datetime,
) -> Customer:
    """Correct the contact details of the case's customer (name, e-mail, phone, postal
    address, preferred contact times) in one `customer_corrected` event on this case."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    reason = _reason(errors, reason)
    if not changes:
        errors["changes"] = "name at least one field to correct"
    for name in changes:
        if name not in CORRECTABLE_CUSTOMER_FIELDS:
            errors[name] = (
                f"cannot be corrected here (correctable: {', '.join(CORRECTABLE_CUSTOMER_FIELDS)})"
            )
    case = case_lock(case)
    customer = Customer.objects.select_for_update().get(pk=case.customer_id)
    if errors:
        raise FieldErrors(errors)
    current = {name: getattr(customer, name) for name in CORRECTABLE_CUSTOMER_FIELDS}
    proposed = CustomerDetails(
        **{**current, **{k: str(v) for k, v in changes.items()}},
        vulnerability_notes=customer.vulnerability_notes,
    )
    cleaned, problems = customer_details_check(
        proposed, country=case.organisation.country, prefix=""
    )
    if problems:
        raise FieldErrors(problems)
    old: dict[str, str | None] = {}
    new: dict[str, str | None] = {}
    for name in changes:
        value = getattr(cleaned, name)
        if current[name] != value:
            old[name], new[name] = current[name], value
            setattr(customer, name, value)
    if not new:
        raise DomainError("Nothing to correct: every value given is the one already recorded.")
    customer.save(update_fields=list(new))
    event_append(
        case=case,
        payload=CustomerCorrected(customer_id=customer.pk, old=old, new=new, reason=reason),
        actor=actor,
        now=now,
    )
    if "name" in new:
        for each in Case.objects.filter(customer=customer):
            _reindex(each, customer_name=customer.name)
    return customer


def _reindex(case: Case, *, customer_name: str | None = None) -> None:
    """Rewrite the case's searchable text (the complaint as received, with its facts)."""
    name = customer_name or Customer.objects.values_list("name", flat=True).get(pk=case.customer_id)
    SearchEntry.objects.filter(case=case, source=SearchEntry.Source.CASE).delete()
    search.search_index(
        case=case,
        source=SearchEntry.Source.CASE,
        body=search.case_text_of(case, customer_name=name),
    )


def case_corrections(*, case: Case) -> list[CaseEvent]:
    """The case's correction events, oldest first."""
    return list(
        CaseEvent.objects.filter(
            case=case, kind__in=[CaseCorrected.kind.value, CustomerCorrected.kind.value]
        ).order_by("seq")
    )
