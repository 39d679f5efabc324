"""Every shipped rule against dates computed by hand (the working is in the comments)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from plaint.domain.deadlines.calendars import calendar_for
from plaint.domain.deadlines.counting import add_months
from plaint.domain.deadlines.engine import derive
from plaint.domain.deadlines.model import ComputedDeadline, Facts
from plaint.domain.deadlines.regimes import regime_get

LONDON, NEW_YORK, BERLIN = (
    ZoneInfo("Europe/London"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
)


def at(y: int, m: int, d: int, hh: int = 10, zone: ZoneInfo = LONDON) -> datetime:
    return datetime(y, m, d, hh, 0, tzinfo=zone)


def deadlines(
    regime: str,
    facts: dict[str, list[datetime]],
    *,
    calendar: str = "GB-ENG",
    zone: ZoneInfo = LONDON,
    closures=(),
) -> dict[str, ComputedDeadline]:
    cals = {"organisation": calendar_for(calendar, closures), "US": calendar_for("US")}
    out = derive(
        [regime_get(regime)],
        Facts(milestones=facts, parameters={"sla_acknowledge_days": 2, "sla_response_days": 20}),
        zone=zone,
        close_of_business=time(17),
        calendars=lambda n: cals.get(n) or calendar_for(n),
    )
    return {d.rule.id: d for d in out}


def due(regime: str, rule: str, facts: dict[str, list[datetime]], **kw) -> date | None:
    return deadlines(regime, facts, **kw)[rule].due_date


# --- UK FCA DISP -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "calendar", "expected"),
    [
        # Mon 2 Mar 2026: Tue (1), Wed (2), Thu 5 Mar (3).
        (at(2026, 3, 2), "GB-ENG", date(2026, 3, 5)),
        # Wed 1 Apr 2026, Easter: Thu 2 (1), Good Friday 3, weekend, Easter Monday 6 (England
        # only), Tue 7 (2), Wed 8 (3). In Scotland Easter Monday is a working day: Tue 7 (3).
        (at(2026, 4, 1), "GB-ENG", date(2026, 4, 8)),
        (at(2026, 4, 1), "GB-SCT", date(2026, 4, 7)),
        # Wed 23 Dec 2026: Thu 24 (1), Christmas Fri 25, weekend, Boxing Day observed Mon 28,
        # Tue 29 (2), Wed 30 (3).
        (at(2026, 12, 23), "GB-ENG", date(2026, 12, 30)),
        # Wed 30 Dec 2026: Thu 31 (1), New Year Fri 1 Jan, weekend, Mon 4 (2), Tue 5 (3). In
        # Scotland 2 January (a Saturday) is made up on Mon 4 Jan: Tue 5 (2), Wed 6 (3).
        (at(2026, 12, 30), "GB-ENG", date(2027, 1, 5)),
        (at(2026, 12, 30), "GB-SCT", date(2027, 1, 6)),
        # Received on a Saturday (Sat 7 Mar 2026): Mon (1), Tue (2), Wed 11 (3).
        (at(2026, 3, 7), "GB-ENG", date(2026, 3, 11)),
    ],
)
def test_fca_summary_resolution(received, calendar, expected) -> None:
    got = deadlines("UK-FCA-DISP", {"complaint_received": [received]}, calendar=calendar)
    summary = got["summary-resolution"]
    assert summary.due_date == expected
    assert summary.due_at == datetime.combine(expected, time(17), tzinfo=LONDON)


def test_fca_final_response_is_eight_weeks_and_never_pauses() -> None:
    # Mon 2 Mar 2026 + 56 days = Mon 27 Apr 2026; due by the end of that day (BST).
    got = deadlines(
        "UK-FCA-DISP",
        {"complaint_received": [at(2026, 3, 2)], "repair_requested": [at(2026, 3, 10)]},
    )
    final = got["final-response"]
    assert final.due_date == date(2026, 4, 27)
    assert final.due_at == datetime(2026, 4, 28, 0, 0, tzinfo=LONDON)
    assert final.due_at.utcoffset().total_seconds() == 3600  # BST by then
    assert final.rule.pausable is False


def test_fos_window_runs_six_months_from_the_final_response_with_month_end_clipping() -> None:
    # 31 Aug 2026 + 6 months: there is no 31 Feb, so 28 Feb 2027.
    got = deadlines(
        "UK-FCA-DISP",
        {"complaint_received": [at(2026, 8, 1)], "final_response_sent": [at(2026, 8, 31)]},
    )
    assert got["fos-referral"].due_date == date(2027, 2, 28)
    assert got["final-response"].met_at == at(2026, 8, 31)


def test_fos_window_waits_for_the_final_response() -> None:
    got = deadlines("UK-FCA-DISP", {"complaint_received": [at(2026, 8, 1)]})
    assert got["fos-referral"].due_date is None
    assert "final response sent" in got["fos-referral"].blocked


def test_psd_15_and_35_business_days_over_the_august_bank_holiday() -> None:
    # Mon 10 Aug 2026 (England). 15 business days: 11-14 Aug (4), 17-21 (9), 24-28 (14),
    # Mon 31 Aug bank holiday, Tue 1 Sep (15).
    got = deadlines("UK-FCA-PSD", {"complaint_received": [at(2026, 8, 10)]})
    assert got["final-response"].due_date == date(2026, 9, 1)
    # 35: Sep 2-4 (18), 7-11 (23), 14-18 (28), 21-25 (33), 28 (34), 29 (35).
    assert got["final-response-exceptional"].due_date == date(2026, 9, 29)
    # Scotland's summer holiday is Mon 3 Aug, before the start: 31 Aug counts (14), so 15
    # is Mon 31 Aug.
    scot = deadlines("UK-FCA-PSD", {"complaint_received": [at(2026, 8, 10)]}, calendar="GB-SCT")
    assert scot["final-response"].due_date == date(2026, 8, 31)


@pytest.mark.parametrize(
    ("received_utc", "expected_day", "offset_hours"),
    [
        # Thu 26 Mar 2026, clocks go forward on Sun 29 Mar: Fri 27 (1), Mon 30 (2),
        # Tue 31 (3); 17:00 is then BST (UTC+1).
        (datetime(2026, 3, 26, 12, 0, tzinfo=UTC), date(2026, 3, 31), 1),
        # 23:30 UTC on Sat 24 Oct 2026 is 00:30 BST on Sun 25 Oct in London: the local date
        # counts. Mon 26 (1), Tue 27 (2), Wed 28 (3), after the clocks went back (UTC+0).
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 28), 0),
        # 23:30 UTC on Tue 31 Mar 2026 is already Wed 1 Apr in London: Thu 2 (1), then Easter
        # (3 and 6 Apr), Tue 7 (2), Wed 8 (3).
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), date(2026, 4, 8), 1),
    ],
)
def test_dst_and_the_local_date_of_receipt(received_utc, expected_day, offset_hours) -> None:
    summary = deadlines("UK-FCA-DISP", {"complaint_received": [received_utc]})["summary-resolution"]
    assert summary.due_date == expected_day
    assert summary.due_at.hour == 17
    assert summary.due_at.utcoffset().total_seconds() == offset_hours * 3600


# --- House SLA ---------------------------------------------------------------------------


def test_house_acknowledgement_skips_organisation_closures() -> None:
    # Mon 2 Mar 2026; the office is shut on Tue 3 Mar: Wed (1), Thu 5 (2).
    got = deadlines(
        "HOUSE",
        {"complaint_received": [at(2026, 3, 2)]},
        closures=[(date(2026, 3, 3), "Stocktake")],
    )
    assert got["acknowledge"].due_date == date(2026, 3, 5)
    assert any("Organisation closed: Stocktake" in s.text for s in got["acknowledge"].steps)


def test_house_response_restarts_when_the_case_is_reopened() -> None:
    # Reopened Thu 2 Apr 2026: 20 business days from there, over Easter (3 and 6 Apr):
    # Apr 7-10 (4), 13-17 (9), 20-24 (14), 27-May 1 (19), Mon 4 May is the early May bank
    # holiday, Tue 5 May (20).
    got = deadlines(
        "HOUSE", {"complaint_received": [at(2026, 3, 2)], "status:reopened": [at(2026, 4, 2)]}
    )
    assert got["respond"].due_date == date(2026, 5, 5)


# --- US -----------------------------------------------------------------------------------


def test_fcra_furnisher_notice_beginning_on_receipt_over_thanksgiving() -> None:
    # Received Mon 23 Nov 2026 (day 1), Tue (2), Wed (3), Thanksgiving Thu 26, Fri 27 (4),
    # weekend, Mon 30 Nov (5). The Friday after Thanksgiving is not a federal holiday.
    got = deadlines(
        "US-FCRA",
        {"dispute_received": [at(2026, 11, 23, zone=NEW_YORK)]},
        calendar="US",
        zone=NEW_YORK,
    )
    assert got["notice-to-furnisher"].due_date == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("new_info", "expected"),
    [
        (None, date(2026, 3, 31)),  # 2 Mar is day 1, so day 30 is 31 Mar
        (at(2026, 3, 20, zone=NEW_YORK), date(2026, 4, 15)),  # during the period: +15 days
        (at(2026, 4, 5, zone=NEW_YORK), date(2026, 3, 31)),  # after it: no extension
    ],
)
def test_fcra_reinvestigation_and_its_extension(new_info, expected) -> None:
    facts = {"dispute_received": [at(2026, 3, 2, zone=NEW_YORK)]}
    if new_info:
        facts["new_information_received"] = [new_info]
    got = deadlines("US-FCRA", facts, calendar="US", zone=NEW_YORK)
    assert got["reinvestigation"].due_date == expected


def test_fdcpa_assumed_receipt_excludes_federal_holidays_then_30_days() -> None:
    # Provided Wed 25 Nov 2026: Thanksgiving 26, Fri 27 (1), Mon 30 (2), Tue 1 Dec (3),
    # Wed 2 (4), Thu 3 Dec (5) = assumed receipt. + 30 days = Sat 2 Jan 2027, no roll.
    got = deadlines(
        "US-FDCPA",
        {"validation_info_provided": [at(2026, 11, 25, zone=NEW_YORK)]},
        calendar="US",
        zone=NEW_YORK,
    )
    assert got["assumed-receipt"].due_date == date(2026, 12, 3)
    assert got["validation-period"].due_date == date(2027, 1, 2)


def test_fcba_consumer_notice_and_whichever_comes_first() -> None:
    # Statement sent 31 Jan 2026 + 60 days = 1 Apr 2026 (28 days to 28 Feb, 59 to 31 Mar).
    facts = {
        "statement_transmitted": [at(2026, 1, 31, zone=NEW_YORK)],
        "billing_notice_received": [at(2026, 2, 10, zone=NEW_YORK)],
    }
    got = deadlines("US-FCBA", facts, calendar="US", zone=NEW_YORK)
    assert got["consumer-notice"].due_date == date(2026, 4, 1)
    assert got["consumer-notice"].met_at == at(2026, 2, 10, zone=NEW_YORK)
    assert got["acknowledgement"].due_date == date(2026, 3, 12)  # 10 Feb + 30
    # 10 Feb + 90 = 11 May; without the billing-cycle dates only the 90 days can be counted.
    assert got["resolution"].due_date == date(2026, 5, 11)
    assert any("not computed" in s.text for s in got["resolution"].steps)
    # The second complete cycle closes 20 Apr: earlier, so it wins.
    facts["second_billing_cycle_closes"] = [at(2026, 4, 20, zone=NEW_YORK)]
    got = deadlines("US-FCBA", facts, calendar="US", zone=NEW_YORK)
    assert got["resolution"].due_date == date(2026, 4, 20)
    # A cycle closing after 90 days loses to the 90-day limit.
    facts["second_billing_cycle_closes"] = [at(2026, 5, 30, zone=NEW_YORK)]
    got = deadlines("US-FCBA", facts, calendar="US", zone=NEW_YORK)
    assert got["resolution"].due_date == date(2026, 5, 11)


def test_cfpb_portal_days() -> None:
    got = deadlines(
        "US-CFPB",
        {"cfpb_sent_to_company": [at(2023, 5, 5, 0, zone=NEW_YORK)]},
        calendar="US",
        zone=NEW_YORK,
    )
    assert got["company-response"].due_date == date(2023, 5, 20)
    assert got["final-response"].due_date == date(2023, 7, 4)  # 5 May + 60, no roll


# --- UK Consumer Rights Act ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pause", "expected"),
    [
        # Delivered 1 Mar 2026: day 1 is 2 Mar, day 30 is 31 Mar.
        (None, date(2026, 3, 31)),
        # Waiting 10-20 Mar inclusive (11 days): 31 Mar + 11 = 11 Apr (22 days remain after
        # the goods come back, more than 7).
        ((at(2026, 3, 10), at(2026, 3, 20)), date(2026, 4, 11)),
        # Waiting 28 Mar - 15 Apr (19 days): 31 Mar + 19 = 19 Apr, but at least 7 days after
        # 15 Apr: 22 Apr.
        ((at(2026, 3, 28), at(2026, 4, 15)), date(2026, 4, 22)),
        # A repair asked for after the period ended changes nothing.
        ((at(2026, 4, 2), at(2026, 4, 9)), date(2026, 3, 31)),
    ],
)
def test_cra_short_term_right_to_reject_with_repair_pause(pause, expected) -> None:
    facts = {"goods_delivered": [at(2026, 3, 1)]}
    if pause:
        facts["repair_requested"], facts["repaired_goods_received"] = [pause[0]], [pause[1]]
    assert due("UK-CRA-GOODS", "short-term-reject", facts) == expected


def test_cra_clock_stands_still_while_the_repair_is_awaited() -> None:
    got = deadlines(
        "UK-CRA-GOODS", {"goods_delivered": [at(2026, 3, 1)], "repair_requested": [at(2026, 3, 10)]}
    )
    assert got["short-term-reject"].due_date is None
    assert got["short-term-reject"].blocked.startswith("paused")


def test_cra_refund_within_14_days_beginning_with_agreement() -> None:
    assert due("UK-CRA-GOODS", "refund", {"refund_agreed": [at(2026, 3, 1)]}) == date(2026, 3, 14)


def test_letter_before_claim_14_days_and_debt_claims_30_days() -> None:
    got = deadlines(
        "UK-PRE-ACTION",
        {
            "letter_before_claim_received": [at(2026, 12, 18)],
            "debt_letter_of_claim_sent": [at(2026, 12, 18)],
        },
    )
    assert got["letter-before-claim-response"].due_date == date(2027, 1, 1)  # no roll
    assert got["debt-claim-reply"].due_date == date(2027, 1, 17)


# --- EU -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("possession", "expected"),
    [
        # Thu 10 Dec 2026 + 14 = Thu 24 Dec: Christmas Eve is a working day in Germany.
        (at(2026, 12, 10, zone=BERLIN), date(2026, 12, 24)),
        # Fri 11 Dec + 14 = Fri 25 Dec (Christmas Day), 26 Dec (holiday and Saturday), Sunday:
        # the period ends on Mon 28 Dec.
        (at(2026, 12, 11, zone=BERLIN), date(2026, 12, 28)),
    ],
)
def test_eu_withdrawal_rolls_to_the_next_working_day(possession, expected) -> None:
    got = deadlines(
        "EU-CRD", {"goods_possession_acquired": [possession]}, calendar="DE", zone=BERLIN
    )
    assert got["withdrawal-goods"].due_date == expected
    assert got["withdrawal-goods"].rule.verification.value == "unverified"


def test_eight_week_letters() -> None:
    for regime, rule in (("UK-OFCOM", "adr-letter"), ("UK-OFGEM", "eight-week-letter")):
        assert due(regime, rule, {"complaint_received": [at(2026, 1, 5)]}) == date(2026, 3, 2)


def test_eu_adr_90_days() -> None:
    assert due(
        "EU-ADR",
        "adr-outcome",
        {"adr_file_complete": [at(2026, 1, 31, zone=BERLIN)]},
        calendar="DE",
        zone=BERLIN,
    ) == date(2026, 5, 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 2, date(2027, 2, 15)),
    ],
)
def test_month_ends(start, months, expected) -> None:
    assert add_months(start, months) == expected
