"""Sign-in throttling (issue 17, finding 8): wrong passwords lock the account and the
address for a while, the right password then does not sign in, the lockout says so with
HTTP 429, every attempt is logged without its password, and the account's owner is told
by e-mail. Sign-ins go through the real sign-in page (/login/, Django's LoginView)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from plaint.accounts.models import StaffChange, User
from plaint.accounts.signins import signin_unlock
from plaint.api import tokens
from plaint.config.appsettings import AppSettings, SettingsError
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW

WRONG_TRIES = 100
LIMIT = 5
COOL_OFF = timedelta(minutes=15)
PASSWORD = "pw-alice-123"


@pytest.fixture(autouse=True)
def _throttle(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = COOL_OFF
    settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _sign_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(times: int, username: str = "alice", address: str = "127.0.0.1") -> None:
    client = Client()
    for n in range(times):
        _sign_in(client, username, f"wrong-{n}", address)


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        json.loads(r.getMessage().removeprefix("signin "))
        for r in caplog.records
        if r.name == "plaint.security"
    ]


# ---------------------------------------------------------------- the finding


def test_100_wrong_passwords_then_the_right_one_does_not_sign_in(agent: User) -> None:
    client = Client()
    for n in range(WRONG_TRIES):
        client.post("/login/", {"username": "alice", "password": f"wrong-{n}"})
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert not _signed_in(client)
    assert response.status_code == 429


def test_below_the_limit_the_right_password_still_signs_in(agent: User) -> None:
    _fail(LIMIT - 1)
    client = Client()
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_the_lockout_page_says_what_happened_in_the_desks_own_style(agent: User) -> None:
    _fail(LIMIT)
    response = _sign_in(Client(), "alice", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in is locked for now" in page
    assert f"{LIMIT} failed attempts" in page and "<strong>alice</strong>" in page
    assert "opens again 15 minutes after the last failed attempt" in page
    assert 'href="/static/plaint/desk.css"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from elsewhere


def test_the_account_is_locked_from_every_address(agent: User) -> None:
    for n in range(LIMIT):
        _fail(1, address=f"10.0.0.{n + 1}")
    client = Client()
    assert _sign_in(client, "alice", PASSWORD, "10.9.9.9").status_code == 429
    assert not _signed_in(client)


def test_an_address_that_tries_many_accounts_is_locked_for_all_of_them(
    agent: User, supervisor: User
) -> None:
    for n in range(LIMIT):
        _fail(1, username=f"guess-{n}", address="203.0.113.7")
    locked = Client()
    assert _sign_in(locked, "sue", "pw-sue-123", "203.0.113.7").status_code == 429
    assert not _signed_in(locked)
    elsewhere = Client()  # the account itself is not locked: sue signs in from her desk
    assert _sign_in(elsewhere, "sue", "pw-sue-123", "198.51.100.2").status_code == 302
    assert _signed_in(elsewhere)


def test_the_lock_ends_after_the_cool_off(agent: User, clock: time_machine.Coordinates) -> None:
    _fail(LIMIT)
    clock.shift(COOL_OFF - timedelta(seconds=1))
    assert _sign_in(Client(), "alice", PASSWORD).status_code == 429
    clock.shift(timedelta(seconds=2))  # a refused try does not start the cool-off again
    client = Client()
    assert _sign_in(client, "alice", PASSWORD).status_code == 302 and _signed_in(client)


def test_api_tokens_are_not_affected_by_a_locked_address(agent: User, org: object) -> None:
    from plaint.accounts.roles import Role
    from plaint.accounts.services import staff_create

    admin = staff_create(
        organisation=agent.organisation,  # type: ignore[arg-type]
        username="ada",
        password="pw-ada-123",
        roles=[Role.ADMIN],
    )
    secret = tokens.token_create(
        organisation=admin.organisation,  # type: ignore[arg-type]
        owner=admin,
        name="ci",
        scopes=["read"],
        actor=admin,
        now=NOW,
    ).secret
    _fail(LIMIT, username="ada")  # ada and 127.0.0.1 are both locked out now
    assert _sign_in(Client(), "ada", "pw-ada-123").status_code == 429
    response = Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


# ---------------------------------------------------------------- the log


def test_every_attempt_is_one_json_line_without_the_password(
    agent: User, caplog: pytest.LogCaptureFixture, clock: time_machine.Coordinates
) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    client = Client()
    _sign_in(client, "alice", PASSWORD, "192.0.2.10")
    client.post("/logout/")
    for n in range(LIMIT):
        _sign_in(Client(), "alice", f"secret-guess-{n}", "192.0.2.66")
    _sign_in(Client(), "alice", PASSWORD, "192.0.2.66")
    lines = _lines(caplog)
    outcomes = [line["outcome"] for line in lines]
    # The lockout line comes as the failure that reached the limit is counted: next to it.
    assert outcomes[0] == "signed_in" and outcomes[-1] == "refused_locked_out"
    assert sorted(outcomes[1:-1]) == sorted(["failed"] * LIMIT + ["locked_out"])
    assert outcomes[1 : LIMIT - 1] == ["failed"] * (LIMIT - 2)
    assert lines[0] == {
        "event": "signin",
        "outcome": "signed_in",
        "username": "alice",
        "address": "192.0.2.10",
        "at": "2026-03-02T10:30:00+00:00",
    }
    (locked,) = [line for line in lines if line["outcome"] == "locked_out"]
    assert locked["failures"] == LIMIT and locked["address"] == "192.0.2.66"
    assert "secret-guess" not in caplog.text and PASSWORD not in caplog.text


def test_a_username_cannot_forge_a_log_line(db: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security")
    _sign_in(Client(), 'x"\nsignin {"outcome": "signed_in"}', "nope")
    messages = [r.getMessage() for r in caplog.records if r.name == "plaint.security"]
    assert len(messages) == 1 and "\n" not in messages[0]
    assert json.loads(messages[0].removeprefix("signin "))["outcome"] == "failed"


# ---------------------------------------------------------------- the owner's e-mail


def test_the_owner_is_told_once_what_happened_when_from_where_and_what_to_do(
    agent: User, clock: time_machine.Coordinates, django_capture_on_commit_callbacks
) -> None:
    User.objects.filter(pk=agent.pk).update(email="alice@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        _fail(LIMIT, address="192.0.2.66")
        for _ in range(3):  # tries during the lockout send nothing more
            _sign_in(Client(), "alice", PASSWORD, "192.0.2.66")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@acme.example"]
    assert message.subject == "[Plaint] Your account was locked after failed sign-ins"
    assert "locked at 10:30 on 2 March 2026 (Europe/London)" in message.body
    assert f"after {LIMIT} failed attempts" in message.body
    assert "from the address 192.0.2.66" in message.body
    assert "opens again by itself at 10:45 on 2 March 2026" in message.body
    assert "tell an admin" in message.body
    assert PASSWORD not in message.body and "wrong-" not in message.body


def test_nobody_is_mailed_when_only_an_address_is_locked(
    agent: User, django_capture_on_commit_callbacks
) -> None:
    User.objects.filter(pk=agent.pk).update(email="alice@acme.example")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _fail(LIMIT - 1, username="someone-else", address="203.0.113.7")
        _fail(1, username="alice", address="203.0.113.7")  # the address's fifth failure
        assert _sign_in(Client(), "alice", PASSWORD, "203.0.113.7").status_code == 429
    assert callbacks == []
    assert mail.outbox == []


def test_an_account_without_an_address_or_no_account_gets_no_mail(
    agent: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _fail(LIMIT, username="alice", address="192.0.2.1")
        _fail(LIMIT, username="nobody-here", address="192.0.2.2")
    assert callbacks == []
    assert mail.outbox == []


# ---------------------------------------------------------------- unlocking


def test_the_command_line_unlocks_an_account(agent: User) -> None:
    _fail(LIMIT)
    assert _sign_in(Client(), "alice", PASSWORD).status_code == 429
    call_command("accounts", "unlock", "alice")
    client = Client()
    assert _sign_in(client, "alice", PASSWORD).status_code == 302 and _signed_in(client)
    change = StaffChange.objects.get(user=agent, what=StaffChange.What.UNLOCKED)
    assert change.actor is None and change.sentence == "sign-in unlocked"


def test_the_command_line_names_an_unknown_account(db: None) -> None:
    with pytest.raises(CommandError, match="there is no account 'ghost'"):
        call_command("accounts", "unlock", "ghost")


def test_unlock_needs_an_aware_time(agent: User) -> None:
    with pytest.raises(FieldErrors, match="timezone-aware"):
        signin_unlock(username="alice", actor=None, now=datetime(2026, 3, 2))


# ---------------------------------------------------------------- the settings


def test_the_settings_are_read_and_checked() -> None:
    read = AppSettings.from_env(
        {
            "PLAINT_LOGIN_FAILURE_LIMIT": "3",
            "PLAINT_LOGIN_COOLOFF_MINUTES": "0",
            "PLAINT_LOGIN_LOCKOUT_BY": "username+ip_address, ip_address",
        }
    )
    assert read.login_failure_limit == 3 and read.login_cooloff_minutes == 0
    assert read.login_lockout_by == (("username", "ip_address"), ("ip_address",))
    defaults = AppSettings.from_env({})
    assert defaults.login_failure_limit == 10 and defaults.login_cooloff_minutes == 15
    assert defaults.login_lockout_by == (("username",), ("ip_address",))
    with pytest.raises(SettingsError, match="PLAINT_LOGIN_FAILURE_LIMIT must be at least 1"):
        AppSettings.from_env({"PLAINT_LOGIN_FAILURE_LIMIT": "0"})
    with pytest.raises(SettingsError, match="PLAINT_LOGIN_LOCKOUT_BY names 'email'"):
        AppSettings.from_env({"PLAINT_LOGIN_LOCKOUT_BY": "email"})
    with pytest.raises(SettingsError, match="must name at least one"):
        AppSettings.from_env({"PLAINT_LOGIN_LOCKOUT_BY": " , "})


# ---------------------------------------------------------------- behind a proxy


def test_behind_a_proxy_the_forwarded_address_is_counted(
    agent: User, supervisor: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PLAINT_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"  # every request reaches Plaint from the proxy
    for n in range(LIMIT):
        Client().post(
            "/login/",
            {"username": f"guess-{n}", "password": "x"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",  # the left part is forged
        )
    attacker = Client()
    response = attacker.post(
        "/login/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 429
    colleague = Client()  # another client through the same proxy is not locked out
    response = colleague.post(
        "/login/",
        {"username": "sue", "password": "pw-sue-123"},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.50",
    )
    assert response.status_code == 302 and _signed_in(colleague)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # shorter than the proxies: the connection's
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address(proxies: int, forwarded: str, expected: str, settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    from plaint.config.client_address import client_address

    settings.PLAINT_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
