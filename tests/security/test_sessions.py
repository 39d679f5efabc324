"""Staff sessions: the idle timeout (sliding, PLAINT_SESSION_IDLE_MINUTES) and the password
asked again before admin actions (PLAINT_REAUTH_MINUTES). The clock is pinned with
time-machine and moved by hand: nothing sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from plaint.accounts.models import User
from plaint.api.models import ApiToken
from plaint.api.tokens import token_create
from tests.conftest import NOW
from tests.portal.helpers import portal_token
from tests.security.conftest import World, password

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _minutes(clock: time_machine.Coordinates, minutes: float) -> None:
    clock.shift(timedelta(minutes=minutes))


def sign_in_page(username: str) -> Client:
    """Signed in through the sign-in page, as a person would."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": password(username)})
    assert response.status_code == 302, response
    return client


# ---------------------------------------------------------------- the idle timeout


def test_a_staff_session_ends_after_30_idle_minutes_and_the_sign_in_page_says_why(
    admin: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    _minutes(clock, 29)
    assert client.get("/").status_code == 200
    _minutes(clock, 29)  # 58 minutes after signing in, 29 after the last request: sliding
    assert client.get("/").status_code == 200
    _minutes(clock, 31)
    response = client.get("/?status=open")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2F%3Fstatus%3Dopen"
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity." in page.content.decode()
    assert client.get("/").status_code == 302  # still signed out
    again = client.get("/login/").content.decode()
    assert "without activity" not in again  # said once


def test_a_session_is_not_ended_before_the_minute(
    admin: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    _minutes(clock, 30)
    assert client.get("/").status_code == 200


def test_the_idle_timeout_is_configurable(
    admin: User, clock: time_machine.Coordinates, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PLAINT_SESSION_IDLE_MINUTES = 5
    client = sign_in_page("ada")
    _minutes(clock, 6)
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 5 minutes without activity." in page


def test_the_stolen_cookie_of_an_idle_session_is_worthless(
    admin: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    key = client.cookies["sessionid"].value
    _minutes(clock, 45)
    assert client.get("/").status_code == 302
    thief = Client()
    thief.cookies["sessionid"] = key
    assert thief.get("/").status_code == 302  # the session itself was ended, not hidden


def test_an_htmx_request_after_the_timeout_sends_the_window_to_sign_in(
    world: World, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    _minutes(clock, 31)
    page = f"http://testserver/cases/{world.case.reference}/"
    response = client.get("/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert response.status_code == 204  # nothing swapped into the fragment
    assert response["HX-Redirect"] == (
        f"/login/?next=http%3A%2F%2Ftestserver%2Fcases%2F{world.case.reference}%2F"
    )


def test_a_form_sent_after_the_timeout_is_not_done(
    world: World, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    _minutes(clock, 31)
    case_page = f"/cases/{world.case.reference}/"
    notes = world.case.events.count()
    response = client.post(
        f"{case_page}actions/note/",
        {"text": "late note", "visibility": "internal", "version": world.case.ledger_length},
        HTTP_REFERER=f"http://testserver{case_page}",
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert world.case.events.count() == notes


def test_the_desks_api_calls_after_the_timeout_are_refused(
    admin: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    assert client.get("/api/v1/cases").status_code == 200
    _minutes(clock, 31)
    assert client.get("/api/v1/cases").status_code == 401


def test_portal_links_are_not_sessions_and_never_time_out(
    world: World, clock: time_machine.Coordinates
) -> None:
    link = f"/complain/acme/case/{portal_token(world.case)}/"
    customer = Client()
    assert customer.get(link).status_code == 200
    _minutes(clock, 6 * 60)
    assert customer.get(link).status_code == 200


def test_a_consumers_workspace_session_is_not_a_staff_session(
    db: None, clock: time_machine.Coordinates
) -> None:
    consumer = User.objects.create_user("dana@example.org", email="dana@example.org")
    client = Client()
    client.force_login(consumer)
    assert client.get("/consumer/").status_code == 200
    _minutes(clock, 6 * 60)
    assert client.get("/consumer/").status_code == 200


# ---------------------------------------------------------------- re-authentication


def test_an_admin_who_signed_in_recently_goes_straight_to_the_team_form(
    admin: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    _minutes(clock, 9)
    assert client.get("/admin/team/new/").status_code == 200


def test_an_admin_whose_password_is_older_than_the_window_confirms_it_then_acts(
    admin: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    _minutes(clock, 11)
    assert client.get("/").status_code == 200  # the desk itself asks nothing
    response = client.get("/admin/team/new/")
    assert response.status_code == 302
    assert response["Location"] == "/login/confirm/?next=%2Fadmin%2Fteam%2Fnew%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Confirm your password" in page.content.decode()

    wrong = client.post(
        "/login/confirm/", {"password": "not-my-password", "next": "/admin/team/new/"}
    )
    assert wrong.status_code == 400
    assert "That is not your password. Nothing was done; try again." in wrong.content.decode()
    assert client.get("/admin/team/new/").status_code == 302  # still not confirmed

    right = client.post("/login/confirm/", {"password": "pw-ada-123", "next": "/admin/team/new/"})
    assert right.status_code == 302
    assert right["Location"] == "/admin/team/new/"
    assert client.get("/admin/team/new/").status_code == 200
    made = client.post(
        "/admin/team/new/",
        {
            "username": "nia",
            "first_name": "Nia",
            "last_name": "New",
            "email": "nia@example.org",
            "roles": ["agent"],
            "password": "a-Long-new-passphrase-42",
            "again": "a-Long-new-passphrase-42",
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    assert User.objects.filter(username="nia", organisation=admin.organisation).exists()
    _minutes(clock, 11)  # the confirmation lasts the window too
    assert client.get("/admin/team/new/").status_code == 302


def test_a_revocation_sent_after_the_window_is_not_done_until_confirmed(
    admin: User, clock: time_machine.Coordinates
) -> None:
    assert admin.organisation is not None
    made = token_create(
        organisation=admin.organisation,
        owner=admin,
        name="nightly export",
        scopes=["read"],
        actor=admin,
        now=NOW,
    )
    client = sign_in_page("ada")
    _minutes(clock, 11)
    response = client.post(f"/api/tokens/{made.token.prefix}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/login/confirm/?next=%2Fapi%2Ftokens%2F"
    assert ApiToken.objects.get(pk=made.token.pk).revoked_at is None
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was changed: confirm your password, then do it again." in page
    client.post("/login/confirm/", {"password": "pw-ada-123", "next": "/api/tokens/"})
    assert client.post(f"/api/tokens/{made.token.prefix}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=made.token.pk).revoked_at is not None


def test_making_a_token_asks_for_the_password_after_the_window(
    admin: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("ada")
    _minutes(clock, 11)
    assert client.get("/api/tokens/")["Location"] == "/login/confirm/?next=%2Fapi%2Ftokens%2F"
    body = {"name": "ci", "owner": str(admin.pk), "scopes": ["read"]}
    assert client.post("/api/tokens/", body).status_code == 302
    assert not ApiToken.objects.filter(name="ci").exists()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)"]
)
def test_the_confirm_page_only_sends_back_to_this_site(
    admin: User, clock: time_machine.Coordinates, target: str
) -> None:
    client = sign_in_page("ada")
    response = client.post("/login/confirm/", {"password": "pw-ada-123", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_reauth_window_is_configurable(
    admin: User, clock: time_machine.Coordinates, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PLAINT_REAUTH_MINUTES = 2
    client = sign_in_page("ada")
    _minutes(clock, 3)
    assert client.get("/admin/team/new/").status_code == 302


def test_someone_without_the_admin_role_is_refused_not_asked_for_a_password(
    admin: User, agent: User, clock: time_machine.Coordinates
) -> None:
    client = sign_in_page("alice")
    _minutes(clock, 11)
    assert client.get("/admin/team/new/").status_code == 403
    assert client.get("/api/tokens/").status_code == 403


def test_the_confirm_page_needs_a_signed_in_member(db: None) -> None:
    response = Client().get("/login/confirm/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("name", ["PLAINT_SESSION_IDLE_MINUTES", "PLAINT_REAUTH_MINUTES"])
def test_the_windows_are_whole_minutes_of_at_least_one(name: str) -> None:
    from plaint.config.appsettings import AppSettings, SettingsError

    defaults = AppSettings.from_env({})
    assert (defaults.session_idle_minutes, defaults.reauth_minutes) == (30, 10)
    assert getattr(AppSettings.from_env({name: "45"}), name[7:].lower()) == 45
    for bad in ("0", "-3", "half an hour"):
        with pytest.raises(SettingsError, match=name):
            AppSettings.from_env({name: bad})
