"""A case's facts are the fold of its ledger.

`case_fold` replays a case's events, oldest first, into the values its row must hold;
`customer_fold` does the same for a customer across the events of all their cases.
Values are compared as plain text (`fact_text`), so a row read from either database and a
fold of canonical JSON spell every value the same way.

Fields erased by redaction (`plaint.domain.personal.ERASED`) are skipped: the fold does
not state them, so the row's marker is not compared. Event kinds that change no fact are
skipped, and so are kinds this module does not know
(a newer kind added by another part of Plaint changes no fact until it is listed here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from plaint.domain.events import EventKind
from plaint.domain.personal import ERASED

CASE_CORRECTED = EventKind.CASE_CORRECTED.value
CUSTOMER_CORRECTED = EventKind.CUSTOMER_CORRECTED.value

#: The case columns the ledger determines, in the order reports list them.
CASE_FACTS: tuple[str, ...] = (
    "reference",
    "channel",
    "received_at",
    "product",
    "issue",
    "respondent",
    "order_number",
    "account_number",
    "amount_in_dispute",
    "currency",
    "occurred_on",
    "description",
    "desired_resolution",
    "regime",
    "category",
    "priority",
    "source",
    "external_id",
    "status",
    "assignee_id",
    "outcome",
    "root_cause",
    "root_cause_code",
    "closed_at",
)

#: The case facts that `case_corrected` may change, with what kind of value each holds.
CORRECTABLE_CASE_FIELDS: dict[str, str] = {
    "product": "text",
    "issue": "text",
    "respondent": "text",
    "order_number": "text",
    "account_number": "text",
    "amount_in_dispute": "amount",
    "currency": "text",
    "occurred_on": "date",
    "received_at": "datetime",
}

#: The customer fields that `customer_corrected` may change.
CORRECTABLE_CUSTOMER_FIELDS: tuple[str, ...] = (
    "name",
    "email",
    "phone",
    "postal_address",
    "preferred_contact_times",
)

_LATER_FACTS = ("assignee_id", "outcome", "root_cause", "root_cause_code", "closed_at")
_OPENED_FIELDS = tuple(name for name in CASE_FACTS if name not in _LATER_FACTS)

_STATUS_KINDS = {
    EventKind.STATUS_CHANGED.value,
    EventKind.RESOLUTION_OFFERED.value,
    EventKind.RESOLUTION_ANSWERED.value,
}


def fact_text(value: Any) -> str | None:
    """One spelling for a fact: datetimes in UTC with microseconds, dates ISO, amounts
    with two decimals, ids as digits, None for null (an empty string stays empty)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("fact times must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _time_text(text: str | None) -> str | None:
    return None if text is None else fact_text(datetime.fromisoformat(text))


def _amount_text(text: str | None) -> str | None:
    return None if text is None else fact_text(Decimal(text))


def _normalised(name: str, value: Any) -> str | None:
    if name in {"received_at", "closed_at"}:
        return _time_text(value)
    if name == "amount_in_dispute":
        return _amount_text(value)
    return None if value is None else str(value)


def case_fold(events: Iterable[tuple[str, str, str]]) -> dict[str, str | None]:
    """The case facts after `events`: (kind, payload JSON, recorded_at as ISO text),
    ordered by seq. Raises ValueError if the first event is not `case_opened`."""
    facts: dict[str, str | None] = {}
    for index, (kind, payload_json, recorded_at) in enumerate(events):
        payload: Mapping[str, Any] = json.loads(payload_json)
        if index == 0:
            if kind != EventKind.CASE_OPENED.value:
                raise ValueError(f"the first event is {kind}, not case_opened")
            for name in _OPENED_FIELDS:
                if (value := payload.get(name, "")) != ERASED:
                    facts[name] = _normalised(name, value)
            facts.update(assignee_id=None, outcome="", root_cause="", root_cause_code="")
            facts["closed_at"] = None
            continue
        if kind in _STATUS_KINDS:
            facts["status"] = payload["to_status"]
        elif kind == EventKind.CASE_CLOSED.value:
            facts["status"] = "closed"
            facts["outcome"] = payload["outcome"]
            if payload["root_cause"] != ERASED:
                facts["root_cause"] = payload["root_cause"]
            else:
                facts.pop("root_cause", None)
            facts["root_cause_code"] = payload.get("root_cause_code", "")
            facts["closed_at"] = _time_text(recorded_at)
        elif kind == EventKind.CASE_ASSIGNED.value:
            assignee = payload["assignee_id"]
            facts["assignee_id"] = None if assignee is None else str(assignee)
        elif kind == EventKind.PRIORITY_CHANGED.value:
            facts["priority"] = payload["to_priority"]
        elif kind == EventKind.TRIAGE_CONFIRMED.value:
            for name, label in payload["labels"].items():
                if name in facts:
                    facts[name] = label
        elif kind == CASE_CORRECTED:
            for name, value in payload["new"].items():
                if value == ERASED:
                    facts.pop(name, None)
                else:
                    facts[name] = _normalised(name, value)
    return facts


def customer_fold(events: Iterable[tuple[str, str]]) -> dict[str, str | None]:
    """What the ledger says of a customer, from (kind, payload JSON) of the events of all
    their cases in the order they were recorded: the name each case was opened under, and
    every corrected field. Fields the ledger never stated are absent."""
    facts: dict[str, str | None] = {}
    for kind, payload_json in events:
        if kind == EventKind.CASE_OPENED.value:
            name = json.loads(payload_json)["customer_name"]
            if name != ERASED:
                facts["name"] = name
        elif kind == CUSTOMER_CORRECTED:
            for field, value in json.loads(payload_json)["new"].items():
                if value != ERASED:
                    facts[field] = value
    return facts


def fold_differences(
    row: Mapping[str, str | None], folded: Mapping[str, str | None]
) -> list[tuple[str, str | None, str | None]]:
    """(field, row value, folded value) for every folded field the row disagrees with."""
    return [
        (name, row.get(name), value)
        for name, value in folded.items()
        if name in row and row[name] != value
    ]
