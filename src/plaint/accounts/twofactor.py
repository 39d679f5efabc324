"""Two-factor sign-in: a code from an authenticator app (TOTP, RFC 6238, by django-otp)
after the password, one-use recovery codes, and the organisation's "required for all staff"
policy. Services (writes, each with its staff-trail entry in the same transaction) and
selectors (reads) for the desk's pages and the `plaint accounts two-factor` command.

- A member has at most one confirmed authenticator (a django-otp `TOTPDevice`). Setting
  one up makes an unconfirmed device; it is confirmed only by a correct code from it.
- Confirming makes 10 recovery codes (`RECOVERY_CODES`), shown once. Only a keyed hash of
  each is stored (HMAC-SHA-256 with a key derived from `SECRET_KEY`: rotating the secret
  key makes the old recovery codes unusable, so make new ones after it). django-otp's own
  static device keeps its codes in clear, so Plaint keeps its own `RecoveryCode` rows.
- A code at sign-in is six digits; a recovery code is 12 letters and digits, written
  ``XXXX-XXXX-XXXX`` (dashes, spaces and case do not matter). Anything else is refused
  with a precise message and never reaches the database.
- A wrong code doubles the wait before the device takes another (django-otp's throttle,
  `OTP_TOTP_THROTTLE_FACTOR`), across sessions; the sign-in page also ends a half-signed-in
  session after `SIGNIN_ATTEMPTS` wrong codes.

Sign-ins by a backend in `EXEMPT_BACKENDS` (single sign-on whose provider does its own
multi-factor check) are neither asked for a code nor sent to set one up.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

from plaint.accounts.models import Organisation, RecoveryCode, StaffChange, User
from plaint.accounts.services import _actor_checked, _member_locked, _require_aware, _trail
from plaint.domain.errors import FieldErrors

#: How many recovery codes a member has after setting up or renewing them.
RECOVERY_CODES = 10
#: Wrong codes one sign-in may give before it ends and the password is needed again.
SIGNIN_ATTEMPTS = 5
#: Authentication backends (dotted paths) whose sign-ins skip the second factor.
EXEMPT_BACKENDS: frozenset[str] = frozenset({"plaint.accounts.oidc.SingleSignOnBackend"})

_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed
_RECOVERY_LENGTH = 12
_LONGEST_INPUT = 40  # anything longer is not a code of either kind
_DIGITS = re.compile(r"[0-9]{6}")
_HASH_SALT = "plaint.accounts.twofactor.recovery-code"

CODE_FORMAT = (
    "enter the 6-digit code from your authenticator app, or one of your recovery codes "
    "(12 letters and digits, like ABCD-EFGH-JKLM)"
)


class CodeKind(StrEnum):
    TOTP = "totp"
    RECOVERY = "recovery"


def code_parsed(text: str) -> tuple[CodeKind, str]:
    """What kind of code `text` is, and the code in its canonical form (six digits, or
    12 capitals and digits). Raises FieldErrors({"code": ...}) for anything else: empty,
    too long, control characters (NUL), other scripts' digits, a 5- or 7-digit number."""
    if len(text) > _LONGEST_INPUT or any(ord(ch) < 32 and ch not in " \t" for ch in text):
        raise FieldErrors({"code": CODE_FORMAT})
    squeezed = "".join(text.split())
    if _DIGITS.fullmatch(squeezed):
        return CodeKind.TOTP, squeezed
    recovery = squeezed.replace("-", "").upper()
    if len(recovery) == _RECOVERY_LENGTH and all(ch in _RECOVERY_ALPHABET for ch in recovery):
        return CodeKind.RECOVERY, recovery
    raise FieldErrors({"code": CODE_FORMAT})


def _recovery_hash(code: str) -> str:
    return salted_hmac(_HASH_SALT, code, algorithm="sha256").hexdigest()


def _recovery_shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


# ---------------------------------------------------------------- selectors


def two_factor_device(user: User) -> TOTPDevice | None:
    """The member's confirmed authenticator, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_factor_enrolled(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def two_factor_enrolled_ids(*, organisation: Organisation) -> set[int]:
    """The ids of the organisation's members who have two-factor set up."""
    return set(
        TOTPDevice.objects.filter(user__organisation=organisation, confirmed=True).values_list(
            "user_id", flat=True
        )
    )


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def secret_shown(device: TOTPDevice) -> str:
    """The device's key as people type it into an app: base32 in groups of four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def otpauth_url(device: TOTPDevice) -> str:
    """The ``otpauth://`` address the QR code holds (issuer ``OTP_TOTP_ISSUER``)."""
    return str(device.config_url)


# ---------------------------------------------------------------- setting up


@transaction.atomic
def totp_enrol_start(*, user: User, now: datetime) -> TOTPDevice:
    """The member's authenticator waiting to be confirmed: the one already started, or a
    new one with a fresh random key. Refused if they already have a confirmed one."""
    _require_aware(now)
    User.objects.select_for_update().get(pk=user.pk)
    if two_factor_enrolled(user):
        raise FieldErrors({"code": "two-factor is already set up for your account"})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str, now: datetime) -> list[str]:
    """Confirm the member's new authenticator with a code it shows now, and make their
    recovery codes. Returns the recovery codes (shown once, never stored in clear). The
    staff trail records the set-up. A wrong or malformed code changes nothing."""
    _require_aware(now)
    User.objects.select_for_update().get(pk=user.pk)
    if two_factor_enrolled(user):
        raise FieldErrors({"code": "two-factor is already set up for your account"})
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        raise FieldErrors({"code": "start setting up two-factor first"})
    kind, token = code_parsed(code)
    if kind is not CodeKind.TOTP:
        raise FieldErrors({"code": "enter the 6-digit code your authenticator app shows now"})
    if not device.verify_token(token):
        raise FieldErrors(
            {"code": "that code is not the one your app shows now: check the app and try again"}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _recovery_codes_replace(user, now)
    if user.organisation is not None:
        _trail(user.organisation, user, user, now, StaffChange.What.TWO_FACTOR_ENROLLED, {})
    return codes


def _recovery_codes_replace(user: User, now: datetime) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODES:
        code = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_hash(code), created_at=now) for code in codes
    )
    return [_recovery_shown(code) for code in codes]


@transaction.atomic
def recovery_codes_renew(*, user: User, now: datetime) -> list[str]:
    """New recovery codes for a member with two-factor set up; the old ones stop working.
    Returns the new codes (shown once). The staff trail records it."""
    _require_aware(now)
    User.objects.select_for_update().get(pk=user.pk)
    if not two_factor_enrolled(user):
        raise FieldErrors({"code": "set up two-factor first"})
    codes = _recovery_codes_replace(user, now)
    if user.organisation is not None:
        _trail(user.organisation, user, user, now, StaffChange.What.RECOVERY_CODES_NEW, {})
    return codes


# ---------------------------------------------------------------- signing in


@dataclass(frozen=True)
class CodeCheck:
    """The answer to a code given at sign-in."""

    ok: bool
    kind: CodeKind | None = None
    problem: str = ""  # for the person, when not ok
    recovery_left: int | None = None  # after a recovery code was used


@transaction.atomic
def two_factor_check(*, user: User, code: str, now: datetime) -> CodeCheck:
    """Check a code given at sign-in: a code from the member's authenticator (each code
    works once), or one of their recovery codes (used up by this; the staff trail records
    it). A malformed code is refused without touching the database."""
    _require_aware(now)
    try:
        kind, token = code_parsed(code)
    except FieldErrors as exc:
        return CodeCheck(ok=False, problem=exc.errors["code"])
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
    ).first()
    if device is None:
        return CodeCheck(ok=False, problem="two-factor is not set up for this account")
    if kind is CodeKind.RECOVERY:
        used = RecoveryCode.objects.filter(
            user=user, code_hash=_recovery_hash(token), used_at__isnull=True
        ).update(used_at=now)
        if not used:
            return CodeCheck(
                ok=False, problem="that recovery code is not one of yours, or was used already"
            )
        left = recovery_codes_left(user)
        if user.organisation is not None:
            _trail(
                user.organisation,
                user,
                user,
                now,
                StaffChange.What.RECOVERY_CODE_USED,
                {"left": left},
            )
        return CodeCheck(ok=True, kind=kind, recovery_left=left)
    allowed, data = device.verify_is_allowed()
    if not allowed:
        wait = ""
        if data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            until = data.get("locked_until")
            if isinstance(until, datetime):
                seconds = max(1, math.ceil((until - now).total_seconds()))
                wait = f" in {seconds} second{'s' if seconds != 1 else ''}"
        return CodeCheck(ok=False, problem=f"too many wrong codes in a row: try again{wait}")
    if device.verify_token(token):
        return CodeCheck(ok=True, kind=kind)
    return CodeCheck(
        ok=False,
        problem="that code is not the one your app shows now (each code works once)",
    )


# ---------------------------------------------------------------- admins and operators


@transaction.atomic
def two_factor_reset(
    *, organisation: Organisation, user: User, actor: User | None, now: datetime
) -> bool:
    """Remove a member's authenticator and recovery codes (a lost phone), so they sign in
    with their password alone, or set it up again where the organisation requires it.
    `actor` is an admin of the organisation (None: the command line). Returns whether
    there was anything to remove; the staff trail records the reset either way."""
    _require_aware(now)
    _actor_checked(organisation=organisation, actor=actor)
    member = _member_locked(organisation=organisation, user=user)
    devices, _ = TOTPDevice.objects.filter(user=member).delete()
    codes, _ = RecoveryCode.objects.filter(user=member).delete()
    _trail(
        organisation,
        member,
        actor,
        now,
        StaffChange.What.TWO_FACTOR_RESET,
        {"had_device": bool(devices)},
    )
    return bool(devices or codes)


@transaction.atomic
def two_factor_policy_set(
    *, organisation: Organisation, required: bool, actor: User | None, now: datetime
) -> bool:
    """Require two-factor for all the organisation's staff (or stop requiring it). Members
    without it are sent to set it up before any other desk page. Returns whether the
    policy changed; a change is recorded on the staff trail (by `actor`, None: the command
    line)."""
    _require_aware(now)
    _actor_checked(organisation=organisation, actor=actor)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.two_factor_required == required:
        return False
    org.two_factor_required = required
    org.save(update_fields=["two_factor_required"])
    organisation.two_factor_required = required
    what = (
        StaffChange.What.TWO_FACTOR_REQUIRED if required else StaffChange.What.TWO_FACTOR_OPTIONAL
    )
    StaffChange.objects.create(organisation=org, user=None, actor=actor, at=now, what=what)
    return True
