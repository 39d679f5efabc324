"""Reading a CFPB-format CSV file into labelled examples for training and evaluation."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from plaint.domain.cfpb import CfpbComplaint, missing_columns, parse_row
from plaint.domain.errors import DomainError, MalformedRow
from plaint.triage.classifier import Document, Example


@dataclass
class CfpbFile:
    complaints: list[CfpbComplaint] = field(default_factory=list)
    malformed: list[MalformedRow] = field(default_factory=list)

    def examples(self) -> list[Example]:
        return [example_of(c) for c in self.complaints]


def example_of(complaint: CfpbComplaint) -> Example:
    return Example(
        doc=Document(
            text=complaint.narrative,
            respondent=complaint.company,
            received_on=complaint.received_on,
        ),
        labels={"product": complaint.product, "issue": complaint.issue},
    )


def read_cfpb(path: Path) -> CfpbFile:
    """Every complaint of a CFPB CSV export. A file without the required columns is an
    error; a row that cannot be read is listed in `malformed` and left out."""
    if not path.is_file():
        raise DomainError(f"No such file: {path}")
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    result = CfpbFile()
    seen: set[str] = set()
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = missing_columns(list(reader.fieldnames) if reader.fieldnames else None)
            if missing:
                raise DomainError(
                    f"{path.name} is not a CFPB export: missing column(s) "
                    f"{', '.join(repr(c) for c in missing)}"
                )
            for row in reader:
                try:
                    complaint = parse_row(row, reader.line_num)
                except MalformedRow as exc:
                    result.malformed.append(exc)
                    continue
                if complaint.complaint_id in seen:
                    result.malformed.append(
                        MalformedRow(
                            reader.line_num, f"duplicate Complaint ID {complaint.complaint_id}"
                        )
                    )
                    continue
                seen.add(complaint.complaint_id)
                result.complaints.append(complaint)
    except UnicodeDecodeError as exc:
        raise DomainError(f"{path.name} is not UTF-8 text: {exc.reason}") from None
    except csv.Error as exc:
        raise DomainError(f"{path.name} is not a readable CSV file: {exc}") from None
    return result
