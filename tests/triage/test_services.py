"""Triage on a case: suggestions, flags to the legal review queue, confirmations and
corrections, retraining from confirmed cases, and the ledger events of each."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import CustomerDetails
from plaint.domain import events as ev
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events import payload_from_json
from plaint.domain.triage.taxonomy import CONSUMER_CATEGORIES, Taxonomy
from plaint.triage import selectors, services
from plaint.triage.models import ClassifierVersion, TriageRecord
from tests.conftest import NOW, open_case

THREAT = (
    "I was charged twice for my loan payment and nobody will refund it. "
    "If this is not fixed by Friday I will take legal action and report you to the CFPB."
)
CALM = "Please could you send me a copy of my loan statement for last year."


def events_of(case: Case) -> list[ev.Payload]:
    rows = CaseEvent.objects.filter(case=case).order_by("seq")
    return [payload_from_json(row.kind, row.clear_payload) for row in rows]


@pytest.fixture
def cfpb_org(org: Organisation) -> Organisation:
    services.triage_settings_set(organisation=org, now=NOW, taxonomy=Taxonomy.CFPB)
    return org


def test_triage_run_records_suggestion_and_routes_flags_to_legal_review(
    cfpb_org: Organisation, agent: User
) -> None:
    case = open_case(cfpb_org, agent, description=THREAT, respondent="ACME LOANS")
    record = services.triage_run(case=case, now=NOW)
    assert record.taxonomy == "cfpb"
    assert set(record.suggestions) == {"product", "issue"}
    assert 0 < record.confidence <= 1
    flags = {item["flag"]: item for item in record.flags}
    assert set(flags) == {"litigation", "regulator"}
    assert flags["litigation"]["evidence"][0]["text"] == "take legal action"
    evidence = flags["regulator"]["evidence"][0]
    assert THREAT[evidence["start"] : evidence["end"]] == "CFPB"
    assert record.legal_review == TriageRecord.LegalReview.PENDING
    assert list(selectors.legal_review_queue(organisation=cfpb_org)) == [record]

    suggested, requested = events_of(case)[-2:]
    assert isinstance(suggested, ev.TriageSuggested)
    assert suggested.labels["product"] == record.suggestions["product"]["label"]
    assert suggested.flags == {"litigation": ["take legal action"], "regulator": ["CFPB"]}
    assert float(suggested.urgency) == record.urgency
    assert isinstance(requested, ev.LegalReviewRequested)
    assert set(requested.flags) == {"litigation", "regulator"}
    assert not ledger_verify(organisation=cfpb_org).broken


def test_a_calm_case_is_not_sent_to_legal_review(cfpb_org: Organisation, agent: User) -> None:
    case = open_case(cfpb_org, agent, description=CALM)
    record = services.triage_run(case=case, now=NOW)
    assert record.flags == []
    assert record.legal_review == ""
    assert isinstance(events_of(case)[-1], ev.TriageSuggested)
    assert not selectors.legal_review_queue(organisation=cfpb_org).exists()


def test_rerunning_does_not_request_legal_review_twice(cfpb_org: Organisation, agent: User) -> None:
    case = open_case(cfpb_org, agent, description=THREAT)
    services.triage_run(case=case, now=NOW)
    services.triage_run(case=case, now=NOW + timedelta(minutes=5))
    kinds = [p.kind for p in events_of(case)]
    assert kinds.count(ev.EventKind.TRIAGE_SUGGESTED) == 2
    assert kinds.count(ev.EventKind.LEGAL_REVIEW_REQUESTED) == 1


def test_legal_reviewer_clears_and_the_same_flags_do_not_send_it_back(
    cfpb_org: Organisation, agent: User
) -> None:
    reviewer = staff_create(
        organisation=cfpb_org, username="lee", password="pw-lee-12345", roles=[Role.LEGAL_REVIEWER]
    )
    case = open_case(cfpb_org, agent, description=THREAT)
    services.triage_run(case=case, now=NOW)
    with pytest.raises(DomainError, match="legal reviewer"):
        services.triage_legal_clear(case=case, note="fine", actor=Actor.staff(agent), now=NOW)
    with pytest.raises(FieldErrors):
        services.triage_legal_clear(case=case, note=" ", actor=Actor.staff(reviewer), now=NOW)
    record = services.triage_legal_clear(
        case=case, note="No claim filed; wants a refund.", actor=Actor.staff(reviewer), now=NOW
    )
    assert record.legal_review == TriageRecord.LegalReview.CLEARED
    cleared = events_of(case)[-1]
    assert isinstance(cleared, ev.LegalReviewCleared)
    assert cleared.flags == ["litigation", "regulator"]
    services.triage_run(case=case, now=NOW + timedelta(hours=1))
    assert events_of(case)[-1].kind is ev.EventKind.TRIAGE_SUGGESTED
    assert not selectors.legal_review_queue(organisation=cfpb_org).exists()


def test_low_confidence_goes_to_needs_human_triage(cfpb_org: Organisation, agent: User) -> None:
    services.triage_settings_set(organisation=cfpb_org, now=NOW, threshold=1.0)
    case = open_case(cfpb_org, agent, description=CALM)
    record = services.triage_run(case=case, now=NOW)
    assert record.status == TriageRecord.Status.NEEDS_HUMAN
    assert list(selectors.needs_triage_queue(organisation=cfpb_org)) == [record]
    assert events_of(case)[-1].needs_human_triage is True  # type: ignore[attr-defined]


def test_urgency_uses_deadline_amount_vulnerability_and_contacts(
    cfpb_org: Organisation, agent: User
) -> None:
    case = open_case(
        cfpb_org,
        agent,
        description=CALM,
        amount_in_dispute=Decimal("5000.00"),
        customer=CustomerDetails(name="Ola", vulnerability_notes="Recently bereaved."),
    )
    plain = services.triage_run(case=case, now=NOW)
    for hour in (1, 2):
        case_services.case_contact_log(
            case=case,
            contact_at=NOW - timedelta(hours=hour),
            channel="phone",
            direction="inbound",
            actor=Actor.staff(agent),
            now=NOW,
        )
    pressed = services.triage_run(case=case, now=NOW, next_deadline=NOW + timedelta(days=1))
    parts = {p["name"]: p["points"] for p in pressed.urgency_parts}
    assert parts["vulnerability"] == 15.0
    assert parts["repeat_contacts"] == 5.0
    assert parts["deadline"] > 25
    assert parts["amount"] > 10
    assert pressed.urgency > plain.urgency


def test_confirm_and_correct_write_the_case_and_the_ledger(
    cfpb_org: Organisation, agent: User
) -> None:
    case = open_case(cfpb_org, agent, description=THREAT)
    record = services.triage_run(case=case, now=NOW)
    suggested_issue = record.suggestions["issue"]["label"]
    record = services.triage_confirm(
        case=case,
        labels={"issue": "Problem when making payments"},
        actor=Actor.staff(agent),
        now=NOW,
    )
    assert record.status == TriageRecord.Status.CONFIRMED
    assert record.confirmed_by == agent
    case.refresh_from_db()
    assert case.issue == "Problem when making payments"
    assert case.product == record.suggestions["product"]["label"]
    confirmed = events_of(case)[-1]
    assert isinstance(confirmed, ev.TriageConfirmed)
    assert confirmed.labels["issue"] == "Problem when making payments"
    if suggested_issue != "Problem when making payments":
        assert confirmed.corrected == {"issue": suggested_issue}
    # a later triage keeps the confirmation
    again = services.triage_run(case=case, now=NOW + timedelta(hours=1))
    assert again.status == TriageRecord.Status.CONFIRMED
    assert not ledger_verify(organisation=cfpb_org).broken


def test_confirm_refuses_bad_labels_and_untriaged_cases(org: Organisation, agent: User) -> None:
    case = open_case(org, agent, description=CALM)
    with pytest.raises(DomainError, match="not been triaged"):
        services.triage_confirm(case=case, labels={}, actor=Actor.staff(agent), now=NOW)
    services.triage_run(case=case, now=NOW)
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(FieldErrors) as error:
        services.triage_confirm(
            case=case,
            labels={"category": "Unicorns", "issue": "x"},
            actor=Actor.staff(agent),
            now=NOW,
        )
    assert set(error.value.errors) == {"category", "issue"}
    assert CaseEvent.objects.filter(case=case).count() == before
    assert TriageRecord.objects.get(case=case).status != TriageRecord.Status.CONFIRMED


def test_consumer_taxonomy_suggests_a_category(org: Organisation, agent: User) -> None:
    case = open_case(org, agent, description=THREAT)
    record = services.triage_run(case=case, now=NOW)
    assert set(record.suggestions) == {"category"}
    assert record.suggestions["category"]["label"] in CONSUMER_CATEGORIES


def test_retraining_from_confirmed_cases_changes_the_model(org: Organisation, agent: User) -> None:
    texts = {
        "Delivery and installation": "The engineer never turned up to install the boiler {i}.",
        "Billing, fees and charges": "My bill shows a charge {i} that I never agreed to pay.",
    }
    cases = []
    for category, template in texts.items():
        for i in range(12):
            case = open_case(org, agent, description=template.format(i=i))
            services.triage_run(case=case, now=NOW)
            services.triage_confirm(
                case=case, labels={"category": category}, actor=Actor.staff(agent), now=NOW
            )
            cases.append(case)
    with pytest.raises(DomainError, match="at least 30"):
        services.triage_train(organisation=org, now=NOW, min_cases=30)
    version = services.triage_train(organisation=org, now=NOW)
    assert version.active and version.examples == 24
    assert version.labels == {"category": 2}
    new = open_case(org, agent, description="Nobody came to install the boiler as promised.")
    record = services.triage_run(case=new, now=NOW)
    assert record.model.startswith(f"org-model#{version.pk}@")
    assert record.suggestions["category"]["label"] == "Delivery and installation"
    # a second training retires the first model
    second = services.triage_train(organisation=org, now=NOW + timedelta(days=1))
    assert list(ClassifierVersion.objects.filter(active=True)) == [second]


def test_training_text_is_pii_masked(org: Organisation, agent: User) -> None:
    case = open_case(
        org, agent, description="Card 4111 1111 1111 1111 was charged; email me at z@example.com"
    )
    assert "4111" not in selectors.document_of(case).text
    assert "z@example.com" not in selectors.document_of(case).text


def test_similar_cases_are_closed_cases_of_the_same_organisation(
    org: Organisation, other_org: Organisation, agent: User, outsider: User
) -> None:
    def closed(organisation: Organisation, user: User, text: str) -> Case:
        case = open_case(organisation, user, description=text)
        services.triage_run(case=case, now=NOW)
        actor = Actor.staff(user)
        for status in ("acknowledged", "investigating"):
            case = case_services.case_transition(case=case, to=status, actor=actor, now=NOW)
        offer = case_services.case_offer_record(
            case=case, redress="refund", amount="20.00", currency="GBP", actor=actor, now=NOW
        )
        case_services.case_offer_answer(offer=offer, accepted=True, actor=actor, now=NOW)
        case.refresh_from_db()
        return case_services.case_close(
            case=case,
            outcome="upheld",
            root_cause_code="systems",
            root_cause="Billing error",
            actor=actor,
            now=NOW,
        )

    mine = closed(org, agent, "I was charged twice for the same bill this month.")
    closed(other_org, outsider, "I was charged twice for the same bill this month.")
    new = open_case(org, agent, description="They charged me twice on my bill.")
    record = services.triage_run(case=new, now=NOW)
    assert [item["reference"] for item in record.similar] == [mine.reference]
    assert record.similar[0]["outcome"] == "upheld"
    assert record.similar[0]["redress"] == "refund GBP 20.00"
    assert events_of(new)[-1].similar == [mine.reference]  # type: ignore[attr-defined]


def test_queues_are_scoped_to_the_organisation(
    cfpb_org: Organisation, other_org: Organisation, agent: User, outsider: User
) -> None:
    services.triage_settings_set(organisation=other_org, now=NOW, taxonomy="cfpb")
    theirs = open_case(other_org, outsider, description=THREAT)
    services.triage_run(case=theirs, now=NOW)
    assert not selectors.legal_review_queue(organisation=cfpb_org).exists()
    assert selectors.legal_review_queue(organisation=other_org).count() == 1


def test_settings_are_checked(org: Organisation) -> None:
    with pytest.raises(FieldErrors) as error:
        services.triage_settings_set(organisation=org, now=NOW, taxonomy="zodiac", threshold=2)
    assert set(error.value.errors) == {"taxonomy", "threshold"}
