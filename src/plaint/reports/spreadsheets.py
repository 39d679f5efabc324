"""Reports as XLSX workbooks (openpyxl): the same rows as the CSV downloads, one sheet per
table, so a spreadsheet and a CSV of one report cannot disagree.

Every text cell is written as text, never as a formula (a customer's "=HYPERLINK(...)" stays
the characters it was), and characters XML cannot carry (NUL and other C0 controls) are
dropped, because the file format has no way to hold them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel's limit on a sheet's name.
SHEET_NAME_LIMIT = 31


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]


def _cell(sheet: object, value: object, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # text, even when it starts with "="
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX file of `sheets`, each with a bold header row."""
    book = Workbook(write_only=True)
    used: set[str] = set()
    for spec in sheets:
        title = ILLEGAL_CHARACTERS_RE.sub("", spec.title)
        for bad in "[]:*?/\\":
            title = title.replace(bad, " ")
        title = title[:SHEET_NAME_LIMIT].strip() or "Sheet"
        n = 2
        while title in used:
            suffix = f" ({n})"
            title = title[: SHEET_NAME_LIMIT - len(suffix)] + suffix
            n += 1
        used.add(title)
        sheet = book.create_sheet(title)
        sheet.append([_cell(sheet, h, bold=True) for h in spec.headers])
        for row in spec.rows:
            sheet.append([_cell(sheet, value) for value in row])
    if not used:
        book.create_sheet("Empty")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
