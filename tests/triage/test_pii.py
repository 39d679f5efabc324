from __future__ import annotations

import pytest

from plaint.domain.triage.pii import PiiKind, find_pii, luhn_valid, mask_pii


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("41111a1111111111")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("card 4111 1111 1111 1111 please", PiiKind.CARD),
        ("card 5500-0000-0000-0004 please", PiiKind.CARD),
        ("my SSN is 123-45-6789.", PiiKind.SSN),
        ("social security number 123456789", PiiKind.SSN),
        ("NI number AB 12 34 56 C", PiiKind.NI_NUMBER),
        ("IBAN GB82 WEST 1234 5698 7654 32", PiiKind.IBAN),
        ("sort code 12-34-56 12345678", PiiKind.BANK_ACCOUNT),
        ("account number: 000123456789", PiiKind.BANK_ACCOUNT),
        ("write to dana.w+bank@example.co.uk today", PiiKind.EMAIL),
        ("call +44 20 7946 0018 after five", PiiKind.PHONE),
        ("call (555) 123-4567 after five", PiiKind.PHONE),
    ],
)
def test_each_kind_is_found_and_masked(text: str, kind: PiiKind) -> None:
    masked = mask_pii(text)
    assert [span.kind for span in masked.spans] == [kind]
    assert f"[{kind.value.upper()}]" in masked.text
    span = masked.spans[0]
    assert any(ch.isalnum() for ch in text[span.start : span.end])
    # nothing of the value survives
    digits = "".join(ch for ch in text[span.start : span.end] if ch.isdigit())
    if len(digits) >= 6:
        assert digits not in "".join(ch for ch in masked.text if ch.isdigit())


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112 fails the Luhn check",
        "I paid $1,234.56 on 2024-01-15 and 12.03.2024",
        "loan 12345678 and reference XX/XX/XXXX",
        "the CFPB redacts XXXX XXXX",
    ],
)
def test_what_is_not_personal_data(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text).text == text


def test_an_iban_must_pass_its_check_digits() -> None:
    kinds = {span.kind for span in find_pii("IBAN GB00 WEST 1234 5698 7654 32")}
    assert PiiKind.IBAN not in kinds


def test_several_kinds_in_one_text_and_counts() -> None:
    text = "Card 4111111111111111, email a@b.com, phone 020 7946 0018."
    masked = mask_pii(text)
    assert masked.text == "Card [CARD], email [EMAIL], phone [PHONE]."
    assert masked.kinds == {"card": 1, "email": 1, "phone": 1}
