"""When a member of staff last proved who they are, and the check that admin actions make.

The session keeps two instants (whole seconds since the epoch, UTC):

- `AUTHENTICATED_AT`: the last time the password was given, at sign-in or on the "confirm
  your password" page. Admin actions (the team, API tokens) need it to be at most
  `PLAINT_REAUTH_MINUTES` old; otherwise `recent_password_required` sends the admin to
  confirm the password and back.
- `SEEN_AT`: the last request of the session, for the desk's idle timeout
  (`plaint.desk.middleware.StaffIdleTimeoutMiddleware`).

This module sits low (accounts) because both the desk's admin pages and the API's token
pages use the decorator; the confirm page itself is the desk's (URL name
`password_confirm`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone

AUTHENTICATED_AT = "plaint_authenticated_at"
SEEN_AT = "plaint_seen_at"
#: Set on the fresh session of someone the idle timeout signed out: the minutes, for the
#: sign-in page's message.
SIGNED_OUT_IDLE = "plaint_signed_out_idle"
CONFIRM_URL = "password_confirm"
SIGN_ON_AGAIN_URL = "sso_start"

View = Callable[..., HttpResponse]


def _stamp(when: datetime) -> int:
    return int(when.timestamp())


def _instant(stamp: object) -> datetime | None:
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return datetime.fromtimestamp(stamp, tz=UTC)
    return None


def mark_authenticated(request: HttpRequest, *, now: datetime) -> None:
    """The password was given just now (sign-in or confirmation)."""
    request.session[AUTHENTICATED_AT] = _stamp(now)
    request.session[SEEN_AT] = _stamp(now)


def authenticated_at(request: HttpRequest) -> datetime | None:
    return _instant(request.session.get(AUTHENTICATED_AT))


def adopt_last_login(request: HttpRequest) -> None:
    """A session signed in some other way than the sign-in page (Django's `login()` from a
    command or a test client) takes the user's last sign-in as its authentication time,
    once, on its first request; later sign-ins elsewhere never refresh it."""
    if AUTHENTICATED_AT in request.session:
        return
    last_login = getattr(request.user, "last_login", None)
    request.session[AUTHENTICATED_AT] = _stamp(last_login) if last_login else 0


def recently_authenticated(request: HttpRequest, *, now: datetime, minutes: int) -> bool:
    when = authenticated_at(request)
    return when is not None and timedelta(0) <= now - when <= timedelta(minutes=minutes)


def seen_at(request: HttpRequest) -> datetime | None:
    return _instant(request.session.get(SEEN_AT))


def mark_seen(request: HttpRequest, *, now: datetime, every: timedelta) -> None:
    """The session was used just now. The stamp is rewritten at most once per `every`
    (a session write on every request would be a database write on every request)."""
    last = seen_at(request)
    if last is None or now - last >= every or now < last:
        request.session[SEEN_AT] = _stamp(now)


def confirm_url(next_url: str) -> str:
    return f"{resolve_url(CONFIRM_URL)}?{urlencode({'next': next_url})}"


def _confirms_by_sign_on(user: Any) -> bool:
    """A member without a usable password (made by single sign-on) confirms who they are
    at the provider, while single sign-on is on (plaint.accounts.oidc)."""
    return getattr(settings, "PLAINT_OIDC", None) is not None and not user.has_usable_password()


def sign_on_again_url(next_url: str) -> str:
    return f"{resolve_url(SIGN_ON_AGAIN_URL)}?{urlencode({'next': next_url, 'reauth': '1'})}"


def recent_password_required(
    perm: str, *, back: Callable[..., str] | None = None
) -> Callable[[View], View]:
    """Admin actions: a member holding `perm` whose password was last given more than
    `PLAINT_REAUTH_MINUTES` ago is sent to confirm it, and then back. A GET comes back to
    the same address; a POST cannot be replayed, so it is not done and the admin comes back
    to `back(**view_kwargs)` (default: the same address) to do it again. Members without
    `perm` go straight to the view, which refuses them as before."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            minutes = settings.PLAINT_REAUTH_MINUTES
            if (
                user.is_authenticated
                and user.has_perm(perm)
                and not recently_authenticated(request, now=timezone.now(), minutes=minutes)
            ):
                by_sso = _confirms_by_sign_on(user)
                if request.method in ("GET", "HEAD"):
                    target = request.get_full_path()
                else:
                    target = back(**kwargs) if back is not None else request.path
                    messages.warning(
                        request,
                        "Nothing was changed: sign in again with single sign-on, then do it again."
                        if by_sso
                        else "Nothing was changed: confirm your password, then do it again.",
                    )
                return redirect(sign_on_again_url(target) if by_sso else confirm_url(target))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
