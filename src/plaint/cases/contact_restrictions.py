"""Contact restrictions as the services that contact a customer enforce them.

The restrictions themselves are recorded by the disputes app, which sits above the case
services in the layers (pyproject.toml's import-linter contracts): it registers a source
of the restrictions recorded on a case at start-up (`DisputesConfig.ready`), and the pure
rules (`plaint.domain.disputes.restrictions`) say which of them forbid a contact. With no
source registered nothing is restricted.

`contact_restrictions_enforce` is called by every service that logs an outbound contact
or sends a message, inside its transaction and after the case is locked: a forbidden
contact raises `ContactRestricted` (naming each restriction and when it was recorded)
unless the caller confirms it explicitly, and then it returns the override the service
keeps in the contact's own event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from plaint.cases.models import Case
from plaint.domain.contactpoints import ContactPointError, name_clean
from plaint.domain.disputes.restrictions import (
    ContactAttempt,
    ContactRestricted,
    Forbidden,
    RecordedRestriction,
    forbidding,
    override_record,
)
from plaint.domain.errors import FieldErrors
from plaint.domain.vocabulary import Channel

__all__ = [
    "ContactRestricted",
    "RestrictionSource",
    "contact_forbidden",
    "contact_restrictions_enforce",
    "restriction_source_register",
]

#: The restrictions recorded on a case that may be in force at the given instant.
RestrictionSource = Callable[[Case, datetime], list[RecordedRestriction]]

_SOURCES: dict[str, RestrictionSource] = {}


def restriction_source_register(name: str, source: RestrictionSource) -> None:
    _SOURCES[name] = source


def contact_forbidden(
    *,
    case: Case,
    channel: Channel,
    at: datetime,
    at_work: bool = False,
    to_representative: bool = False,
) -> list[Forbidden]:
    """The restrictions in force at `at` that forbid contacting the customer of `case`
    by `channel` (a read: a form shows its warning before it is sent)."""
    attempt = ContactAttempt(channel, at_work=at_work, to_representative=to_representative)
    recorded = [r for source in _SOURCES.values() for r in source(case, at)]
    return forbidding(recorded, attempt, at)


def contact_restrictions_enforce(
    *,
    case: Case,
    channel: Channel,
    at: datetime,
    doing: str,
    confirmed_despite_restriction: bool = False,
    confirmed_by: str = "",
    at_work: bool = False,
    to_representative: bool = False,
) -> dict[str, object] | None:
    """Refuse a contact with the customer of `case` by `channel` at `at` that a
    restriction in force then forbids (`ContactRestricted`, its message "REF: `doing`,
    <restriction> (restriction #N, recorded <when>): <why>"). With
    `confirmed_despite_restriction` and the name of who confirmed it, the contact may go
    ahead: the override to keep in its event is returned. None: nothing forbids it."""
    hits = contact_forbidden(
        case=case, channel=channel, at=at, at_work=at_work, to_representative=to_representative
    )
    if not hits:
        return None
    if not confirmed_despite_restriction:
        raise ContactRestricted(case.reference, hits, doing=doing)
    try:
        who = name_clean(confirmed_by, required=True)
    except ContactPointError as exc:
        raise FieldErrors({"confirmed_by": exc.message}) from None
    return override_record(hits, confirmed_by=who)
