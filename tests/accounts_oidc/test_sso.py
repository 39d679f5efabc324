"""Single sign-on with OpenID Connect (issue 17, "Accounts beyond passwords"), against a
provider on loopback: who signs in, who is refused and why, what is logged, and that a
forged, replayed or hostile answer signs nobody in and never answers 500."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client

from plaint.accounts import reauth
from plaint.accounts.models import Organisation, StaffChange, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_update
from tests.accounts_oidc.conftest import (
    authorize_query,
    sign_on,
    sso_config,
    start,
    to_provider_and_back,
)
from tests.accounts_oidc.provider import Person, Provider
from tests.conftest import NOW, _staff


def _user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        json.loads(r.getMessage().removeprefix("signin "))
        for r in caplog.records
        if r.name == "plaint.security"
    ]


@pytest.fixture
def alice(agent: User) -> User:
    agent.email = "Alice.Agent@Example.com"
    agent.save(update_fields=["email"])
    return agent


def _as(provider: Provider, email: object, **kw: object) -> None:
    provider.person = Person(sub="idp-0001", email=email, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- on and off


def test_off_by_default_no_button_and_no_pages(db: None) -> None:
    client = Client()
    page = client.get("/login/")
    assert b"single sign-on" not in page.content
    assert client.get("/login/sso/").status_code == 404
    assert client.get("/login/sso/callback/?code=x&state=y").status_code == 404


def test_the_sign_in_page_offers_single_sign_on_beside_the_password(sso: Provider) -> None:
    page = Client().get("/login/?next=/reports/")
    text = page.content.decode()
    assert "Sign in with single sign-on" in text and 'name="password"' in text
    assert 'href="/login/sso/?next=/reports/"' in text


# ---------------------------------------------------------------- success


def test_a_member_signs_in_by_verified_email_case_insensitively(
    sso: Provider, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    _as(sso, "alice.agent@EXAMPLE.COM")
    client = Client()
    going = start(client)
    asked = authorize_query(going)
    # The authorisation request: code flow, state, nonce and PKCE (S256).
    assert asked["response_type"] == "code" and asked["client_id"] == "plaint-desk"
    assert asked["scope"] == "openid email profile"
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["redirect_uri"] == "http://testserver/login/sso/callback/"
    assert "prompt" not in asked
    answer = client.get(to_provider_and_back(going))
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert _user_id(client) == str(alice.pk)
    assert client.get("/").status_code == 200
    # The id token was fetched with the client's secret and the PKCE verifier.
    (token_request,) = sso.token_requests
    assert token_request["code_verifier"] and token_request["client_secret"]
    # Logged like a password sign-in, saying how; and on the admins' Sign-ins page.
    (line,) = _lines(caplog)
    assert line["outcome"] == "signed_in" and line["username"] == "alice"
    assert line["method"] == "sso"
    assert AccessLog.objects.filter(username="alice").count() == 1
    # The session is a desk session: the idle clock and the authentication time are set.
    assert isinstance(client.session[reauth.AUTHENTICATED_AT], int)
    assert isinstance(client.session[reauth.SEEN_AT], int)


def test_it_goes_back_to_the_page_asked_for_and_never_off_site(sso: Provider, alice: User) -> None:
    _as(sso, alice.email)
    assert sign_on(Client(), next="/reports/")["Location"] == "/reports/"
    assert sign_on(Client(), next="https://evil.example/")["Location"] == "/"


def test_the_idle_timeout_ends_a_single_sign_on_session(sso: Provider, alice: User) -> None:
    _as(sso, alice.email)
    client = Client()
    sign_on(client)
    session = client.session
    session[reauth.SEEN_AT] = session[reauth.SEEN_AT] - 31 * 60
    session.save()
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert _user_id(client) is None


def test_a_password_sign_in_never_calls_the_provider(sso: Provider, alice: User) -> None:
    _as(sso, alice.email)
    client = Client()
    answer = client.post(
        "/login/?code=stolen&state=x", {"username": "alice", "password": "pw-alice-123"}
    )
    assert answer.status_code == 302 and _user_id(client) == str(alice.pk)
    assert sso.token_requests == []


# ---------------------------------------------------------------- refused: who


def _refused(
    client: Client, answer, reason: str, caplog: pytest.LogCaptureFixture, status: int = 403
) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.content[:500]
    assert b"Single sign-on did not sign you in" in answer.content
    assert _user_id(client) is None
    (line,) = [line for line in _lines(caplog) if line["outcome"] == "sso_refused"]
    assert line["reason"] == reason and line["method"] == "sso"
    return line


def test_an_unknown_email_is_refused_and_nobody_is_created(
    sso: Provider, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    _as(sso, "mallory@example.com")
    client = Client()
    before = User.objects.count()
    line = _refused(client, sign_on(client), "unknown", caplog)
    assert line["claimed_email"] == "mallory@example.com" and line["username"] == ""
    assert b"no member of staff with your e-mail address" in sign_on(Client()).content
    assert User.objects.count() == before


@pytest.mark.parametrize("verified", [False, None, "false", 1, "yes"])
def test_an_unverified_email_is_refused(
    sso: Provider, alice: User, caplog: pytest.LogCaptureFixture, verified: object
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    _as(sso, alice.email, email_verified=verified)
    client = Client()
    _refused(client, sign_on(client), "email_unverified", caplog)


def test_an_inactive_member_is_refused_and_their_session_ends(
    sso: Provider, alice: User, org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    _as(sso, alice.email)
    signed_in = Client()
    sign_on(signed_in)
    assert signed_in.get("/").status_code == 200
    _staff(org, "ada", Role.ADMIN, "Ada", "Admin")  # the organisation keeps an admin
    staff_update(
        organisation=org, user=alice, roles=[Role.AGENT], is_active=False, first_name="Alice",
        last_name="Agent", email=alice.email, actor=None, now=NOW,
    )  # fmt: skip
    caplog.clear()
    client = Client()
    line = _refused(client, sign_on(client), "inactive", caplog)
    assert line["username"] == "alice"
    # The admins' Sign-ins page lists it as a failed sign-in of alice.
    assert AccessFailureLog.objects.filter(username="alice", locked_out=False).count() == 1
    # The session made before the deactivation is no longer signed in.
    assert signed_in.get("/").status_code == 302


def test_a_member_of_another_organisation_is_refused(
    sso: Provider, alice: User, outsider: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    outsider.email = "oscar@globex.example"
    outsider.save(update_fields=["email"])
    _as(sso, "OSCAR@globex.example")
    client = Client()
    line = _refused(client, sign_on(client), "other_organisation", caplog)
    assert line["username"] == "oscar"


def test_two_members_with_one_email_are_refused(
    sso: Provider, alice: User, org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    twin = _staff(org, "alicia", Role.AGENT, "Alicia", "Twin")
    twin.email = alice.email.upper()
    twin.save(update_fields=["email"])
    _as(sso, alice.email)
    client = Client()
    _refused(client, sign_on(client), "ambiguous", caplog)


def test_creating_members_at_first_sign_on_when_allowed(
    settings, sso: Provider, org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="plaint.security")
    settings.PLAINT_OIDC = sso_config(sso, create_users=True, create_role="supervisor")
    _as(
        sso,
        "Nadia.New@Example.com",
        extra={"given_name": "Nadia", "family_name": "New", "preferred_username": "nadia"},
    )
    client = Client()
    assert sign_on(client).status_code == 302
    nadia = User.objects.get(username="nadia")
    assert _user_id(client) == str(nadia.pk)
    assert nadia.organisation == org and nadia.roles == [Role.SUPERVISOR]
    assert nadia.email == "Nadia.New@example.com" and nadia.get_full_name() == "Nadia New"
    assert not nadia.has_usable_password()
    assert StaffChange.objects.filter(user=nadia, what=StaffChange.What.CREATED).count() == 1
    # The second time, the same member signs in; nobody new is made.
    again = Client()
    sign_on(again)
    assert _user_id(again) == str(nadia.pk)
    assert User.objects.filter(email__iexact="nadia.new@example.com").count() == 1


def test_creating_is_refused_for_an_email_of_another_organisation(
    settings, sso: Provider, outsider: User, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="plaint.security")
    settings.PLAINT_OIDC = sso_config(sso, create_users=True)
    outsider.email = "oscar@globex.example"
    outsider.save(update_fields=["email"])
    _as(sso, outsider.email)
    client = Client()
    _refused(client, sign_on(client), "other_organisation", caplog)
    assert User.objects.filter(email__iexact=outsider.email).count() == 1


# ---------------------------------------------------------------- refused: forged answers

FORGERIES = {
    "wrong nonce": {"nonce": "not-the-nonce-we-sent"},
    "signed by another key": {"forge_signature": True},
    "HS256 with the client secret": {"sign_hs256": True},
    "another audience": {"id_token_claims": {"aud": "someone-else"}},
    "two audiences, not authorised for us": {
        "id_token_claims": {"aud": ["plaint-desk", "other"], "azp": "other"}
    },
    "another issuer": {"id_token_claims": {"iss": "http://127.0.0.1:9/evil"}},
    "expired": {"id_token_claims": {"exp": 1_000_000, "iat": 999_000}},
    "no subject": {"id_token_claims": {"sub": None}},
    "userinfo of another subject": {"userinfo_claims": {"sub": "idp-9999"}},
}


@pytest.mark.parametrize("fault", FORGERIES, ids=list(FORGERIES))
def test_a_forged_or_mismatched_token_is_refused(
    sso: Provider, alice: User, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    _as(sso, alice.email)
    for name, value in FORGERIES[fault].items():
        setattr(sso, name, value)
    client = Client()
    _refused(client, sign_on(client), "token", caplog, status=400)


def test_a_callback_is_used_once_and_only_in_the_browser_that_started_it(
    sso: Provider, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    _as(sso, alice.email)
    client = Client()
    callback = to_provider_and_back(start(client))
    # Another browser (a login CSRF: the attacker's code in the victim's browser).
    victim = Client()
    _refused(victim, victim.get(callback), "state", caplog, status=400)
    caplog.clear()
    assert client.get(callback).status_code == 302  # the browser that started it
    client.post("/logout/")
    caplog.clear()
    _refused(client, client.get(callback), "state", caplog, status=400)  # replayed
    assert len(sso.token_requests) == 1  # neither refused try reached the provider


def test_the_provider_refusing_is_said_and_logged(
    sso: Provider, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    sso.person = None  # the provider answers error=access_denied
    client = Client()
    _refused(client, sign_on(client), "provider_error", caplog)


def test_a_provider_that_cannot_be_reached_or_names_another_issuer(
    settings, sso: Provider, alice: User, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="plaint.security")
    sso.discovery_issuer = "https://impostor.example"
    client = Client()
    _refused(client, start(client), "provider_unreachable", caplog, status=502)
    caplog.clear()
    settings.PLAINT_OIDC = sso_config(sso, issuer="http://127.0.0.1:9")  # nothing listens
    _refused(client, start(client), "provider_unreachable", caplog, status=502)


# ---------------------------------------------------------------- hostile claims

HOSTILE = {
    "NUL": "alice\x00@example.com",
    "RTL override": "alice\u202e@example.com",
    "script": "<script>alert(1)</script>@example.com",
    "template": "{{ 7*7 }}@example.com",
    "newline": "alice@example.com\nsignin {}",
    "not a string": ["alice.agent@example.com"],
    "too long": "a" * 300 + "@example.com",
}


@pytest.mark.parametrize("kind", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_email_claim_is_refused_without_a_500(
    settings, sso: Provider, alice: User, caplog: pytest.LogCaptureFixture, kind: str
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="plaint.security")
    settings.PLAINT_OIDC = sso_config(sso, create_users=True)
    _as(sso, HOSTILE[kind])
    client = Client()
    before = User.objects.count()
    answer = sign_on(client)
    line = _refused(client, answer, "email_invalid", caplog)
    assert b"<script>" not in answer.content and b"49" not in answer.content
    assert User.objects.count() == before
    messages = [r.getMessage() for r in caplog.records if r.name == "plaint.security"]
    assert all("\n" not in m and "\x00" not in m and "\u202e" not in m for m in messages)
    assert isinstance(line["claimed_email"], str) and len(line["claimed_email"]) <= 254


def test_hostile_names_of_a_new_member_are_dropped_or_kept_as_text(
    settings, sso: Provider, org: Organisation
) -> None:  # type: ignore[no-untyped-def]
    settings.PLAINT_OIDC = sso_config(sso, create_users=True)
    _as(
        sso,
        "hana@example.com",
        extra={
            "given_name": "Hana\u202eevil",
            "family_name": "<script>alert(1)</script>",
            "preferred_username": "ha\x00na<b>",
        },
    )
    client = Client()
    assert sign_on(client).status_code == 302
    hana = User.objects.get(email="hana@example.com")
    assert hana.username == "hana" and hana.first_name == ""
    assert hana.last_name == "<script>alert(1)</script>"  # text, escaped wherever shown
    page = client.get("/")
    assert page.status_code == 200 and b"<script>alert(1)" not in page.content


# ---------------------------------------------------------------- admin actions


@pytest.fixture
def sso_admin(settings, sso: Provider, org: Organisation) -> User:  # type: ignore[no-untyped-def]
    """An admin made by single sign-on: no usable password."""
    settings.PLAINT_OIDC = sso_config(sso, create_users=True, create_role="admin")
    _as(sso, "ines@example.com", extra={"preferred_username": "ines"})
    sign_on(Client())
    return User.objects.get(username="ines")


def _stale(client: Client) -> None:
    """The admin's last authentication was an hour before the session was last used."""
    session = client.session
    session[reauth.AUTHENTICATED_AT] = session[reauth.SEEN_AT] - 3600
    session.save()


def test_an_admin_without_a_password_confirms_at_the_provider(
    sso: Provider, sso_admin: User
) -> None:
    client = Client()
    sign_on(client)
    _stale(client)
    asked = client.get("/admin/team/new/")
    assert asked.status_code == 302
    assert asked["Location"] == "/login/sso/?next=%2Fadmin%2Fteam%2Fnew%2F&reauth=1"
    going = client.get(asked["Location"])
    query = authorize_query(going)
    assert query["prompt"] == "login" and query["max_age"] == "0"
    back = client.get(to_provider_and_back(going))
    assert back.status_code == 302 and back["Location"] == "/admin/team/new/"
    assert client.get("/admin/team/new/").status_code == 200
    assert _user_id(client) == str(sso_admin.pk)


def test_a_provider_that_does_not_ask_again_does_not_confirm(
    sso: Provider, sso_admin: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    client = Client()
    sign_on(client)
    _stale(client)
    sso.auth_time = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())  # an old sign-in
    caplog.clear()
    answer = client.get(to_provider_and_back(start(client, next="/admin/team/new/", reauth="1")))
    assert answer.status_code == 403 and b"did not ask for your password again" in answer.content
    assert _user_id(client) == str(sso_admin.pk)  # still signed in, still not confirmed
    assert client.get("/admin/team/new/").status_code == 302
    assert [line["reason"] for line in _lines(caplog) if "reason" in line] == ["reauth_stale"]


def test_confirming_as_someone_else_at_the_provider_is_refused(
    sso: Provider, sso_admin: User, alice: User
) -> None:
    client = Client()
    sign_on(client)
    _stale(client)
    sso.person = Person(sub="idp-alice", email=alice.email)
    answer = client.get(to_provider_and_back(start(client, next="/admin/team/new/", reauth="1")))
    assert answer.status_code == 403 and b"as someone else" in answer.content
    assert _user_id(client) == str(sso_admin.pk)
    assert client.get("/admin/team/new/").status_code == 302


def test_a_member_with_a_password_still_confirms_it(
    sso: Provider, org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    ada = _staff(org, "ada", Role.ADMIN, "Ada", "Admin")
    ada.email = "ada@example.com"
    ada.save(update_fields=["email"])
    _as(sso, ada.email)
    client = Client()
    sign_on(client)
    _stale(client)
    asked = client.get("/admin/team/new/")
    assert asked["Location"].startswith("/login/confirm/?next=")
