"""Amounts of money, read from what a person or a client typed.

`money_parse` is the one place every form, schema and service reads an amount: a finite
decimal of at least 0, below `MONEY_MAX`, with at most two decimal places, returned
quantized to cents. Anything else raises `MoneyError` with a sentence a person can act on
(never `InvalidOperation`, which `1e30` or `1e999` would raise when rounded)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from plaint.domain.errors import DomainError

MONEY_MAX = Decimal("1000000000000")  # 1e12: fits the 14-digit, 2-place columns
_CENT = Decimal("0.01")
_NOT_MONEY = "is not an amount of money; write a number such as 84.20"


class MoneyError(DomainError, ValueError):
    """The text is not an amount of money Plaint accepts."""


def money_parse(raw: Any, *, strip_symbols: bool = True) -> Decimal | None:
    """The amount in `raw` (a Decimal, int or text such as "1,234.50" or "£84.20"),
    or None for an empty value. Raises `MoneyError` for anything not an amount, not
    finite, negative, 1,000,000,000,000 or more, or with more than two decimal places."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise MoneyError(_NOT_MONEY)
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip()
    if strip_symbols:
        text = text.replace(",", "").lstrip("£$€").strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise MoneyError(_NOT_MONEY) from None
    if not value.is_finite():
        raise MoneyError(_NOT_MONEY)
    if value < 0:
        raise MoneyError("must be zero or more")
    if value >= MONEY_MAX:
        raise MoneyError("is too large (it must be less than 1,000,000,000,000)")
    # Below MONEY_MAX, quantizing to cents needs at most 14 digits: it cannot overflow.
    if value != value.quantize(_CENT):
        raise MoneyError("has more than two decimal places")
    return value.quantize(_CENT)
