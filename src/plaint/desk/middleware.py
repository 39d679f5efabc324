"""The desk's middleware: staff sessions end when left idle; times show in the signed-in
member of staff's organisation's time zone; pages with personal data are not cached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from plaint.accounts import reauth

#: How often the idle clock's stamp is rewritten (the timeout is kept to the minute).
SEEN_EVERY = timedelta(minutes=1)


View = TypeVar("View", bound=Callable[..., Any])


def background(view: View) -> View:
    """Mark a view the desk's pages call by themselves (a poll, not a person's click): a
    request to it is not activity, so an open tab alone never keeps a session alive past
    `PLAINT_SESSION_IDLE_MINUTES`. It is still signed out when the session is idle."""
    view.background = True  # type: ignore[attr-defined]
    return view


def _same_site_path(request: HttpRequest, url: str) -> str:
    """`url` if it is an address on this site, else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _with_next(url: str, back: str) -> str:
    return f"{url}?{urlencode({'next': back})}" if back else url


class StaffIdleTimeoutMiddleware:
    """A member of staff's session ends after `PLAINT_SESSION_IDLE_MINUTES` without a
    request (sliding: every request restarts the count). The next request is signed out,
    and the sign-in page says why. Only staff (a user of an organisation) are timed out:
    the customer portal works by private link, not by session, and a consumer's
    workspace account is not staff."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "organisation_id", None) is not None
        ):
            now = timezone.now()
            minutes = settings.PLAINT_SESSION_IDLE_MINUTES
            last = reauth.seen_at(request)
            if last is not None and now - last > timedelta(minutes=minutes):
                return self._signed_out(request, minutes)
            reauth.adopt_last_login(request)
            request.plaint_seen_now = now  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        """Restart the idle count, unless the view is a `background` one."""
        now = getattr(request, "plaint_seen_now", None)
        if now is not None and not getattr(view, "background", False):
            reauth.mark_seen(request, now=now, every=SEEN_EVERY)

    def _signed_out(self, request: HttpRequest, minutes: int) -> HttpResponse:
        logout(request)
        request.session[reauth.SIGNED_OUT_IDLE] = minutes
        if request.path.startswith("/api/"):
            # The desk's own calls to the API: now without a session, the API answers 401.
            return self.get_response(request)
        login = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            # An htmx request would swap the sign-in page into a fragment: send the whole
            # window there instead, coming back to the page it was on.
            back = _same_site_path(request, request.headers.get("HX-Current-URL", ""))
            response = HttpResponse(status=204)
            response["HX-Redirect"] = _with_next(login, back)
            return response
        if request.method in ("GET", "HEAD"):
            back = request.get_full_path()
        else:  # a form sent after the timeout is not done; its page is where to come back
            back = _same_site_path(request, request.headers.get("Referer", ""))
        return redirect(_with_next(login, back))


class OrganisationTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        org = getattr(getattr(request, "user", None), "organisation", None)
        if org is not None:
            timezone.activate(ZoneInfo(org.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PrivatePagesMiddleware:
    """Pages served to a signed-in member of staff hold complainants' personal data:
    mark them uncacheable (unless a view said otherwise), so the browser does not keep
    them on disk or show them from its cache after signing out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
