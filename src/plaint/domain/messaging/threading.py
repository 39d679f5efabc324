"""Threading an incoming message to a case.

Message-ID, In-Reply-To and References come first: any of them naming a message we hold
(or one of our own Message-IDs, which name their case) decides. The case reference in the
subject is only a fallback, and only when the sender is that case's customer: anybody can
type a reference into a subject."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from plaint.domain.messaging.compose import reference_of_message_id

_MSGID = re.compile(r"<[^<>\s]+>")


def message_ids_in(value: str) -> list[str]:
    """The `<...>` message ids in a header value, in order, each once."""
    seen: list[str] = []
    for found in _MSGID.findall(value or ""):
        if found not in seen:
            seen.append(found)
    return seen


def subject_references(subject: str, prefix: str) -> list[str]:
    """Case references of the form PREFIX-YYYY-NNNNNN found in a subject."""
    pattern = re.compile(rf"\b{re.escape(prefix)}-\d{{4}}-\d{{6}}\b", re.IGNORECASE)
    return [m.group(0).upper() for m in pattern.finditer(subject or "")]


@dataclass(frozen=True)
class ThreadMatch:
    """Which case a message belongs to (`case_key`, None for none) and how it was found."""

    case_key: int | None
    how: str  # "header", "subject", "none"
    detail: str = ""


def thread_match(
    *,
    in_reply_to: str,
    references: str,
    subject: str,
    sender: str,
    domain: str,
    prefix: str,
    case_of_message: Callable[[list[str]], int | None],
    case_of_reference: Callable[[str], tuple[int, str] | None],
) -> ThreadMatch:
    """Match a message to a case. `case_of_message(ids)` answers which case holds any of
    these message ids; `case_of_reference(ref)` the case with that reference and its
    customer's e-mail address."""
    ids = message_ids_in(in_reply_to) + [
        i for i in reversed(message_ids_in(references)) if i not in message_ids_in(in_reply_to)
    ]
    if ids:
        found = case_of_message(ids)
        if found is not None:
            return ThreadMatch(found, "header", "a message of the case is in its headers")
        for message_id in ids:
            reference = reference_of_message_id(message_id, domain)
            if reference is not None:
                hit = case_of_reference(reference)
                if hit is not None:
                    return ThreadMatch(hit[0], "header", f"our Message-ID names {reference}")
    for reference in subject_references(subject, prefix):
        hit = case_of_reference(reference)
        if hit is None:
            continue
        case_key, customer_email = hit
        if customer_email and customer_email.strip().lower() == sender.strip().lower():
            return ThreadMatch(
                case_key, "subject", f"{reference} in the subject, from its customer"
            )
        return ThreadMatch(
            None, "none", f"{reference} is in the subject but the sender is not its customer"
        )
    return ThreadMatch(None, "none", "")
