"""The customer's private link: an opaque random token naming one case of one
organisation. The token is 32 random bytes (URL-safe base64): decoded, it says nothing.
Plaint keeps only its SHA-256 (`PortalLink.digest`), with the case, when it was issued and
when it stops working; a stolen copy of the table opens nothing.

A link works for `link_lifetime(case)`: long enough to cover the longest clock the
business runs on the case (`plaint.domain.portal_links`), never less than
PLAINT_PORTAL_LINK_DAYS.

Links made before this (signed, readable base64 of the organisation, case id and reference,
salt `LEGACY_SALT`) no longer open a case: a genuine one gets a page asking for a new link
(`LinkRetired`), anything else is `LinkInvalid`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.config.appsettings import APP
from plaint.deadlines.facts import case_regimes
from plaint.domain.deadlines.regimes import UnknownRegime
from plaint.domain.portal_links import link_lifetime_days
from plaint.portal.models import PortalLink

LEGACY_SALT = "plaint.portal.case-link"
TOKEN_BYTES = 32


class LinkInvalid(Exception):
    """The link was not made by Plaint for this organisation (altered, truncated, guessed)."""


class LinkExpired(Exception):
    """The link was genuine but is older than its lifetime."""


class LinkRetired(Exception):
    """A genuine link of the old, readable kind: it opens nothing now; ask for a new one."""


@dataclass(frozen=True)
class IssuedLink:
    token: str  # give it to the customer; it is not kept
    expires_at: datetime
    days: int


def link_lifetime(case: Case) -> timedelta:
    """How long a link issued now for `case` works (see `plaint.domain.portal_links`)."""
    try:
        regimes = case_regimes(case)
    except UnknownRegime:
        regimes = []
    organisation = case.organisation
    days = link_lifetime_days(
        regimes,
        floor_days=APP.portal_link_days,
        parameters={
            "sla_acknowledge_days": organisation.sla_acknowledge_days,
            "sla_response_days": organisation.sla_response_days,
        },
    )
    return timedelta(days=days)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_issue(*, case: Case, now: datetime, reason: str) -> IssuedLink:
    """A new link for `case`, in the caller's transaction. `reason` is why it was issued
    (`PortalLink.Reason`)."""
    lifetime = link_lifetime(case)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + lifetime
    PortalLink.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        digest=token_digest(token),
        reason=PortalLink.Reason(reason).value,
        issued_at=now,
        expires_at=expires_at,
    )
    return IssuedLink(token=token, expires_at=expires_at, days=lifetime.days)


def _legacy(token: str) -> bool:
    """Whether `token` is a genuine link of the old kind (whatever its age)."""
    if ":" not in token:
        return False
    try:
        signing.loads(token, salt=LEGACY_SALT)
    except signing.BadSignature:
        return False
    return True


def link_open(*, organisation: Organisation, token: str, now: datetime) -> Case:
    """The case a token opens: a link Plaint issued for a case of this organisation, not
    yet expired. `LinkInvalid`, `LinkExpired` or `LinkRetired` otherwise."""
    if len(token) > 200:
        raise LinkInvalid
    link = (
        PortalLink.objects.select_related("case__customer", "case__assignee")
        .filter(digest=token_digest(token))
        .first()
    )
    if link is None:
        raise LinkRetired if _legacy(token) else LinkInvalid
    if link.organisation_id != organisation.pk or link.case.organisation_id != organisation.pk:
        raise LinkInvalid
    if now >= link.expires_at:
        raise LinkExpired
    return link.case
