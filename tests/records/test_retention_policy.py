"""An organisation's own retention schedule: longer than a rule allows, never shorter;
set by admins only, with its history; used by the due list and by erasure."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.retention import policy_problems, retention_rule
from plaint.records.erasure import case_erase
from plaint.records.models import RetentionPolicy
from plaint.records.retention import retention_due, retention_policies, retention_policy_set
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db
LATER = datetime(2029, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(org):  # type: ignore[no-untyped-def]
    return staff_create(organisation=org, username="ada", password="pw-ada-123", roles=[Role.ADMIN])


def _closed(org, agent, **fields) -> Case:  # type: ignore[no-untyped-def]
    case = open_case(org, agent, **fields)
    actor, at = Actor.staff(agent), NOW + timedelta(days=10)
    services.case_transition(case=case, to=CaseStatus.RESOLVED, actor=actor, now=at, reason="ok")
    services.case_close(
        case=case, outcome="upheld", root_cause_code="staff_error", root_cause="x",
        actor=actor, now=at,
    )  # fmt: skip
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize(
    ("regime", "years", "counted_from", "field"),
    [
        ("UK-FCA-DISP", 2, "received", "years"),  # shorter than DISP 1.9.1R's 3 years
        ("", 0, "closed", "years"),
        ("", 101, "closed", "years"),
        ("", 6, "yesterday", "counted_from"),
    ],
)
def test_policies_that_end_too_soon_or_are_malformed_are_refused(
    regime, years, counted_from, field
):
    assert field in policy_problems(regime, years, counted_from)


def test_a_rule_may_be_kept_longer():
    assert policy_problems("UK-FCA-DISP", 3, "closed") == {}  # closure is never before receipt
    assert policy_problems("UK-FCA-DISP", 5, "received") == {}
    assert retention_rule("US-CFPB").kind == "policy"  # no rule: the default policy


def test_only_admins_set_it_and_bad_input_writes_nothing(org, agent, supervisor, admin):
    with pytest.raises(DomainError, match="only an admin"):
        retention_policy_set(
            organisation=org, regime="", years=7, counted_from="closed", reason="board",
            set_by=supervisor, now=NOW,
        )  # fmt: skip
    with pytest.raises(FieldErrors) as caught:
        retention_policy_set(
            organisation=org, regime="NOT-A-REGIME", years=2, counted_from="closed",
            reason="bad\x00", set_by=admin, now=NOW,
        )  # fmt: skip
    assert "regime" in caught.value.errors
    with pytest.raises(FieldErrors, match="reason"):
        retention_policy_set(
            organisation=org, regime="", years=7, counted_from="closed", reason="  ",
            set_by=admin, now=NOW,
        )  # fmt: skip
    assert RetentionPolicy.objects.count() == 0


def test_the_policy_moves_the_due_date_and_erasure_follows_it(org, agent, supervisor, admin):
    case = _closed(org, agent)  # UK-FCA-DISP: 3 years from receipt, 2029-03-01
    assert [i.reference for i in retention_due(organisation=org, today=date(2029, 3, 2))] == [
        case.reference
    ]
    retention_policy_set(
        organisation=org, regime="UK-FCA-DISP", years=5, counted_from="received",
        reason="Board decision 14: five years", set_by=admin, now=NOW,
    )  # fmt: skip
    assert retention_due(organisation=org, today=date(2029, 3, 2)) == []
    with pytest.raises(DomainError, match="until 2031-03-01"):
        case_erase(case=case, confirmed_by=supervisor, now=LATER, today=date(2029, 3, 2))
    (item,) = retention_due(organisation=org, today=date(2031, 3, 1))
    assert item.rule.kind == "policy" and "Board decision 14" in item.rule.source
    # a later change wins; the earlier one stays as history
    retention_policy_set(
        organisation=org, regime="UK-FCA-DISP", years=4, counted_from="received",
        reason="shorter again", set_by=admin, now=NOW + timedelta(days=1),
    )  # fmt: skip
    assert retention_policies(organisation=org)["UK-FCA-DISP"].years == 4
    assert RetentionPolicy.objects.count() == 2


def test_a_default_policy_covers_regimes_without_their_own(org, agent, admin):
    case = _closed(org, agent, regime="US-CFPB")  # default: 6 years from closure
    assert retention_due(organisation=org, today=date(2031, 3, 12)) == []
    retention_policy_set(
        organisation=org, regime="", years=2, counted_from="closed", reason="policy 7",
        set_by=admin, now=NOW,
    )  # fmt: skip
    assert retention_due(organisation=org, today=date(2028, 3, 11)) == []
    (item,) = retention_due(organisation=org, today=date(2028, 3, 12))  # closed 2026-03-12
    assert item.reference == case.reference and item.ends_on == date(2028, 3, 12)


def test_the_desk_page_shows_the_schedule_and_admins_change_it(org, agent, supervisor, admin):
    url = reverse("records:retention")
    with time_machine.travel(LATER, tick=False):
        client = Client()
        client.force_login(admin)
        page = client.get(url).content.decode()
        assert "DISP 1.9.1R" in page and "Change the schedule" in page
        bad = client.post(
            url, {"regime": "UK-FCA-DISP", "years": "1", "counted_from": "received", "reason": "x"}
        )
        assert bad.status_code == 400 and "longer, not shorter" in bad.content.decode()
        assert client.post(url, {"regime": "", "years": "seven", "reason": "x"}).status_code == 400
        done = client.post(
            url, {"regime": "", "years": "7", "counted_from": "closed", "reason": "policy 9"}
        )
        assert done.status_code == 302
        assert "policy 9" in client.get(url).content.decode()
        sup = Client()
        sup.force_login(supervisor)
        assert "Change the schedule" not in sup.get(url).content.decode()
        assert (
            sup.post(
                url, {"regime": "", "years": "8", "counted_from": "closed", "reason": "y"}
            ).status_code
            == 403
        )
    assert RetentionPolicy.objects.count() == 1


def test_the_command_line_sets_and_shows_the_schedule(org, admin, agent):
    out = io.StringIO()
    call_command(
        "retention", "policy", "--org", org.slug, "--regime", "UK-FCA-DISP", "--years", "4",
        "--from", "received", "--reason", "audit", "--by", admin.username, stdout=out,
    )  # fmt: skip
    out = io.StringIO()
    call_command("retention", "schedule", "--org", org.slug, stdout=out)
    assert "UK-FCA-DISP: 4 years from receipt (policy" in out.getvalue()
    with pytest.raises(CommandError, match="only an admin"):
        call_command(
            "retention", "policy", "--org", org.slug, "--years", "4", "--reason", "x",
            "--by", agent.username,
        )  # fmt: skip
