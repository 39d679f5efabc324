"""The queue's sorting, chosen columns, deadline in words, and saved views."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from plaint.cases.models import Case
from plaint.cases.queue import DueTone, Sort, case_due_state, due_state, queue_sort
from plaint.cases.selectors import case_list
from plaint.deadlines.services import case_deadlines_refresh
from plaint.desk.models import SavedView
from plaint.desk.services import saved_view_save
from tests.conftest import NOW, open_case


def ordered_refs(client, **params) -> list[str]:
    page = client.get("/", params).content.decode()
    return re.findall(r'<a href="/cases/[^"]+/">([A-Z]+-\d{4}-\d{6})</a>', page)


def test_next_due_at_follows_the_deadlines(org, agent) -> None:
    late = open_case(org, agent, received_at=NOW - timedelta(days=120))
    fresh = open_case(org, agent, received_at=NOW - timedelta(hours=2))
    none = open_case(org, agent)  # its deadlines never derived: nothing known to be owed
    for case in (late, fresh):
        case_deadlines_refresh(case=case, now=NOW)
    late.refresh_from_db()
    fresh.refresh_from_db()
    none.refresh_from_db()
    assert late.next_due_at is not None and fresh.next_due_at is not None
    assert late.next_due_at < NOW < fresh.next_due_at  # a missed deadline still counts
    assert none.next_due_at is None
    cases = queue_sort(case_list(organisation=org), Sort.NEXT_DUE)
    assert [c.reference for c in cases] == [late.reference, fresh.reference, none.reference]


def test_closing_a_case_clears_its_next_deadline(org, agent) -> None:
    from plaint.cases import services
    from plaint.cases.ledger import Actor

    case = open_case(org, agent)
    case_deadlines_refresh(case=case, now=NOW)
    services.case_transition(
        case=case, to="withdrawn", reason="customer withdrew", actor=Actor.staff(agent), now=NOW
    )
    stale = Case.objects.get(pk=case.pk)
    assert stale.next_due_at is not None  # not yet cleared: the deadlines were not refreshed
    assert case_due_state(stale, now=NOW) is None  # but the queue shows no deadline for it
    case_deadlines_refresh(case=case, now=NOW)
    assert Case.objects.get(pk=case.pk).next_due_at is None


def test_due_state_in_words() -> None:
    assert due_state(None, now=NOW) is None
    overdue = due_state(NOW - timedelta(days=3, hours=1), now=NOW)
    assert overdue is not None and (overdue.tone, overdue.words) == (
        DueTone.OVERDUE,
        "Overdue by 3 days",
    )
    soon = due_state(NOW + timedelta(hours=5, minutes=10), now=NOW)
    assert soon is not None and (soon.tone, soon.words) == (DueTone.SOON, "Due in 5 hours")
    later = due_state(NOW + timedelta(days=12), now=NOW)
    assert later is not None and (later.tone, later.words) == (DueTone.LATER, "Due in 12 days")
    assert due_state(NOW + timedelta(seconds=30), now=NOW).words == "Due in 1 minute"  # type: ignore[union-attr]


def test_queue_page_sorts_shows_chosen_columns_and_due_words(as_agent, org, agent) -> None:
    old = open_case(org, agent, received_at=NOW - timedelta(days=120))
    new = open_case(org, agent, received_at=NOW - timedelta(hours=2))
    for case in (old, new):
        case_deadlines_refresh(case=case, now=NOW)
    with time_machine.travel(NOW, tick=False):  # the queue page reads the clock
        assert ordered_refs(as_agent) == [new.reference, old.reference]
        assert ordered_refs(as_agent, sort="next_due") == [old.reference, new.reference]
        page = as_agent.get("/", {"sort": "next_due"}).content.decode()
        assert "Overdue by" in page and "due-overdue" in page
        page = as_agent.get("/", {"cols": ["next_due", "status"]}).content.decode()
        # (inside the pinned clock too: leaving it jumps the clock months on, which the
        # desk's idle timeout rightly takes for a session left alone that long)
        assert ordered_refs(as_agent, sort="nonsense") == [new.reference, old.reference]
    headers = re.findall(r'data-column="([a-z_]+)"', page)
    assert headers == ["next_due", "status"]


def test_saved_views_mine_and_the_teams(as_agent, as_supervisor, org, agent, supervisor) -> None:
    high = open_case(org, agent, priority="high")
    open_case(org, agent, priority="normal")
    response = as_agent.post(
        "/views/",
        {
            "name": "  Hot <b>work</b>\u202e ",
            "view:priority": "high",
            "view:sort": "next_due",
            "view:evil": "1",
        },
    )
    assert response.status_code == 302
    view = SavedView.objects.get(owner=agent)
    assert view.name == "Hot <b>work</b>" and view.query == "priority=high&sort=next_due"
    assert not view.shared
    assert ordered_refs(as_agent, view=str(view.pk)) == [high.reference]
    page = as_agent.get("/").content.decode()
    assert "Hot &lt;b&gt;work&lt;/b&gt;" in page and "<b>work</b>" not in page
    # Not shared: the supervisor neither sees it listed nor can use it.
    assert "Hot &lt;b" not in as_supervisor.get("/").content.decode()
    assert len(ordered_refs(as_supervisor, view=str(view.pk))) == 2
    # The queue page's save form carries the view's parameters as it was loaded.
    shown = as_agent.get("/", {"view": str(view.pk)}).content.decode()
    assert '<input type="hidden" name="view:priority" value="high">' in shown
    as_agent.post(
        "/views/",
        {
            "name": "Hot <b>work</b>",
            "view:priority": "high",
            "view:sort": "next_due",
            "shared": "on",
        },
    )
    assert SavedView.objects.filter(owner=agent).count() == 1  # same name: replaced
    assert ordered_refs(as_supervisor, view=str(view.pk)) == [high.reference]
    # Only its owner deletes it.
    assert as_supervisor.post(f"/views/{view.pk}/delete/").status_code == 404
    assert as_agent.post(f"/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_saved_view_refusals(as_agent, agent, outsider) -> None:
    response = as_agent.post("/views/", {"name": " \x00 ", "view:priority": "high"})
    assert response.status_code == 400 and "name: is required" in response.content.decode()
    assert not SavedView.objects.exists()
    theirs = saved_view_save(
        owner=outsider, name="Theirs", parameters=[("q", "x")], shared=True, now=NOW
    )
    assert "Theirs" not in as_agent.get("/").content.decode()  # another organisation's
    assert as_agent.post(f"/views/{theirs.pk}/delete/").status_code == 404
