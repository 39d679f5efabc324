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
    verify_bytes_per_view: int = field(
        default=16 << 20, metadata={"env": "PLAINT_VERIFY_BYTES_PER_VIEW"}
    )
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
            verify_bytes_per_view=_int(
                "PLAINT_VERIFY_BYTES_PER_VIEW",
                env.get("PLAINT_VERIFY_BYTES_PER_VIEW", str(16 << 20)),
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
        )

    @staticmethod
    def variables() -> list[str]:
        """The names of every environment variable read."""
        return [f.metadata["env"] for f in fields(AppSettings)]


def _limits(env: Mapping[str, str]) -> dict[str, int]:
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
