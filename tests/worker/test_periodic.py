"""`plaint tick`: one pass of every part's periodic work at a pinned `now`."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from plaint.accounts.models import Organisation, User
from plaint.api.models import ApiToken, IdempotentRequest
from plaint.records.models import Checkpoint
from tests.api.conftest import admin, make_token  # noqa: F401 - fixtures
from tests.conftest import NOW, open_case


def _tick(now: str) -> list[str]:
    out = io.StringIO()
    call_command("tick", now=now, stdout=out)
    return out.getvalue().splitlines()


def test_one_pass_runs_every_part_and_checkpoints_once_a_day(
    org: Organisation,
    agent: User,
    make_token,  # noqa: F811
) -> None:
    open_case(org, agent)
    make_token()
    token = ApiToken.objects.get()
    IdempotentRequest.objects.create(
        token=token, key="old", fingerprint="f", created_at=NOW - timedelta(days=2)
    )
    IdempotentRequest.objects.create(token=token, key="new", fingerprint="f", created_at=NOW)
    lines = _tick(NOW.isoformat())
    assert [line.split(":")[0] for line in lines] == [
        "Deadline watch",
        "Outbox",
        "Terminations",
        "Reputation watch",
        "Checkpoints",
        "Idempotency-Keys forgotten",
        "Consumer reminders",
        "Bulk jobs resumed",
    ]
    assert lines[4] == f"Checkpoints: {org.slug}."
    assert lines[5] == "Idempotency-Keys forgotten: 1."
    assert lines[6] == "Consumer reminders: 0 sent."
    assert lines[7] == "Bulk jobs resumed: 0."
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert Checkpoint.objects.filter(organisation=org).count() == 1
    # An hour later the day's checkpoint is not due again; a day later it is.
    assert _tick((NOW + timedelta(hours=1)).isoformat())[4] == "Checkpoints: none due."
    assert _tick((NOW + timedelta(days=1)).isoformat())[4] == f"Checkpoints: {org.slug}."
    assert Checkpoint.objects.filter(organisation=org).count() == 2


def test_a_failing_part_is_reported_and_the_others_still_run(
    org: Organisation, agent: User, monkeypatch, caplog
) -> None:
    """The reputation watch raising (here: its service broken) does not stop the
    checkpoints after it; the line says it failed, the log has the traceback, and
    `plaint tick` exits with an error naming the part."""
    from django.core.management.base import CommandError

    from plaint.worker import periodic

    def broken(**_: object) -> list[object]:
        raise RuntimeError("the review site's table is locked")

    monkeypatch.setattr(periodic, "reputation_watch", broken)
    report = periodic.periodic_pass(now=NOW)
    assert report.failed == ("Reputation watch",)
    assert report.lines[3] == (
        "Reputation watch: FAILED (RuntimeError: the review site's table is locked); see the log."
    )
    assert report.lines[4] == f"Checkpoints: {org.slug}."  # the part after it ran
    assert Checkpoint.objects.filter(organisation=org).count() == 1
    assert "Periodic work 'Reputation watch' failed" in caplog.text
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^Periodic work failed: Reputation watch\.$"):
        call_command("tick", now=(NOW + timedelta(days=1)).isoformat(), stdout=out)
    assert f"Checkpoints: {org.slug}." in out.getvalue().splitlines()
