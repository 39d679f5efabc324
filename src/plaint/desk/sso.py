"""The desk's two single sign-on pages (OpenID Connect; `plaint.accounts.oidc`).

`/login/sso/` sends the browser to the provider (mozilla-django-oidc's request view: a
fresh `state`, `nonce` and PKCE verifier kept in the session). With `reauth=1` a signed-in
member of staff is asked by the provider to sign in again (`prompt=login`, `max_age=0`),
which is how a member without a usable password confirms who they are before an admin
action. `/login/sso/callback/` takes the provider's answer: the state must be one this
session started (each is used once), the backend checks the tokens and finds the member,
and every sign-in and refusal is logged. Both pages answer 404 while single sign-on is off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import auth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from plaint.accounts import oidc, reauth

#: Session key: state → {"reauth": bool, "started": seconds since the epoch}.
FLOWS = "plaint_sso_flows"
#: At most this many sign-ins started and not finished are remembered per session.
FLOWS_KEPT = 10

_STATUS = {
    "provider_unreachable": 502,
    "state": 400,
    "token": 400,
    "locked_out": 429,
}


class _RequestView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    library: dict[str, Any] = {}
    reauth: bool = False

    def get_settings(self, attr: str, *args: Any) -> Any:
        if attr in self.library:
            return self.library[attr]
        return import_from_settings(attr, *args)

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        # OpenID Connect Core 1.0, 3.1.2.1: the provider must authenticate the person
        # again, and say when in the id token's auth_time.
        return {"prompt": "login", "max_age": "0"} if self.reauth else {}


def _refused_page(request: HttpRequest, refused: oidc.Refused, *, now: datetime) -> HttpResponse:
    oidc.refusal_record(request, refused, at=now)
    context = {"message": refused.message, "reason": refused.reason}
    return render(
        request, "desk/sso_refused.html", context, status=_STATUS.get(refused.reason, 403)
    )


@never_cache
@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    cfg = oidc.config()
    if cfg is None:
        raise Http404("single sign-on is off")
    now = timezone.now()
    again = request.GET.get("reauth") == "1" and request.user.is_authenticated
    try:
        found = oidc.endpoints(cfg)
    except oidc.Refused as refused:
        return _refused_page(request, refused, now=now)
    view = _RequestView.as_view(library=oidc.library_settings(cfg, found), reauth=again)
    response: HttpResponse = view(request)
    state = parse_qs(urlsplit(response["Location"]).query).get("state", [""])[0]
    flows = request.session.get(FLOWS)
    flows = dict(flows) if isinstance(flows, dict) else {}
    flows[state] = {"reauth": again, "started": int(now.timestamp())}
    request.session[FLOWS] = dict(list(flows.items())[-FLOWS_KEPT:])
    return response


def _safe_next(request: HttpRequest, target: object) -> str:
    if isinstance(target, str) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    cfg = oidc.config()
    if cfg is None:
        raise Http404("single sign-on is off")
    now = timezone.now()
    try:
        return _callback(request, now=now)
    except oidc.Refused as refused:
        return _refused_page(request, refused, now=now)


def _callback(request: HttpRequest, *, now: datetime) -> HttpResponse:
    state = request.GET.get("state", "")
    states = request.session.get("oidc_states")
    states = states if isinstance(states, dict) else {}
    flows = request.session.get(FLOWS)
    flows = flows if isinstance(flows, dict) else {}
    entry = states.pop(state, None) if state else None
    flow = flows.pop(state, None) if state else None
    request.session["oidc_states"], request.session[FLOWS] = states, flows  # used once
    if request.GET.get("error"):
        raise oidc.Refused("provider_error")
    if not isinstance(entry, dict) or not isinstance(flow, dict) or not request.GET.get("code"):
        raise oidc.Refused("state")
    target = _safe_next(request, request.session.pop("oidc_login_next", None))
    user = auth.authenticate(
        request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier"), now=now
    )
    if user is None:  # django-axes refused it: the address is locked out
        if getattr(request, "axes_locked_out", False):
            raise oidc.Refused("locked_out")
        raise oidc.Refused("state")
    if flow.get("reauth"):
        return _reauthenticated(request, user, flow, now=now, target=target)
    setattr(request, oidc.METHOD_ATTRIBUTE, "sso")
    auth.login(request, user)  # a new session key; signals log the sign-in
    reauth.mark_authenticated(request, now=now)
    return redirect(target)


def _reauthenticated(
    request: HttpRequest, user: Any, flow: dict[str, Any], *, now: datetime, target: str
) -> HttpResponse:
    if not request.user.is_authenticated or user.pk != request.user.pk:
        raise oidc.Refused("reauth_other_user", username=user.get_username())
    auth_time = getattr(user, "sso_auth_time", None)
    started = flow.get("started")
    if (
        auth_time is None
        or not isinstance(started, int)
        or auth_time < started - oidc.CLOCK_SKEW_SECONDS
    ):
        raise oidc.Refused("reauth_stale", username=user.get_username())
    reauth.mark_authenticated(request, now=now)
    return redirect(target)
