"""The notice rules against hand-counted dates, and the guards as pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from plaint.domain.termination import (
    CheckFacts,
    NoticeFacts,
    NoticeTooShort,
    ProductKind,
    Reason,
    add_months,
    appeal_refusals,
    approval_refusals,
    check_refusals,
    notice_compute,
    notice_rules,
    proposal_refusals,
)


def test_rule_files_carry_sources_and_last_verified_dates() -> None:
    rules = {r.code: r for r in notice_rules()}
    assert set(rules) == {"UK-PSRS-2017-REG51", "UK-PSRS-2026-SI-2025-688", "US-REG-B-1002-9"}
    for rule in rules.values():
        assert rule.sources and all(s.last_verified == date(2026, 12, 1) for s in rule.sources)
        assert rule.verification.value == "secondary"  # none was read in the primary text
    assert "NOT encoded" in rules["UK-PSRS-2026-SI-2025-688"].unverified


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 2), 2, date(2026, 5, 2)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),  # February is shorter: its last day
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # a leap year
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # across the year
    ],
)
def test_calendar_months_hand_counted(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def _payment(concluded: date | None, **kw: int) -> NoticeFacts:
    return NoticeFacts(
        product=ProductKind.PAYMENT_FRAMEWORK,
        jurisdiction="GB",
        contract_concluded_on=concluded,
        **kw,
    )


def test_older_payment_contract_needs_two_months() -> None:
    # Notice on 2 March 2026; contract from 2024: PSRs 2017 reg 51(4), two months -> 2 May.
    decision = notice_compute(_payment(date(2024, 6, 1)), notice_on=date(2026, 3, 2))
    assert decision.earliest == date(2026, 5, 2)
    assert [r.code for r in decision.rules] == ["UK-PSRS-2017-REG51"]
    assert decision.notice_days == 61  # 29 days left of March + 30 of April + 2 of May


def test_contract_from_28_april_2026_needs_90_days() -> None:
    # Notice on 1 June 2026: June has 30 days (29 left), July 31, August 30 -> 30 August.
    decision = notice_compute(_payment(date(2026, 4, 28)), notice_on=date(2026, 6, 1))
    assert decision.earliest == date(2026, 8, 30)
    assert [r.code for r in decision.rules] == ["UK-PSRS-2026-SI-2025-688"]
    assert {"specific_reasons", "how_to_complain", "ombudsman"} <= decision.requires
    # The day before the new rules, the old rule applies.
    older = notice_compute(_payment(date(2026, 4, 27)), notice_on=date(2026, 6, 1))
    assert older.earliest == date(2026, 8, 1)


def test_unknown_contract_date_takes_the_longer_notice() -> None:
    decision = notice_compute(_payment(None), notice_on=date(2026, 12, 31))
    assert decision.earliest == date(2027, 3, 31)  # 31 + 28 + 31 = 90 days
    assert any("not recorded" in step for step in decision.steps)


def test_contract_clause_and_house_minimum_can_set_the_date() -> None:
    facts = _payment(date(2024, 1, 1), contract_notice_days=90, house_minimum_days=100)
    decision = notice_compute(facts, notice_on=date(2026, 3, 2))
    assert decision.earliest == date(2026, 6, 10)  # 2 March + 100 days
    assert decision.deciding == "the organisation's house minimum"
    other = NoticeFacts(product=ProductKind.OTHER, jurisdiction="GB", contract_notice_days=30)
    plain = notice_compute(other, notice_on=date(2026, 3, 2))
    assert plain.earliest == date(2026, 4, 1)
    assert any("No statutory notice rule" in s for s in plain.steps)


def test_reg_b_sets_a_notify_by_date_not_a_minimum() -> None:
    facts = NoticeFacts(product=ProductKind.CREDIT_ACCOUNT, jurisdiction="US")
    decision = notice_compute(facts, notice_on=date(2026, 3, 2))
    assert decision.earliest == date(2026, 3, 2)
    assert decision.notify_by == date(2026, 4, 1)
    assert "1002.2(c)" in decision.unverified[0]


def test_notice_too_short_names_the_rule() -> None:
    with pytest.raises(NoticeTooShort, match=r"Rule T5 \(notice period\).*UK-PSRS-2017-REG51"):
        notice_compute(
            _payment(date(2024, 1, 1)), notice_on=date(2026, 3, 2), effective=date(2026, 5, 1)
        )
    ok = notice_compute(
        _payment(date(2024, 1, 1)), notice_on=date(2026, 3, 2), effective=date(2026, 5, 2)
    )
    assert ok.effective == date(2026, 5, 2)


def test_proposal_guard() -> None:
    [refusal] = proposal_refusals(
        reason=Reason.COMMERCIAL, alternatives_tried=0, immediate_justification="urgent"
    )
    assert "Rule T1 (alternatives first)" in str(refusal)
    assert (
        proposal_refusals(
            reason=Reason.ABUSE, alternatives_tried=0, immediate_justification="Threats to kill."
        )
        == []
    )
    assert proposal_refusals(reason=Reason.ABUSE, alternatives_tried=0, immediate_justification="")
    assert (
        proposal_refusals(
            reason=Reason.COMMERCIAL, alternatives_tried=1, immediate_justification=""
        )
        == []
    )


def _facts(**kw: object) -> CheckFacts:
    base: dict[str, object] = {
        "product": ProductKind.OTHER,
        "contract_clause": "Clause 9.2",
        "vulnerable": False,
        "vulnerability_steps": "",
        "discrimination_flagged": False,
        "not_discriminatory_confirmed": True,
        "legal_risk_flags": (),
        "legal_signed_off": False,
        "open_cases": (),
        "open_cases_note": "",
        "bill_disputed": False,
    }
    base.update(kw)
    return CheckFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "rule"),
    [
        ({"contract_clause": " "}, "Rule T3a (contract clause)"),
        ({"vulnerable": True}, "Rule T3b (vulnerable customer: extra steps)"),
        ({"not_discriminatory_confirmed": False}, "Rule T3c (protected characteristics"),
        ({"discrimination_flagged": True}, "Rule T3c (protected characteristics"),
        ({"open_cases": ("AC-1",)}, "Rule T3d (open complaint or dispute)"),
        ({"product": ProductKind.ENERGY, "bill_disputed": True}, "Rule T3e (energy"),
        ({"legal_risk_flags": ("litigation",)}, "Rule T3f (legal risk"),
    ],
)
def test_check_guards_name_their_rule(facts: dict[str, object], rule: str) -> None:
    [refusal] = check_refusals(_facts(**facts))
    assert str(refusal).startswith(rule)


def test_check_guards_pass_when_answered() -> None:
    assert (
        check_refusals(
            _facts(
                vulnerable=True,
                vulnerability_steps="Offered a named contact and 30 more days.",
                discrimination_flagged=True,
                legal_risk_flags=("discrimination", "litigation"),
                legal_signed_off=True,
                open_cases=("AC-1",),
                open_cases_note="AC-1 will be answered before the date.",
                product=ProductKind.ENERGY,
            )
        )
        == []
    )


def test_four_eyes_guard() -> None:
    same = approval_refusals(proposer_id=1, approver_id=1, approver_is_supervisor=True)
    assert [str(r) for r in same] == [
        "Rule T4 (four-eyes approval): the person who proposed the termination cannot approve it."
    ]
    assert approval_refusals(proposer_id=1, approver_id=2, approver_is_supervisor=False)
    assert approval_refusals(proposer_id=1, approver_id=2, approver_is_supervisor=True) == []


def test_one_appeal_per_termination() -> None:
    assert appeal_refusals(appealed_on=None, reviewed=False) == []
    (refusal,) = appeal_refusals(appealed_on=date(2026, 3, 7), reviewed=True)
    assert str(refusal).startswith("Rule T7 (one appeal per termination): ")
    assert "2026-03-07" in str(refusal) and "not upheld" in str(refusal)
    (waiting,) = appeal_refusals(appealed_on=date(2026, 3, 7), reviewed=False)
    assert "still being reviewed" in str(waiting)
