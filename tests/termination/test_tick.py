"""The periodic pass (`plaint tick`, the same pass as each `plaint worker` round) runs the
terminations tick and the reputation watch: a termination whose effective date has come
in its organisation's zone takes effect with its aftermath tasks, once; a drop in the
reviews raises its alert."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command

from plaint.accounts.models import User
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case
from plaint.reputation import services as reputation
from plaint.reputation.models import ReputationAlert
from plaint.terminations import services
from plaint.terminations.models import Termination, TerminationTask
from tests.conftest import NOW
from tests.termination.test_workflow import noticed


def tick(now: str) -> str:
    out = io.StringIO()
    call_command("tick", now=now, stdout=out)
    return out.getvalue()


def test_tick_makes_a_due_termination_take_effect_with_its_tasks(
    bank_case: Case, agent: User, boss: User
) -> None:
    t = noticed(bank_case, agent, boss)
    t = services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    assert (t.status, t.effective_on) == ("notice_sent", date(2026, 5, 2))
    # 22:30 UTC on 1 May is 23:30 in London (BST): not yet the effective date.
    before = tick("2026-05-01T22:30:00+00:00")
    assert "Terminations: 0 took effect, 0 aftermath task(s)." in before
    t.refresh_from_db()
    assert t.status == "notice_sent" and not TerminationTask.objects.exists()
    # 23:30 UTC on 1 May is 00:30 on 2 May in London: it takes effect.
    out = tick("2026-05-01T23:30:00+00:00")
    assert "Terminations: 1 took effect, 3 aftermath task(s)." in out
    assert "Reputation watch: 0 alert(s)." in out
    t = Termination.objects.get(pk=t.pk)
    assert t.status == "effective"
    assert t.took_effect_at == datetime(2026, 5, 1, 23, 30, tzinfo=UTC)
    tasks = {k: (s, d, o) for k, s, d, o in t.tasks.values_list(
        "kind", "starts_on", "due_on", "owner_id")}  # fmt: skip
    assert tasks == {
        "reaction": (date(2026, 5, 2), date(2026, 5, 16), boss.pk),
        "perception": (date(2026, 5, 2), date(2026, 6, 13), boss.pk),  # 42 days
        "practice_review": (date(2026, 5, 2), date(2026, 6, 1), boss.pk),  # 30 days
    }
    last = bank_case.events.order_by("-seq").first()
    assert last is not None and last.kind == "termination_took_effect"
    assert ledger_verify(reference=bank_case.reference).ok
    # The next pass finds nothing more to do.
    again = tick("2026-05-02T08:00:00+00:00")
    assert "Terminations: 0 took effect, 0 aftermath task(s)." in again
    assert TerminationTask.objects.filter(termination=t).count() == 3


def test_tick_leaves_an_appealed_termination_paused(
    bank_case: Case, agent: User, boss: User
) -> None:
    t = noticed(bank_case, agent, boss)
    t = services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    services.termination_appeal(
        termination=t, grounds="Provoked.", actor=Actor.customer("Dana"),
        now=NOW + timedelta(days=1),
    )  # fmt: skip
    assert "Terminations: 0 took effect" in tick("2026-05-10T12:00:00+00:00")
    t.refresh_from_db()
    assert t.status == "appealed" and not t.tasks.exists()


def test_tick_runs_the_reputation_watch(bank_case: Case) -> None:
    items = []
    for week in range(8):
        rating = 5 if week < 4 else 1
        text = "Great, friendly and helpful." if rating == 5 else "Awful, rude, a disgrace."
        for n in range(3):
            at = datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(weeks=week, hours=n)
            items.append(
                {"datetime": at.isoformat(), "rating": rating, "review": f"{text} {n}{week}"}
            )
    reputation.reviews_import(
        organisation=bank_case.organisation, data=json.dumps(items).encode(),
        filename="r.json", source="tp", now=NOW,
    )  # fmt: skip
    out = tick("2026-03-01T12:00:00+00:00")  # a Sunday: the 8th week is complete
    assert "Reputation watch: 2 alert(s)." in out
    assert set(ReputationAlert.objects.values_list("metric", flat=True)) == {"rating", "sentiment"}
    assert "Reputation watch: 0 alert(s)." in tick("2026-03-01T13:00:00+00:00")  # once


def test_tick_with_a_now_far_behind_the_organisations_zone(
    bank_case: Case, agent: User, boss: User
) -> None:
    """`--now` may carry any UTC offset: 23:00 at UTC-12 on 30 April is 01:00 on 2 May in
    Kiritimati (UTC+14), so a termination effective on 2 May there takes effect."""
    t = noticed(bank_case, agent, boss)
    services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    org = bank_case.organisation
    org.time_zone = "Pacific/Kiritimati"
    org.save(update_fields=["time_zone"])
    assert "Terminations: 1 took effect, 3 aftermath task(s)." in tick("2026-04-30T23:00:00-12:00")
