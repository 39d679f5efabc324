"""Staff services: each guard rail refuses with a message naming the field and writes
nothing; every change that goes through leaves its row on the staff trail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from plaint.accounts.models import Organisation, StaffChange, User
from plaint.accounts.roles import Role
from plaint.accounts.selectors import StaffNotFound, staff_changes, staff_get, staff_members
from plaint.accounts.services import staff_create, staff_password_set, staff_update
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW, _staff

LATER = NOW + timedelta(hours=1)


def state() -> tuple[object, ...]:
    """Everything a refused call must leave as it was."""
    users = tuple(
        User.objects.order_by("pk").values_list(
            "pk",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "password",
        )
    )
    groups = tuple(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id"))
    return users, groups, StaffChange.objects.count()


def update(member: User, actor: User | None, **changes: object) -> User:
    fields: dict[str, object] = {
        "organisation": member.organisation,
        "user": member,
        "roles": member.roles,
        "is_active": member.is_active,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "actor": actor,
        "now": LATER,
    }
    fields.update(changes)
    return staff_update(**fields)  # type: ignore[arg-type]


def refused(call, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    before = state()
    with pytest.raises(FieldErrors) as caught:
        call()
    assert field in caught.value.errors, caught.value.errors
    assert words in caught.value.errors[field], caught.value.errors
    assert state() == before


# ---------------------------------------------------------------- staff_create


def test_create_records_who_added_whom_and_when(org: Organisation, admin_of_org: User) -> None:
    member = staff_create(
        organisation=org,
        username="nina",
        password="pw-nina-12345",
        roles=[Role.SUPERVISOR, "agent"],
        first_name="  Nina ",
        last_name="Newcomer",
        email="nina@example.org",
        actor=admin_of_org,
        now=LATER,
    )
    assert member.roles == [Role.AGENT, Role.SUPERVISOR]
    assert member.first_name == "Nina" and member.date_joined == LATER
    assert member.check_password("pw-nina-12345")
    change = staff_changes(organisation=org, user=member)[0]
    assert (change.user, change.actor, change.at, change.what) == (
        member,
        admin_of_org,
        LATER,
        StaffChange.What.CREATED,
    )
    assert change.detail == {"roles": ["agent", "supervisor"]}
    assert change.sentence == "added as agent, supervisor"


def test_create_without_an_actor_is_recorded_as_the_command_line(org: Organisation) -> None:
    member = _staff(org, "carl", Role.AGENT, "Carl", "Cli")
    change = StaffChange.objects.get(user=member)
    assert change.actor is None and change.what == "created" and change.at == member.date_joined


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"roles": ["agent", "owner"]}, "roles", "'owner' is not a role"),
        ({"roles": []}, "roles", "at least one role"),
        ({"password": "short"}, "password", "too short"),
        ({"password": "password123"}, "password", "too common"),
        ({"username": "alice"}, "username", "cannot be used: choose another"),
        ({"username": "has space"}, "username", "Enter a valid username"),
        ({"username": "  "}, "username", "cannot be blank"),
        ({"first_name": "Eve\nEvil"}, "first_name", "one line"),
        ({"last_name": "x" * 151}, "last_name", "at most 150"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    org: Organisation, agent: User, admin_of_org: User, changes: dict, field: str, words: str
) -> None:
    fields = {
        "organisation": org,
        "username": "nina",
        "password": "pw-nina-12345",
        "roles": [Role.AGENT],
        "email": "nina@example.org",
        "actor": admin_of_org,
        "now": LATER,
        **changes,
    }
    refused(lambda: staff_create(**fields), field, words)


def test_create_names_every_bad_field_at_once(org: Organisation) -> None:
    with pytest.raises(FieldErrors) as caught:
        staff_create(
            organisation=org, username="", password="x", roles=["boss"], email="nope", now=NOW
        )
    assert set(caught.value.errors) == {"username", "password", "roles", "email"}


def test_create_needs_an_admin_of_the_organisation(
    org: Organisation, agent: User, outsider: User
) -> None:
    for actor in (agent, outsider):
        refused(
            lambda actor=actor: staff_create(
                organisation=org,
                username="nina",
                password="pw-nina-12345",
                roles=[Role.AGENT],
                actor=actor,
                now=LATER,
            ),
            "actor",
            "only an active admin of Acme Energy",
        )


# ---------------------------------------------------------------- staff_update


def test_update_records_each_kind_of_change(
    org: Organisation, agent: User, admin_of_org: User
) -> None:
    update(
        agent,
        admin_of_org,
        roles=[Role.AGENT, Role.LEGAL_REVIEWER],
        email="alice@example.org",
        last_name="Adams",
        is_active=False,
    )
    agent = staff_get(organisation=org, user_id=agent.pk)
    assert agent.roles == [Role.AGENT, Role.LEGAL_REVIEWER] and not agent.is_active
    assert agent.email == "alice@example.org" and agent.last_name == "Adams"
    rows = {c.what: c for c in staff_changes(organisation=org, user=agent) if c.at == LATER}
    assert set(rows) == {"details_changed", "roles_changed", "deactivated"}
    assert rows["roles_changed"].detail == {"from": ["agent"], "to": ["agent", "legal_reviewer"]}
    assert rows["details_changed"].detail == {
        "fields": {"email": ["", "alice@example.org"], "last_name": ["Agent", "Adams"]}
    }
    assert all(c.actor == admin_of_org for c in rows.values())
    assert rows["roles_changed"].sentence == ("roles changed from agent to agent, legal reviewer")
    assert "e-mail from (empty) to “alice@example.org”" in rows["details_changed"].sentence

    update(agent, admin_of_org, is_active=True)
    assert StaffChange.objects.filter(user=agent).latest("pk").what == "reactivated"


def test_update_that_changes_nothing_records_nothing(agent: User, admin_of_org: User) -> None:
    before = state()
    update(agent, admin_of_org)
    assert state() == before


def test_update_refuses_a_member_of_another_organisation(
    org: Organisation, outsider: User, admin_of_org: User
) -> None:
    refused(
        lambda: update(outsider, admin_of_org, organisation=org, is_active=False),
        "user",
        "no member of staff 'oscar' in Acme Energy",
    )


def test_update_refuses_an_actor_of_another_organisation(agent: User, outsider: User) -> None:
    refused(lambda: update(agent, outsider, is_active=False), "actor", "only an active admin")


def test_update_refuses_an_unknown_role(agent: User, admin_of_org: User) -> None:
    refused(lambda: update(agent, admin_of_org, roles=["root"]), "roles", "'root' is not a role")


def test_update_refuses_a_malformed_email(agent: User, admin_of_org: User) -> None:
    refused(lambda: update(agent, admin_of_org, email="alice@"), "email", "valid email")


def test_an_admin_cannot_remove_their_own_admin_role(admin_of_org: User, org: Organisation) -> None:
    _staff(org, "abe", Role.ADMIN, "Abe", "Second")  # not the last admin: still refused
    refused(
        lambda: update(admin_of_org, admin_of_org, roles=[Role.SUPERVISOR]),
        "roles",
        "your own admin role",
    )


def test_an_admin_cannot_deactivate_themselves(admin_of_org: User, org: Organisation) -> None:
    _staff(org, "abe", Role.ADMIN, "Abe", "Second")
    refused(
        lambda: update(admin_of_org, admin_of_org, is_active=False),
        "is_active",
        "your own account",
    )


def test_an_admin_may_edit_their_own_names(admin_of_org: User) -> None:
    assert update(admin_of_org, admin_of_org, first_name="Augusta").first_name == "Augusta"


def test_another_admin_may_demote_and_deactivate_an_admin(
    org: Organisation, admin_of_org: User
) -> None:
    abe = _staff(org, "abe", Role.ADMIN, "Abe", "Second")
    abe = update(abe, admin_of_org, roles=[Role.AGENT])
    assert abe.roles == [Role.AGENT] and not abe.is_staff


def test_the_organisation_keeps_an_active_admin(org: Organisation, admin_of_org: User) -> None:
    # Only the command line (no actor) can even try: any admin acting is an admin kept.
    refused(lambda: update(admin_of_org, None, roles=[Role.AGENT]), "roles", "only active admin")
    refused(lambda: update(admin_of_org, None, is_active=False), "is_active", "only active admin")
    # A deactivated admin does not count.
    abe = _staff(org, "abe", Role.ADMIN, "Abe", "Second")
    update(abe, admin_of_org, is_active=False)
    refused(lambda: update(admin_of_org, None, is_active=False), "is_active", "only active admin")
    # With another active admin, it goes through.
    update(abe, admin_of_org, is_active=True)
    assert not update(admin_of_org, None, is_active=False).is_active


def test_an_organisation_without_an_admin_can_still_change_its_staff(
    org: Organisation, agent: User
) -> None:
    assert update(agent, None, roles=[Role.SUPERVISOR]).roles == [Role.SUPERVISOR]


def test_update_refuses_a_naive_time(agent: User, admin_of_org: User) -> None:
    naive = datetime(2026, 3, 2, 11, 0)
    refused(lambda: update(agent, admin_of_org, is_active=False, now=naive), "now", "aware")


# ---------------------------------------------------------------- staff_password_set


def test_password_set_records_the_fact_never_the_password(
    org: Organisation, agent: User, admin_of_org: User
) -> None:
    staff_password_set(
        organisation=org, user=agent, password="new-secret-4821", actor=admin_of_org, now=LATER
    )
    agent.refresh_from_db()
    assert agent.check_password("new-secret-4821")
    change = StaffChange.objects.get(user=agent, what="password_set")
    assert change.at == LATER and change.detail == {}
    assert "new-secret" not in str(change.detail) + change.sentence


@pytest.mark.parametrize(
    ("password", "words"),
    [("abc", "too short"), ("password1", "too common"), ("", "too short")],
)
def test_password_set_uses_djangos_validators(
    org: Organisation, agent: User, admin_of_org: User, password: str, words: str
) -> None:
    refused(
        lambda: staff_password_set(
            organisation=org, user=agent, password=password, actor=admin_of_org, now=LATER
        ),
        "password",
        words,
    )


def test_password_set_refuses_a_member_of_another_organisation(
    org: Organisation, outsider: User, admin_of_org: User
) -> None:
    refused(
        lambda: staff_password_set(
            organisation=org,
            user=outsider,
            password="new-secret-4821",
            actor=admin_of_org,
            now=LATER,
        ),
        "user",
        "no member of staff",
    )


def test_password_set_needs_an_admin(org: Organisation, agent: User, supervisor: User) -> None:
    refused(
        lambda: staff_password_set(
            organisation=org, user=agent, password="new-secret-4821", actor=supervisor, now=LATER
        ),
        "actor",
        "only an active admin",
    )


# ---------------------------------------------------------------- selectors


def test_selectors_are_scoped_to_the_organisation(
    org: Organisation, other_org: Organisation, agent: User, outsider: User, admin_of_org: User
) -> None:
    update(agent, admin_of_org, is_active=False)
    members = list(staff_members(organisation=org))
    assert agent in members and outsider not in members
    assert members[-1] == agent  # inactive last
    with pytest.raises(StaffNotFound):
        staff_get(organisation=org, user_id=outsider.pk)
    assert all(c.organisation == org for c in staff_changes(organisation=org))
    assert [c.user for c in staff_changes(organisation=other_org)] == [outsider]
    assert len(staff_changes(organisation=org, limit=2)) == 2


def test_a_username_of_another_organisation_is_refused_in_the_same_words_as_ones_own(
    org: Organisation, agent: User, outsider: User, admin_of_org: User
) -> None:
    """An admin cannot tell a name used in another organisation from one used in theirs."""

    def refusal(username: str) -> str:
        with pytest.raises(FieldErrors) as refused:
            staff_create(
                organisation=org,
                username=username,
                password="pw-nina-12345",
                roles=[Role.AGENT],
                actor=admin_of_org,
            )
        return refused.value.errors["username"].replace(repr(username), "NAME")

    own, other = refusal(agent.username), refusal(outsider.username)
    assert own == other == "the username NAME cannot be used: choose another"
    assert "taken" not in other and "organisation" not in other
