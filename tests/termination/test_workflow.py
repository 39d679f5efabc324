"""The termination workflow through its services, on the real database: every guard
refuses with the rule's name and writes nothing; every step is an event on each case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import CustomerDetails
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.termination import GuardRefused, NoticeTooShort
from plaint.domain.triage.taxonomy import Taxonomy
from plaint.letters.selectors import case_letter
from plaint.terminations import services
from plaint.terminations.models import Termination, TerminationTask
from plaint.triage.services import triage_run, triage_settings_set
from tests.conftest import NOW, open_case
from tests.termination.conftest import check, propose


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("seq").values_list("kind", flat=True))


def approved(case: Case, agent: User, boss: User) -> Termination:
    t = check(propose(case, agent), agent)
    return services.termination_decide(
        termination=t, approve=True, reasons="Staff safety.", actor=Actor.staff(boss), now=NOW
    )


def noticed(case: Case, agent: User, boss: User) -> Termination:
    t = approved(case, agent, boss)
    return services.termination_notice_issue(
        termination=t,
        letter_case=case,
        alternatives_offered=["A basic bank account with another provider"],
        reasons_stated="On 20 and 27 February you threatened our branch staff.",
        money_and_data="We will send any balance to an account you name.",
        actor=Actor.staff(agent),
        now=NOW,
    )


def test_the_whole_workflow_is_on_the_ledger(bank_case: Case, agent: User, boss: User) -> None:
    t = noticed(bank_case, agent, boss)
    # Notice on 2 March 2026, contract from 2024: PSRs 2017 reg 51 two months -> 2 May.
    assert t.effective_on == date(2026, 5, 2)
    assert t.notice_rules == ["UK-PSRS-2017-REG51 2026-12-01.1"]
    kept = case_letter(case=bank_case, seq=t.letter_seq or 0)
    assert kept.payload.letter == "service-termination"
    fields = kept.payload.fields
    assert fields["letter.notice_days"] == 61
    assert "Financial Ombudsman Service" in fields["letter.how_to_respond"]
    assert fields["letter.alternatives"] == ["A basic bank account with another provider"]
    with pytest.raises(DomainError, match="already kept"):
        services.termination_notice_issue(
            termination=t,
            letter_case=bank_case,
            alternatives_offered=["Another provider"],
            reasons_stated="Threats.",
            money_and_data="Balance returned.",
            actor=Actor.staff(agent),
            now=NOW,
        )
    t = services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    assert t.status == "notice_sent"
    assert [k for k in kinds(bank_case) if k.startswith(("termination", "letter"))] == [
        "termination_proposed",
        "termination_alternative",
        "termination_checked",
        "termination_decided",
        "letter_generated",
        "termination_notice_issued",
        "letter_sent",
    ]
    assert ledger_verify().ok


def test_every_linked_case_gets_the_events(org: Organisation, agent: User, boss: User) -> None:
    first = open_case(org, agent, product="Current account", amount_in_dispute=None, currency="")
    second = open_case(
        org, agent, product="Current account", amount_in_dispute=None, currency="",
        customer=first.customer,
    )  # fmt: skip
    t = propose(first, agent, cases=[first, second])
    assert (
        kinds(first)[-2:]
        == kinds(second)[-2:]
        == [
            "termination_proposed",
            "termination_alternative",
        ]
    )
    assert t.customer_id == first.customer_id


def test_no_alternative_tried_is_refused(bank_case: Case, agent: User) -> None:
    before = CaseEvent.objects.count()
    with pytest.raises(GuardRefused, match=r"Rule T1 \(alternatives first\)"):
        propose(bank_case, agent, reason="commercial", alternatives=[])
    with pytest.raises(GuardRefused, match=r"Rule T1"):
        propose(bank_case, agent, reason="abuse", alternatives=[])
    assert CaseEvent.objects.count() == before
    assert not Termination.objects.exists()
    # Immediate action for safety, recorded with its reason.
    t = propose(bank_case, agent, alternatives=[], immediate_justification="Threats to kill.")
    assert t.immediate_justification == "Threats to kill."


def test_hostile_input_is_refused_precisely(bank_case: Case, agent: User) -> None:
    with pytest.raises(FieldErrors) as caught:
        propose(bank_case, agent, reason="<script>", facts="a\x00b")
    assert set(caught.value.errors) == {"reason", "facts"}


def test_same_person_approving_is_refused(bank_case: Case, agent: User, supervisor: User) -> None:
    t = check(propose(bank_case, supervisor), supervisor)
    with pytest.raises(GuardRefused, match=r"Rule T4 \(four-eyes approval\): the person who"):
        services.termination_decide(
            termination=t, approve=True, reasons="ok", actor=Actor.staff(supervisor), now=NOW
        )
    with pytest.raises(GuardRefused, match=r"only a supervisor"):
        services.termination_decide(
            termination=t, approve=True, reasons="ok", actor=Actor.staff(agent), now=NOW
        )
    t.refresh_from_db()
    assert t.status == "checked"


def test_notice_too_short_is_refused(bank_case: Case, agent: User, boss: User) -> None:
    t = approved(bank_case, agent, boss)
    with pytest.raises(NoticeTooShort, match=r"Rule T5 \(notice period\)"):
        services.termination_notice_issue(
            termination=t,
            letter_case=bank_case,
            alternatives_offered=["Another provider"],
            reasons_stated="Threats.",
            money_and_data="Balance returned.",
            effective_on=date(2026, 4, 1),
            actor=Actor.staff(agent),
            now=NOW,
        )
    assert "letter_generated" not in kinds(bank_case)


def test_disputed_energy_bill_blocks(case: Case, agent: User) -> None:
    # The shared case is an energy bill with GBP 84.20 in dispute, still open.
    t = propose(case, agent, product="energy", reason="non_payment")
    with pytest.raises(GuardRefused, match=r"Rule T3e \(energy: no disconnection while a bill"):
        check(t, agent)
    t.refresh_from_db()
    assert t.status == "proposed"


def test_vulnerable_customer_needs_extra_steps(org: Organisation, agent: User) -> None:
    c = open_case(
        org, agent, product="Current account", amount_in_dispute=None, currency="",
        customer=CustomerDetails(name="Ola", vulnerability_notes="Recently bereaved."),
    )  # fmt: skip
    t = propose(c, agent)
    with pytest.raises(GuardRefused, match=r"Rule T3b \(vulnerable customer: extra steps\)"):
        check(t, agent)
    t = check(t, agent, vulnerability_steps="Named contact; 30 more days; debt advice.")
    assert t.status == "checked"


def test_discrimination_flag_needs_legal_signoff(
    org: Organisation, agent: User, boss: User, lawyer: User
) -> None:
    triage_settings_set(organisation=org, now=NOW, taxonomy=Taxonomy.CFPB)
    c = open_case(
        org, agent, product="Current account", amount_in_dispute=None, currency="",
        description="The branch manager discriminated against me because of my race.",
    )  # fmt: skip
    triage_run(case=c, now=NOW)
    t = check(propose(c, agent), agent)
    with pytest.raises(GuardRefused, match=r"Rule T3c .*legal reviewer must sign it off"):
        services.termination_decide(
            termination=t, approve=True, reasons="ok", actor=Actor.staff(boss), now=NOW
        )
    with pytest.raises(DomainError, match="only a legal reviewer"):
        services.termination_legal_signoff(
            termination=t, note="fine", actor=Actor.staff(boss), now=NOW
        )
    services.termination_legal_signoff(
        termination=t, note="Reason unrelated to race; evidence reviewed.",
        actor=Actor.staff(lawyer), now=NOW,
    )  # fmt: skip
    t = services.termination_decide(
        termination=t, approve=True, reasons="Safety.", actor=Actor.staff(boss), now=NOW
    )
    assert t.status == "approved"


def test_reversal_before_the_effective_date(bank_case: Case, agent: User, boss: User) -> None:
    t = noticed(bank_case, agent, boss)
    t = services.termination_reverse(
        termination=t, reason="The customer apologised in writing.", actor=Actor.staff(boss),
        now=NOW + timedelta(days=3),
    )  # fmt: skip
    assert t.status == "reversed"
    assert kinds(bank_case)[-2:] == ["letter_withdrawn", "termination_reversed"]
    with pytest.raises(DomainError, match="reversed"):
        services.termination_reverse(
            termination=t, reason="again", actor=Actor.staff(boss), now=NOW
        )


def test_no_reversal_on_or_after_the_effective_date(
    bank_case: Case, agent: User, boss: User
) -> None:
    t = noticed(bank_case, agent, boss)
    services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    with pytest.raises(DomainError, match="took effect on 2026-05-02"):
        services.termination_reverse(
            termination=t, reason="late", actor=Actor.staff(boss), now=NOW + timedelta(days=61)
        )


def test_appeal_pauses_until_reviewed(bank_case: Case, agent: User, boss: User) -> None:
    t = noticed(bank_case, agent, boss)
    t = services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    t = services.termination_appeal(
        termination=t, grounds="I was provoked; I have apologised.",
        actor=Actor.customer("Dana Whitfield"), now=NOW + timedelta(days=5),
    )  # fmt: skip
    assert t.status == "appealed"
    after = NOW + timedelta(days=70)  # past 2 May
    assert services.terminations_tick(now=after).took_effect == 0  # paused
    with pytest.raises(FieldErrors, match="passed while the appeal was paused"):
        services.termination_appeal_review(
            termination=t, upheld=False, note="Stands.", actor=Actor.staff(boss), now=after
        )
    t = services.termination_appeal_review(
        termination=t, upheld=False, note="Stands.", effective_on=date(2026, 6, 1),
        actor=Actor.staff(boss), now=after,
    )  # fmt: skip
    assert (t.status, t.effective_on) == ("notice_sent", date(2026, 6, 1))


def test_upheld_appeal_withdraws(bank_case: Case, agent: User, boss: User) -> None:
    t = noticed(bank_case, agent, boss)
    t = services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    t = services.termination_appeal(
        termination=t, grounds="Wrong person.", actor=Actor.customer("Dana"), now=NOW
    )
    t = services.termination_appeal_review(
        termination=t, upheld=True, note="CCTV shows it was someone else.",
        actor=Actor.staff(boss), now=NOW,
    )  # fmt: skip
    assert t.status == "reversed"
    kept = case_letter(
        case=bank_case,
        seq=bank_case.events.get(kind="letter_generated", seq__gt=t.letter_seq or 0).seq,
    )
    assert kept.payload.letter == "service-termination-withdrawn"
    assert "we have upheld your appeal. CCTV" in kept.payload.fields["letter.reasons"]


def test_reversal_after_the_notice_went_out_sends_a_letter(
    bank_case: Case, agent: User, boss: User
) -> None:
    t = noticed(bank_case, agent, boss)
    t = services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    t = services.termination_reverse(
        termination=t, reason="Our records were wrong.", actor=Actor.staff(boss), now=NOW
    )
    assert kinds(bank_case)[-2:] == ["letter_generated", "termination_reversed"]
    last = bank_case.events.filter(kind="letter_generated").order_by("-seq").first()
    assert last is not None
    kept = case_letter(case=bank_case, seq=last.seq)
    assert kept.payload.letter == "service-termination-withdrawn"
    assert kept.payload.fields["letter.reasons"] == (
        "We wrote to you on 2 March 2026 to say that your service would end on 2 May 2026. "
        "We have withdrawn that notice: Our records were wrong."
    )


def test_tick_creates_aftermath_tasks_on_the_effective_date(
    bank_case: Case, agent: User, boss: User
) -> None:
    t = noticed(bank_case, agent, boss)
    services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    day_before = NOW + timedelta(days=60)  # 1 May 2026
    assert services.terminations_tick(now=day_before).took_effect == 0
    report = services.terminations_tick(now=day_before + timedelta(days=1))
    assert (report.took_effect, report.tasks) == (1, 3)
    assert services.terminations_tick(now=day_before + timedelta(days=2)).took_effect == 0
    tasks = {task.kind: task for task in TerminationTask.objects.filter(termination=t)}
    assert set(tasks) == {"reaction", "perception", "practice_review"}
    review = tasks["practice_review"]
    assert (review.owner, review.due_on) == (boss, date(2026, 6, 1))
    assert kinds(bank_case)[-1] == "termination_took_effect"
    services.termination_task_done(
        task=review, outcome="Training on de-escalation for branch staff.",
        done_on=date(2026, 5, 20), actor=Actor.staff(boss), now=NOW + timedelta(days=80),
    )  # fmt: skip
    assert kinds(bank_case)[-1] == "termination_task_done"
    assert ledger_verify().ok


def test_a_second_appeal_is_refused_naming_the_rule(
    bank_case: Case, agent: User, boss: User
) -> None:
    t = noticed(bank_case, agent, boss)
    t = services.termination_notice_delivered(
        termination=t, method="email", sent_at=NOW, actor=Actor.staff(agent), now=NOW
    )
    t = services.termination_appeal(
        termination=t, grounds="I was provoked.", actor=Actor.customer("Dana"),
        now=NOW + timedelta(days=5),
    )  # fmt: skip
    t = services.termination_appeal_review(
        termination=t, upheld=False, note="The recordings show the threats.",
        actor=Actor.staff(boss), now=NOW + timedelta(days=6),
    )  # fmt: skip
    assert t.status == "notice_sent"
    before = bank_case.events.count()
    with pytest.raises(GuardRefused, match=r"Rule T7 \(one appeal per termination\)") as exc:
        services.termination_appeal(
            termination=t, grounds="Please look again.", actor=Actor.customer("Dana"),
            now=NOW + timedelta(days=7),
        )  # fmt: skip
    assert "appealed on 2026-03-07" in str(exc.value) and "not upheld" in str(exc.value)
    t.refresh_from_db()
    assert (t.status, t.appeal_grounds) == ("notice_sent", "I was provoked.")
    assert bank_case.events.count() == before  # nothing written
