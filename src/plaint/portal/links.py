"""The customer's private link: a signed, expiring token naming one case of one
organisation. Nothing is stored; the signature (Django's SECRET_KEY, a salt of its own)
is the proof, and the lifetime comes from PLAINT_PORTAL_LINK_DAYS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from plaint.cases.models import Case
from plaint.config.appsettings import APP

SALT = "plaint.portal.case-link"


class LinkInvalid(Exception):
    """The link was not made by Plaint for this organisation (altered, truncated, guessed)."""


class LinkExpired(Exception):
    """The link was genuine but is older than its lifetime."""


@dataclass(frozen=True)
class LinkClaim:
    organisation_id: int
    case_id: int
    reference: str


def link_lifetime() -> timedelta:
    return timedelta(days=APP.portal_link_days)


def link_token(case: Case) -> str:
    """A token for `case`: signed and time-stamped, tied to its organisation and id."""
    claim = {"o": case.organisation_id, "c": case.pk, "r": case.reference}
    return signing.dumps(claim, salt=SALT)


def link_read(token: str, *, organisation_id: int) -> LinkClaim:
    """The case a token names, if it is genuine, unexpired and for this organisation."""
    try:
        raw = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(raw, dict):
        raise LinkInvalid
    claim = LinkClaim(
        organisation_id=int(raw.get("o", 0)),
        case_id=int(raw.get("c", 0)),
        reference=str(raw.get("r", "")),
    )
    if claim.organisation_id != organisation_id:
        raise LinkInvalid
    return claim
