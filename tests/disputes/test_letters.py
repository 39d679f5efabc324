"""The disputes letters: each passes its checklist, says only what the record says, and
refuses to be written without the facts it needs."""

from __future__ import annotations

import pytest

from plaint.domain.letters import CATALOGUE, MissingFields, letter_make
from plaint.domain.letters.checker import letter_check
from tests.letters.records import request

KINDS = (
    "deadlock-letter",
    "solicitor-authority-request",
    "cease-and-desist-final-notice",
    "negotiation-proposal",
    "mediation-request",
    "notice-of-arbitration",
    "us-fcra-procedure-request",
)


@pytest.mark.parametrize("kind", KINDS)
def test_each_letter_passes_its_checklist_and_cites_dated_sources(kind: str) -> None:
    letter = letter_make(request(kind, ("md",)))
    text = letter.outputs["md"].decode()
    assert letter_check(text, kind) == []
    spec = CATALOGUE[kind]
    assert spec.sources and all(s.last_verified for s in spec.sources)
    assert ("not legal advice" in text) == spec.cites_law


def test_deadlock_and_eight_week_variants() -> None:
    deadlock = letter_make(request("deadlock-letter", ("md",))).outputs["md"].decode()
    assert "This is a deadlock letter." in deadlock
    assert "This offer stays open if you take your complaint to Energy Ombudsman." in deadlock
    eight = letter_make(
        request(
            "deadlock-letter",
            ("md",),
            **{
                "letter.adr_letter_type": "eight_weeks",
                "letter.redress": None,
                "letter.adr_scheme": "CISAS",
            },
        )
    )
    text = eight.outputs["md"].decode()
    assert eight.subject.startswith("Eight-week letter")
    assert "We received your complaint on 1 March 2026" in text
    assert "Our offer" not in text and "CISAS" in text


def test_an_eight_week_letter_needs_the_date_received() -> None:
    with pytest.raises(
        MissingFields, match="an 8-week letter says when the complaint was received"
    ):
        letter_make(
            request(
                "deadlock-letter",
                ("md",),
                **{"letter.adr_letter_type": "eight_weeks", "case.received_on": None},
            )
        )


def test_final_notice_states_only_what_it_is_given() -> None:
    full = letter_make(request("cease-and-desist-final-notice", ("md",))).outputs["md"].decode()
    assert "tracking number RR123456785GB" in full
    assert "You called me at work on 24 and 26 February." in full
    bare = (
        letter_make(
            request(
                "cease-and-desist-final-notice",
                ("md",),
                **{"letter.continued_conduct": None, "letter.first_letter_tracking": None},
            )
        )
        .outputs["md"]
        .decode()
    )
    assert "tracking number" not in bare and "The conduct has not stopped." in bare
    assert "no reply" not in bare


def test_solicitor_authority_request_quotes_both_references() -> None:
    letter = letter_make(request("solicitor-authority-request", ("md",)))
    assert "your reference LC/77" in letter.subject and "AC-2026-000001" in letter.subject
    assert "signed authority" in letter.outputs["md"].decode()


def test_mediation_names_a_mediator_only_when_given() -> None:
    text = letter_make(request("mediation-request", ("md",), **{"letter.mediator": None}))
    body = text.outputs["md"].decode()
    assert "I suggest" not in body and "16 March 2026" in body


def test_notice_of_arbitration_needs_the_clause() -> None:
    with pytest.raises(MissingFields, match="arbitration clause"):
        letter_make(
            request("notice-of-arbitration", ("md",), **{"letter.arbitration_clause": None})
        )


def test_the_method_of_verification_request_says_what_the_statute_says() -> None:
    letter = letter_make(request("us-fcra-procedure-request", ("md",)))
    text = letter.outputs["md"].decode()
    assert "Your notice of February 20, 2026 gave me the results" in text
    assert "Under 15 U.S.C. 1681i(a)(7)" in text and "within 15 days" in text
    assert "not legal advice" in text
    assert CATALOGUE["us-fcra-procedure-request"].jurisdiction == "US"
    with pytest.raises(MissingFields, match=r"letter\.results_date"):
        letter_make(request("us-fcra-procedure-request", ("md",), **{"letter.results_date": ""}))


def test_letters_whose_rules_are_unverified_are_listed_as_not_offered() -> None:
    from plaint.domain.letters.catalogue_disputes import NOT_OFFERED

    ids = {n.id for n in NOT_OFFERED}
    assert ids == {
        "us-fcra-furnisher-direct-dispute",
        "us-fcra-605b-identity-theft-block",
        "us-demand-before-small-claims",
    }
    assert not ids & set(CATALOGUE)
    assert all("legal_rules.md" in n.reason for n in NOT_OFFERED)
