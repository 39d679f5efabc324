"""The desk's Sign-ins page (/admin/sign-ins/): an admin sees their members' recent sign-ins,
failed sign-ins and locked accounts, and unlocks one; nobody else sees or unlocks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from plaint.accounts.models import StaffChange, User

PAGE = "/admin/sign-ins/"
UNLOCK = "/admin/sign-ins/unlock/"
LIMIT = 3


@pytest.fixture(autouse=True)
def _throttle(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]


def _fail(username: str, times: int, address: str) -> None:
    for n in range(times):
        Client().post(
            "/login/", {"username": username, "password": f"wrong-{n}"}, REMOTE_ADDR=address
        )


def test_an_admin_sees_failed_sign_ins_and_locked_accounts_of_their_members(
    as_admin: Client, agent: User, outsider: User
) -> None:
    _fail("alice", LIMIT, "192.0.2.66")
    _fail("oscar", LIMIT, "192.0.2.77")  # another organisation's member
    _fail("ghost-user", 1, "192.0.2.88")  # names no one
    page = as_admin.get(PAGE)
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    locked = html[html.index("<h2>Locked accounts</h2>") : html.index("<h2>Recent")]
    assert "alice" in locked and "192.0.2.66" in locked and "Unlock alice" in locked
    recent = html[html.index("<h2>Recent") :]
    assert recent.count("Failed: wrong username or password") == LIMIT - 1
    assert "Failed: locked out" in recent
    assert "Signed in" in recent  # ada's own sign-in
    assert "oscar" not in html and "192.0.2.77" not in html and "ghost-user" not in html
    assert 'href="/admin/sign-ins/">Sign-ins</a>' in html


def test_an_admin_unlocks_an_account(as_admin: Client, agent: User, admin_of_org: User) -> None:
    _fail("alice", LIMIT, "192.0.2.66")
    alice = Client()
    right = {"username": "alice", "password": "pw-alice-123"}
    assert alice.post("/login/", right).status_code == 429
    response = as_admin.post(UNLOCK, {"username": "alice"})
    assert response.status_code == 302 and response["Location"] == PAGE
    page = as_admin.get(PAGE).content.decode()
    assert "Unlocked alice: they can sign in again now." in page
    assert "No account of Acme Energy is locked." in page
    assert alice.post("/login/", right).status_code == 302
    change = StaffChange.objects.get(user=agent, what=StaffChange.What.UNLOCKED)
    assert change.actor == admin_of_org
    assert "sign-in unlocked" in as_admin.get("/admin/team/").content.decode()


def test_an_admin_cannot_unlock_another_organisations_member(
    as_admin: Client, outsider: User
) -> None:
    _fail("oscar", LIMIT, "192.0.2.77")
    response = as_admin.post(UNLOCK, {"username": "oscar"})
    assert response.status_code == 400
    assert "There is no member of staff &#x27;oscar&#x27; in Acme Energy" in (
        response.content.decode()
    )
    oscar = Client()
    assert (
        oscar.post("/login/", {"username": "oscar", "password": "pw-oscar-123"}).status_code == 429
    )
    assert not StaffChange.objects.filter(what=StaffChange.What.UNLOCKED).exists()


@pytest.mark.parametrize("who", ["as_agent", "as_supervisor", "as_legal"])
def test_other_roles_get_403(who: str, request: pytest.FixtureRequest, agent: User) -> None:
    client: Client = request.getfixturevalue(who)
    _fail("alice", LIMIT, "192.0.2.66")
    assert client.get(PAGE).status_code == 403
    assert client.post(UNLOCK, {"username": "alice"}).status_code == 403
    assert not StaffChange.objects.filter(what=StaffChange.What.UNLOCKED).exists()


def test_signed_out_visitors_are_sent_to_sign_in(db: None) -> None:
    for response in (Client().get(PAGE), Client().post(UNLOCK, {"username": "alice"})):
        assert response.status_code == 302 and response["Location"].startswith("/login/")
