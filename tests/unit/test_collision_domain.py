from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plaint.domain.collision import (
    Change,
    StaleForm,
    ago,
    changes_said,
    changes_seen,
    collision_check,
    version_parse,
)
from plaint.domain.errors import FieldErrors

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_a_form_at_the_current_version_passes():
    collision_check(reference="PL-1", rendered=4, current=4, changes=[], now=NOW)


def test_a_stale_form_is_refused_naming_what_changed_and_who():
    change = Change(5, "note_added", "Alice Agent", NOW - timedelta(seconds=10))
    with pytest.raises(StaleForm) as caught:
        collision_check(reference="PL-1", rendered=4, current=5, changes=[change], now=NOW)
    assert caught.value.message == (
        "PL-1 changed while you had it open: Alice Agent added a note 10 seconds ago. "
        "Nothing was saved: reload to see the case as it is now, then try again."
    )


def test_many_changes_name_the_newest_three():
    changes = [
        Change(s, "priority_changed", f"P{s}", NOW - timedelta(minutes=10 - s))
        for s in range(5, 10)
    ]
    with pytest.raises(StaleForm) as caught:
        collision_check(reference="PL-1", rendered=4, current=9, changes=changes, now=NOW)
    assert "P9 changed the priority 1 minute ago; P8" in caught.value.message
    assert "and 2 more change(s)" in caught.value.message


def test_a_version_from_the_future_is_refused():
    with pytest.raises(StaleForm, match="has none"):
        collision_check(reference="PL-1", rendered=9, current=4, changes=[], now=NOW)


def test_versions_parse_or_are_refused():
    assert version_parse("12") == 12
    assert version_parse("") is None
    assert version_parse(None) is None
    with pytest.raises(FieldErrors):
        version_parse("12; drop")


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "just now"),
        (1, "just now"),
        (10, "10 seconds ago"),
        (60, "1 minute ago"),
        (7200, "2 hours ago"),
        (-5, "just now"),
        (90000, "1 day ago"),
    ],
)
def test_ago(seconds, words):
    assert ago(NOW - timedelta(seconds=seconds), NOW) == words


def test_quiet_deadline_bookkeeping_by_plaint_makes_no_form_stale():
    """The deadline watch recounting a case (deadline set / met / reminder) changes
    nothing a form decides: a form rendered before it still passes."""
    watch = [
        Change(5, "deadline_set", "Deadline watch", NOW, by_system=True),
        Change(6, "deadline_reminder", "Deadline watch", NOW, by_system=True),
    ]
    collision_check(reference="PL-1", rendered=4, current=6, changes=watch, now=NOW)
    assert changes_seen(watch) == [] and changes_said(watch, now=NOW) == ""


def test_what_the_watch_does_that_matters_still_makes_a_form_stale():
    escalated = [
        Change(5, "deadline_breached", "Deadline watch", NOW, by_system=True),
        Change(6, "status_changed", "Deadline watch", NOW - timedelta(seconds=3), by_system=True),
    ]
    with pytest.raises(StaleForm, match="Deadline watch changed the status 3 seconds ago\\."):
        collision_check(reference="PL-1", rendered=4, current=6, changes=escalated, now=NOW)


def test_a_deadline_kind_recorded_by_a_person_is_not_quiet():
    by_hand = [Change(5, "deadline_met", "Sam Lee", NOW)]
    with pytest.raises(StaleForm, match="Sam Lee recorded deadline met just now"):
        collision_check(reference="PL-1", rendered=4, current=5, changes=by_hand, now=NOW)


def test_a_quiet_change_among_others_is_left_out_of_the_sentence():
    mixed = [
        Change(5, "note_added", "Sam Lee", NOW - timedelta(seconds=10)),
        Change(6, "deadline_met", "Deadline watch", NOW, by_system=True),
    ]
    assert changes_said(mixed, now=NOW) == "Sam Lee added a note 10 seconds ago"
