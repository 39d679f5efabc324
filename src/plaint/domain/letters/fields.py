"""The fields a letter can be filled from, and how raw values become typed ones.

A letter's input is a flat mapping of dotted keys (``customer.phone``, ``letter.issue_type``)
plus two lists (``contacts`` and ``evidence``). The same keys are used by the YAML case
file of the consumer CLI and by the desk, so an error can say exactly where to supply a
missing value in either place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plaint.domain.errors import DomainError
from plaint.domain.money import money_parse


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    MONEY = "money"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"
    LIST = "list"  # a list of short texts


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    desk: str = "the letter form"
    choices: tuple[str, ...] = ()
    help: str = ""

    @property
    def yaml_path(self) -> str:
        section, _, name = self.key.partition(".")
        return f"`{section}:` → `{name}:`" if name else f"`{section}:`"

    def where(self) -> str:
        return f"in the YAML case file under {self.yaml_path}; on the desk: {self.desk}"


_CUSTOMER = "case page → Customer"
_CASE = "case page → Case details"
_ORG = "Organisation settings"

FIELDS: dict[str, FieldDef] = {
    f.key: f
    for f in (
        FieldDef("customer.name", "Customer's full name", desk=_CUSTOMER + " → Name"),
        FieldDef(
            "customer.honorific",
            "Customer's title for the salutation (Mr, Ms, Dr...)",
            help="Dear Ms Whitfield; without it the letter uses the full name",
        ),
        FieldDef(
            "customer.address", "Customer's postal address", desk=_CUSTOMER + " → Postal address"
        ),
        FieldDef("customer.email", "Customer's e-mail address", desk=_CUSTOMER + " → E-mail"),
        FieldDef(
            "customer.phone",
            "Customer's phone number, with area code",
            desk=_CUSTOMER + " → Phone",
        ),
        FieldDef(
            "customer.best_times",
            "Best times to reach the customer",
            desk=_CUSTOMER + " → Preferred contact times",
        ),
        FieldDef(
            "business.name", "Business's name", desk=_CASE + " → Respondent (or " + _ORG + ")"
        ),
        FieldDef("business.contact_name", "Person to address at the business"),
        FieldDef("business.contact_title", "Job title of the person addressed"),
        FieldDef(
            "business.contact_honorific",
            "Title of the person addressed, for the salutation (Mr, Ms, Dr...)",
            help="Dear Mr Price; without it the letter uses the full name",
        ),
        FieldDef("business.department", "Department (e.g. Customer Relations)"),
        FieldDef(
            "business.address", "Business's postal address", desk=_ORG + " or the letter form"
        ),
        FieldDef("business.email", "Business's e-mail address", desk=_ORG + " or the letter form"),
        FieldDef("business.phone", "Business's phone number", desk=_ORG + " or the letter form"),
        FieldDef("case.reference", "Case reference", desk=_CASE + " → Reference"),
        FieldDef("case.order_number", "Order number", desk=_CASE + " → Order number"),
        FieldDef("case.account_number", "Account number", desk=_CASE + " → Account number"),
        FieldDef(
            "case.product",
            "Product or service (with model or serial number)",
            desk=_CASE + " → Product",
        ),
        FieldDef(
            "case.description", "What went wrong", desk=_CASE + " → Description", help="narrative"
        ),
        FieldDef(
            "case.occurred_on",
            "Date it happened (or was bought)",
            Kind.DATE,
            desk=_CASE + " → Date of occurrence",
        ),
        FieldDef("case.bought_where", "Where it was bought (shop, website)"),
        FieldDef(
            "case.amount", "Amount in dispute", Kind.MONEY, desk=_CASE + " → Amount in dispute"
        ),
        FieldDef("case.currency", "Currency (ISO code, e.g. GBP, USD)", desk=_CASE + " → Currency"),
        FieldDef(
            "case.desired_resolution",
            "What the customer wants done",
            desk=_CASE + " → Desired resolution",
        ),
        FieldDef("case.received_on", "Date the complaint was received", Kind.DATE, desk=_CASE),
        FieldDef("case.regime", "Regime code (e.g. UK-FCA-DISP)", desk=_CASE + " → Regime"),
        FieldDef("handler.name", "Name of the person signing for the business"),
        FieldDef("handler.role", "Role of the person signing (e.g. Complaints Manager)"),
    )
}

#: Fields particular to one or a few letters (the `letter:` section of a YAML file).
LETTER_FIELDS: dict[str, FieldDef] = {
    f.key: f
    for f in (
        FieldDef(
            "letter.wait_days",
            "Days you will wait before going to a consumer protection agency",
            Kind.INT,
        ),
        FieldDef("letter.reply_days", "Days the business has to reply", Kind.INT),
        FieldDef("letter.compliance_days", "Days allowed to comply (default 14)", Kind.INT),
        FieldDef(
            "letter.issue_type",
            "Kind of conduct to stop",
            Kind.CHOICE,
            choices=("harassment", "unfair_billing", "misrepresentation", "warranty_refusal"),
        ),
        FieldDef("letter.conduct", "The specific conduct that must stop"),
        FieldDef("letter.agency", "Agency you will complain to if ignored"),
        FieldDef("letter.delivery", "How the letter is sent"),
        FieldDef(
            "letter.charges_not_agreed",
            "You did not agree to the charges (the letter says so only if yes)",
            Kind.BOOL,
        ),
        FieldDef("letter.statement_date", "Date of the statement showing the error", Kind.DATE),
        FieldDef("letter.billing_address", "Creditor's billing-error (billing inquiries) address"),
        FieldDef(
            "letter.error_category",
            "Kind of billing error",
            Kind.CHOICE,
            choices=(
                "unauthorised",
                "not_delivered",
                "wrong_amount",
                "payment_not_credited",
                "computational",
                "clarification",
            ),
        ),
        FieldDef("letter.contacted_on", "Date the collector contacted you", Kind.DATE),
        FieldDef("letter.contacted_by", "How the collector contacted you (phone, mail...)"),
        FieldDef("letter.debt_details", "What the collector said the debt is"),
        FieldDef("letter.also_dispute", "Also dispute the debt", Kind.BOOL),
        FieldDef(
            "letter.third_parties",
            "Other people the collector contacted about the debt (e.g. my sister, my neighbour)",
        ),
        FieldDef(
            "letter.contacted_at_work",
            "The collector contacted you at your place of work",
            Kind.BOOL,
        ),
        FieldDef(
            "letter.employer_prohibits",
            "Your employer prohibits you from receiving such contact at work",
            Kind.BOOL,
        ),
        FieldDef(
            "letter.stop_requested_on",
            "Date you first asked the collector (by phone or in person) to stop",
            Kind.DATE,
        ),
        FieldDef(
            "letter.stop_requested_how",
            "How and to whom you asked (e.g. on the phone to your agent Kim)",
        ),
        FieldDef(
            "letter.validation_notice_date",
            "Date the collector sent its validation notice",
            Kind.DATE,
        ),
        FieldDef("letter.disputed_items", "Items on the credit report that are wrong", Kind.LIST),
        FieldDef("letter.debt_claim", "A business claiming a debt from an individual", Kind.BOOL),
        FieldDef("letter.legal_basis", "Basis of the claim (the right relied on)"),
        FieldDef("letter.amount_calculation", "How the amount claimed is calculated"),
        FieldDef("letter.delivered_on", "Date the goods were delivered", Kind.DATE),
        FieldDef(
            "letter.fault",
            "What is wrong with the goods",
        ),
        FieldDef(
            "letter.acknowledge_by", "Date by which the complaint will be answered", Kind.DATE
        ),
        FieldDef("letter.next_steps", "What happens next (investigation steps)"),
        FieldDef("letter.progress", "What has been done so far"),
        FieldDef("letter.delay_reason", "Why the full response is not ready"),
        FieldDef(
            "letter.fos_referral_now",
            "FCA: 8 weeks have passed, so tell the customer they may now go to the ombudsman",
            Kind.BOOL,
        ),
        FieldDef("letter.expected_by", "Date the full response is now expected", Kind.DATE),
        FieldDef(
            "letter.outcome",
            "Outcome of the complaint",
            Kind.CHOICE,
            choices=("accept", "offer", "reject"),
        ),
        FieldDef("letter.findings", "What the investigation found"),
        FieldDef("letter.reasons", "Reasons for the decision"),
        FieldDef("letter.redress", "Redress offered or agreed"),
        FieldDef(
            "letter.fos_time_limit_case",
            "Which DISP 1 Annex 3R paragraph applies",
            Kind.CHOICE,
            choices=("no_waiver_six_months", "out_of_time_no_waiver"),
        ),
        FieldDef("letter.agreed_on", "Date the resolution was agreed", Kind.DATE),
        FieldDef("letter.action_by", "Date by which the agreed action will be done", Kind.DATE),
        FieldDef(
            "letter.their_letter_date", "Date of the cease-and-desist letter received", Kind.DATE
        ),
        FieldDef("letter.their_sender", "Who sent the cease-and-desist letter"),
        FieldDef("letter.their_reference", "The reference on the cease-and-desist letter"),
        # disputes
        FieldDef(
            "letter.adr_letter_type",
            "Deadlock letter or 8-week letter",
            Kind.CHOICE,
            choices=("deadlock", "eight_weeks"),
        ),
        FieldDef("letter.final_position", "The business's position on the complaint"),
        FieldDef(
            "letter.adr_scheme",
            "The ADR scheme the business belongs to (e.g. Energy Ombudsman, CISAS)",
        ),
        FieldDef(
            "letter.offer_open", "The offer stays open if the customer goes to ADR", Kind.BOOL
        ),
        FieldDef(
            "letter.first_letter_date", "Date of your first cease-and-desist letter", Kind.DATE
        ),
        FieldDef("letter.first_letter_tracking", "Tracking number of your first letter"),
        FieldDef("letter.continued_conduct", "What has happened since your first letter"),
        FieldDef("letter.final_deadline", "Last date for the conduct to stop", Kind.DATE),
        FieldDef("letter.proposal", "What you propose to settle the dispute"),
        FieldDef("letter.reply_by", "Date by which you ask for a written answer", Kind.DATE),
        FieldDef("letter.mediator", "The mediator or mediation service you suggest"),
        FieldDef(
            "letter.arbitration_clause",
            "The contract's arbitration clause (its number and what it says)",
        ),
        FieldDef("letter.their_demand", "What their letter asks the business to stop"),
        FieldDef("letter.investigating", "What the business is investigating"),
        FieldDef("letter.actions", "What the business will do"),
        FieldDef("letter.respond_by", "Date of the business's full answer", Kind.DATE),
        FieldDef("letter.reasons_for_termination", "Reasons for ending the service"),
        FieldDef("letter.contract_clause", "Contract clause that allows ending the service"),
        FieldDef("letter.notice_days", "Notice period in days (from the contract)", Kind.INT),
        FieldDef(
            "letter.effective_date", "Date the service ends (default: end of notice)", Kind.DATE
        ),
        FieldDef("letter.alternatives", "Alternatives offered", Kind.LIST),
        FieldDef("letter.how_to_respond", "How the customer can respond or object"),
        FieldDef("letter.final_steps", "Final bill, equipment or data to return"),
        FieldDef(
            "letter.results_date",
            "Date of the agency's notice of the results of its reinvestigation",
            Kind.DATE,
        ),
    )
}

ALL_FIELDS: dict[str, FieldDef] = {**FIELDS, **LETTER_FIELDS}

#: Keys of the list sections and of their items.
CONTACT_KEYS = frozenset(
    {
        "at",
        "channel",
        "direction",
        "representative",
        "ticket_number",
        "wait_minutes",
        "summary",
    }
)
EVIDENCE_KEYS = frozenset({"description", "filename", "key"})


@dataclass(frozen=True)
class Missing:
    field: FieldDef
    why: str = ""

    def line(self) -> str:
        reason = f" ({self.why})" if self.why else ""
        return f"{self.field.label} [{self.field.key}]{reason}: supply it {self.field.where()}"


class MissingFields(DomainError):
    """Required fields are empty. Lists every one, with where to supply it; nothing is
    written."""

    def __init__(self, letter: str, missing: list[Missing]) -> None:
        self.missing = missing
        lines = "\n".join(f"  - {m.line()}" for m in missing)
        super().__init__(
            f"The {letter} cannot be generated: {len(missing)} required field"
            f"{'' if len(missing) == 1 else 's'} missing:\n{lines}"
        )


class InvalidFields(DomainError):
    """Values that cannot be used (not a date, a deadline in the past...)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        lines = "\n".join(
            f"  - {ALL_FIELDS[k].label if k in ALL_FIELDS else k} [{k}]: {v}"
            for k, v in sorted(self.errors.items())
        )
        super().__init__(f"The letter cannot be generated:\n{lines}")


_DATE_HINT = "is not a date; write it as YYYY-MM-DD, e.g. 2026-03-02"


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(_DATE_HINT) from None


def parse_datetime(value: Any, zone: tzinfo) -> datetime:
    """A contact time: a date, or a date and time; naive values are in `zone`."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(
                "is not a date and time; write it as YYYY-MM-DD HH:MM, e.g. 2026-02-10 14:05"
            ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def parse_zone(name: str) -> tzinfo:
    if not name or name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone (e.g. Europe/London)") from None


_INT = re.compile(r"^\s*\d{1,5}\s*$")


def coerce(field: FieldDef, value: Any) -> Any:
    """The typed value of `field`, or ValueError with what is wrong. Empty values become
    None (or an empty list)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return [] if field.kind is Kind.LIST else None
    if field.kind is Kind.TEXT:
        if isinstance(value, list | dict):
            raise ValueError("must be text, not a list or a mapping")
        text = str(value).replace("\r\n", "\n").strip()
        if "\x00" in text:
            raise ValueError("contains a NUL character")
        if len(text) > 20_000:
            raise ValueError(f"is longer than 20,000 characters ({len(text):,})")
        return text
    if field.kind is Kind.DATE:
        return parse_date(value)
    if field.kind is Kind.MONEY:
        return money_parse(value)  # MoneyError is a ValueError
    if field.kind is Kind.INT:
        if isinstance(value, bool) or not _INT.match(str(value)):
            raise ValueError(f"{value!r} is not a whole number of days")
        return int(str(value))
    if field.kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in {"yes", "true", "1", "on"}:
            return True
        if lowered in {"no", "false", "0", "off"}:
            return False
        raise ValueError("must be yes or no")
    if field.kind is Kind.CHOICE:
        choice = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        if choice not in field.choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(field.choices)}")
        return choice
    # Kind.LIST
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, list | dict):
            raise ValueError("must be a list of short texts")
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def plain(value: Any) -> Any:
    """A typed value as JSON-ready data (for the ledger and for regeneration)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value
