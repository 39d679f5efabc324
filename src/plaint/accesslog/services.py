"""Writing the access log. Every interface that shows staff a case or hands them its
data calls `access_record` once per read (the desk's views, the API's endpoints, the
CLI's exports): a read is not a change, so it goes here and not on the case ledger."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from plaint.accounts.models import Organisation, User
from plaint.domain.errors import DomainError

from .models import AccessAction, AccessRecord, AccessVia

#: The longest detail value kept (a detail is ids and hashes, never free text).
DETAIL_LIMIT = 200


def _address(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None  # not an address: not worth refusing a read over


def access_record(
    *,
    organisation: Organisation,
    user: User | None,
    action: AccessAction | str,
    via: AccessVia | str,
    now: datetime,
    case_reference: str = "",
    detail: dict[str, Any] | None = None,
    address: str | None = None,
    actor_label: str = "",
) -> AccessRecord:
    """Record that `user` (or, with no user, `actor_label`) read something of
    `organisation`'s at `now`. `detail` holds ids, hashes, formats and filters only."""
    if now.tzinfo is None:
        raise DomainError("now must be timezone-aware")
    action = AccessAction(action)
    via = AccessVia(via)
    if user is not None and user.organisation_id != organisation.pk:
        raise DomainError(f"{user.username} is not a member of {organisation.name}.")
    label = actor_label or (user.display_name if user is not None else "")
    if not label:
        raise DomainError("An access record needs the user or the actor's name.")
    kept = {
        str(key)[:40]: value if isinstance(value, int | bool | None) else str(value)[:DETAIL_LIMIT]
        for key, value in (detail or {}).items()
    }
    return AccessRecord.objects.create(
        organisation=organisation,
        at=now,
        user=user,
        actor_label=label[:200],
        via=via.value,
        action=action.value,
        case_reference=case_reference[:40],
        detail=kept,
        address=_address(address),
    )
