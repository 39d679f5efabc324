"""Plaint's settings, read from the environment in one place.

Every setting an operator can change is a field of `AppSettings`, documented in
docs/configuration.md (a test checks that each one is). Django's settings module reads
`APP` and nothing else reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """An environment variable has a value Plaint cannot use."""


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}.")


def _int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 0:
        raise SettingsError(f"{name} must not be negative.")
    return value


def _at_least_one(name: str, raw: str) -> int:
    value = _int(name, raw)
    if value < 1:
        raise SettingsError(f"{name} must be at least 1.")
    return value


def _minutes(name: str, raw: str) -> int:
    value = _int(name, raw)
    if value < 1:
        raise SettingsError(f"{name} must be at least 1 (minutes).")
    return value


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _webhook_secrets(raw: str) -> tuple[str, ...]:
    """`user:password` pairs, comma-separated (two while one is being replaced)."""
    secrets = _list(raw)
    for secret in secrets:
        user, colon, password = secret.partition(":")
        if not colon or not user or len(password) < 16:
            raise SettingsError(
                "PLAINT_MAIL_WEBHOOK_SECRET must be user:password pairs, separated by "
                "commas, each password at least 16 characters long."
            )
    return secrets


#: What a sign-in lockout may count failures by (django-axes' lockout parameters).
LOCKOUT_PARTS = ("username", "ip_address", "user_agent")


def _lockout_by(name: str, raw: str) -> tuple[tuple[str, ...], ...]:
    """`username,ip_address` (each counted on its own) or `username+ip_address` (the pair
    counted together), as django-axes' AXES_LOCKOUT_PARAMETERS."""
    groups = []
    for item in _list(raw):
        parts = tuple(part.strip() for part in item.split("+"))
        unknown = [part for part in parts if part not in LOCKOUT_PARTS]
        if unknown or not parts:
            raise SettingsError(
                f"{name} names {item!r}: use {', '.join(LOCKOUT_PARTS)}, "
                "separated by commas, or joined by + to count them together."
            )
        groups.append(parts)
    if not groups:
        raise SettingsError(f"{name} must name at least one of {', '.join(LOCKOUT_PARTS)}.")
    return tuple(groups)


@dataclass(frozen=True)
class AppSettings:
    """The environment variables Plaint reads (name = `PLAINT_` + field name, upper case,
    except `DATABASE_URL`)."""

    data_dir: Path = field(metadata={"env": "PLAINT_DATA_DIR"})
    database_url: str = field(metadata={"env": "DATABASE_URL"})
    secret_key: str = field(metadata={"env": "PLAINT_SECRET_KEY"})
    debug: bool = field(metadata={"env": "PLAINT_DEBUG"})
    https: bool = field(metadata={"env": "PLAINT_HTTPS"})
    allowed_hosts: tuple[str, ...] = field(metadata={"env": "PLAINT_ALLOWED_HOSTS"})
    time_zone: str = field(metadata={"env": "PLAINT_TIME_ZONE"})
    evidence_max_bytes: int = field(metadata={"env": "PLAINT_EVIDENCE_MAX_BYTES"})
    evidence_types: tuple[str, ...] = field(metadata={"env": "PLAINT_EVIDENCE_TYPES"})
    smtp_url: str = field(metadata={"env": "PLAINT_SMTP_URL"})
    email_from: str = field(metadata={"env": "PLAINT_EMAIL_FROM"})
    letter_templates_dir: str = field(metadata={"env": "PLAINT_LETTER_TEMPLATES_DIR"})
    portal_link_days: int = field(metadata={"env": "PLAINT_PORTAL_LINK_DAYS"})
    portal_rate_limit: int = field(metadata={"env": "PLAINT_PORTAL_RATE_LIMIT"})
    portal_rate_window_minutes: int = field(metadata={"env": "PLAINT_PORTAL_RATE_WINDOW_MINUTES"})
    tsa_url: str = field(default="", metadata={"env": "PLAINT_TSA_URL"})
    tsa_cert: str = field(default="", metadata={"env": "PLAINT_TSA_CERT"})
    database_pooled: bool = field(default=False, metadata={"env": "PLAINT_DATABASE_POOLED"})
    database_replica_url: str = field(default="", metadata={"env": "DATABASE_REPLICA_URL"})
    read_pin_seconds: int = field(default=10, metadata={"env": "PLAINT_READ_PIN_SECONDS"})
    verify_bytes_per_view: int = field(
        default=16 << 20, metadata={"env": "PLAINT_VERIFY_BYTES_PER_VIEW"}
    )
    bulk_background_over: int = field(default=500, metadata={"env": "PLAINT_BULK_BACKGROUND_OVER"})
    # Quotas and rate limits (plaint.limits; docs/configuration.md, "Quotas and rate limits").
    trusted_proxies: int = field(
        default=0, metadata={"env": "PLAINT_TRUSTED_PROXIES", "limit": True}
    )
    public_rate_limit: int = field(
        default=60, metadata={"env": "PLAINT_PUBLIC_RATE_LIMIT", "limit": True}
    )
    public_rate_window_minutes: int = field(
        default=10, metadata={"env": "PLAINT_PUBLIC_RATE_WINDOW_MINUTES", "limit": True}
    )
    login_rate_limit: int = field(
        default=10, metadata={"env": "PLAINT_LOGIN_RATE_LIMIT", "limit": True}
    )
    portal_posts_per_hour: int = field(
        default=20, metadata={"env": "PLAINT_PORTAL_POSTS_PER_HOUR", "limit": True}
    )
    case_customer_files: int = field(
        default=50, metadata={"env": "PLAINT_CASE_CUSTOMER_FILES", "limit": True}
    )
    case_customer_bytes: int = field(
        default=100 << 20, metadata={"env": "PLAINT_CASE_CUSTOMER_BYTES", "limit": True}
    )
    org_customer_bytes_per_day: int = field(
        default=2 << 30, metadata={"env": "PLAINT_ORG_CUSTOMER_BYTES_PER_DAY", "limit": True}
    )
    org_storage_bytes: int = field(
        default=50 << 30, metadata={"env": "PLAINT_ORG_STORAGE_BYTES", "limit": True}
    )
    login_failure_limit: int = field(default=10, metadata={"env": "PLAINT_LOGIN_FAILURE_LIMIT"})
    login_cooloff_minutes: int = field(default=15, metadata={"env": "PLAINT_LOGIN_COOLOFF_MINUTES"})
    login_lockout_by: tuple[tuple[str, ...], ...] = field(
        default=(("username",), ("ip_address",)), metadata={"env": "PLAINT_LOGIN_LOCKOUT_BY"}
    )
    session_idle_minutes: int = field(default=30, metadata={"env": "PLAINT_SESSION_IDLE_MINUTES"})
    reauth_minutes: int = field(default=10, metadata={"env": "PLAINT_REAUTH_MINUTES"})
    collision_poll_seconds: int = field(
        default=5, metadata={"env": "PLAINT_COLLISION_POLL_SECONDS"}
    )
    mail_webhook_secret: tuple[str, ...] = field(
        default=(), metadata={"env": "PLAINT_MAIL_WEBHOOK_SECRET"}
    )
    mailgun_webhook_signing_key: str = field(
        default="", metadata={"env": "PLAINT_MAILGUN_WEBHOOK_SIGNING_KEY"}
    )
    mail_webhook_max_bytes: int = field(
        default=36 << 20, metadata={"env": "PLAINT_MAIL_WEBHOOK_MAX_BYTES"}
    )
    csp_reports: bool = field(default=True, metadata={"env": "PLAINT_CSP_REPORTS"})
    upload_max_expanded_bytes: int = field(
        default=100 << 20, metadata={"env": "PLAINT_UPLOAD_MAX_EXPANDED_BYTES"}
    )
    upload_max_archive_members: int = field(
        default=5_000, metadata={"env": "PLAINT_UPLOAD_MAX_ARCHIVE_MEMBERS"}
    )
    upload_max_compression_ratio: int = field(
        default=200, metadata={"env": "PLAINT_UPLOAD_MAX_COMPRESSION_RATIO"}
    )
    # Single sign-on with OpenID Connect (plaint.accounts.oidc; docs/configuration.md,
    # "Single sign-on"). Off unless PLAINT_OIDC_ISSUER is set.
    oidc_issuer: str = field(default="", metadata={"env": "PLAINT_OIDC_ISSUER", "oidc": True})
    oidc_client_id: str = field(default="", metadata={"env": "PLAINT_OIDC_CLIENT_ID", "oidc": True})
    oidc_client_secret: str = field(
        default="", metadata={"env": "PLAINT_OIDC_CLIENT_SECRET", "oidc": True}
    )
    oidc_organisation: str = field(
        default="", metadata={"env": "PLAINT_OIDC_ORGANISATION", "oidc": True}
    )
    oidc_create_users: bool = field(
        default=False, metadata={"env": "PLAINT_OIDC_CREATE_USERS", "oidc": True}
    )
    oidc_create_role: str = field(
        default="agent", metadata={"env": "PLAINT_OIDC_CREATE_ROLE", "oidc": True}
    )
    oidc_authorization_endpoint: str = field(
        default="", metadata={"env": "PLAINT_OIDC_AUTHORIZATION_ENDPOINT", "oidc": True}
    )
    oidc_token_endpoint: str = field(
        default="", metadata={"env": "PLAINT_OIDC_TOKEN_ENDPOINT", "oidc": True}
    )
    oidc_userinfo_endpoint: str = field(
        default="", metadata={"env": "PLAINT_OIDC_USERINFO_ENDPOINT", "oidc": True}
    )
    oidc_jwks_uri: str = field(default="", metadata={"env": "PLAINT_OIDC_JWKS_URI", "oidc": True})
    oidc_timeout_seconds: int = field(
        default=10, metadata={"env": "PLAINT_OIDC_TIMEOUT_SECONDS", "oidc": True}
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppSettings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("PLAINT_DATA_DIR") or Path.cwd() / "var").resolve()
        default_db = f"sqlite:///{data_dir / 'plaint.sqlite3'}"
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL") or default_db,
            secret_key=env.get("PLAINT_SECRET_KEY") or "",
            debug=_bool("PLAINT_DEBUG", env.get("PLAINT_DEBUG", "false")),
            https=_bool("PLAINT_HTTPS", env.get("PLAINT_HTTPS", "false")),
            allowed_hosts=_list(env.get("PLAINT_ALLOWED_HOSTS", "127.0.0.1,localhost")),
            time_zone=env.get("PLAINT_TIME_ZONE", "Europe/London"),
            evidence_max_bytes=_int(
                "PLAINT_EVIDENCE_MAX_BYTES", env.get("PLAINT_EVIDENCE_MAX_BYTES", "20971520")
            ),
            evidence_types=_list(env.get("PLAINT_EVIDENCE_TYPES", ",".join(DEFAULT_TYPES))),
            smtp_url=env.get("PLAINT_SMTP_URL", ""),
            email_from=env.get("PLAINT_EMAIL_FROM", "plaint@localhost"),
            letter_templates_dir=env.get("PLAINT_LETTER_TEMPLATES_DIR", ""),
            portal_link_days=_int(
                "PLAINT_PORTAL_LINK_DAYS", env.get("PLAINT_PORTAL_LINK_DAYS", "30")
            ),
            portal_rate_limit=_int(
                "PLAINT_PORTAL_RATE_LIMIT", env.get("PLAINT_PORTAL_RATE_LIMIT", "5")
            ),
            portal_rate_window_minutes=_int(
                "PLAINT_PORTAL_RATE_WINDOW_MINUTES",
                env.get("PLAINT_PORTAL_RATE_WINDOW_MINUTES", "60"),
            ),
            tsa_url=env.get("PLAINT_TSA_URL", ""),
            tsa_cert=env.get("PLAINT_TSA_CERT", ""),
            database_pooled=_bool(
                "PLAINT_DATABASE_POOLED", env.get("PLAINT_DATABASE_POOLED", "false")
            ),
            database_replica_url=_replica_url(env),
            read_pin_seconds=_int(
                "PLAINT_READ_PIN_SECONDS", env.get("PLAINT_READ_PIN_SECONDS", "10")
            ),
            verify_bytes_per_view=_int(
                "PLAINT_VERIFY_BYTES_PER_VIEW",
                env.get("PLAINT_VERIFY_BYTES_PER_VIEW", str(16 << 20)),
            ),
            bulk_background_over=_int(
                "PLAINT_BULK_BACKGROUND_OVER", env.get("PLAINT_BULK_BACKGROUND_OVER", "500")
            ),
            login_failure_limit=_at_least_one(
                "PLAINT_LOGIN_FAILURE_LIMIT", env.get("PLAINT_LOGIN_FAILURE_LIMIT", "10")
            ),
            login_cooloff_minutes=_int(
                "PLAINT_LOGIN_COOLOFF_MINUTES", env.get("PLAINT_LOGIN_COOLOFF_MINUTES", "15")
            ),
            login_lockout_by=_lockout_by(
                "PLAINT_LOGIN_LOCKOUT_BY",
                env.get("PLAINT_LOGIN_LOCKOUT_BY", "username,ip_address"),
            ),
            **_limits(env),
            session_idle_minutes=_minutes(
                "PLAINT_SESSION_IDLE_MINUTES", env.get("PLAINT_SESSION_IDLE_MINUTES", "30")
            ),
            reauth_minutes=_minutes(
                "PLAINT_REAUTH_MINUTES", env.get("PLAINT_REAUTH_MINUTES", "10")
            ),
            collision_poll_seconds=_at_least_one(
                "PLAINT_COLLISION_POLL_SECONDS", env.get("PLAINT_COLLISION_POLL_SECONDS", "5")
            ),
            mail_webhook_secret=_webhook_secrets(env.get("PLAINT_MAIL_WEBHOOK_SECRET", "")),
            mailgun_webhook_signing_key=env.get("PLAINT_MAILGUN_WEBHOOK_SIGNING_KEY", ""),
            mail_webhook_max_bytes=_at_least_one(
                "PLAINT_MAIL_WEBHOOK_MAX_BYTES",
                env.get("PLAINT_MAIL_WEBHOOK_MAX_BYTES", str(36 << 20)),
            ),
            csp_reports=_bool("PLAINT_CSP_REPORTS", env.get("PLAINT_CSP_REPORTS", "true")),
            upload_max_expanded_bytes=_int(
                "PLAINT_UPLOAD_MAX_EXPANDED_BYTES",
                env.get("PLAINT_UPLOAD_MAX_EXPANDED_BYTES", str(100 << 20)),
            ),
            upload_max_archive_members=_int(
                "PLAINT_UPLOAD_MAX_ARCHIVE_MEMBERS",
                env.get("PLAINT_UPLOAD_MAX_ARCHIVE_MEMBERS", "5000"),
            ),
            upload_max_compression_ratio=_int(
                "PLAINT_UPLOAD_MAX_COMPRESSION_RATIO",
                env.get("PLAINT_UPLOAD_MAX_COMPRESSION_RATIO", "200"),
            ),
            **_oidc(env),
        )

    def oidc(self) -> OidcConfig | None:
        """The single sign-on settings, or None when single sign-on is off."""
        if not self.oidc_issuer:
            return None
        return OidcConfig(
            issuer=self.oidc_issuer,
            client_id=self.oidc_client_id,
            client_secret=self.oidc_client_secret,
            organisation=self.oidc_organisation,
            create_users=self.oidc_create_users,
            create_role=self.oidc_create_role,
            authorization_endpoint=self.oidc_authorization_endpoint,
            token_endpoint=self.oidc_token_endpoint,
            userinfo_endpoint=self.oidc_userinfo_endpoint,
            jwks_uri=self.oidc_jwks_uri,
            timeout_seconds=self.oidc_timeout_seconds,
        )

    @staticmethod
    def variables() -> list[str]:
        """The names of every environment variable read."""
        return [f.metadata["env"] for f in fields(AppSettings)]


_POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://", "postgis://")


def _replica_url(env: Mapping[str, str]) -> str:
    """DATABASE_REPLICA_URL: a PostgreSQL standby of DATABASE_URL's PostgreSQL, or unset."""
    url = env.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return ""
    if not url.startswith(_POSTGRES_SCHEMES):
        raise SettingsError(
            "DATABASE_REPLICA_URL must be a PostgreSQL URL (postgres://...): a read "
            "replica is a PostgreSQL standby."
        )
    if not env.get("DATABASE_URL", "").startswith(_POSTGRES_SCHEMES):
        raise SettingsError(
            "DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL too (the replica is "
            "a standby of that server); SQLite has no replicas."
        )
    return url


def _limits(env: Mapping[str, str]) -> dict[str, Any]:
    """The quota and rate-limit settings (fields whose metadata says `limit`), each a whole
    number of zero or more read from its variable, the field's default when unset."""
    values = {
        f.name: _int(f.metadata["env"], env.get(f.metadata["env"], str(f.default)))
        for f in fields(AppSettings)
        if f.metadata.get("limit")
    }
    if values["public_rate_window_minutes"] == 0:
        raise SettingsError("PLAINT_PUBLIC_RATE_WINDOW_MINUTES must be at least 1.")
    return values


@dataclass(frozen=True)
class OidcConfig:
    """Single sign-on with one OpenID Connect provider (Django setting `PLAINT_OIDC`).

    The four endpoints are read from the issuer's discovery document
    (`ISSUER/.well-known/openid-configuration`) unless all of them are given."""

    issuer: str
    client_id: str
    client_secret: str
    organisation: str  # the slug of the organisation every sign-in belongs to
    create_users: bool = False
    create_role: str = "agent"
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    userinfo_endpoint: str = ""
    jwks_uri: str = ""
    timeout_seconds: int = 10

    @property
    def endpoints_given(self) -> bool:
        return all(
            (
                self.authorization_endpoint,
                self.token_endpoint,
                self.userinfo_endpoint,
                self.jwks_uri,
            )
        )


#: The roles a user created at first sign-on may be given (plaint.accounts.roles.Role).
OIDC_ROLES = ("agent", "supervisor", "legal_reviewer", "admin")
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def provider_url(name: str, raw: str) -> str:
    """An address of the provider: https, or plain http on this machine only (a provider on
    loopback, as in tests); no user name, password, query or fragment."""
    value = raw.strip()
    parts = urlsplit(value)
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018  (a malformed port raises here)
    except ValueError:
        raise SettingsError(f"{name} is not a valid address: {raw!r}.") from None
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK)
    if not host or not secure or parts.username or parts.password or parts.query or parts.fragment:
        raise SettingsError(
            f"{name} must be an https:// address of the provider (http:// only on "
            f"127.0.0.1 or localhost), without a query or fragment, not {raw!r}."
        )
    return value


def _oidc(env: Mapping[str, str]) -> dict[str, Any]:
    """The single sign-on settings: all empty (off), or an issuer with a client id, a
    client secret and an organisation, each endpoint either given or all four discovered."""
    raw = {
        f.name: env.get(f.metadata["env"], "")
        for f in fields(AppSettings)
        if f.metadata.get("oidc")
    }
    values: dict[str, Any] = {
        "oidc_issuer": "",
        "oidc_client_id": raw["oidc_client_id"].strip(),
        "oidc_client_secret": raw["oidc_client_secret"],
        "oidc_organisation": raw["oidc_organisation"].strip(),
        "oidc_create_users": _bool("PLAINT_OIDC_CREATE_USERS", raw["oidc_create_users"]),
        "oidc_create_role": raw["oidc_create_role"].strip() or "agent",
        "oidc_timeout_seconds": _at_least_one(
            "PLAINT_OIDC_TIMEOUT_SECONDS", raw["oidc_timeout_seconds"] or "10"
        ),
    }
    endpoints = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    for name in endpoints:
        value = raw[f"oidc_{name}"]
        variable = f"PLAINT_OIDC_{name.upper()}"
        values[f"oidc_{name}"] = provider_url(variable, value) if value.strip() else ""
    if not raw["oidc_issuer"].strip():
        others = [
            f.metadata["env"]
            for f in fields(AppSettings)
            if f.metadata.get("oidc") and f.name != "oidc_issuer" and raw[f.name].strip()
        ]
        if others:
            raise SettingsError(
                f"{', '.join(others)} set without PLAINT_OIDC_ISSUER: single sign-on needs "
                "the provider's issuer address."
            )
        return values
    values["oidc_issuer"] = provider_url("PLAINT_OIDC_ISSUER", raw["oidc_issuer"])
    missing = [
        variable
        for variable, key in (
            ("PLAINT_OIDC_CLIENT_ID", "oidc_client_id"),
            ("PLAINT_OIDC_CLIENT_SECRET", "oidc_client_secret"),
            ("PLAINT_OIDC_ORGANISATION", "oidc_organisation"),
        )
        if not str(values[key]).strip()
    ]
    if missing:
        raise SettingsError(f"Single sign-on (PLAINT_OIDC_ISSUER) also needs {', '.join(missing)}.")
    given = [name for name in endpoints if values[f"oidc_{name}"]]
    if given and len(given) != len(endpoints):
        absent = [f"PLAINT_OIDC_{name.upper()}" for name in endpoints if name not in given]
        raise SettingsError(
            "Give all four provider endpoints or none (then they are discovered from "
            f"PLAINT_OIDC_ISSUER); missing: {', '.join(absent)}."
        )
    if values["oidc_create_role"] not in OIDC_ROLES:
        raise SettingsError(
            f"PLAINT_OIDC_CREATE_ROLE must be one of {', '.join(OIDC_ROLES)}, "
            f"not {values['oidc_create_role']!r}."
        )
    return values


#: Evidence types accepted unless PLAINT_EVIDENCE_TYPES says otherwise.
DEFAULT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "message/rfc822",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "audio/mpeg",
)

APP = AppSettings.from_env()
