"""The desk's admin pages: only admins reach them, only for their own organisation; each
form is a plain CSRF-protected post that shows the service's messages next to the fields
and redirects with a message when it works."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.test import Client
from django.utils.html import escape

from plaint.accounts.models import Organisation, StaffChange, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_update
from plaint.config import appsettings
from plaint.domain.letters import CATALOGUE
from tests.admin.test_services import state
from tests.conftest import NOW, _staff

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
TEAM, NEW, TEMPLATES = "/admin/team/", "/admin/team/new/", "/admin/templates/"


def member_url(user: User, suffix: str = "") -> str:
    return f"/admin/team/{user.pk}/{suffix}"


def details(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": [role.value for role in user.roles],
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


NEW_MEMBER = {
    "username": "nina",
    "first_name": "Nina",
    "last_name": "Newcomer",
    "email": "nina@example.org",
    "roles": ["agent", "legal_reviewer"],
    "password": "pw-nina-12345",
    "again": "pw-nina-12345",
}


def field_error(page: str, field_id: str) -> str:
    """The error shown with the field of this id, in its paragraph ("" when none)."""
    start = page.find(f'id="{field_id}"')
    if start < 0:
        return ""
    end = min(i for i in (page.find("</p>", start), page.find("</fieldset>", start)) if i >= 0)
    found = re.search(
        r'<span class="error field-error" role="alert" id="[^"]*_error">([^<]*)</span>',
        page[start:end],
    )
    return found.group(1) if found else ""


# ---------------------------------------------------------------- who may come in


@pytest.mark.parametrize("who", ["as_agent", "as_supervisor", "as_legal"])
def test_other_roles_get_403_everywhere(
    who: str, request: pytest.FixtureRequest, agent: User, admin_of_org: User
) -> None:
    client: Client = request.getfixturevalue(who)
    before = state()
    for url in (TEAM, NEW, member_url(agent), TEMPLATES):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, NEW_MEMBER).status_code == 403
    assert client.post(member_url(agent), details(agent, is_active=None)).status_code == 403
    password = {"password": "new-secret-4821", "again": "new-secret-4821"}
    assert client.post(member_url(agent, "password/"), password).status_code == 403
    assert state() == before


def test_signed_out_visitors_are_sent_to_sign_in(db: None) -> None:
    for url in (TEAM, NEW, TEMPLATES, "/admin/team/1/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_admin_of_another_organisation_gets_404_for_our_members(
    as_outsider: Client, agent: User, admin_of_org: User
) -> None:
    before = state()
    assert as_outsider.get(member_url(agent)).status_code == 404
    assert as_outsider.post(member_url(agent), details(agent, is_active=None)).status_code == 404
    password = {"password": "new-secret-4821", "again": "new-secret-4821"}
    assert as_outsider.post(member_url(agent, "password/"), password).status_code == 404
    assert as_outsider.get("/admin/team/999999/").status_code == 404
    assert state() == before
    team = as_outsider.get(TEAM).content.decode()
    assert "oscar" in team and "alice" not in team and "Ada Admin" not in team


def test_only_admins_see_the_nav_links(as_admin: Client, as_supervisor: Client) -> None:
    assert 'href="/admin/team/">Team</a>' in as_admin.get("/").content.decode()
    assert 'href="/admin/templates/">Templates</a>' in as_admin.get("/").content.decode()
    assert "/admin/team/" not in as_supervisor.get("/").content.decode()


# ---------------------------------------------------------------- the team page


def test_the_team_page_lists_members_and_recent_changes(
    as_admin: Client, org: Organisation, agent: User, admin_of_org: User
) -> None:
    staff_update(
        organisation=org,
        user=agent,
        roles=[Role.AGENT, Role.SUPERVISOR],
        is_active=True,
        first_name="Alice",
        last_name="Agent",
        email="alice@example.org",
        actor=admin_of_org,
        now=NOW,
    )
    response = as_admin.get(TEAM)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for text in (
        "Alice Agent",
        "alice@example.org",
        "agent, supervisor",
        "Ada Admin",
        "never",
        "roles changed from agent to agent, supervisor",
        "added as admin",
        "command line",
    ):
        assert text in page, text


# ---------------------------------------------------------------- adding a member


def test_an_admin_adds_a_member(as_admin: Client, org: Organisation, admin_of_org: User) -> None:
    form = as_admin.get(NEW).content.decode()
    assert 'name="csrfmiddlewaretoken"' in form
    for field in ("id_username", "id_first_name", "id_email", "id_password", "id_again"):
        assert f'<label for="{field}">' in form, field
    assert "<legend>Roles</legend>" in form
    assert re.search(r'<input[^>]*name="roles" value="agent"[^>]*checked', form)
    assert '<label for="id_roles_3"><input type="checkbox" name="roles" value="admin"' in form

    response = as_admin.post(NEW, NEW_MEMBER, follow=True)
    nina = User.objects.get(username="nina")
    assert response.redirect_chain == [(member_url(nina), 302)]
    assert "Added Nina Newcomer (nina) as agent, legal reviewer" in response.content.decode()
    assert nina.organisation == org and nina.roles == [Role.AGENT, Role.LEGAL_REVIEWER]
    change = StaffChange.objects.get(user=nina)
    assert change.actor == admin_of_org and change.what == "created"
    assert Client().login(username="nina", password="pw-nina-12345")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"email": "nope"}, "id_email", "valid email"),
        (
            {"username": "alice"},
            "id_username",
            "The username &#x27;alice&#x27; cannot be used: choose another",
        ),
        ({"password": "password", "again": "password"}, "id_password", "too common"),
        ({"again": "something-else"}, "id_again", "The two passwords differ"),
    ],
)
def test_adding_shows_each_problem_next_to_its_field_and_writes_nothing(
    as_admin: Client, agent: User, changes: dict, field: str, words: str
) -> None:
    before = state()
    response = as_admin.post(NEW, {**NEW_MEMBER, **changes})
    assert response.status_code == 400
    assert words in field_error(response.content.decode(), field)
    assert state() == before


def test_adding_without_a_role_is_refused(as_admin: Client) -> None:
    before = state()
    response = as_admin.post(NEW, {**NEW_MEMBER, "roles": []})
    page = response.content.decode()
    assert response.status_code == 400 and "Choose at least one role." in page
    assert state() == before


# ---------------------------------------------------------------- editing a member


def test_an_admin_edits_and_deactivates_a_member_who_then_cannot_sign_in(
    as_admin: Client, agent: User, admin_of_org: User
) -> None:
    page = as_admin.get(member_url(agent)).content.decode()
    assert 'value="Alice"' in page and "Set a new password" in page
    client = Client()
    assert client.login(username="alice", password="pw-alice-123")

    data = details(agent, last_name="Adams", roles=["supervisor"], is_active=None)
    response = as_admin.post(member_url(agent), data, follow=True)
    assert response.redirect_chain == [(member_url(agent), 302)]
    page = response.content.decode()
    assert "Saved Alice Adams. They can no longer sign in." in page
    agent.refresh_from_db()
    assert not agent.is_active and agent.roles == [Role.SUPERVISOR]
    whats = set(StaffChange.objects.filter(user=agent).values_list("what", flat=True))
    assert {"details_changed", "roles_changed", "deactivated"} <= whats

    # Signed out at the next request, and refused at the sign-in page.
    assert client.get("/").status_code == 302
    assert not Client().login(username="alice", password="pw-alice-123")
    refused = Client().post("/login/", {"username": "alice", "password": "pw-alice-123"})
    assert refused.status_code == 200 and "do not match" in refused.content.decode()

    as_admin.post(member_url(agent), details(agent, is_active="on"))
    assert Client().login(username="alice", password="pw-alice-123")


def test_an_admin_cannot_deactivate_themselves_on_the_page(
    as_admin: Client, admin_of_org: User
) -> None:
    before = state()
    response = as_admin.post(member_url(admin_of_org), details(admin_of_org, is_active=None))
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in field_error(
        response.content.decode(), "id_is_active"
    )
    response = as_admin.post(member_url(admin_of_org), details(admin_of_org, roles=["agent"]))
    assert response.status_code == 400
    assert "You cannot take away your own admin role" in response.content.decode()
    assert state() == before


def test_editing_shows_a_bad_email_next_to_the_field(as_admin: Client, agent: User) -> None:
    before = state()
    response = as_admin.post(member_url(agent), details(agent, email="alice@"))
    assert response.status_code == 400
    assert "valid email" in field_error(response.content.decode(), "id_email")
    assert state() == before


def test_an_admin_sets_a_password(as_admin: Client, agent: User) -> None:
    old = Client()
    assert old.login(username="alice", password="pw-alice-123")
    data = {"password": "new-secret-4821", "again": "new-secret-4821"}
    response = as_admin.post(member_url(agent, "password/"), data, follow=True)
    assert response.redirect_chain == [(member_url(agent), 302)]
    assert "Set a new password for Alice Agent" in response.content.decode()
    assert Client().login(username="alice", password="new-secret-4821")
    assert not Client().login(username="alice", password="pw-alice-123")
    assert old.get("/").status_code == 302  # the old session ended
    assert StaffChange.objects.filter(user=agent, what="password_set").count() == 1


def test_an_admin_setting_their_own_password_stays_signed_in(
    as_admin: Client, admin_of_org: User
) -> None:
    data = {"password": "new-secret-4821", "again": "new-secret-4821"}
    assert as_admin.post(member_url(admin_of_org, "password/"), data).status_code == 302
    assert as_admin.get(TEAM).status_code == 200


def test_a_weak_password_is_refused_next_to_the_field(as_admin: Client, agent: User) -> None:
    before = state()
    data = {"password": "abc", "again": "abc"}
    response = as_admin.post(member_url(agent, "password/"), data)
    assert response.status_code == 400
    assert "too short" in field_error(response.content.decode(), "id_pw_password")
    assert state() == before


def test_forms_without_a_csrf_token_are_refused(admin_of_org: User, agent: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="ada", password="pw-ada-123")
    before = state()
    assert client.post(NEW, NEW_MEMBER).status_code == 403
    assert client.post(member_url(agent), details(agent, is_active=None)).status_code == 403
    data = {"password": "new-secret-4821", "again": "new-secret-4821"}
    assert client.post(member_url(agent, "password/"), data).status_code == 403
    assert state() == before


def test_markup_in_a_name_is_shown_as_text(
    as_admin: Client, org: Organisation, admin_of_org: User
) -> None:
    hostile = _staff(org, "mallory", Role.AGENT, XSS, XSS[:150])
    for url in (TEAM, member_url(hostile)):
        page = as_admin.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page, url


# ---------------------------------------------------------------- templates


def test_the_templates_page_lists_the_catalogue(as_admin: Client) -> None:
    page = as_admin.get(TEMPLATES).content.decode()
    assert "No override folder is configured" in page
    for spec in CATALOGUE.values():
        assert escape(spec.title) in page and spec.version in page, spec.id
    assert "The business" in page and "The customer" in page and "Either side" in page
    assert "23 Nov 2026" in page  # last verified
    assert "PLAINT_LETTER_TEMPLATES_DIR" in page
    assert "Replaced" not in page


def test_the_templates_page_shows_what_the_organisation_overrides(
    as_admin: Client, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "escalation.md").write_text("{% extends '_layout.md' %}")
    (tmp_path / "_layout.md").write_text("Our letterhead")
    (tmp_path / "notes.txt").write_text("not a template")
    monkeypatch.setattr(
        appsettings, "APP", replace(appsettings.APP, letter_templates_dir=str(tmp_path))
    )
    page = as_admin.get(TEMPLATES).content.decode()
    row = page.split('id="letter-escalation"')[1].split("</tr>")[0]
    assert "Replaced" in row and "escalation.md" in row
    other = page.split('id="letter-complaint"')[1].split("</tr>")[0]
    assert "Shipped" in other
    assert "<code>_layout.md</code>" in page and "notes.txt" not in page

    monkeypatch.setattr(
        appsettings,
        "APP",
        replace(appsettings.APP, letter_templates_dir=str(tmp_path / "missing")),
    )
    assert "configured but does not exist" in as_admin.get(TEMPLATES).content.decode()
