"""Finding and masking personal data in free text before it leaves the case file (exports,
the model store).

Detected: payment card numbers (13 to 19 digits that pass the Luhn check), US Social
Security numbers, UK National Insurance numbers, IBANs, UK sort code + account number
pairs and other long account numbers, e-mail addresses and phone numbers. Each is replaced
by a tag such as ``[CARD]`` so the text still reads, and what was masked is reported by
kind and position (never the value itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class PiiKind(StrEnum):
    CARD = "card"
    SSN = "ssn"
    NI_NUMBER = "ni_number"
    IBAN = "iban"
    BANK_ACCOUNT = "bank_account"
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class PiiSpan:
    kind: PiiKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Masked:
    text: str
    spans: tuple[PiiSpan, ...]  # positions in the original text

    @property
    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for span in self.spans:
            counts[span.kind.value] = counts.get(span.kind.value, 0) + 1
        return counts


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    if not digits.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# 13 to 19 digits, optionally in groups split by single spaces or dashes.
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
_SSN_LABELLED = re.compile(r"(?i)\b(?:SSN|social security (?:number|no\.?|#))\W{0,3}(\d{9})\b")
# Not D, F, I, Q, U, V in either letter; not BG, GB, NK, KN, TN, NT, ZZ as prefix.
_NI = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_SORT_CODE_ACCOUNT = re.compile(r"\b\d{2}-\d{2}-\d{2}\W{1,3}\d{8}\b")
_ACCOUNT_LABELLED = re.compile(
    r"(?i)\b(?:account|acct|a/c|routing)\s*(?:number|no\.?|#)?\s*:?\s*(\d[\d -]{6,20}\d)\b"
)
_PHONE = re.compile(
    r"(?<![\w/.-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,5}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,4}){1,3}(?![\w/-])"
)


def _phone_like(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if not 10 <= len(digits) <= 15:
        return False
    # Dates and amounts are not phone numbers: 2024-01-15, 12.03.2024, 1,234.56
    return not re.fullmatch(r"\d{4}[-.]\d{2}[-.]\d{2}|\d{2}[-.]\d{2}[-.]\d{4}", value.strip())


def find_pii(text: str) -> list[PiiSpan]:
    """Every piece of personal data found, left to right, without overlaps."""
    found: list[PiiSpan] = []
    for match in _EMAIL.finditer(text):
        found.append(PiiSpan(PiiKind.EMAIL, *match.span()))
    for match in _IBAN.finditer(text):
        if _iban_valid(match.group()):
            found.append(PiiSpan(PiiKind.IBAN, *match.span()))
    for match in _CARD.finditer(text):
        if luhn_valid(re.sub(r"\D", "", match.group())):
            found.append(PiiSpan(PiiKind.CARD, *match.span()))
    for match in _SSN.finditer(text):
        found.append(PiiSpan(PiiKind.SSN, *match.span()))
    for match in _SSN_LABELLED.finditer(text):
        found.append(PiiSpan(PiiKind.SSN, *match.span(1)))
    for match in _NI.finditer(text):
        found.append(PiiSpan(PiiKind.NI_NUMBER, *match.span()))
    for match in _SORT_CODE_ACCOUNT.finditer(text):
        found.append(PiiSpan(PiiKind.BANK_ACCOUNT, *match.span()))
    for match in _ACCOUNT_LABELLED.finditer(text):
        found.append(PiiSpan(PiiKind.BANK_ACCOUNT, *match.span(1)))
    for match in _PHONE.finditer(text):
        if _phone_like(match.group()):
            found.append(PiiSpan(PiiKind.PHONE, *match.span()))
    # Earlier kinds in the order above win an overlap (a card number is not also a phone).
    order = {kind: i for i, kind in enumerate(PiiKind)}
    found.sort(key=lambda s: (s.start, order[s.kind], -s.end))
    kept: list[PiiSpan] = []
    for span in found:
        if kept and span.start < kept[-1].end:
            if order[span.kind] < order[kept[-1].kind] and span.end >= kept[-1].end:
                kept[-1] = span
            continue
        kept.append(span)
    return kept


def _iban_valid(value: str) -> bool:
    """The ISO 13616 mod-97 check."""
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def mask_pii(text: str) -> Masked:
    """`text` with every piece of personal data replaced by ``[KIND]``."""
    spans = find_pii(text)
    if not spans:
        return Masked(text, ())
    parts: list[str] = []
    last = 0
    for span in spans:
        parts.append(text[last : span.start])
        parts.append(f"[{span.kind.value.upper()}]")
        last = span.end
    parts.append(text[last:])
    return Masked("".join(parts), tuple(spans))
