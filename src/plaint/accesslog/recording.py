"""Recording a desk or API read from its HTTP request: who (the signed-in member of
staff), from where (the client's address), and when (now)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from plaint.accounts.models import User
from plaint.config.client_address import client_address

from .models import AccessAction, AccessRecord, AccessVia
from .services import access_record


def request_access_record(
    request: HttpRequest,
    action: AccessAction,
    *,
    case_reference: str = "",
    detail: dict[str, Any] | None = None,
    user: User | None = None,
    actor_label: str = "",
    via: AccessVia = AccessVia.DESK,
) -> AccessRecord:
    """Record a read by the request's member of staff (or by `user`, for the API)."""
    who = user if user is not None else request.user
    if not isinstance(who, User) or who.organisation is None:
        raise ValueError("an access record needs a member of staff of an organisation")
    return access_record(
        organisation=who.organisation,
        user=who,
        action=action,
        via=via,
        now=timezone.now(),
        case_reference=case_reference,
        detail=detail,
        address=client_address(request),
        actor_label=actor_label,
    )
