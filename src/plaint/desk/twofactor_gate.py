"""The two-factor gate in front of every desk page.

For a signed-in member of staff (a user of an organisation) whose session was opened by a
password (not by a backend in `twofactor.EXEMPT_BACKENDS`):

- with a confirmed authenticator but a session that never gave a code (signed in some
  other way than the two-step sign-in), the session ends and the sign-in page is next;
- without one, in an organisation that requires two-factor for all staff, every page but
  the set-up page (and signing out) sends them to set it up.

The customer portal (private links) and API calls with a token are not sessions of staff
and pass untouched; the desk's own API calls on such a session get 403."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from plaint.accounts import twofactor
from plaint.desk.twofactor_views import VERIFIED

#: URL names a member may reach before the gate is satisfied.
_OPEN_NAMES = (
    "two_factor_account",
    "two_factor_qr",
    "two_factor_signin",
    "password_confirm",
    "logout",
    "login",
)
#: Path prefixes that never depend on a staff session.
_OPEN_PREFIXES = ("/complain/",)


class TwoFactorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: frozenset[str] | None = None

    def _open_paths(self) -> frozenset[str]:
        if self._open is None:
            self._open = frozenset(reverse(name) for name in _OPEN_NAMES)
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or getattr(user, "organisation_id", None) is None
            or str(request.session.get(BACKEND_SESSION_KEY, "")) in twofactor.EXEMPT_BACKENDS
        ):
            return self.get_response(request)
        path = request.path
        static = str(settings.STATIC_URL or "/static/")
        if path in self._open_paths() or path.startswith((static, *_OPEN_PREFIXES)):
            return self.get_response(request)
        if twofactor.two_factor_enrolled(user):
            if request.session.get(VERIFIED):
                return self.get_response(request)
            logout(request)
            return self._send(request, resolve_url(settings.LOGIN_URL), back=True)
        if user.organisation.two_factor_required:
            return self._send(request, reverse("two_factor_account"), back=False)
        return self.get_response(request)

    def _send(self, request: HttpRequest, url: str, *, back: bool) -> HttpResponse:
        if request.path.startswith("/api/"):
            return HttpResponse(
                "Two-factor sign-in is needed first.", status=403, content_type="text/plain"
            )
        if back and request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
