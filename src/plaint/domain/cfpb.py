"""Reading rows of the US CFPB Consumer Complaint Database (public domain, 17 U.S.C. 105).

The CSV export has 18 columns; `parse_row` turns one row into a `CfpbComplaint` or
raises `MalformedRow` with the reason. The CFPB writes empty values as '' or, in some
exports, as the literal 'None' / 'N/A'; dates come as YYYY-MM-DD or MM/DD/YYYY.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from plaint.domain.errors import MalformedRow
from plaint.domain.vocabulary import Channel

SOURCE = "cfpb"

REQUIRED_COLUMNS = (
    "Date received",
    "Product",
    "Issue",
    "Consumer complaint narrative",
    "Company",
    "Complaint ID",
)
OPTIONAL_COLUMNS = (
    "Sub-product",
    "Sub-issue",
    "Company public response",
    "State",
    "ZIP code",
    "Tags",
    "Consumer consent provided?",
    "Submitted via",
    "Date sent to company",
    "Company response to consumer",
    "Timely response?",
    "Consumer disputed?",
)

_EMPTY = {"", "none", "n/a", "nan"}

#: The longest values Plaint keeps for these columns; a longer one makes the row malformed
#: rather than being cut short without a word.
MAX_LENGTHS = {"Product": 200, "Issue": 300, "Company": 200, "Complaint ID": 64}

_CHANNELS = {
    "web": Channel.WEB,
    "web referral": Channel.REFERRAL,
    "referral": Channel.REFERRAL,
    "phone": Channel.PHONE,
    "postal mail": Channel.LETTER,
    "fax": Channel.FAX,
    "email": Channel.EMAIL,
}


@dataclass(frozen=True, slots=True)
class CfpbComplaint:
    complaint_id: str
    received_on: date
    product: str
    sub_product: str
    issue: str
    sub_issue: str
    narrative: str
    company: str
    state: str
    zip_code: str
    tags: str
    channel: Channel
    sent_to_company_on: date | None
    company_response: str
    company_public_response: str
    timely_response: str

    @property
    def source_details(self) -> dict[str, str]:
        """The CFPB fields that have no column of their own on a case."""
        details = {
            "sub_product": self.sub_product,
            "sub_issue": self.sub_issue,
            "state": self.state,
            "zip_code": self.zip_code,
            "tags": self.tags,
            "sent_to_company_on": self.sent_to_company_on.isoformat()
            if self.sent_to_company_on
            else "",
            "company_response": self.company_response,
            "company_public_response": self.company_public_response,
            "timely_response": self.timely_response,
        }
        return {key: value for key, value in details.items() if value}


def missing_columns(header: list[str] | None) -> list[str]:
    """Required columns absent from a CSV header."""
    present = set(header or [])
    return [column for column in REQUIRED_COLUMNS if column not in present]


def _text(row: Mapping[str, str | None], column: str) -> str:
    value = (row.get(column) or "").strip()
    return "" if value.lower() in _EMPTY else value


def _date(value: str) -> date:
    if len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)  # the usual case, and much faster than strptime
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(value)


def parse_row(row: Mapping[str, str | None], line: int) -> CfpbComplaint:
    """Read one CSV row; `line` is its line number in the file, for error messages."""
    if None in row:
        raise MalformedRow(line, "the row has more fields than the header")
    # A database text column cannot hold NUL (PostgreSQL refuses the whole batch), and
    # no complaint text has one: the row is reported and skipped like any malformed row.
    with_nul = [repr(column) for column, value in row.items() if value and "\x00" in value]
    if with_nul:
        raise MalformedRow(line, f"a NUL byte in {', '.join(with_nul)}")
    missing = [column for column in REQUIRED_COLUMNS if not _text(row, column)]
    if missing:
        raise MalformedRow(line, f"empty {', '.join(repr(c) for c in missing)}")
    too_long = [
        f"{column!r} is longer than {limit} characters"
        for column, limit in MAX_LENGTHS.items()
        if len(_text(row, column)) > limit
    ]
    if too_long:
        raise MalformedRow(line, "; ".join(too_long))
    complaint_id = _text(row, "Complaint ID")
    if not complaint_id.isdigit():
        raise MalformedRow(line, f"'Complaint ID' must be a number, got {complaint_id!r}")
    try:
        received_on = _date(_text(row, "Date received"))
    except ValueError as exc:
        raise MalformedRow(line, f"'Date received' is not a date: {exc.args[0]!r}") from None
    sent_text = _text(row, "Date sent to company")
    try:
        sent_on = _date(sent_text) if sent_text else None
    except ValueError:
        raise MalformedRow(line, f"'Date sent to company' is not a date: {sent_text!r}") from None
    via = _text(row, "Submitted via").lower()
    return CfpbComplaint(
        complaint_id=complaint_id,
        received_on=received_on,
        product=_text(row, "Product"),
        sub_product=_text(row, "Sub-product"),
        issue=_text(row, "Issue"),
        sub_issue=_text(row, "Sub-issue"),
        narrative=_text(row, "Consumer complaint narrative"),
        company=_text(row, "Company"),
        state=_text(row, "State"),
        zip_code=_text(row, "ZIP code"),
        tags=_text(row, "Tags"),
        channel=_CHANNELS.get(via, Channel.OTHER if via else Channel.WEB),
        sent_to_company_on=sent_on,
        company_response=_text(row, "Company response to consumer"),
        company_public_response=_text(row, "Company public response"),
        timely_response=_text(row, "Timely response?"),
    )
