"""Single sign-on with one OpenID Connect provider (optional; Django setting `PLAINT_OIDC`).

mozilla-django-oidc does the protocol: the authorisation request with its `state`, `nonce`
and PKCE verifier kept in the session, the code exchange, the id token's RS256 signature
checked against the provider's JWKS, and the nonce. This module adds what Plaint needs on
top of it:

* the provider's endpoints, given or read from its discovery document (kept for an hour);
* the id token's issuer, audience, authorised party and subject checked (the library
  checks neither issuer nor audience), and the userinfo's subject matched to it;
* who may sign in: the member of staff of the configured organisation whose e-mail equals
  the provider's *verified* `email` claim, case-insensitively; an inactive member, a member
  of another organisation, an unverified or unusable e-mail, two members with the same
  e-mail, and (unless `create_users`) an unknown e-mail are refused, each with a reason
  (`Refused.reason`) that the desk's single sign-on pages log and explain;
* optionally a new member created at first sign-on, with the configured role, no usable
  password, and a line on the staff trail.

Sign-ins through the provider skip Plaint's own second factor: the provider authenticates
the person (and does its own multi-factor authentication); docs/deployment.md.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.config.appsettings import OidcConfig, SettingsError, provider_url
from plaint.domain.errors import FieldErrors

#: The URL names of the desk's two single sign-on pages (plaint.desk.sso).
START_URL = "sso_start"
CALLBACK_URL = "sso_callback"
SCOPES = "openid email profile"
#: How long a discovery document is kept before it is read again.
DISCOVERY_SECONDS = 3600
#: Clock difference allowed between Plaint and the provider for `auth_time`.
CLOCK_SKEW_SECONDS = 60

#: Each reason a single sign-on can be refused, and what the person is told.
REASONS: dict[str, str] = {
    "provider_unreachable": "The single sign-on provider could not be reached or gave an "
    "answer Plaint cannot use. Try again in a moment, or sign in with your password.",
    "provider_error": "The single sign-on provider did not sign you in.",
    "state": "This single sign-on answer does not belong to a sign-in started here (it may "
    "have been used already, or come from another browser). Start again.",
    "token": "The single sign-on provider's answer did not pass Plaint's checks "
    "(signature, issuer, audience, nonce or expiry).",
    "email_missing": "The single sign-on provider did not give an e-mail address.",
    "email_unverified": "The single sign-on provider has not verified your e-mail address.",
    "email_invalid": "The e-mail address the single sign-on provider gave cannot be used.",
    "unknown": "There is no member of staff with your e-mail address here. Ask an admin of "
    "your organisation to add you.",
    "inactive": "Your account is deactivated. Ask an admin of your organisation.",
    "other_organisation": "Your account does not belong to the organisation that signs in "
    "through this provider. Sign in with your password, or ask an admin.",
    "ambiguous": "More than one member of staff has your e-mail address, so Plaint cannot "
    "tell which account is yours. Ask an admin of your organisation.",
    "cannot_create": "Plaint could not create an account from the details the single "
    "sign-on provider gave. Ask an admin of your organisation to add you.",
    "reauth_other_user": "You signed in at the provider as someone else. Nothing was done.",
    "reauth_stale": "The single sign-on provider did not ask for your password again, so "
    "the admin action cannot go ahead. Try again.",
    "locked_out": "Sign-in from this address is locked for now.",
}


class Refused(Exception):
    """A single sign-on that does not sign anyone in. `username` names the member of staff
    it concerned, when Plaint could tell."""

    def __init__(self, reason: str, *, username: str = "", detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.username = username
        self.detail = detail
        self.claimed_email: object = None

    @property
    def message(self) -> str:
        return REASONS[self.reason]


def config() -> OidcConfig | None:
    """The single sign-on settings, or None when it is off."""
    value = getattr(settings, "PLAINT_OIDC", None)
    return value if isinstance(value, OidcConfig) else None


# ---------------------------------------------------------------- the provider's endpoints


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str


_discovered: dict[str, tuple[float, Endpoints]] = {}
_discovered_lock = threading.Lock()


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def endpoints(cfg: OidcConfig) -> Endpoints:
    """The provider's endpoints: those configured, or its discovery document's (whose
    `issuer` must be the configured one, OpenID Connect Discovery 1.0 section 4.3)."""
    if cfg.endpoints_given:
        return Endpoints(
            cfg.authorization_endpoint, cfg.token_endpoint, cfg.userinfo_endpoint, cfg.jwks_uri
        )
    with _discovered_lock:
        kept = _discovered.get(cfg.issuer)
    if kept is not None and time.monotonic() - kept[0] < DISCOVERY_SECONDS:
        return kept[1]
    try:
        response = requests.get(discovery_url(cfg.issuer), timeout=cfg.timeout_seconds)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError):
        raise Refused("provider_unreachable", detail="discovery") from None
    if not isinstance(document, dict) or document.get("issuer") != cfg.issuer:
        raise Refused("provider_unreachable", detail="discovery issuer mismatch")
    try:
        found = Endpoints(
            authorization=_https_or_loopback(document["authorization_endpoint"]),
            token=_https_or_loopback(document["token_endpoint"]),
            userinfo=_https_or_loopback(document["userinfo_endpoint"]),
            jwks=_https_or_loopback(document["jwks_uri"]),
        )
    except (KeyError, TypeError, ValueError):
        raise Refused("provider_unreachable", detail="discovery document incomplete") from None
    with _discovered_lock:
        _discovered[cfg.issuer] = (time.monotonic(), found)
    return found


def _https_or_loopback(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not an address")
    try:
        return provider_url("endpoint", value)
    except SettingsError:
        raise ValueError(value) from None


def library_settings(cfg: OidcConfig, found: Endpoints) -> dict[str, Any]:
    """mozilla-django-oidc's settings, from Plaint's (the library reads them by name)."""
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": found.authorization,
        "OIDC_OP_TOKEN_ENDPOINT": found.token,
        "OIDC_OP_USER_ENDPOINT": found.userinfo,
        "OIDC_OP_JWKS_ENDPOINT": found.jwks,
        "OIDC_RP_CLIENT_ID": cfg.client_id,
        "OIDC_RP_CLIENT_SECRET": cfg.client_secret,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": SCOPES,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_TIMEOUT": cfg.timeout_seconds,
        "OIDC_VERIFY_SSL": True,
        "OIDC_VERIFY_KID": True,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_CREATE_USER": cfg.create_users,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL,
        "OIDC_REDIRECT_FIELD_NAME": "next",
        "OIDC_REDIRECT_ALLOWED_HOSTS": [],
    }


# ---------------------------------------------------------------- who may sign in

_UNUSABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _printable(value: str) -> bool:
    """No control, format (bidirectional overrides, zero-width), private-use or unassigned
    characters, and no line or paragraph separators."""
    return not any(unicodedata.category(ch) in _UNUSABLE for ch in value)


def email_checked(claims: Mapping[str, Any]) -> str:
    """The provider's `email` claim, if it is a usable address the provider verified."""
    email = claims.get("email")
    if email is None or email == "":
        raise Refused("email_missing")
    if not isinstance(email, str) or len(email) > 254 or not _printable(email):
        raise Refused("email_invalid")
    try:
        validate_email(email)
    except ValidationError:
        raise Refused("email_invalid") from None
    verified = claims.get("email_verified")
    # Some providers send the flag as the string "true".
    if verified is not True and verified != "true":
        raise Refused("email_unverified")
    return email


def _name_part(claims: Mapping[str, Any], key: str) -> str:
    value = claims.get(key)
    if not isinstance(value, str) or not _printable(value):
        return ""
    return value.strip()[:150]


_USERNAME_CHARS = re.compile(r"[^\w.@+-]", re.ASCII)


def _username_for(claims: Mapping[str, Any], email: str) -> str:
    """A free username from the `preferred_username` claim or the e-mail's local part."""
    wanted = claims.get("preferred_username")
    base = wanted if isinstance(wanted, str) and _printable(wanted) else email.split("@")[0]
    base = _USERNAME_CHARS.sub("", base)[:140] or "staff"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def staff_create_for_sign_on(
    *, organisation: Organisation, claims: Mapping[str, Any], email: str, role: str, now: datetime
) -> User:
    """Add a member of staff signing on for the first time: the configured role, names
    from the provider's claims (left empty when unusable), no usable password (they sign in
    through the provider; an admin may set one), and the staff trail's "added" line."""
    try:
        user = staff_create(
            organisation=organisation,
            username=_username_for(claims, email),
            # Only to satisfy the password validators: replaced by an unusable one below.
            password=secrets.token_urlsafe(32),
            roles=[Role(role)],
            first_name=_name_part(claims, "given_name"),
            last_name=_name_part(claims, "family_name"),
            email=email,
            now=now,
        )
    except (FieldErrors, ValueError):
        raise Refused("cannot_create") from None
    user.password = make_password(None)
    user.save(update_fields=["password"])
    return user


def staff_for_sign_on(*, claims: Mapping[str, Any], cfg: OidcConfig, now: datetime) -> User:
    """The member of staff the provider's claims sign in (or a new one, if allowed)."""
    email = email_checked(claims)
    organisation = Organisation.objects.filter(slug=cfg.organisation).first()
    if organisation is None:
        raise Refused("cannot_create", detail=f"no organisation {cfg.organisation!r}")
    matches = list(User.objects.filter(email__iexact=email).order_by("pk"))
    mine = [user for user in matches if user.organisation_id == organisation.pk]
    if len(mine) > 1:
        raise Refused("ambiguous")
    if mine:
        (user,) = mine
        if not user.is_active:
            raise Refused("inactive", username=user.username)
        return user
    if matches:
        raise Refused("other_organisation", username=matches[0].username)
    if not cfg.create_users:
        raise Refused("unknown")
    return staff_create_for_sign_on(
        organisation=organisation, claims=claims, email=email, role=cfg.create_role, now=now
    )


# ---------------------------------------------------------------- the backend


class SingleSignOnBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, configured from `PLAINT_OIDC`, answering only the
    callback of a sign-in Plaint started (called with the flow's `nonce`). Raises `Refused`
    instead of returning None, so the callback page can say why; the signed-in user carries
    the id token's `auth_time` as `sso_auth_time` (for re-authentication)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every authenticate() call, password sign-ins too:
        # nothing is read from the provider until a callback needs it.
        self.UserModel = User
        self._library: dict[str, Any] = {}

    def get_settings(self, attr: str, *args: Any) -> Any:
        if attr in self._library:
            return self._library[attr]
        return import_from_settings(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        cfg = config()
        if cfg is None or request is None or "nonce" not in kwargs:
            return None
        if kwargs.get("username") is not None or kwargs.get("password") is not None:
            return None
        self._library = library_settings(cfg, endpoints(cfg))
        self._cfg = cfg
        self._now: datetime = kwargs.pop("now")
        self.OIDC_OP_TOKEN_ENDPOINT = self._library["OIDC_OP_TOKEN_ENDPOINT"]
        self.OIDC_OP_USER_ENDPOINT = self._library["OIDC_OP_USER_ENDPOINT"]
        self.OIDC_OP_JWKS_ENDPOINT = self._library["OIDC_OP_JWKS_ENDPOINT"]
        self.OIDC_RP_CLIENT_ID = cfg.client_id
        self.OIDC_RP_CLIENT_SECRET = cfg.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        user = super().authenticate(request, **kwargs)
        if user is None:  # no code or state: the callback checks those first
            raise Refused("state")
        return user  # type: ignore[no-any-return]

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = super().get_token(payload)
        except (requests.RequestException, ValueError):
            raise Refused("provider_unreachable", detail="token endpoint") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("id_token"), str):
            raise Refused("token", detail="no id token")
        return answer

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library's checks (RS256 signature by a key of the provider's JWKS with the
        token's `kid`, expiry, nonce), then the issuer, the audience and the subject."""
        try:
            payload = super().verify_token(token, **kwargs)
        except (SuspiciousOperation, jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            raise Refused("token") from None
        except requests.RequestException:
            raise Refused("provider_unreachable", detail="jwks") from None
        if not isinstance(payload, dict):
            raise Refused("token")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if (
            payload.get("iss") != self._cfg.issuer
            or not isinstance(audiences, list)
            or self._cfg.client_id not in audiences
            or (len(audiences) > 1 and payload.get("azp") != self._cfg.client_id)
            or not isinstance(payload.get("sub"), str)
            or not payload["sub"]
            or not isinstance(payload.get("exp"), int | float)
        ):
            raise Refused("token", detail="issuer, audience or subject")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        try:
            return super().get_userinfo(access_token, id_token, payload)
        except (requests.RequestException, ValueError):
            raise Refused("provider_unreachable", detail="userinfo endpoint") from None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            # OpenID Connect Core 1.0, 5.3.2: the userinfo's subject must be the token's.
            raise Refused("token", detail="userinfo subject")
        claims = {**payload, **userinfo}
        try:
            user = staff_for_sign_on(claims=claims, cfg=self._cfg, now=self._now)
        except Refused as refused:
            refused.claimed_email = claims.get("email")
            raise
        auth_time = payload.get("auth_time")
        user.sso_auth_time = (  # type: ignore[attr-defined]
            auth_time
            if isinstance(auth_time, int | float) and not isinstance(auth_time, bool)
            else None
        )
        return user

    def get_user(self, user_id: Any) -> User | None:
        """The session's user, while still active (the library's own does not check)."""
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


# ---------------------------------------------------------------- the log


#: The outcome of a refused single sign-on on the ``plaint.security`` log (a successful one
#: is the ordinary ``signed_in`` line with ``"method": "sso"``).
SSO_REFUSED = "sso_refused"
#: Set on the request before `login()`, so the sign-in line says how (plaint.accounts.signins).
METHOD_ATTRIBUTE = "plaint_signin_method"


def refusal_record(request: HttpRequest, refused: Refused, *, at: datetime) -> None:
    """One ``signin`` line for a refused single sign-on (reason, the member concerned when
    known, the claimed e-mail as given, at most 254 characters, JSON-escaped), and, when a
    member is concerned, a failed sign-in on the admins' Sign-ins page. Refusals are not
    counted towards a lockout: the provider, not Plaint, checked the password."""
    from axes.models import AccessFailureLog

    from plaint.accounts.signins import signin_record
    from plaint.config.client_address import client_address

    address = client_address(request) or ""
    claimed = refused.claimed_email
    email = claimed[:254] if isinstance(claimed, str) else ""
    signin_record(
        outcome=SSO_REFUSED,
        username=refused.username,
        address=address,
        at=at,
        method="sso",
        reason=refused.reason,
        claimed_email=email,
    )
    if refused.username:
        AccessFailureLog.objects.create(
            username=refused.username[:255],
            ip_address=address or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
            http_accept=request.META.get("HTTP_ACCEPT", "")[:1025],
            path_info=request.path[:255],
            locked_out=False,
        )
