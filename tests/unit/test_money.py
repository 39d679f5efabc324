"""`money_parse`: the one reading of an amount of money, with bounds and precise errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plaint.domain.money import MoneyError, money_parse


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("84.2", "84.20"), ("1,234.50", "1234.50"), ("£0", "0.00"), (226, "226.00"),
     (Decimal("999999999999.99"), "999999999999.99"), ("", None), (None, None)],
)  # fmt: skip
def test_amounts_are_read_to_the_cent(raw: object, expected: str | None) -> None:
    value = money_parse(raw)
    assert (None if value is None else str(value)) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("1e30", "too large"), ("1e999", "too large"), ("1000000000000", "too large"),
     ("NaN", "not an amount"), ("sNaN", "not an amount"), ("Infinity", "not an amount"),
     ("-Infinity", "not an amount"), ("-1", "zero or more"), ("1.001", "two decimal places"),
     ("1e-30", "two decimal places"), ("twelve", "not an amount"), (True, "not an amount")],
)  # fmt: skip
def test_what_is_not_money_is_refused_in_words(raw: object, problem: str) -> None:
    with pytest.raises(MoneyError, match=problem):
        money_parse(raw)
