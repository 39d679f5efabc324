"""Each legal-risk flag: raised by its words, silent without them, silent when negated,
and explained by the exact words that raised it."""

from __future__ import annotations

import pytest

from plaint.domain.triage.flags import Flag, detect_flags, snippet

# (flag, positive, negative, negated)
CASES = [
    (
        Flag.LITIGATION,
        "If this is not fixed I will sue you in small claims court.",
        "I just want my money back.",
        "I do not want to sue anyone, I want this fixed.",
    ),
    (
        Flag.REGULATOR,
        "I have filed a complaint with the Attorney General and the BBB.",
        "I called customer service twice.",
        "I have not contacted the BBB yet.",
    ),
    (
        Flag.BREACH_OF_CONTRACT,
        "The lender breached the loan agreement by changing my rate.",
        "The lender changed my rate.",
        "They did not breach the agreement, but the fees are confusing.",
    ),
    (
        Flag.PRODUCT_SAFETY,
        "The heater caught fire in my kitchen.",
        "The heater stopped working.",
        "Nobody was injured, thankfully.",
    ),
    (
        Flag.DISCRIMINATION,
        "The branch manager discriminated against me because of my race.",
        "The branch manager was slow.",
        "They did not discriminate against me.",
    ),
    (
        Flag.HARASSMENT,
        "The collector keeps calling me at work and harassing my family.",
        "The collector sent me one letter.",
        "To be fair they never harassed me.",
    ),
    (
        Flag.DATA_PROTECTION,
        "They shared my personal information with a marketing firm without my consent.",
        "They sent my statement to my address.",
        "There was no data breach as far as I know.",
    ),
    (
        Flag.FRAUD,
        "Someone stole my identity and opened a card in my name.",
        "I opened the card in March.",
        "This is not fraud, just a billing mistake.",
    ),
    (
        Flag.VULNERABILITY,
        "My husband passed away in March and I was laid off in April.",
        "I moved house in March.",
        "I am not unemployed; I work full time.",
    ),
    (
        Flag.MEDIA,
        "If this is not sorted I will go to the local news.",
        "I read the terms on your website.",
        "I do not want to go to the local news about this.",
    ),
]


@pytest.mark.parametrize(
    ("flag", "positive", "negative", "negated"), CASES, ids=lambda v: str(v)[:20]
)
def test_flag_positive_negative_negated(
    flag: Flag, positive: str, negative: str, negated: str
) -> None:
    hits = {hit.flag: hit for hit in detect_flags(positive)}
    assert flag in hits, positive
    for evidence in hits[flag].evidence:
        assert positive[evidence.start : evidence.end] == evidence.text
    assert flag not in {hit.flag for hit in detect_flags(negative)}
    assert flag not in {hit.flag for hit in detect_flags(negated)}


def test_every_flag_has_a_case() -> None:
    assert {case[0] for case in CASES} == set(Flag)


def flags_of(text: str) -> set[Flag]:
    return {hit.flag for hit in detect_flags(text)}


def test_threats_and_double_negatives() -> None:
    assert Flag.LITIGATION in flags_of("I will not hesitate to take legal action.")
    assert Flag.LITIGATION in flags_of("I have no choice but to contact my attorney.")
    assert Flag.LITIGATION in flags_of("If this is not resolved I will sue.")


def test_the_company_suing_the_customer_is_not_a_litigation_threat() -> None:
    assert Flag.LITIGATION not in flags_of("They threatened to sue me and garnish my wages.")
    assert Flag.LITIGATION not in flags_of("I was sued by the collector last year.")
    assert Flag.LITIGATION not in flags_of("My account was sent to an attorney.")
    # ...but threatening the customer is harassment
    assert Flag.HARASSMENT in flags_of("They threatened to sue me and garnish my wages.")


def test_quoted_company_text_does_not_count() -> None:
    quoted = 'The letter said "we may take legal action and report you to the CFPB".'
    assert flags_of(quoted) == set()
    own_words = 'I told them "I will sue you" on the phone.'
    assert Flag.LITIGATION in flags_of(own_words)


def test_words_inside_other_words_do_not_count() -> None:
    assert flags_of("The issue is that they pursued a courteous tissue refund.") == set()


def test_attorney_general_is_a_regulator_not_a_lawyer() -> None:
    found = flags_of("I wrote to the attorney general.")
    assert Flag.REGULATOR in found
    assert Flag.LITIGATION not in found


def test_reported_speech_of_the_company() -> None:
    assert Flag.FRAUD not in flags_of("When I called I was told I never applied for a loan.")


def test_flagged_for_fraud_by_the_company_is_not_an_allegation() -> None:
    assert Flag.FRAUD not in flags_of("They said my account was flagged for fraud.")


def test_snippet_marks_the_evidence() -> None:
    text = "After six months of calls, I will sue the company in small claims court next week."
    hit = next(h for h in detect_flags(text) if h.flag is Flag.LITIGATION)
    shown = snippet(text, hit.evidence[0], width=20)
    assert "[sue]" in shown
    assert shown.startswith("…") and shown.endswith("…")


def test_empty_and_unrelated_text() -> None:
    assert detect_flags("") == []
    assert detect_flags("Thank you for the quick refund.") == []


def test_only_requested_flags() -> None:
    text = "I will sue and report you to the CFPB."
    assert {h.flag for h in detect_flags(text, flags=[Flag.REGULATOR])} == {Flag.REGULATOR}
