"""API tokens: made by an organisation's admins for one of its members of staff, each with
scopes and an optional expiry, revoked when no longer wanted.

A secret reads ``plt_<8 hex>_<43 url-safe characters>`` (256 random bits after the
visible prefix). Only its SHA-256 is stored: a secret is shown once, when it is made, and a
copy of the database gives nobody a usable token. A fast hash is right here (unlike for
passwords): the secret is random and long, so there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.vocabulary import ActorKind

from .models import ApiToken

PREFIX = "plt_"
MANAGE = "cases.manage_organisation"


class Scope(StrEnum):
    READ = "read"  # every GET
    WRITE = "write"  # opening and working cases
    LETTERS = "letters"  # generating letters and marking them sent
    ADMIN = "admin"  # the organisation's staff


class TokenRefused(DomainError):
    """The request's token is missing, unknown, revoked or expired (a 401)."""


class TokenNotFound(LookupError):
    """No token with that prefix in this organisation."""


@dataclass(frozen=True)
class MadeToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def token_actor(token: ApiToken) -> Actor:
    """The ledger's actor of a request made with `token`: its owner, through the token."""
    owner = token.owner
    return Actor(ActorKind.STAFF, f"{owner.display_name} (API token {token.name!r})", owner)


def _scopes_checked(scopes: list[str], errors: dict[str, str]) -> list[str]:
    known = [s.value for s in Scope]
    wanted = [s.strip().lower() for s in scopes if s.strip()]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        errors["scopes"] = f"{', '.join(map(repr, unknown))} not one of: {', '.join(known)}"
    elif not wanted:
        errors["scopes"] = f"choose at least one of: {', '.join(known)}"
    return [s for s in known if s in wanted]


def _admin_checked(organisation: Organisation, actor: User) -> None:
    if actor.organisation_id != organisation.pk or not actor.has_perm(MANAGE):
        raise DomainError("Only an admin of this organisation manages its API tokens.")


@transaction.atomic
def token_create(
    *,
    organisation: Organisation,
    owner: User,
    name: str,
    scopes: list[str],
    actor: User,
    now: datetime,
    expires_at: datetime | None = None,
) -> MadeToken:
    """Make a token acting as `owner` (active staff of `organisation`), named `name`
    (unique in the organisation). Returns it with its secret, which is not kept."""
    _admin_checked(organisation, actor)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "is required"
    elif len(name) > 100:
        errors["name"] = "is longer than 100 characters"
    elif any(ord(c) < 32 or c == "\x7f" for c in name):
        errors["name"] = "contains a control character"
    if owner.organisation_id != organisation.pk or not owner.is_active:
        errors["owner"] = "is not active staff of this organisation"
    clean_scopes = _scopes_checked(scopes, errors)
    if now.tzinfo is None or (expires_at is not None and expires_at.tzinfo is None):
        errors["expires_at"] = "must be a timezone-aware date and time"
    elif expires_at is not None and expires_at <= now:
        errors["expires_at"] = "is not in the future"
    if not errors and ApiToken.objects.filter(organisation=organisation, name=name).exists():
        errors["name"] = "is already the name of a token of this organisation"
    if errors:
        raise FieldErrors(errors)
    visible = PREFIX + secrets.token_hex(4)
    secret = f"{visible}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                organisation=organisation,
                owner=owner,
                name=name,
                prefix=visible,
                digest=token_digest(secret),
                scopes=clean_scopes,
                created_at=now,
                created_by=actor,
                expires_at=expires_at,
            )
    except IntegrityError:
        raise FieldErrors({"name": "is already the name of a token of this organisation"}) from None
    return MadeToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(
    *, organisation: Organisation, prefix: str, actor: User, now: datetime
) -> ApiToken:
    """Revoke the token: it is refused from the next request on. Revoking twice is refused."""
    _admin_checked(organisation, actor)
    token = token_get(organisation=organisation, prefix=prefix, lock=True)
    if token.revoked_at is not None:
        raise DomainError(f"The token {token.prefix} was already revoked.")
    token.revoked_at, token.revoked_by = now, actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_authenticate(*, secret: str, now: datetime) -> ApiToken:
    """The live token whose secret this is, with its owner and organisation loaded.
    Raises `TokenRefused` saying why (unknown, revoked, expired, owner inactive)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        raise TokenRefused("The token is not a Plaint API token.")
    token = (
        ApiToken.objects.select_related("owner", "organisation")
        .filter(digest=token_digest(secret))
        .first()
    )
    if token is None:
        raise TokenRefused("The token is not known.")
    if token.revoked_at is not None:
        raise TokenRefused("The token was revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused("The token has expired.")
    if not token.owner.is_active or token.owner.organisation_id != token.organisation_id:
        raise TokenRefused("The token's owner is no longer active staff.")
    return token


def token_list(*, organisation: Organisation) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(organisation=organisation)
        .select_related("owner", "created_by", "revoked_by")
        .order_by("-created_at", "-id")
    )


def token_get(*, organisation: Organisation, prefix: str, lock: bool = False) -> ApiToken:
    tokens = ApiToken.objects.filter(organisation=organisation, prefix=prefix.strip())
    if lock:
        tokens = tokens.select_for_update()
    token = tokens.first()
    if token is None:
        raise TokenNotFound(prefix)
    return token


def token_state(token: ApiToken, *, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"
