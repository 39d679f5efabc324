"""Missing fields are a clear error; dates in letters are counted, and past ones refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plaint.domain.letters import (
    CATALOGUE,
    InvalidFields,
    MissingFields,
    UnknownLetter,
    letter_make,
    letter_prepare,
)
from plaint.domain.letters.fields import ALL_FIELDS
from tests.letters.records import TODAY, request


@pytest.mark.parametrize("kind", list(CATALOGUE))
def test_every_missing_required_field_is_listed(kind: str) -> None:
    spec = CATALOGUE[kind]
    emptied = dict.fromkeys(spec.required, "")
    with pytest.raises(MissingFields) as caught:
        letter_prepare(request(kind, **emptied))
    listed = {m.field.key for m in caught.value.missing}
    assert set(spec.required) <= listed
    message = caught.value.message
    for key in spec.required:
        assert ALL_FIELDS[key].label in message  # a human label...
        assert key in message
    assert "YAML case file" in message and "on the desk" in message  # ...and where


def test_escalation_needs_an_order_or_account_number_for_its_subject() -> None:
    with pytest.raises(MissingFields, match="subject line needs an order or account"):
        letter_prepare(
            request("escalation", **{"case.order_number": "", "case.account_number": ""})
        )
    only_account = letter_make(request("escalation", **{"case.order_number": ""}))
    assert only_account.subject == "Urgent: escalation required for account ACC-998877"


def test_eml_needs_both_addresses_and_nothing_is_rendered() -> None:
    with pytest.raises(MissingFields) as caught:
        letter_prepare(request("complaint", ("eml",), **{"business.email": ""}))
    assert [m.field.key for m in caught.value.missing] == ["business.email"]


def test_bad_values_are_precise() -> None:
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(
            request(
                "cease-and-desist",
                **{
                    "letter.issue_type": "annoyance",
                    "letter.compliance_days": "two weeks",
                    "case.occurred_on": "last Tuesday",
                    "case.amount": "-3",
                    "customer.shoe_size": "9",
                },
            )
        )
    errors = caught.value.errors
    assert "is not one of: harassment" in errors["letter.issue_type"]
    assert "whole number" in errors["letter.compliance_days"]
    assert "YYYY-MM-DD" in errors["case.occurred_on"]
    assert "zero or more" in errors["case.amount"]
    assert "not a field" in errors["customer.shoe_size"]
    with pytest.raises(UnknownLetter, match="Known kinds"):
        letter_prepare(request("love-letter"))


@pytest.mark.parametrize(("days", "expected"), [(None, 14), (10, 10), (1, 1)])
def test_cease_and_desist_compliance_date(days: int | None, expected: int) -> None:
    letter = letter_make(request("cease-and-desist", ("txt",), **{"letter.compliance_days": days}))
    due = TODAY + timedelta(days=expected)
    assert letter.prepared.dates["comply_by"].day == due
    assert f"by {due.day} {due:%B %Y}" in letter.outputs["txt"].decode()


def test_zero_compliance_days_is_refused() -> None:
    with pytest.raises(InvalidFields, match="at least 1 day"):
        letter_prepare(request("cease-and-desist", **{"letter.compliance_days": 0}))


def test_fcba_window_counted_from_the_statement_and_refused_when_closed() -> None:
    letter = letter_make(request("us-fcba-billing-error", ("txt",)))
    assert letter.prepared.dates["must_arrive_by"].day == date(2026, 2, 10) + timedelta(days=60)
    assert "15 U.S.C. 1666(a)" in letter.prepared.dates["must_arrive_by"].citation
    assert "March 2, 2026" in letter.outputs["txt"].decode()  # US date style
    with pytest.raises(InvalidFields, match=r"60-day window .* ended on December 30, 2025, before"):
        letter_prepare(request("us-fcba-billing-error", **{"letter.statement_date": "2025-10-31"}))


def test_validation_period_uses_federal_business_days() -> None:
    # notice sent Fri 13 Feb 2026; Mon 16 Feb is Washington's Birthday: 5 business days
    # later is Mon 23 Feb; the validation period ends 30 days after, on Wed 25 Mar.
    letter = letter_make(
        request("us-fdcpa-validation-request", **{"letter.validation_notice_date": "2026-02-13"})
    )
    assert letter.prepared.dates["validation_ends"].day == date(2026, 3, 25)
    with pytest.raises(InvalidFields, match="validation period ended"):
        letter_prepare(
            request(
                "us-fdcpa-validation-request", **{"letter.validation_notice_date": "2026-01-02"}
            )
        )


def test_letter_before_claim_14_days_or_30_for_a_debt() -> None:
    plain = letter_make(request("uk-letter-before-claim"))
    assert plain.prepared.dates["reply_by"].day == TODAY + timedelta(days=14)
    debt = letter_make(request("uk-letter-before-claim", ("txt",), **{"letter.debt_claim": True}))
    assert debt.prepared.dates["reply_by"].day == TODAY + timedelta(days=30)
    text = debt.outputs["txt"].decode()
    assert "Reply Form" in text and text.startswith("Acme Energy Ltd")  # the business sends it


def test_short_term_right_to_reject_window() -> None:
    letter = letter_make(request("uk-cra-short-term-rejection"))
    assert letter.prepared.dates["reject_by"].day == date(2026, 2, 20) + timedelta(days=30)
    with pytest.raises(InvalidFields, match="short-term right to reject ended"):
        letter_prepare(
            request("uk-cra-short-term-rejection", **{"letter.delivered_on": "2026-01-15"})
        )


def test_acknowledgement_states_the_regime_deadline() -> None:
    fca = letter_make(request("acknowledgement", ("txt",)))
    # received Sun 1 March 2026: the end of 8 weeks is Sun 26 April
    assert fca.prepared.dates["respond_by"].day == date(2026, 4, 26)
    assert "26 April 2026" in fca.outputs["txt"].decode()
    psd = letter_make(request("acknowledgement", ("txt",), **{"case.regime": "UK-FCA-PSD"}))
    # 15 business days after Sun 1 March (England): Fri 20 March
    assert psd.prepared.dates["respond_by"].day == date(2026, 3, 20)
    house = letter_make(request("acknowledgement", **{"case.regime": ""}))
    assert house.prepared.dates["respond_by"].rule_key == "HOUSE/respond"


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("holding-response", "letter.expected_by"),
        ("resolution-confirmation", "letter.action_by"),
        ("cease-and-desist-reply", "letter.respond_by"),
        ("acknowledgement", "letter.acknowledge_by"),
    ],
)
def test_deadlines_in_the_past_are_refused(kind: str, key: str) -> None:
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(request(kind, **{key: TODAY - timedelta(days=1)}))
    assert (
        "1 March 2026, is before the date of this letter (2 March 2026)"
        in (caught.value.errors[key])
    )


def test_termination_honours_the_notice_period() -> None:
    letter = letter_make(request("service-termination"))
    assert letter.prepared.dates["effective"].day == TODAY + timedelta(days=30)
    with pytest.raises(InvalidFields, match="does not honour the 30-day notice period"):
        letter_prepare(
            request("service-termination", **{"letter.effective_date": TODAY + timedelta(days=7)})
        )
    later = letter_make(request("service-termination", **{"letter.effective_date": "2026-06-01"}))
    assert later.prepared.dates["effective"].day == date(2026, 6, 1)
