"""The interview: one question a screen, bad answers told beside the question with nothing
lost, back and forward, hostile text kept as data."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from plaint.consumer import services
from plaint.consumer.models import ConsumerCase
from plaint.domain.consumer.questions import AnswerProblem, answer_check, interview_keys
from tests.consumer.flows import start_case
from tests.consumer.journeys import DAY_ONE

pytestmark = pytest.mark.django_db


def step_of(case: ConsumerCase, kind: str, key: str) -> str:
    return reverse(
        "consumer:interview",
        args=[case.pk, kind, interview_keys(kind, case.answers).index(key) + 1],
    )


@pytest.fixture
def case(client: Client, clock) -> ConsumerCase:  # type: ignore[no-untyped-def]
    case = start_case(client, "Brightline", "US", "America/New_York")
    services.answers_save(
        case=case,
        answers={"customer.name": "Dana Whitfield", "business.name": "Brightline"},
        today=date(2026, 3, 2),
        now=DAY_ONE,
    )
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    ("key", "typed", "said"),
    [
        ("case.occurred_on", "2026-03-03", "is in the future"),
        ("case.amount", "eighty dollars", "is not an amount of money"),
        ("customer.email", "dana@@example", "cannot be an e-mail address"),
        ("case.description", "A long story. " * 3000, "about 14 pages"),
        ("letter.wait_days", "two weeks", "is not a number of days"),
        ("case.occurred_on", "3rd of Feb", "is not a date we can read"),
    ],
)
def test_bad_answer_is_told_beside_the_question_and_nothing_is_lost(
    client: Client, case: ConsumerCase, key: str, typed: str, said: str
) -> None:
    url = step_of(case, "complaint", key)
    response = client.post(url, {"answer": typed, "go": "next"})
    assert response.status_code == 400
    page = response.content.decode()
    assert said in page
    assert 'id="answer_error"' in page and "answer_error" in page.split('id="answer"')[1][:800]
    assert 'aria-invalid="true"' in page
    assert typed.strip()[:40].replace("'", "&#x27;") in page  # what was typed is still there
    case.refresh_from_db()
    assert key not in case.answers
    assert case.answers["customer.name"] == "Dana Whitfield"  # earlier answers kept


def test_back_and_forward_keep_answers_and_drafts(client: Client, case: ConsumerCase) -> None:
    amount = step_of(case, "complaint", "case.amount")
    client.post(amount, {"answer": "84.20", "go": "next"})
    currency = step_of(case, "complaint", "case.currency")
    assert client.get(currency).status_code == 200
    back = client.post(currency, {"answer": "USD", "go": "back"})
    assert back["Location"] == amount
    assert 'value="84.20"' in client.get(amount).content.decode()
    # An answer that cannot be kept yet is not lost by going back.
    response = client.post(amount, {"answer": "12,34.5.6", "go": "back"})
    assert response.status_code == 302
    page = client.get(amount).content.decode()
    assert 'value="12,34.5.6"' in page and "is not an amount of money" in page
    case.refresh_from_db()
    assert case.answers["case.amount"] == "84.20"


def test_progress_and_why(client: Client, case: ConsumerCase) -> None:
    keys = interview_keys("complaint", case.answers)
    page = client.get(step_of(case, "complaint", "case.order_number")).content.decode()
    assert f"Question {keys.index('case.order_number') + 1} of {len(keys)}" in page
    assert "<progress" in page
    assert "The order number lets them find your account" in page
    assert "Skip" in page  # optional
    required = client.get(step_of(case, "complaint", "case.product")).content.decode()
    assert "This letter needs an answer." in required and 'value="skip"' not in required


def test_only_the_letters_own_questions(case: ConsumerCase) -> None:
    fcba = interview_keys("us-fcba-billing-error", case.answers)
    assert "letter.billing_address" in fcba and "letter.wait_days" not in fcba
    complaint = interview_keys("complaint", case.answers)
    assert "letter.billing_address" not in complaint and "letter.issue_type" not in complaint


def test_hostile_text_is_kept_as_typed_and_printed_as_data(
    client: Client, case: ConsumerCase
) -> None:
    hostile = "<script>alert(1)</script> {{ 7*7 }} {% include 'x' %}"
    url = step_of(case, "complaint", "case.description")
    assert client.post(url, {"answer": hostile, "go": "next"}).status_code == 302
    page = client.get(url).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    nul = client.post(url, {"answer": "bad\x00byte", "go": "next"})
    assert nul.status_code == 400 and "NUL" in nul.content.decode()
    rtl = client.post(step_of(case, "complaint", "customer.name"), {"answer": "Dana\u202eevil"})
    assert rtl.status_code == 400
    case.refresh_from_db()
    assert case.answers["case.description"] == hostile
    assert case.answers["customer.name"] == "Dana Whitfield"


def test_unknown_letter_and_other_countrys_letter_are_not_found(
    client: Client, case: ConsumerCase
) -> None:
    assert client.get(f"/consumer/c/{case.pk}/write/nope/").status_code == 404
    uk = reverse("consumer:interview_start", args=[case.pk, "uk-cra-short-term-rejection"])
    assert client.get(uk).status_code == 404
    business = reverse("consumer:interview_start", args=[case.pk, "final-response"])
    assert client.get(business).status_code == 404


def test_final_check_lists_what_is_missing_with_links(client: Client, case: ConsumerCase) -> None:
    page = client.get(reverse("consumer:interview_check", args=[case.pk, "complaint"]))
    text = page.content.decode()
    assert "Missing: the letter cannot be written" in text
    assert "What did you buy, or what service is it?" in text
    assert step_of(case, "complaint", "case.product") in text
    refused = client.post(reverse("consumer:interview_check", args=[case.pk, "complaint"]))
    assert refused.status_code == 400 and case.letters.count() == 0


@pytest.mark.parametrize(
    ("key", "raw", "kept"),
    [
        ("case.amount", "$1,249.00", "1249.00"),
        ("customer.phone", "(713) 555-0142", "+17135550142"),
        ("letter.charges_not_agreed", "yes", True),
        (
            "letter.disputed_items",
            "Late payment May\n\nAccount 12",
            ["Late payment May", "Account 12"],
        ),
        ("case.product", "   ", None),
    ],
)
def test_answer_check_keeps(key: str, raw: str, kept: object) -> None:
    assert answer_check(key, raw, today=date(2026, 3, 2), country="US") == kept


def test_answer_check_refuses_a_fraction_of_a_cent() -> None:
    with pytest.raises(AnswerProblem, match="two decimal places"):
        answer_check("case.amount", "1.005", today=date(2026, 3, 2), country="US")


def test_forward_skips_what_is_answered_unless_reviewing(
    client: Client, case: ConsumerCase
) -> None:
    first = step_of(case, "complaint", "customer.name")
    forward = client.post(first, {"answer": "Dana Whitfield", "go": "next"})
    assert forward["Location"] == step_of(case, "complaint", "customer.address")
    client.post(step_of(case, "complaint", "customer.address"), {"answer": "1 Main St"})
    # business.name was answered before: forward goes past it to the next open question.
    address = step_of(case, "complaint", "customer.address")
    again = client.post(address, {"answer": "1 Main St", "go": "next"})
    assert again["Location"] == step_of(case, "complaint", "case.product")
    review = client.post(first + "?review=1", {"answer": "Dana Whitfield", "go": "next"})
    assert review["Location"] == address + "?review=1"
