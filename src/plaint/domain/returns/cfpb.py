"""Cases as rows of the CFPB Consumer Complaint Database, in its 18 columns (the ones
`plaint.domain.cfpb` imports), so a US firm can reconcile its record with the portal.

"Company response to consumer" comes from the record (`rootcauses.cfpb_response`; "In
progress" while the case is open); "Timely response?" from the US-CFPB company-response
deadline (met on time: Yes; met late or missed: No; no such deadline: blank).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from plaint.domain.rootcauses import cfpb_response
from plaint.domain.vocabulary import Channel

COLUMNS = (
    "Date received",
    "Product",
    "Sub-product",
    "Issue",
    "Sub-issue",
    "Consumer complaint narrative",
    "Company public response",
    "Company",
    "State",
    "ZIP code",
    "Tags",
    "Consumer consent provided?",
    "Submitted via",
    "Date sent to company",
    "Company response to consumer",
    "Timely response?",
    "Consumer disputed?",
    "Complaint ID",
)

SUBMITTED_VIA = {
    Channel.WEB: "Web",
    Channel.REFERRAL: "Referral",
    Channel.PHONE: "Phone",
    Channel.LETTER: "Postal mail",
    Channel.FAX: "Fax",
    Channel.EMAIL: "Email",
}


@dataclass(frozen=True)
class ExportFacts:
    complaint_id: str
    received_on: date
    product: str
    issue: str
    narrative: str
    company: str
    channel: str
    closed: bool
    outcome: str
    accepted: tuple[tuple[str, Decimal | None], ...]
    timely: bool | None  # None: no CFPB company-response deadline decided
    details: dict[str, str]


def export_row(f: ExportFacts) -> list[str]:
    d = f.details
    response = cfpb_response(f.outcome, list(f.accepted)).value if f.closed else "In progress"
    try:
        via = SUBMITTED_VIA.get(Channel(f.channel), "Other")
    except ValueError:
        via = "Other"
    return [
        f.received_on.isoformat(),
        f.product,
        d.get("sub_product", ""),
        f.issue,
        d.get("sub_issue", ""),
        f.narrative,
        d.get("company_public_response", ""),
        f.company,
        d.get("state", ""),
        d.get("zip_code", ""),
        d.get("tags", ""),
        "",  # consent to publish the narrative: Plaint does not record it
        via,
        d.get("sent_to_company_on", "") or f.received_on.isoformat(),
        response,
        "" if f.timely is None else ("Yes" if f.timely else "No"),
        "N/A",  # the CFPB stopped collecting disputes in 2017
        f.complaint_id,
    ]
