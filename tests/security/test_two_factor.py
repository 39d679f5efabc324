"""Two-factor sign-in (issue 17, accounts beyond passwords): setting up an authenticator
from one's own account page, the code step after the password, the limit on wrong codes,
recovery codes, the organisation's "required for all staff" policy, an admin's reset and
the command line. The clock is pinned; each expected code is computed from the device's
key at the pinned instant (django_otp.oath), never read from the clock."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from plaint.accounts import twofactor
from plaint.accounts.models import Organisation, RecoveryCode, StaffChange, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.api import tokens
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW

PASSWORD = "pw-alice-123"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice(org: Organisation) -> User:
    return staff_create(organisation=org, username="alice", password=PASSWORD, roles=[Role.AGENT])


@pytest.fixture
def ada(org: Organisation) -> User:
    return staff_create(organisation=org, username="ada", password="pw-ada-123", roles=[Role.ADMIN])


def code_at(device: TOTPDevice, when: datetime) -> str:
    """The code the member's app shows at `when`, from the device's own key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = when.timestamp()
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User, when: datetime) -> tuple[TOTPDevice, list[str]]:
    device = twofactor.totp_enrol_start(user=user, now=when)
    codes = twofactor.totp_enrol_confirm(user=user, code=code_at(device, when), now=when)
    device.refresh_from_db()
    return device, codes


def _password(client: Client, username: str = "alice", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def _code(client: Client, code: str):  # type: ignore[no-untyped-def]
    return client.post("/login/two-factor/", {"code": code})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _outcomes(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = [r.getMessage() for r in caplog.records if r.name == "plaint.security"]
    return [
        json.loads(line.split(" ", 1)[1])["outcome"] for line in lines if line.startswith("signin ")
    ]


def _later(clock: time_machine.Coordinates, seconds: float) -> datetime:
    """Move the pinned clock to `seconds` after NOW (not after where it was)."""
    when = NOW + timedelta(seconds=seconds)
    clock.move_to(when, tick=False)
    return when


# ---------------------------------------------------------------- setting up


def test_enrolment_shows_a_qr_code_and_the_secret_and_completes_only_with_a_right_code(
    alice: User, clock: time_machine.Coordinates
) -> None:
    client = Client()
    client.force_login(alice)
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page.text)
    assert secret is not None
    from base64 import b32decode

    assert b32decode(secret.group(1).replace(" ", "")) == device.bin_key
    assert 'src="/account/two-factor/qr.svg"' in page.text
    assert "style=" not in page.text and "<script" not in page.text.split("</head>")[1]

    qr = client.get("/account/two-factor/qr.svg")
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert "no-store" in qr["Cache-Control"]
    assert qr.content.lstrip().startswith(b"<svg") and b"<script" not in qr.content
    assert Client().get("/account/two-factor/qr.svg").status_code == 302  # signed out

    wrong = f"{(int(code_at(device, NOW)) + 1) % 1_000_000:06d}"
    refused = client.post("/account/two-factor/", {"code": wrong})
    assert refused.status_code == 400 and "not the one your app shows now" in refused.text
    device.refresh_from_db()
    assert not device.confirmed and not RecoveryCode.objects.filter(user=alice).exists()

    _later(clock, 1)  # past the one-second wait the wrong code earned
    done = client.post("/account/two-factor/", {"code": code_at(device, NOW)})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    shown = re.findall(r"<li><code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code></li>", done.text)
    assert len(shown) == 10 and len(set(shown)) == 10
    stored = list(RecoveryCode.objects.filter(user=alice).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in shown:  # only hashes are kept
        assert all(code.replace("-", "") not in value for value in stored)
    assert StaffChange.objects.filter(user=alice, what="2fa_enrolled", actor=alice).count() == 1
    # The page now says it is on; the QR code is gone.
    assert "Two-factor is <strong>on</strong>" in client.get("/account/two-factor/").text
    assert client.get("/account/two-factor/qr.svg").status_code == 404


# ---------------------------------------------------------------- signing in


def test_sign_in_asks_for_the_code_before_any_desk_page(
    alice: User, clock: time_machine.Coordinates, caplog: pytest.LogCaptureFixture
) -> None:
    device, _ = enrolled(alice, NOW)
    at = _later(clock, 30)
    client = Client()
    caplog.set_level(logging.INFO, logger="plaint.security")
    response = _password(client)
    assert response.status_code == 302 and response["Location"] == "/login/two-factor/"
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # no desk page yet
    assert client.get("/login/two-factor/").status_code == 200

    response = _code(client, code_at(device, at))
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    assert client.get("/").status_code == 200
    outcomes = _outcomes(caplog)
    assert outcomes == ["two_factor_asked", "signed_in"]
    # A code works once: the same one again, on a new sign-in, is refused.
    other = Client()
    _password(other)
    assert _code(other, code_at(device, at)).status_code == 400
    assert not _signed_in(other)


def test_a_member_without_an_authenticator_signs_in_with_the_password_alone(
    alice: User, clock: time_machine.Coordinates
) -> None:
    client = Client()
    response = _password(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)


def test_five_wrong_codes_end_the_sign_in_and_are_logged_like_failed_sign_ins(
    alice: User, clock: time_machine.Coordinates, caplog: pytest.LogCaptureFixture
) -> None:
    device, _ = enrolled(alice, NOW)
    client = Client()
    caplog.set_level(logging.INFO, logger="plaint.security")
    _password(client)
    caplog.clear()
    for n in range(1, 5):
        at = _later(clock, 40 * n)  # past every throttle wait and the code's window
        wrong = f"{(int(code_at(device, at)) + 7) % 1_000_000:06d}"
        page = _code(client, wrong)
        assert page.status_code == 400
        assert f"{5 - n} more wrong code" in page.text
    at = _later(clock, 200)
    ended = _code(client, "000000" if code_at(device, at) != "000000" else "111111")
    assert ended.status_code == 403 and "Too many wrong codes" in ended.text
    # The half-signed-in session is gone: even the right code now needs the password again.
    assert _code(client, code_at(device, at)).status_code == 400
    assert not _signed_in(client)
    assert _outcomes(caplog) == ["two_factor_failed"] * 4 + ["two_factor_limit"]
    rows = AccessFailureLog.objects.filter(username="alice", path_info="/login/two-factor/")
    assert rows.count() == 5 and rows.filter(locked_out=True).count() == 1
    # Password again, then (after the device's 16-second wait) the right code: in.
    _password(client)
    at = _later(clock, 200 + 16)
    assert _code(client, code_at(device, at)).status_code == 302 and _signed_in(client)


def test_the_code_step_expires(alice: User, clock: time_machine.Coordinates) -> None:
    device, _ = enrolled(alice, NOW)
    client = Client()
    _password(client)
    at = _later(clock, twofactor_minutes() * 60 + 1)
    assert _code(client, code_at(device, at)).status_code == 400
    assert not _signed_in(client)


def twofactor_minutes() -> int:
    from plaint.desk.twofactor_views import PENDING_MINUTES

    return PENDING_MINUTES


def test_a_wrong_code_makes_the_device_wait_across_sessions(
    alice: User, clock: time_machine.Coordinates
) -> None:
    device, _ = enrolled(alice, NOW)
    at = _later(clock, 30)
    client = Client()
    _password(client)
    wrong = f"{(int(code_at(device, at)) + 1) % 1_000_000:06d}"
    _code(client, wrong)
    # A fresh sign-in at the same instant: the right code waits for the throttle.
    other = Client()
    _password(other)
    page = _code(other, code_at(device, at))
    assert page.status_code == 400 and "try again in 1 second" in page.text
    _later(clock, 32)
    assert _code(other, code_at(device, at + timedelta(seconds=2))).status_code == 302


@pytest.mark.parametrize(
    "hostile",
    [
        "abcdef",
        "1" * 100,
        "12\x003456",
        "١٢٣٤٥٦",
        "<script>alert(1)</script>",
        "12345",
        "{{ 7*7 }}",
    ],
)
def test_hostile_codes_get_a_precise_message_and_no_500(
    alice: User, clock: time_machine.Coordinates, hostile: str
) -> None:
    enrolled(alice, NOW)
    client = Client()
    _password(client)
    page = _code(client, hostile)
    assert page.status_code == 400
    assert "6-digit code" in page.text or "Null characters" in page.text
    assert "<script>alert" not in page.text
    assert not _signed_in(client)


def test_code_parsing() -> None:
    assert twofactor.code_parsed(" 123 456 ") == (twofactor.CodeKind.TOTP, "123456")
    assert twofactor.code_parsed("abcd-efgh-jkmn") == (twofactor.CodeKind.RECOVERY, "ABCDEFGHJKMN")
    for bad in ["", "1" * 100, "12\x003456", "١٢٣٤٥٦", "ABCD-EFGH-JKL0", "1234567", "12\n3456"]:
        with pytest.raises(FieldErrors) as exc:
            twofactor.code_parsed(bad)
        assert "6-digit code" in exc.value.errors["code"]


# ---------------------------------------------------------------- recovery codes


def test_a_recovery_code_signs_in_once(alice: User, clock: time_machine.Coordinates) -> None:
    _, codes = enrolled(alice, NOW)
    _later(clock, 30)
    client = Client()
    _password(client)
    response = _code(client, codes[3].lower())
    assert response.status_code == 302 and _signed_in(client)
    assert response["Location"] == "/account/two-factor/"
    page = client.get("/account/two-factor/").text
    assert "signed in with a recovery code; 9 left" in page
    assert "<dt>Recovery codes left</dt><dd>9</dd>" in page
    change = StaffChange.objects.get(user=alice, what="2fa_code_used")
    assert change.detail == {"left": 9} and "9 left" in change.sentence
    again = Client()
    _password(again)
    page = _code(again, codes[3])
    assert page.status_code == 400 and "used already" in page.text
    assert not _signed_in(again)
    assert twofactor.recovery_codes_left(alice) == 9


def test_new_recovery_codes_need_a_recent_password_and_replace_the_old(
    alice: User, clock: time_machine.Coordinates
) -> None:
    device, old = enrolled(alice, NOW)
    at = _later(clock, 30)
    client = Client()
    _password(client)
    _code(client, code_at(device, at))
    _later(clock, 30 + 11 * 60)  # the password is now older than PLAINT_REAUTH_MINUTES (10)
    asked = client.post("/account/two-factor/recovery-codes/")
    assert asked.status_code == 302 and asked["Location"].startswith("/login/confirm/")
    assert twofactor.recovery_codes_left(alice) == 10
    client.post("/login/confirm/", {"password": PASSWORD, "next": "/account/two-factor/"})
    page = client.post("/account/two-factor/recovery-codes/")
    assert page.status_code == 200 and "old recovery codes no longer work" in page.text
    new = re.findall(r"<li><code>([A-Z2-9-]{14})</code></li>", page.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert StaffChange.objects.filter(user=alice, what="2fa_codes_new").count() == 1
    check = twofactor.two_factor_check(user=alice, code=old[0], now=NOW)
    assert not check.ok
    assert twofactor.two_factor_check(user=alice, code=new[0], now=NOW).ok


# ---------------------------------------------------------------- the organisation's policy


def test_the_policy_sends_staff_without_two_factor_to_enrolment_first(
    org: Organisation, alice: User, ada: User, clock: time_machine.Coordinates
) -> None:
    assert twofactor.two_factor_policy_set(organisation=org, required=True, actor=ada, now=NOW)
    client = Client()
    assert _password(client)["Location"] == "/"
    for path in ["/", "/reports/", "/disputes/due/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == "/account/two-factor/"
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and "requires two-factor sign-in for all staff" in page.text
    # The customer portal is not gated.
    assert client.get(f"/complain/{org.slug}/").status_code == 200
    device = TOTPDevice.objects.get(user=alice)
    assert client.post("/account/two-factor/", {"code": code_at(device, NOW)}).status_code == 200
    assert client.get("/").status_code == 200


def test_api_tokens_are_not_affected_by_the_policy(
    org: Organisation, ada: User, clock: time_machine.Coordinates
) -> None:
    secret = tokens.token_create(
        organisation=org, owner=ada, name="ci", scopes=["read"], actor=ada, now=NOW
    ).secret
    twofactor.two_factor_policy_set(organisation=org, required=True, actor=None, now=NOW)
    response = Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_a_session_that_skipped_the_code_step_is_signed_out(
    alice: User, clock: time_machine.Coordinates
) -> None:
    enrolled(alice, NOW)
    client = Client()
    client.force_login(alice)  # signed in without the code step
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not _signed_in(client)


def test_admins_set_the_policy_on_the_team_page_and_it_is_audited(
    org: Organisation, ada: User, alice: User, clock: time_machine.Coordinates
) -> None:
    client = Client()
    assert _password(client, "ada", "pw-ada-123")["Location"] == "/"
    team = client.get("/admin/team/")
    assert "Require two-factor for all staff" in team.text
    assert client.post("/admin/team/two-factor/", {"required": "on"}).status_code == 302
    org.refresh_from_db()
    assert org.two_factor_required
    change = StaffChange.objects.get(what="2fa_required")
    assert change.user is None and change.actor == ada
    # ada herself has no authenticator yet: off to set it up, team page included.
    assert client.get("/admin/team/")["Location"] == "/account/two-factor/"
    assert client.post("/admin/team/two-factor/", {"required": "maybe"}).status_code == 302
    org.refresh_from_db()
    assert org.two_factor_required
    # An agent may not.
    agent = Client()
    org.two_factor_required = False
    org.save()
    _password(agent)
    assert agent.post("/admin/team/two-factor/", {"required": "on"}).status_code == 403


def test_an_admin_resets_a_members_two_factor_after_confirming_the_password(
    org: Organisation, ada: User, alice: User, clock: time_machine.Coordinates
) -> None:
    enrolled(alice, NOW)
    client = Client()
    _password(client, "ada", "pw-ada-123")
    page = client.get(f"/admin/team/{alice.pk}/")
    assert "Reset two-factor" in page.text
    _later(clock, 11 * 60)
    asked = client.post(f"/admin/team/{alice.pk}/two-factor/reset/")
    assert asked["Location"].startswith("/login/confirm/")
    assert TOTPDevice.objects.filter(user=alice).exists()
    client.post("/login/confirm/", {"password": "pw-ada-123"})
    done = client.post(f"/admin/team/{alice.pk}/two-factor/reset/")
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
    change = StaffChange.objects.get(what="2fa_reset")
    assert change.user == alice and change.actor == ada
    assert "two-factor reset" in client.get("/admin/team/").text
    member = Client()
    assert _password(member)["Location"] == "/" and _signed_in(member)


def test_an_admin_of_another_organisation_cannot_reset(
    ada: User, outsider: User, clock: time_machine.Coordinates
) -> None:
    enrolled(outsider, NOW)
    client = Client()
    _password(client, "ada", "pw-ada-123")
    assert client.post(f"/admin/team/{outsider.pk}/two-factor/reset/").status_code == 404
    with pytest.raises(FieldErrors):
        twofactor.two_factor_reset(
            organisation=outsider.organisation,  # type: ignore[arg-type]
            user=outsider,
            actor=ada,
            now=NOW,
        )
    assert TOTPDevice.objects.filter(user=outsider, confirmed=True).exists()


# ---------------------------------------------------------------- the command line


def test_the_command_sets_the_policy_and_resets_a_member(
    org: Organisation,
    alice: User,
    clock: time_machine.Coordinates,
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("accounts", "two-factor", "require", "acme", "on")
    assert "now required for all staff of acme" in capsys.readouterr().out
    org.refresh_from_db()
    assert org.two_factor_required
    call_command("accounts", "two-factor", "require", "acme", "on")
    assert "already required" in capsys.readouterr().out
    call_command("accounts", "two-factor", "require", "acme", "off")
    org.refresh_from_db()
    assert not org.two_factor_required
    assert list(
        StaffChange.objects.filter(user=None).order_by("pk").values_list("what", "actor")
    ) == [("2fa_required", None), ("2fa_optional", None)]
    with pytest.raises(CommandError, match="no organisation 'nope'"):
        call_command("accounts", "two-factor", "require", "nope", "on")

    enrolled(alice, NOW)
    call_command("accounts", "two-factor", "reset", "alice")
    assert "authenticator removed" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=alice).exists()
    with pytest.raises(CommandError, match="no member of staff 'bob'"):
        call_command("accounts", "two-factor", "reset", "bob")
