"""Issue 10, deadlines: calendars per rule, pauses, chained rules, what meets a deadline,
provisional dates and the FOS window (domain only; dates worked by hand in the comments)."""

from __future__ import annotations

from datetime import date, time

import pytest

from plaint.domain.deadlines.calendars import (
    UnknownCalendar,
    calendar_for,
    calendar_name_check,
)
from plaint.domain.deadlines.engine import derive, period_usage
from plaint.domain.deadlines.model import Facts, Unit
from plaint.domain.deadlines.regimes import RegimeError, regime_parse, regimes_all
from tests.deadlines.test_rules_by_hand import LONDON, NEW_YORK, at, deadlines

STOCKTAKE = [(date(2026, 3, 3), "stocktake")]  # a Tuesday the organisation is closed


# --- 1. closure days extend house rules only -----------------------------------------------


def test_closure_days_do_not_extend_the_fca_business_day_count() -> None:
    # Received Mon 2 Mar 2026. FCA business days: Tue 3 (1), Wed 4 (2), Thu 5 Mar (3); the
    # organisation's stocktake on Tue 3 is not a holiday in law.
    got = deadlines("UK-FCA-DISP", {"complaint_received": [at(2026, 3, 2)]}, closures=STOCKTAKE)
    assert got["summary-resolution"].due_date == date(2026, 3, 5)
    # The house rule does skip it: Wed 4 (1), Thu 5 Mar (2).
    house = deadlines("HOUSE", {"complaint_received": [at(2026, 3, 2)]}, closures=STOCKTAKE)
    assert house["acknowledge"].due_date == date(2026, 3, 5)


def test_closure_days_do_not_roll_an_eu_withdrawal_deadline() -> None:
    # Possession Tue 17 Feb 2026 + 14 days = Tue 3 Mar, a closure day but a working day
    # under Reg 1182/71 art. 3(4): it stays.
    got = deadlines(
        "EU-CRD",
        {"goods_possession_acquired": [at(2026, 2, 17)]},
        calendar="DE",
        closures=STOCKTAKE,
    )
    assert got["withdrawal-goods"].due_date == date(2026, 3, 3)


def test_every_working_day_rule_says_whose_calendar_it_counts_on() -> None:
    for regime in regimes_all().values():
        for rule in regime.rules:
            if rule.period.unit is Unit.BUSINESS_DAYS or rule.roll.value != "none":
                assert rule.calendar_note, rule.id
            policy = all(s.verification.value == "policy" for s in rule.sources)
            assert (rule.calendar == "organisation") == policy, (regime.code, rule.id)


REGIME = """
code = "T"
title = "Test"
jurisdiction = "GB"
version = "1"
[[rules]]
id = "r"
title = "R"
trigger = "complaint_received"
period = {{ amount = 3, unit = "business_days" }}
{extra}
[[rules.sources]]
citation = "A statute"
verification = "primary"
last_verified = 2026-11-23
"""


def test_a_rule_of_law_may_not_count_the_organisations_closures() -> None:
    with pytest.raises(RegimeError, match="only a house \\(policy\\) rule"):
        regime_parse(
            REGIME.format(extra='calendar = "organisation"\ncalendar_note = "x"'), "t.toml"
        )
    with pytest.raises(RegimeError, match="calendar_note"):
        regime_parse(REGIME.format(extra=""), "t.toml")


# --- 2. a bare GB is not a calendar ----------------------------------------------------------


def test_bare_gb_is_refused_naming_the_parts() -> None:
    with pytest.raises(UnknownCalendar) as raised:
        calendar_name_check("GB")
    assert "GB-ENG, GB-SCT, GB-WLS or GB-NIR" in str(raised.value)
    assert calendar_name_check("GB-SCT") == "GB-SCT"


# --- 3. pauses count only inside the period --------------------------------------------------


def test_a_pause_starting_on_the_trigger_day_counts_from_day_one() -> None:
    # Delivered Sun 1 Mar 2026; 30 days from Mon 2 Mar end Tue 31 Mar. Repair requested the
    # same Sunday, goods back Thu 5 Mar: the pause covers days 2-5 Mar (4 days), not the
    # delivery day: Sat 4 Apr.
    got = deadlines(
        "UK-CRA-GOODS",
        {
            "goods_delivered": [at(2026, 3, 1, 9)],
            "repair_requested": [at(2026, 3, 1, 15)],
            "repaired_goods_received": [at(2026, 3, 5)],
        },
    )
    assert got["short-term-reject"].due_date == date(2026, 4, 4)


RESTARTING = """
code = "T"
title = "Test"
jurisdiction = "GB"
version = "1"
[[rules]]
id = "r"
title = "R"
trigger = "complaint_received"
restarts_on = "status:reopened"
period = { amount = 10, unit = "calendar_days" }
pausable = true
pause_starts = "repair_requested"
pause_ends = "repaired_goods_received"
[[rules.sources]]
citation = "Policy"
verification = "policy"
last_verified = 2026-11-23
"""


def test_a_pause_before_a_restart_does_not_count() -> None:
    # Received 1 Mar, paused 3-5 Mar, reopened Tue 10 Mar: 10 days after 10 Mar = Fri 20
    # Mar; the pause belongs to the earlier run of the clock.
    regime = regime_parse(RESTARTING, "t.toml")
    cal = calendar_for("GB-ENG")
    (got,) = derive(
        [regime],
        Facts(
            milestones={
                "complaint_received": [at(2026, 3, 1)],
                "repair_requested": [at(2026, 3, 3)],
                "repaired_goods_received": [at(2026, 3, 5)],
                "status:reopened": [at(2026, 3, 10)],
            }
        ),
        zone=LONDON,
        close_of_business=time(17),
        calendars=lambda name: cal,
    )
    assert got.due_date == date(2026, 3, 20)


# --- 4. met while paused is met --------------------------------------------------------------


def test_a_deadline_met_while_its_pause_is_open_is_met() -> None:
    got = deadlines(
        "UK-CRA-GOODS",
        {
            "goods_delivered": [at(2026, 3, 1)],
            "repair_requested": [at(2026, 3, 10)],
            "goods_rejected": [at(2026, 3, 15)],
        },
    )["short-term-reject"]
    assert got.met_at == at(2026, 3, 15)


# --- 5. a chained rule counts what happened since the chain began ----------------------------


def test_a_dispute_sent_before_assumed_receipt_is_in_time() -> None:
    # Validation information provided Tue 30 Jun 2026; assumed received Wed 8 Jul (Fri 3 Jul
    # is the observed Independence Day); the consumer disputes on Thu 2 Jul.
    got = deadlines(
        "US-FDCPA",
        {
            "validation_info_provided": [at(2026, 6, 30, zone=NEW_YORK)],
            "debt_disputed_in_writing": [at(2026, 7, 2, zone=NEW_YORK)],
        },
        calendar="US",
        zone=NEW_YORK,
    )
    assert got["assumed-receipt"].due_date == date(2026, 7, 8)
    assert got["validation-period"].due_date == date(2026, 8, 7)
    assert got["validation-period"].met_at == at(2026, 7, 2, zone=NEW_YORK)


# --- 6. only what reaches the customer meets a response deadline ----------------------------


def test_an_offer_or_a_desk_resolution_is_not_a_full_response() -> None:
    facts = {
        "complaint_received": [at(2026, 3, 2)],
        "status:resolution_proposed": [at(2026, 3, 10)],
        "status:resolved": [at(2026, 3, 12)],
    }
    assert deadlines("HOUSE", facts)["respond"].met_at is None
    facts["final_response_sent"] = [at(2026, 3, 13)]
    assert deadlines("HOUSE", facts)["respond"].met_at == at(2026, 3, 13)


# --- 8. FCBA without the second billing cycle is provisional ---------------------------------


def test_fcba_resolution_is_provisional_until_the_second_cycle_is_known() -> None:
    got = deadlines(
        "US-FCBA",
        {"billing_notice_received": [at(2026, 3, 2, zone=NEW_YORK)]},
        calendar="US",
        zone=NEW_YORK,
    )["resolution"]
    assert got.due_date == date(2026, 5, 31)  # 90 days after 2 Mar
    assert "second billing cycle closes" in got.provisional
    known = deadlines(
        "US-FCBA",
        {
            "billing_notice_received": [at(2026, 3, 2, zone=NEW_YORK)],
            "second_billing_cycle_closes": [at(2026, 4, 28, zone=NEW_YORK)],
        },
        calendar="US",
        zone=NEW_YORK,
    )["resolution"]
    assert known.due_date == date(2026, 4, 28) and known.provisional == ""


# --- 9. the FOS window ------------------------------------------------------------------------


def test_fos_window_starts_from_a_summary_resolution_communication() -> None:
    got = deadlines(
        "UK-FCA-DISP",
        {"complaint_received": [at(2026, 3, 2)], "summary_resolution_sent": [at(2026, 3, 5)]},
    )["fos-referral"]
    assert got.due_date == date(2026, 9, 5)


def test_fos_window_restarts_from_a_later_final_response_after_reopening() -> None:
    facts = {
        "complaint_received": [at(2026, 3, 2)],
        "final_response_sent": [at(2026, 4, 20)],
        "status:reopened": [at(2026, 5, 1)],
    }
    # Reopened, no new final response yet: the first window stands.
    assert deadlines("UK-FCA-DISP", facts)["fos-referral"].due_date == date(2026, 10, 20)
    facts["final_response_sent"].append(at(2026, 6, 1))
    assert deadlines("UK-FCA-DISP", facts)["fos-referral"].due_date == date(2026, 12, 1)
    rule = regimes_all()["UK-FCA-DISP"].rule("fos-referral")
    assert rule.verification.value == "unverified"  # the restart is not in DISP 2.8.2R


# --- 10. US Saturday holidays -----------------------------------------------------------------


def test_fcra_business_deadline_does_not_gain_the_observed_friday() -> None:
    # Dispute received Wed 1 Jul 2026 (beginning on): Wed 1 (1), Thu 2 (2), Fri 3 Jul (3: the
    # Federal Reserve Banks are open although Independence Day, a Saturday, is observed that
    # day), Mon 6 (4), Tue 7 Jul (5).
    got = deadlines(
        "US-FCRA",
        {"dispute_received": [at(2026, 7, 1, zone=NEW_YORK)]},
        calendar="US",
        zone=NEW_YORK,
    )
    assert got["notice-to-furnisher"].due_date == date(2026, 7, 7)


def test_friday_open_calendar_keeps_sunday_holidays_on_monday() -> None:
    open_friday = calendar_for("US:friday-open")
    assert open_friday.is_working_day(date(2026, 7, 3))  # Sat 4 Jul observed Fri 3
    assert not calendar_for("US").is_working_day(date(2026, 7, 3))
    assert not open_friday.is_working_day(date(2027, 7, 5))  # Sun 4 Jul observed Mon 5
    with pytest.raises(UnknownCalendar, match="variant"):
        calendar_for("US:sometimes")


def test_each_us_working_day_rule_names_its_saturday_convention() -> None:
    for code in ("US-FCRA", "US-FDCPA"):
        for rule in regimes_all()[code].rules:
            if rule.period.unit is Unit.BUSINESS_DAYS:
                assert "Friday" in rule.calendar_note, rule.id


# --- 11. days used and remaining --------------------------------------------------------------


def test_cra_days_used_and_remaining_leave_out_the_pause() -> None:
    # Delivered 1 Mar; day 1 is 2 Mar. Paused 5-8 Mar (4 days): due Sat 4 Apr. On 11 Mar:
    # 10 days have passed, 4 of them paused: 6 used; 24 remain.
    got = deadlines(
        "UK-CRA-GOODS",
        {
            "goods_delivered": [at(2026, 3, 1)],
            "repair_requested": [at(2026, 3, 5)],
            "repaired_goods_received": [at(2026, 3, 8)],
        },
    )["short-term-reject"]
    assert got.due_date == date(2026, 4, 4)
    assert period_usage(got, LONDON, date(2026, 3, 11)) == (6, 24)
    assert period_usage(got, LONDON, date(2026, 4, 10)) == (30, 0)


def test_explain_warns_about_a_last_day_that_does_not_move() -> None:
    # Final response Fri 20 Mar 2026 + 6 months = Sun 20 Sep 2026: it stands.
    got = deadlines(
        "UK-FCA-DISP",
        {"complaint_received": [at(2026, 3, 2)], "final_response_sent": [at(2026, 3, 20)]},
    )["fos-referral"]
    assert got.due_date == date(2026, 9, 20)
    assert any("Sunday" in w and "stands" in w for w in got.warnings)
