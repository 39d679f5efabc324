import csv
from datetime import date
from pathlib import Path

import pytest

from plaint.domain import cfpb
from plaint.domain.errors import MalformedRow
from plaint.domain.vocabulary import Channel

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cfpb_complaints_sample.csv"

ROW = {
    "Date received": "2023-05-04",
    "Product": "Credit card or prepaid card",
    "Sub-product": "None",
    "Issue": "Problem with a purchase shown on your statement",
    "Sub-issue": "Credit card company isn't resolving a dispute",
    "Consumer complaint narrative": "I was billed twice.",
    "Company public response": "",
    "Company": "Big Bank",
    "State": "CA",
    "ZIP code": "90210",
    "Tags": "Older American",
    "Consumer consent provided?": "Consent provided",
    "Submitted via": "Web",
    "Date sent to company": "05/05/2023",
    "Company response to consumer": "Closed with monetary relief",
    "Timely response?": "Yes",
    "Consumer disputed?": "N/A",
    "Complaint ID": "6950001",
}


def test_parses_a_row() -> None:
    c = cfpb.parse_row(ROW, 2)
    assert c.complaint_id == "6950001"
    assert c.received_on == date(2023, 5, 4)
    assert c.sent_to_company_on == date(2023, 5, 5)
    assert c.sub_product == ""  # the literal 'None' means empty
    assert c.channel is Channel.WEB
    assert c.source_details["tags"] == "Older American"
    assert "sub_product" not in c.source_details


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Complaint ID": ""}, "empty 'Complaint ID'"),
        ({"Complaint ID": "12a"}, "must be a number"),
        ({"Date received": "yesterday"}, "'Date received' is not a date"),
        ({"Date sent to company": "31/31/2023"}, "'Date sent to company' is not a date"),
        ({"Consumer complaint narrative": "None", "Company": ""}, "empty 'Consumer complaint"),
        ({"Product": "P" * 201}, "'Product' is longer than 200 characters"),
    ],
)
def test_malformed_rows_say_why(change: dict[str, str], message: str) -> None:
    with pytest.raises(MalformedRow, match=message) as info:
        cfpb.parse_row({**ROW, **change}, 17)
    assert info.value.line == 17
    assert str(info.value).startswith("line 17: ")


def test_extra_fields_are_malformed() -> None:
    with pytest.raises(MalformedRow, match="more fields"):
        cfpb.parse_row({**ROW, None: ["x"]}, 3)  # type: ignore[dict-item]


def test_channels() -> None:
    assert cfpb.parse_row({**ROW, "Submitted via": "Postal mail"}, 2).channel is Channel.LETTER
    assert cfpb.parse_row({**ROW, "Submitted via": "Carrier pigeon"}, 2).channel is Channel.OTHER


def test_missing_columns() -> None:
    assert cfpb.missing_columns(list(ROW)) == []
    assert cfpb.missing_columns(["Product"]) == [c for c in cfpb.REQUIRED_COLUMNS if c != "Product"]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside the repository")
def test_every_row_of_the_real_sample_parses() -> None:
    with SHARED.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    parsed = [cfpb.parse_row(row, n) for n, row in enumerate(rows, start=2)]
    assert len(parsed) == len(rows) == 3700
    assert len({c.complaint_id for c in parsed}) == 3700
