"""`plaint serve --check`: each production problem is named with what to change, and a
ready installation passes."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.accounts.models import User
from plaint.config.appsettings import APP
from plaint.demo.loading import DEMO_PASSWORD
from plaint.operations import readiness

pytestmark = pytest.mark.django_db
GOOD = replace(APP, secret_key="k" * 50)


@pytest.fixture
def production(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["complaints.example.org"]
    return settings


def test_a_ready_installation_passes(production, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert readiness.readiness_problems(app=GOOD) == []
    monkeypatch.setattr(readiness, "APP", GOOD)
    out = StringIO()
    call_command("serve", "--check", stdout=out)
    assert "Ready" in out.getvalue()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DEBUG": True}, "PLAINT_DEBUG is on"),
        ({"ALLOWED_HOSTS": []}, "PLAINT_ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": ["*"]}, "contains '*'"),
        ({"ALLOWED_HOSTS": ["localhost", "127.0.0.1"]}, "lists only this machine"),
    ],
)
def test_each_setting_problem_is_named(production, change, message) -> None:  # type: ignore[no-untyped-def]
    for name, value in change.items():
        setattr(production, name, value)
    (problem,) = readiness.readiness_problems(app=GOOD)
    assert message in problem


def test_secret_key_missing_or_short(production) -> None:  # type: ignore[no-untyped-def]
    (missing,) = readiness.readiness_problems(app=replace(APP, secret_key=""))
    assert missing.startswith("PLAINT_SECRET_KEY is not set")
    (short,) = readiness.readiness_problems(app=replace(APP, secret_key="abc"))
    assert "is 3 characters long" in short


def test_the_demo_password_is_refused(production, org) -> None:  # type: ignore[no-untyped-def]
    User.objects.create_user(username="demo-ada", password=DEMO_PASSWORD, organisation=org)
    (problem,) = readiness.readiness_problems(app=GOOD)
    assert "demo password (demo-ada)" in problem


def test_the_command_refuses_with_every_problem(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    monkeypatch.setattr(readiness, "APP", replace(APP, secret_key=""))
    err = StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("serve", "--check", stderr=err)
    assert err.getvalue().count("not ready:") == 3
