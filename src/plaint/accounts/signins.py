"""Sign-ins to the desk: each one logged, lockouts told to the account owner, and unlocked
by an admin.

django-axes (settings `AXES_*`, from `PLAINT_LOGIN_*`) counts failed sign-ins in its tables
and refuses a sign-in while its account or address is locked out: its backend stands first
in `AUTHENTICATION_BACKENDS` and its middleware turns the refusal into the lockout page
(HTTP 429). This module adds what Plaint needs on top:

* every sign-in, failed sign-in, refused (locked-out) sign-in, lockout and unlock is one
  JSON line on the ``plaint.security`` logger: outcome, username, address, time; never the
  password;
* when a lockout covers an account (a lockout group that counts the username reached the
  limit), its owner is e-mailed what happened, when, from which address and what to do;
* `signin_unlock` lets an admin (the desk's Sign-ins page) or an operator
  (`plaint accounts unlock USERNAME`) open a locked account again, with a trail entry;
* `signins_recent` / `lockouts_current` are what the admin page shows.

The receivers (`connect`, called by the app's `ready`) only translate django's and axes'
signals into these calls.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from plaint.accounts.models import Organisation, StaffChange, User
from plaint.domain.errors import FieldErrors

log = logging.getLogger("plaint.security")

#: The outcomes a sign-in line can have.
SIGNED_IN = "signed_in"
FAILED = "failed"  # wrong username or password, counted towards a lockout
REFUSED = "refused_locked_out"  # not even checked: the account or address is locked out
LOCKED_OUT = "locked_out"  # this failure reached the limit
UNLOCKED = "unlocked"

#: Longest username written to a log line (the form allows 150; an attacker may send more).
_USERNAME_SHOWN = 150


# ---------------------------------------------------------------- the log line


def signin_record(
    *, outcome: str, username: str | None, address: str | None, at: datetime, **extra: Any
) -> None:
    """One line on ``plaint.security``: ``signin {"address": ..., "at": ..., ...}``. JSON,
    so a username with a line break or quotes cannot forge another line."""
    fields: dict[str, Any] = {
        "event": "signin",
        "outcome": outcome,
        "username": (username or "")[:_USERNAME_SHOWN],
        "address": address or "",
        "at": at.astimezone(UTC).isoformat(),
        **extra,
    }
    log.info("signin %s", json.dumps(fields, ensure_ascii=True, sort_keys=True), extra=fields)


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", ""))


def _at(request: HttpRequest | None) -> datetime:
    at = getattr(request, "axes_attempt_time", None)
    return at if isinstance(at, datetime) else timezone.now()


# ---------------------------------------------------------------- the signals


def _on_signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # A single sign-on says so ("method": "sso", plaint.accounts.oidc); a password one does not.
    method = getattr(request, "plaint_signin_method", None)
    signin_record(
        outcome=SIGNED_IN,
        username=user.get_username(),
        address=_address(request),
        at=_at(request),
        **({"method": method} if method else {}),
    )


def _on_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # axes' backend marks a refused request before the signal; a failure it counted has its
    # count set. Either order of the receivers gives the same answer.
    refused = bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )
    username = credentials.get("username")
    signin_record(
        outcome=REFUSED if refused else FAILED,
        username=username,
        address=_address(request),
        at=_at(request),
    )
    if refused and request is not None:
        # axes keeps no row for a try it refused; the admins' page shows them too.
        AccessFailureLog.objects.create(
            username=(username or "")[:255] or None,
            ip_address=getattr(request, "axes_ip_address", None),
            user_agent=str(getattr(request, "axes_user_agent", ""))[:255],
            http_accept=str(getattr(request, "axes_http_accept", ""))[:1025],
            path_info=str(getattr(request, "axes_path_info", ""))[:255],
            locked_out=True,
        )


def _on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return  # a try during a lockout (logged as refused), not a new lockout
    at = _at(request)
    signin_record(
        outcome=LOCKED_OUT, username=username, address=ip_address, at=at, failures=failures
    )
    if username and _account_locked(request, username):
        lockout_notify(username=username, address=ip_address or "", at=at)


def _account_locked(request: HttpRequest, username: str) -> bool:
    """Whether a lockout group that counts the username (alone or with the address or
    browser) has reached the limit: only then is the account itself locked."""
    values = {
        "username": username,
        "ip_address": getattr(request, "axes_ip_address", None),
        "user_agent": getattr(request, "axes_user_agent", None),
    }
    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    for group in settings.AXES_LOCKOUT_PARAMETERS:
        parts = [group] if isinstance(group, str) else list(group)
        if "username" not in parts:
            continue
        counted = attempts.filter(**{part: values[part] for part in parts})
        failures = counted.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if failures >= settings.AXES_FAILURE_LIMIT:
            return True
    return False


def connect() -> None:
    user_logged_in.connect(_on_signed_in, dispatch_uid="plaint.signins.signed_in")
    user_login_failed.connect(_on_failed, dispatch_uid="plaint.signins.failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="plaint.signins.locked_out")


# ---------------------------------------------------------------- the owner's e-mail


def cool_off() -> timedelta | None:
    """How long a lockout lasts (None: until an admin unlocks it)."""
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, timedelta) or value is None else timedelta(hours=value)


def lockout_message(*, user: User, address: str, at: datetime) -> tuple[str, str]:
    """The subject and body of the e-mail telling `user` their account was locked."""
    zone = user.organisation.time_zone if user.organisation else settings.TIME_ZONE
    local = timezone.localtime(at, timezone=_zone(zone))
    length = cool_off()
    if length is None:
        until = "It stays locked until an admin of your organisation unlocks it."
    else:
        opens = timezone.localtime(at + length, timezone=_zone(zone))
        until = (
            f"It opens again by itself at {opens:%H:%M} on {opens.day} {opens:%B %Y} ({zone}), or "
            "sooner if an admin of your organisation unlocks it."
        )
    body = (
        f"Hello {user.display_name},\n\n"
        f"Sign-in to your Plaint account ({user.username}) was locked at "
        f"{local:%H:%M} on {local.day} {local:%B %Y} ({zone}) after "
        f"{settings.AXES_FAILURE_LIMIT} failed attempts with a wrong password. The last "
        f"attempt came from the address {address or 'unknown'}.\n\n"
        f"{until}\n\n"
        "If these attempts were yours, wait and sign in again, or ask an admin to unlock "
        "your account.\n"
        "If they were not yours, someone may be guessing your password: tell an admin of "
        "your organisation, and once you are signed in ask them to set you a new, strong "
        "password.\n\n"
        "Nobody signed in to your account: a locked account refuses every sign-in, even "
        "with the right password.\n"
    )
    return "[Plaint] Your account was locked after failed sign-ins", body


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def lockout_notify(*, username: str, address: str, at: datetime) -> bool:
    """E-mail the owner of `username` that it was locked, if there is such an active
    account with an e-mail address. True if a message was handed to the mail backend
    (after the current transaction commits)."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not user.email:
        return False
    subject, body = lockout_message(user=user, address=address, at=at)
    recipient = user.email

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        except OSError:  # the mail server: the lockout stands, the sign-in page answers
            log.exception("signin lockout e-mail to the owner of %r failed", username)

    transaction.on_commit(send)
    return True


# ---------------------------------------------------------------- unlock


@transaction.atomic
def signin_unlock(
    *, username: str, actor: User | None, now: datetime, organisation: Organisation | None = None
) -> int:
    """Forget the counted failures of `username` (from every address), so it can sign in
    again at once. An admin (`actor`) unlocks only members of their own organisation; the
    command line (actor None) any account. Returns how many counters were cleared; the
    member's trail records the unlock."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise FieldErrors({"now": "must be a timezone-aware date and time"})
    user = User.objects.filter(username=username).first()
    if actor is not None:
        organisation = actor.organisation
        if (
            organisation is None
            or not actor.is_active
            or not actor.has_perm("cases.manage_organisation")
        ):
            raise FieldErrors({"actor": "only an active admin may unlock an account"})
        if user is None or user.organisation_id != organisation.pk:
            raise FieldErrors(
                {"username": f"there is no member of staff {username!r} in {organisation.name}"}
            )
    elif user is None:
        raise FieldErrors({"username": f"there is no account {username!r}"})
    cleared = int(axes_reset(username=username))
    if user.organisation is not None:
        StaffChange.objects.create(
            organisation=user.organisation,
            user=user,
            actor=actor,
            at=now,
            what=StaffChange.What.UNLOCKED,
            detail={"counters": cleared},
        )
    signin_record(
        outcome=UNLOCKED,
        username=username,
        address="",
        at=now,
        by=actor.username if actor else "command line",
    )
    return cleared


# ---------------------------------------------------------------- what admins see


@dataclass(frozen=True)
class SigninRow:
    """One sign-in or failed sign-in, for the admin page."""

    at: datetime
    username: str
    address: str
    outcome: str  # SIGNED_IN, FAILED or LOCKED_OUT (a failure that was refused or locked)


@dataclass(frozen=True)
class Lockout:
    """A username that cannot sign in now, and until when."""

    username: str
    failures: int
    addresses: list[str]
    last_failure: datetime
    until: datetime | None  # None: until an admin unlocks it


def _usernames(organisation: Organisation) -> list[str]:
    return list(User.objects.filter(organisation=organisation).values_list("username", flat=True))


def signins_recent(*, organisation: Organisation, limit: int = 50) -> list[SigninRow]:
    """The latest sign-ins and failed sign-ins naming the organisation's members, newest
    first. Failures naming nobody (or another organisation's staff) are not shown."""
    names = _usernames(organisation)
    failures = AccessFailureLog.objects.filter(username__in=names).order_by("-attempt_time")
    successes = AccessLog.objects.filter(username__in=names).order_by("-attempt_time")
    rows = [
        SigninRow(
            at=f.attempt_time,
            username=f.username or "",
            address=f.ip_address or "",
            outcome=LOCKED_OUT if f.locked_out else FAILED,
        )
        for f in failures[:limit]
    ] + [
        SigninRow(
            at=s.attempt_time,
            username=s.username or "",
            address=s.ip_address or "",
            outcome=SIGNED_IN,
        )
        for s in successes[:limit]
    ]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def lockouts_current(*, organisation: Organisation, now: datetime) -> list[Lockout]:
    """The organisation's members whose own failures (from every address) have reached the
    limit within the cool-off: their accounts are locked."""
    attempts = AccessAttempt.objects.filter(username__in=_usernames(organisation))
    length = cool_off()
    if length is not None:
        attempts = attempts.filter(attempt_time__gte=now - length)
    found: dict[str, list[AccessAttempt]] = {}
    for attempt in attempts.order_by("username", "-attempt_time"):
        found.setdefault(attempt.username or "", []).append(attempt)
    locked = []
    for username, rows in sorted(found.items()):
        failures = _failures_counted(rows)
        if failures < settings.AXES_FAILURE_LIMIT:
            continue
        last = max(row.attempt_time for row in rows)
        locked.append(
            Lockout(
                username=username,
                failures=failures,
                addresses=sorted({row.ip_address or "unknown" for row in rows}),
                last_failure=last,
                until=None if length is None else last + length,
            )
        )
    return locked


def _failures_counted(rows: list[AccessAttempt]) -> int:
    """The highest count of one username's failures in any lockout group that counts the
    username: all of them for ``username``, per address for ``username+ip_address``..."""
    best = 0
    for group in settings.AXES_LOCKOUT_PARAMETERS:
        parts = [group] if isinstance(group, str) else list(group)
        if "username" not in parts:
            continue
        others = [part for part in parts if part != "username"]
        counts: dict[tuple[Any, ...], int] = {}
        for row in rows:
            key = tuple(getattr(row, part) for part in others)
            counts[key] = counts.get(key, 0) + row.failures_since_start
        best = max(best, *counts.values())
    return best
