"""A text cell of an exported CSV that a spreadsheet would run as a formula
(`=`, `+`, `-`, `@`, a tab or a carriage return first) is written with a leading quote,
so a customer's "=HYPERLINK(...)" stays text. Every CSV export uses `csv_cell`."""

from __future__ import annotations

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def csv_cell(value: object) -> object:
    """`value` as a CSV cell: text that a spreadsheet would run gets a quote in front."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
