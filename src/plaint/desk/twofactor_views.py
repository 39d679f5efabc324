"""The desk's two-factor pages: the code step of signing in, setting it up from one's own
account page (QR code, secret, recovery codes), and the admins' policy and reset buttons.

Signing in with a password and a confirmed authenticator is two steps. The password page
(`plaint.desk.signin.SignInView`) does not sign in: it keeps the member's id on a fresh
anonymous session (`PENDING`) and sends them here. Only a right code (or recovery code)
signs them in with Django's `login()`, which logs the sign-in. Each wrong code is logged
like a failed sign-in; after `SIGNIN_ATTEMPTS` of them, or `PENDING_MINUTES` later, the
half-signed-in session ends and the password is needed again.

Views parse, call `plaint.accounts.twofactor`, and render; the services decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import segno
from axes.models import AccessFailureLog
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plaint.accounts import reauth, twofactor
from plaint.accounts.models import User
from plaint.accounts.reauth import recent_password_required
from plaint.accounts.signins import _address, signin_record
from plaint.desk import views
from plaint.desk.admin_views import MANAGE, _admin, _member
from plaint.domain.errors import FieldErrors

#: The anonymous session of someone who gave their password and owes a code.
PENDING = "plaint_2fa_pending"
#: On a signed-in session: how the second factor was given ("totp", "recovery",
#: "enrolled"). A member with an authenticator whose session lacks it is signed out.
VERIFIED = "plaint_2fa_verified"
#: Minutes between the password and the code before the password is needed again.
PENDING_MINUTES = 5

#: Outcomes on the ``plaint.security`` log, beside signins' own.
CODE_ASKED = "two_factor_asked"
CODE_FAILED = "two_factor_failed"
CODE_LIMIT = "two_factor_limit"
RECOVERY_USED = "two_factor_recovery_code"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


def _now() -> datetime:
    return timezone.now()


def _stamp(when: datetime) -> int:
    return int(when.timestamp())


# ---------------------------------------------------------------- signing in


def signin_second_step(request: HttpRequest, user: User, *, next_url: str) -> HttpResponse | None:
    """After a right password: None if `user` signs in now (no authenticator, or a
    backend that skips the second factor); else the redirect to the code page, with the
    member kept on a fresh anonymous session."""
    backend = str(getattr(user, "backend", ""))
    if backend in twofactor.EXEMPT_BACKENDS or not twofactor.two_factor_enrolled(user):
        return None
    now = _now()
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": backend,
        "hash": user.get_session_auth_hash(),
        "at": _stamp(now),
        "failures": 0,
        "next": next_url,
    }
    signin_record(
        outcome=CODE_ASKED, username=user.get_username(), address=_address(request), at=now
    )
    return redirect("two_factor_signin")


def _pending(request: HttpRequest, now: datetime) -> tuple[dict[str, Any], User] | None:
    """The half-signed-in member, if the session has one that is still good."""
    state = request.session.get(PENDING)
    if not isinstance(state, dict):
        return None
    started = state.get("at")
    if not isinstance(started, int) or not (
        timedelta(0)
        <= now - datetime.fromtimestamp(started, tz=UTC)
        <= timedelta(minutes=PENDING_MINUTES)
    ):
        return None
    pk = state.get("user")
    if not isinstance(pk, int):
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if not isinstance(user, User) or not constant_time_compare(
        str(state.get("hash", "")), user.get_session_auth_hash()
    ):
        return None
    return state, user


def _failure_logged(request: HttpRequest, user: User, *, outcome: str, now: datetime) -> None:
    """A wrong code: a line on the security log and a row on the admins' Sign-ins page."""
    address = _address(request)
    signin_record(outcome=outcome, username=user.get_username(), address=address, at=now)
    AccessFailureLog.objects.create(
        username=user.get_username()[:255],
        ip_address=address or None,
        user_agent=request.headers.get("User-Agent", "")[:255],
        http_accept=request.headers.get("Accept", "")[:1025],
        path_info=request.path[:255],
        locked_out=outcome == CODE_LIMIT,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signin_code_view(request: HttpRequest) -> HttpResponse:
    now = _now()
    found = _pending(request, now)
    if found is None:
        request.session.pop(PENDING, None)
        context = {"reason": "expired", "minutes": PENDING_MINUTES}
        # 400, not 403: nothing is refused to this person, the step is simply over.
        return render(request, "desk/twofactor/ended.html", context, status=400)
    state, user = found
    form = CodeForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return _code_page(request, form, state)
    problem = ""
    if form.is_valid():
        check = twofactor.two_factor_check(user=user, code=form.cleaned_data["code"], now=now)
        if check.ok:
            return _signed_in(request, user, state, check)
        problem = check.problem[:1].upper() + check.problem[1:] + "."
    failures = int(state.get("failures", 0)) + 1
    if failures >= twofactor.SIGNIN_ATTEMPTS:
        _failure_logged(request, user, outcome=CODE_LIMIT, now=now)
        request.session.flush()
        return render(
            request,
            "desk/twofactor/ended.html",
            {"reason": "limit", "minutes": PENDING_MINUTES},
            status=403,
        )
    _failure_logged(request, user, outcome=CODE_FAILED, now=now)
    state["failures"] = failures
    request.session[PENDING] = state
    if problem:
        form.add_error("code", problem)
    return _code_page(request, form, state, status=400)


def _code_page(
    request: HttpRequest, form: CodeForm, state: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    left = twofactor.SIGNIN_ATTEMPTS - int(state.get("failures", 0))
    return render(
        request, "desk/twofactor/signin.html", {"form": form, "attempts_left": left}, status=status
    )


def _signed_in(
    request: HttpRequest, user: User, state: dict[str, Any], check: twofactor.CodeCheck
) -> HttpResponse:
    target = str(state.get("next") or resolve_url("desk:case_list"))
    request.session.pop(PENDING, None)
    user.backend = str(state.get("backend") or "django.contrib.auth.backends.ModelBackend")
    auth_login(request, user)  # a new session key; logs the sign-in
    now = _now()
    reauth.mark_authenticated(request, now=now)
    request.session[VERIFIED] = str(check.kind)
    if check.kind is twofactor.CodeKind.RECOVERY:
        signin_record(
            outcome=RECOVERY_USED,
            username=user.get_username(),
            address=_address(request),
            at=now,
            left=check.recovery_left,
        )
        messages.warning(
            request,
            f"You signed in with a recovery code; {check.recovery_left} left. If you lost "
            "your phone, ask an admin to reset your two-factor, or make new recovery codes "
            "on this page.",
        )
        target = reverse("two_factor_account")  # where the codes left are shown
    return redirect(target)


# ---------------------------------------------------------------- one's own account


def _staff(request: HttpRequest) -> User:
    views._organisation(request)  # 403 for accounts outside an organisation
    return views._user(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_two_factor_view(request: HttpRequest) -> HttpResponse:
    """Two-factor on the member's own account: set it up (QR code, secret, a code to
    confirm), or see that it is on and how many recovery codes are left."""
    user = _staff(request)
    now = _now()
    if twofactor.two_factor_enrolled(user):
        if request.method == "POST":
            return redirect("two_factor_account")
        context = {
            "device": twofactor.two_factor_device(user),
            "codes_left": twofactor.recovery_codes_left(user),
            "messages_shown": messages.get_messages(request),
        }
        return render(request, "desk/twofactor/account.html", context)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            codes = twofactor.totp_enrol_confirm(user=user, code=form.cleaned_data["code"], now=now)
        except FieldErrors as exc:
            problem = exc.errors.get("code", "that code was not accepted")
            form.add_error("code", problem[:1].upper() + problem[1:] + ".")
        else:
            request.session[VERIFIED] = "enrolled"
            return _codes_page(request, codes, first=True)
    device = twofactor.totp_enrol_start(user=user, now=now)
    org = user.organisation
    context = {
        "form": form,
        "secret": twofactor.secret_shown(device),
        "required": bool(org and org.two_factor_required),
        "messages_shown": messages.get_messages(request),
    }
    return render(
        request, "desk/twofactor/enrol.html", context, status=400 if form.is_bound else 200
    )


def _codes_page(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    response = render(request, "desk/twofactor/codes.html", {"codes": codes, "first": first})
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_GET
def qr_view(request: HttpRequest) -> HttpResponse:
    """The QR code of the member's authenticator being set up, as SVG (served from our own
    origin, which the Content-Security-Policy allows for images; never cached)."""
    user = _staff(request)
    try:
        device = twofactor.totp_enrol_start(user=user, now=_now())
    except FieldErrors:
        return HttpResponse(status=404)
    out = BytesIO()
    segno.make(twofactor.otpauth_url(device), error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="QR code"
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store, private"
    return response


def _back_to_account() -> str:
    return reverse("two_factor_account")


@never_cache
@login_required
@require_POST
@recent_password_required("cases.view_case", back=_back_to_account)
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working); needs a recent password."""
    user = _staff(request)
    if not reauth.recently_authenticated(
        request, now=_now(), minutes=settings.PLAINT_REAUTH_MINUTES
    ):
        return redirect(reauth.confirm_url(_back_to_account()))
    try:
        codes = twofactor.recovery_codes_renew(user=user, now=_now())
    except FieldErrors:
        return redirect("two_factor_account")
    return _codes_page(request, codes, first=False)


# ---------------------------------------------------------------- admins


@never_cache
@login_required
@require_POST
@recent_password_required(MANAGE, back=lambda: reverse("desk_admin:team"))
def policy_view(request: HttpRequest) -> HttpResponse:
    """Require two-factor for all the organisation's staff, or stop requiring it."""
    org, admin = _admin(request)
    choice = request.POST.get("required", "")
    if choice not in ("on", "off"):
        messages.error(request, "Nothing was changed: choose on or off.")
        return redirect("desk_admin:team")
    changed = twofactor.two_factor_policy_set(
        organisation=org, required=choice == "on", actor=admin, now=_now()
    )
    if not changed:
        messages.info(request, "Nothing was changed: that is already the policy.")
    elif choice == "on":
        messages.success(
            request,
            "Two-factor is now required for all staff. Members without it are asked to set "
            "it up before any other page.",
        )
    else:
        messages.success(request, "Two-factor is no longer required (members may keep it).")
    return redirect("desk_admin:team")


@never_cache
@login_required
@require_POST
@recent_password_required(
    MANAGE, back=lambda user_id: reverse("desk_admin:member", kwargs={"user_id": user_id})
)
def member_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a member's authenticator and recovery codes (e.g. a lost phone)."""
    org, admin = _admin(request)
    member = _member(org, user_id)
    had = twofactor.two_factor_reset(organisation=org, user=member, actor=admin, now=_now())
    if had:
        then = (
            " They will be asked to set it up again when they next sign in."
            if org.two_factor_required
            else " They now sign in with their password alone until they set it up again."
        )
        messages.success(request, f"Reset two-factor for {member.display_name}.{then}")
    else:
        messages.info(request, f"{member.display_name} had no two-factor set up; recorded.")
    return redirect("desk_admin:member", user_id=member.pk)


def session_backend(request: HttpRequest) -> str:
    return str(request.session.get(BACKEND_SESSION_KEY, ""))
