"""Personal data kept outside the hashed payload, so that it can be erased.

A payload's personal fields (the customer's name and contact points, free text: the
description, notes, summaries, reasons, the words of e-mails and letters) are not hashed
in clear. `commit_payload` replaces each non-empty one with ``{"commit": HEX}``, where
``HEX = SHA-256(salt ‖ canonical JSON of the value)`` with a fresh 32-byte salt per field,
and returns the value and its salt as a `Datum` to be stored beside the event. The event's
hash covers the commitment, not the value.

Reading an event puts the values back (`rehydrate`). Erasure deletes the data (salt and
value together): the hashed payload, and so every hash of the chain, is unchanged; the
commitment proves that something was there, and without the salt nothing can be tested
against it. A field whose datum is gone reads back as `ERASED` (an empty map or list for
fields that hold one), and the fold skips it.

Paths are a top-level field (``"description"``) or one key of a map field
(``"new.order_number"``). Only the kinds and fields listed in `PERSONAL_FIELDS` are
committed; events written before commitments hold those fields in clear and read back as
they are (`clear_personal_paths` names them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plaint.domain.events import EventKind, canonical_json

#: What an erased text field reads back as (and what an erased case or customer column holds).
ERASED = "[erased]"

#: The per-field salt size in bytes.
SALT_BYTES = 32

_CUSTOMER_KEYS = ("name", "email", "phone", "postal_address", "preferred_contact_times")
_CASE_KEYS = ("order_number", "account_number")


def _corrected(keys: Iterable[str]) -> tuple[str, ...]:
    return (*(f"old.{k}" for k in keys), *(f"new.{k}" for k in keys), "reason")


K = EventKind

#: For each event kind, the paths of its personal fields.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    K.CASE_OPENED: (
        "customer_name",
        "description",
        "desired_resolution",
        "order_number",
        "account_number",
    ),
    K.CONTACT_LOGGED: ("summary",),
    K.NOTE_ADDED: ("text",),
    K.EVIDENCE_ATTACHED: ("filename", "description"),
    K.STATUS_CHANGED: ("reason",),
    K.RESOLUTION_OFFERED: ("description",),
    K.RESOLUTION_ANSWERED: ("comment",),
    K.CASE_CLOSED: ("root_cause", "summary"),
    K.PRIORITY_CHANGED: ("reason",),
    K.MILESTONE_RECORDED: ("note",),
    K.LEGAL_REVIEW_CLEARED: ("note",),
    K.LETTER_GENERATED: ("subject", "fields"),
    K.LETTER_WITHDRAWN: ("reason",),
    K.DISPUTE_LOGGED: ("sender", "on_behalf_of", "demands", "their_reference"),
    K.DISPUTE_AUTHORITY_RECORDED: ("note",),
    K.DISPUTE_INVESTIGATED: ("findings",),
    K.DISPUTE_DECIDED: ("reasons",),
    K.CONTACT_RESTRICTION_ADDED: ("note",),
    K.CONTACT_RESTRICTION_LIFTED: ("reason",),
    K.CEASE_DESIST_OUTCOME: ("note",),
    K.MESSAGE_QUEUED: ("to", "subject", "text", "attachments"),
    K.MESSAGE_RECEIVED: ("sender", "subject", "text", "refused_attachments"),
    K.CASE_CORRECTED: _corrected(_CASE_KEYS),
    K.CUSTOMER_CORRECTED: _corrected(_CUSTOMER_KEYS),
    K.LEGAL_HOLD_PLACED: ("reason",),
    K.LEGAL_HOLD_LIFTED: ("reason",),
    K.CUSTOMER_HOLD_PLACED: ("reason",),
    K.CUSTOMER_HOLD_LIFTED: ("reason",),
    K.TERMINATION_PROPOSED: ("reason", "facts", "immediate_justification"),
    K.TERMINATION_ALTERNATIVE_RECORDED: ("note",),
    K.TERMINATION_CHECKED: ("vulnerability_steps",),
    K.TERMINATION_LEGAL_SIGNED_OFF: ("note",),
    K.TERMINATION_DECIDED: ("reasons",),
    K.TERMINATION_REVERSED: ("reason",),
    K.TERMINATION_APPEALED: ("grounds",),
    K.TERMINATION_APPEAL_REVIEWED: ("note",),
}
del K


@dataclass(frozen=True, slots=True)
class Datum:
    """One personal value of an event: where it sits, its salt (hex) and its canonical JSON."""

    path: str
    salt: str
    value: str


def commitment(salt: str, value_json: str) -> str:
    """``SHA-256(salt bytes ‖ UTF-8 of the value's canonical JSON)``, as hex."""
    return hashlib.sha256(bytes.fromhex(salt) + value_json.encode("utf-8")).hexdigest()


def _is_commitment(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) == 1
        and isinstance(commit := value.get("commit"), str)
        and len(commit) == 64
    )


def _get(data: Mapping[str, Any], path: str) -> tuple[Mapping[str, Any] | None, str]:
    """The mapping holding `path`'s value and the key within it (None if absent)."""
    head, _, key = path.partition(".")
    if not key:
        return data, head
    inner = data.get(head)
    return (inner if isinstance(inner, dict) else None), key


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def commit_payload(
    kind: str, payload_json: str, salt: Callable[[], bytes]
) -> tuple[str, list[Datum]]:
    """The payload as hashed (each non-empty personal value replaced by its commitment) and
    the data to keep beside it. `salt` gives `SALT_BYTES` random bytes per call."""
    paths = PERSONAL_FIELDS.get(kind)
    if not paths:
        return payload_json, []
    data = json.loads(payload_json)
    out: list[Datum] = []
    for path in paths:
        holder, key = _get(data, path)
        if holder is None or key not in holder or _empty(holder[key]):
            continue
        assert isinstance(holder, dict)
        value_json = canonical_json(holder[key])
        salt_hex = salt().hex()
        if len(salt_hex) != 2 * SALT_BYTES:
            raise ValueError(f"a salt must be {SALT_BYTES} bytes")
        holder[key] = {"commit": commitment(salt_hex, value_json)}
        out.append(Datum(path, salt_hex, value_json))
    if not out:
        return payload_json, []
    return canonical_json(data), out


def _erased_value(kind: str, path: str, committed_in: Any) -> Any:
    """What an erased field reads back as: its type's empty value, else `ERASED`."""
    if kind == EventKind.LETTER_GENERATED and path == "fields":
        return {}
    if path.endswith("attachments"):
        return []
    return ERASED


@dataclass(frozen=True, slots=True)
class Rehydrated:
    payload_json: str
    erased: frozenset[str]
    mismatched: frozenset[str]  # data whose commitment does not match (tampered)


def rehydrate(kind: str, payload_json: str, data: Mapping[str, tuple[str, str]]) -> Rehydrated:
    """The payload with its personal values back, from `data` (path -> (salt, value JSON)).
    A committed field without a datum reads as erased; a datum that does not match its
    commitment is named in `mismatched` (and read back as erased: it is not what was
    hashed)."""
    paths = PERSONAL_FIELDS.get(kind)
    if not paths or '{"commit":' not in payload_json:
        return Rehydrated(payload_json, frozenset(), frozenset())
    payload = json.loads(payload_json)
    erased: set[str] = set()
    mismatched: set[str] = set()
    for path in paths:
        holder, key = _get(payload, path)
        if holder is None or not _is_commitment(holder.get(key)):
            continue
        assert isinstance(holder, dict)
        committed = holder[key]["commit"]
        datum = data.get(path)
        if datum is not None and commitment(datum[0], datum[1]) == committed:
            holder[key] = json.loads(datum[1])
            continue
        if datum is not None:
            mismatched.add(path)
        erased.add(path)
        holder[key] = _erased_value(kind, path, committed)
    return Rehydrated(canonical_json(payload), frozenset(erased), frozenset(mismatched))


def commitment_problems(
    kind: str, payload_json: str, data: Mapping[str, tuple[str, str]]
) -> list[str]:
    """Why the stored data do not belong to this hashed payload: a datum at a path that holds
    no commitment, or whose salt and value do not give the commitment."""
    payload = json.loads(payload_json)
    problems = []
    for path, (salt, value) in sorted(data.items()):
        holder, key = _get(payload, path)
        held = holder.get(key) if holder is not None else None
        if path not in PERSONAL_FIELDS.get(kind, ()) or not _is_commitment(held):
            problems.append(f"personal datum {path!r} has no commitment in the event")
        elif held is None or commitment(salt, value) != held["commit"]:
            problems.append(f"personal datum {path!r} does not match its commitment")
    return problems


def clear_personal_paths(kind: str, payload_json: str) -> list[str]:
    """The personal fields this payload holds in clear (written before commitments)."""
    paths = PERSONAL_FIELDS.get(kind)
    if not paths:
        return []
    payload = json.loads(payload_json)
    clear = []
    for path in paths:
        holder, key = _get(payload, path)
        if holder is None or key not in holder:
            continue
        value = holder[key]
        if not _empty(value) and not _is_commitment(value):
            clear.append(path)
    return clear
