"""The customer's side: a cease-and-desist sent, whether the conduct stopped, and what
next; in the services, the rules, the portal page and the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.disputes import selectors, services
from plaint.disputes.models import CeaseDesistSent
from plaint.domain.disputes.next_steps import next_steps
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW, open_case
from tests.portal.helpers import portal_token


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def _sent(case: Case, user: User, **overrides: object) -> CeaseDesistSent:
    fields: dict[str, object] = {
        "case": case,
        "sent_on": date(2026, 2, 16),
        "method": "recorded_delivery",
        "tracking_number": "RR123456785GB",
        "comply_by": date(2026, 3, 1),
        "conduct": "Calling me at work about the February bill.",
        "actor": Actor.staff(user),
        "now": NOW,
    }
    fields.update(overrides)
    return services.cease_desist_sent_record(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"tracking_number": ""}, "tracking_number", "is required for recorded delivery"),
        ({"method": "pigeon"}, "method", "is not one of"),
        ({"sent_on": date(2026, 3, 3)}, "sent_on", "after today"),
        ({"comply_by": date(2026, 2, 1)}, "comply_by", "before the letter was sent"),
        ({"conduct": ""}, "conduct", "is required"),
        ({"tracking_number": "RR1\nX"}, "tracking_number", "line break"),
    ],
)
def test_bad_sending_records_are_refused(
    case: Case, agent: User, overrides, field, message
) -> None:
    before = kinds(case)
    with pytest.raises(FieldErrors) as caught:
        _sent(case, agent, **overrides)
    assert message in caught.value.errors[field]
    assert kinds(case) == before and not CeaseDesistSent.objects.exists()


def test_sent_then_ignored_gives_what_next(case: Case, agent: User) -> None:
    sent = _sent(case, agent)
    services.cease_desist_outcome_record(
        sent=sent, stopped=False, note="Called again on 2 March.", actor=Actor.staff(agent), now=NOW
    )
    assert kinds(case)[-2:] == ["cease_desist_sent", "cease_desist_outcome"]
    steps = {s.spec.id: s for s in selectors.case_next_steps(case=case)}
    # A UK financial case (UK-FCA-DISP): the final notice, the FOS, Trading Standards, legal
    # help, negotiation and mediation; no arbitration unless the customer says so.
    assert list(steps) == [
        "final-notice",
        "fos",
        "trading-standards",
        "legal-help-gb",
        "negotiation",
        "mediation",
    ]
    assert (
        "On 16 February 2026 I asked you to stop this conduct: Calling me at work about the "
        "February bill. It has not stopped." in steps["final-notice"].text
    )
    assert "Business: Acme Energy" in steps["fos"].facts
    assert any("tracking number RR123456785GB" in line for line in steps["trading-standards"].facts)
    with_clause = selectors.case_next_steps(case=case, arbitration_clause=True)
    assert with_clause[-1].spec.id == "arbitration"


def test_missing_facts_are_asked_for_not_invented() -> None:
    steps = next_steps(side="customer", jurisdiction="US", problem="energy", facts={})
    final = steps[0]
    assert final.spec.id == "final-notice" and final.text == ""
    assert "the date of your first letter" in final.missing
    with pytest.raises(FieldErrors, match="jurisdiction"):
        next_steps(side="customer", jurisdiction="MARS", problem="energy", facts={})


def test_business_side_steps(case: Case) -> None:
    ids = [s.spec.id for s in selectors.case_next_steps(case=case, side="business")]
    assert ids[0] == "final-demand" and "final-notice" not in ids and "fos" not in ids


def test_the_portal_shows_the_referral_and_what_next(
    client: Client, org: Organisation, agent: User
) -> None:
    case = open_case(org, agent, regime="UK-OFGEM")
    sent = _sent(case, agent)
    url = f"/complain/{org.slug}/case/{portal_token(case)}/"
    page = client.get(url).content.decode()
    assert "Your cease-and-desist letter went out on 16 February 2026" in page
    assert "What you can do next" not in page
    services.cease_desist_outcome_record(
        sent=sent, stopped=False, actor=Actor.staff(agent), now=NOW
    )
    page = client.get(url).content.decode()
    assert "It did not stop." in page and "What you can do next" in page
    assert "Take it to the Energy Ombudsman" in page
    assert "You can now take your complaint" not in page  # 8 weeks have not passed yet


def test_the_portal_shows_the_fos_deadline(client: Client, case: Case, agent: User) -> None:
    final = NOW + timedelta(hours=1)
    case_services.case_milestone_record(
        case=case, milestone="final_response_sent", at=final, actor=Actor.staff(agent), now=final
    )
    page = client.get(
        f"/complain/{case.organisation.slug}/case/{portal_token(case)}/"
    ).content.decode()
    assert "You can now take your complaint to <strong>Financial Ombudsman Service</strong>" in page
    assert "You must do so by <strong>2 September 2026</strong>" in page


def test_cli_next_and_referral_without_a_database() -> None:
    out = StringIO()
    call_command(
        "disputes",
        "next",
        "--jurisdiction",
        "US",
        "--problem",
        "telecoms",
        "--business",
        "Globex",
        "--conduct",
        "calling me at work",
        "--first-letter-date",
        "2026-02-01",
        stdout=out,
    )
    text = out.getvalue()
    assert "1. Send a final notice" in text and "Federal Communications Commission" in text
    assert "arbitration" not in text and "not legal advice" in text
    out = StringIO()
    call_command(
        "disputes",
        "referral",
        "--regime",
        "UK-OFCOM",
        "--complaint",
        "2026-03-02",
        "--today",
        "2026-03-10",
        stdout=out,
    )
    assert "May refer from: 2026-04-27 (8 weeks after the complaint)" in out.getvalue()
    with pytest.raises(CommandError, match="has no ombudsman or ADR referral"):
        call_command(
            "disputes", "referral", "--regime", "UK-CRA-GOODS", "--complaint", "2026-03-02"
        )
    with pytest.raises(CommandError, match="not a date"):
        call_command("disputes", "referral", "--regime", "UK-OFCOM", "--complaint", "soon")


def test_cli_next_from_a_case(case: Case, agent: User) -> None:
    out = StringIO()
    call_command(
        "disputes",
        "next",
        "--case",
        case.reference,
        "--org",
        "acme",
        "--side",
        "business",
        stdout=out,
    )
    assert "Send a letter before claim" in out.getvalue()
