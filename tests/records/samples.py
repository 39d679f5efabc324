"""One sample payload of each records event kind (tests/unit/test_events.py uses them)."""

from __future__ import annotations

from plaint.domain import events_records as er
from plaint.domain.events import Payload

RECORDS_SAMPLES: list[Payload] = [
    er.CaseCorrected(
        old={"product": "Energy", "amount_in_dispute": None},
        new={"product": "Gas <script>", "amount_in_dispute": "12.00"},
        reason="Customer's letter {{ 7*7 }}",
    ),
    er.CustomerCorrected(
        customer_id=3, old={"phone": ""}, new={"phone": "+442079460000"}, reason="Call"
    ),
    er.CaseExported(audience="staff", ledger_length=7, manifest_sha256="ab" * 32, files=9),
    er.LegalHoldPlaced(reason="Claim issued in the county court <b>"),
    er.LegalHoldLifted(reason="Claim settled"),
    er.CustomerHoldPlaced(customer_id=3, reason="Subject's claim\u202e <i>"),
    er.CustomerHoldLifted(customer_id=3, reason="Settled"),
    er.CaseErased(
        rule="UK-FCA-DISP",
        retention_ended_on="2029-03-02",
        confirmed_by_id=4,
        confirmed_by="Sam Supervisor",
        erased={"personal_values": 7, "files": 2},
    ),
    er.SubjectAccessRequested(
        request_id=5,
        requested_on="2026-01-31",
        received_by="letter",
        due_on="2026-02-28",
        due_note="UNVERIFIED: one calendar month",
    ),
    er.SubjectAccessAnswered(
        request_id=5, cases=2, zip_sha256="cd" * 32, due_on="2026-02-28", late=True
    ),
]
