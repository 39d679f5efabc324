"""The pure rules: restrictions, referral windows against hand-counted dates, FOS
eligibility with its range checks."""

from __future__ import annotations

from datetime import date

import pytest

from plaint.domain.deadlines.calendars import calendar_for
from plaint.domain.disputes.eligibility import fos_eligibility
from plaint.domain.disputes.referrals import (
    ReferralFacts,
    UnknownReferralRegime,
    WindowState,
    referral_rule,
    referral_rules,
    referral_window,
)
from plaint.domain.disputes.restrictions import (
    ContactAttempt,
    RestrictionKind,
    contradictions,
    forbids,
)
from plaint.domain.errors import FieldErrors
from plaint.domain.vocabulary import Channel

K = RestrictionKind


@pytest.mark.parametrize(
    ("kind", "channel", "at_work", "to_rep", "forbidden"),
    [
        (K.STOP_CALLING, Channel.PHONE, False, False, True),
        (K.STOP_CALLING, Channel.EMAIL, False, False, False),
        (K.WRITING_ONLY, Channel.PHONE, False, False, True),
        (K.WRITING_ONLY, Channel.IN_PERSON, False, False, True),
        (K.WRITING_ONLY, Channel.LETTER, False, False, False),
        (K.WRITING_ONLY, Channel.EMAIL, False, False, False),
        (K.NOT_AT_WORK, Channel.PHONE, True, False, True),
        (K.NOT_AT_WORK, Channel.PHONE, False, False, False),
        (K.NOT_AT_WORK, Channel.LETTER, True, False, False),
        (K.SOLICITOR_ONLY, Channel.LETTER, False, False, True),
        (K.SOLICITOR_ONLY, Channel.LETTER, False, True, False),
        (K.STOP_CALLING, Channel.PHONE, False, True, False),
        (K.PHONE_ONLY, Channel.EMAIL, False, False, True),
        (K.PHONE_ONLY, Channel.PHONE, False, False, False),
    ],
)
def test_what_each_restriction_forbids(kind, channel, at_work, to_rep, forbidden) -> None:
    attempt = ContactAttempt(channel, at_work=at_work, to_representative=to_rep)
    assert forbids(kind, attempt) is forbidden


def test_contradicting_restrictions_are_named() -> None:
    assert contradictions(K.PHONE_ONLY, [K.WRITING_ONLY]) == [
        "contradicts the restriction in force: contact in writing only and contact by phone "
        "only leave no channel"
    ]
    assert contradictions(K.PHONE_ONLY, [K.STOP_CALLING])
    assert contradictions(K.STOP_CALLING, [K.STOP_CALLING]) == ["stop calling is already in force"]
    assert contradictions(K.SOLICITOR_ONLY, [K.WRITING_ONLY, K.STOP_CALLING]) == []


def test_every_referral_rule_cites_dated_sources() -> None:
    rules = referral_rules()
    assert {"UK-FCA-DISP", "UK-FCA-PSD", "UK-OFCOM", "UK-OFGEM", "EU-ADR", "US-CFPB"} <= set(rules)
    for rule in rules.values():
        assert rule.sources and all(s.citation and s.last_verified for s in rule.sources)


def test_fos_window_hand_counted() -> None:
    rule = referral_rule("UK-FCA-DISP")
    # Complaint 2 Mar 2026: 8 weeks later is 27 Apr 2026.
    before = referral_window(
        rule, ReferralFacts(complaint=date(2026, 3, 2)), today=date(2026, 4, 26)
    )
    assert (before.opens_on, before.state, before.closes_on) == (
        date(2026, 4, 27),
        WindowState.NOT_YET,
        None,
    )
    # A final response on 10 Apr opens it at once; six months later is 10 Oct 2026.
    facts = ReferralFacts(complaint=date(2026, 3, 2), final_response=date(2026, 4, 10))
    window = referral_window(rule, facts, today=date(2026, 4, 11))
    assert (window.opens_on, window.closes_on, window.state) == (
        date(2026, 4, 10),
        date(2026, 10, 10),
        WindowState.OPEN,
    )
    assert referral_window(rule, facts, today=date(2026, 10, 11)).state is WindowState.CLOSED
    # Month-end clipping: a final response on 31 Aug closes on 28 Feb.
    late = ReferralFacts(complaint=date(2026, 7, 1), final_response=date(2026, 8, 31))
    assert referral_window(rule, late, today=date(2026, 9, 1)).closes_on == date(2027, 2, 28)


def test_ofcom_and_energy_open_at_deadlock_or_8_weeks() -> None:
    facts = ReferralFacts(complaint=date(2026, 3, 2), deadlock=date(2026, 3, 20))
    ofcom = referral_window(referral_rule("UK-OFCOM"), facts, today=date(2026, 3, 21))
    assert (ofcom.opens_on, ofcom.closes_on) == (date(2026, 3, 20), date(2027, 3, 20))
    energy = referral_window(referral_rule("UK-OFGEM"), facts, today=date(2026, 3, 21))
    assert (energy.opens_on, energy.closes_on) == (date(2026, 3, 20), None)
    no_deadlock = ReferralFacts(complaint=date(2026, 3, 2))
    assert referral_window(
        referral_rule("UK-OFGEM"), no_deadlock, today=date(2026, 3, 3)
    ).opens_on == date(2026, 4, 27)


def test_psd_counts_business_days_on_the_calendar() -> None:
    # Complaint Thu 2 Apr 2026; Good Friday 3 Apr and Easter Monday 6 Apr are bank
    # holidays in England, so business day 1 is Tue 7 Apr and day 15 is Mon 27 Apr 2026.
    # 35 days: Mon 4 May and Mon 25 May are bank holidays too, so day 35 is Wed 27 May.
    cal = calendar_for("GB-ENG")
    rule = referral_rule("UK-FCA-PSD")
    window = referral_window(
        rule, ReferralFacts(complaint=date(2026, 4, 2)), today=date(2026, 4, 3), calendar=cal
    )
    assert window.opens_on == date(2026, 4, 27)
    held = ReferralFacts(complaint=date(2026, 4, 2), holding_response=date(2026, 4, 20))
    assert referral_window(rule, held, today=date(2026, 4, 3), calendar=cal).opens_on == date(
        2026, 5, 27
    )


def test_a_regime_without_a_referral_route_is_refused() -> None:
    with pytest.raises(
        UnknownReferralRegime, match="UK-CRA-GOODS has no ombudsman or ADR referral"
    ):
        referral_rule("UK-CRA-GOODS")


def test_fos_eligibility_thresholds() -> None:
    small = fos_eligibility(
        {"complainant": "small_business", "annual_turnover": "6499999", "employees": "49"}
    )
    assert small.eligible
    big = fos_eligibility(
        {"complainant": "small_business", "annual_turnover": "6500000", "balance_sheet_total": "1"}
    )
    assert not big.eligible and "turnover is not under GBP 6,500,000" in big.reasons[0]
    assert fos_eligibility({"complainant": "charity", "annual_income": "100"}).eligible
    assert not fos_eligibility({"complainant": "trust", "net_asset_value": "5000000"}).eligible
    assert fos_eligibility({"complainant": "consumer"}).eligible
    assert not fos_eligibility({"complainant": "other"}).eligible


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"complainant": "alien"}, "complainant", "is not one of"),
        ({"complainant": "charity", "annual_income": "-5"}, "annual_income", "zero or more"),
        ({"complainant": "charity", "annual_income": "1e13"}, "annual_income", "too large"),
        ({"complainant": "charity", "annual_income": "lots"}, "annual_income", "not an amount"),
        ({"complainant": "charity"}, "annual_income", "is required"),
        (
            {"complainant": "small_business", "annual_turnover": "1", "employees": "2.5"},
            "employees",
            "whole number",
        ),
        (
            {"complainant": "small_business", "annual_turnover": "1"},
            "balance_sheet_total",
            "or the number",
        ),
        ({"complainant": "consumer", "annual_income": "5"}, "annual_income", "is not asked"),
        ({"complainant": "consumer", "shoe_size": "9"}, "shoe_size", "not one of the eligibility"),
    ],
)
def test_fos_eligibility_answers_out_of_range(answers, field, message) -> None:
    with pytest.raises(FieldErrors) as caught:
        fos_eligibility(answers)
    assert message in caught.value.errors[field]
