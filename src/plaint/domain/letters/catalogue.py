"""The letter catalogue: each letter is a template file plus this metadata.

Every letter names its sources with section numbers, how well each was checked (the marks
of shared/reference/legal_rules.md: primary ✅, secondary 🟡, unverified ⚠️, policy for
practice checklists that are not law) and when. Letters only state what their sources
say; what the research could not confirm is left out or marked unverified.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from plaint.domain.deadlines.model import Verification
from plaint.domain.errors import DomainError

VERIFIED = date(2026, 11, 23)


class Side(StrEnum):
    CUSTOMER = "customer"
    BUSINESS = "business"
    EITHER = "either"


@dataclass(frozen=True)
class LetterSource:
    citation: str
    verification: Verification
    last_verified: date = VERIFIED
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class LetterSpec:
    id: str
    title: str
    side: Side
    purpose: str
    jurisdiction: str  # "ANY", "US", "GB", "GB-ENG"
    required: tuple[str, ...]
    optional: tuple[str, ...]
    sources: tuple[LetterSource, ...]
    delivery: str
    starts: str  # the reply deadline the letter starts, in words
    version: str = "2026-11-23.1"
    starts_rule: str = ""  # REGIME/rule-id of that deadline, where the engine has one
    # The milestone that sending the letter records (a function of the letter's values,
    # e.g. of the case's regime); "" when there is none.
    milestone: Callable[[Mapping[str, Any]], str] = field(default=lambda values: "", compare=False)
    cites_law: bool = False
    # More required fields, depending on the values given (e.g. FCA cases need the Annex 3R
    # paragraph); returns (key, why) pairs.
    conditional: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = field(
        default=lambda values: [], compare=False
    )

    @property
    def verification(self) -> Verification:
        """The weakest mark among the letter's sources."""
        order = list(Verification)
        return max((s.verification for s in self.sources), key=order.index)

    @property
    def unverified(self) -> bool:
        return self.verification is Verification.UNVERIFIED

    def milestone_for(self, values: Mapping[str, Any]) -> str:
        return self.milestone(values)

    @property
    def sender(self) -> str:
        return "business" if self.side is Side.BUSINESS else "customer"


class UnknownLetter(DomainError):
    def __init__(self, kind: str) -> None:
        super().__init__(
            f"Unknown letter kind {kind!r}. Known kinds: {', '.join(sorted(CATALOGUE))} "
            "(`plaint letter list` describes them)."
        )


P, S, U, POL = (
    Verification.PRIMARY,
    Verification.SECONDARY,
    Verification.UNVERIFIED,
    Verification.POLICY,
)


def _always(name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda values: name


_CUSTOMER_SENDS = ("customer.name", "customer.address", "business.name")
_BUSINESS_SENDS = ("business.name", "customer.name", "case.reference", "handler.name")
_FCA = ("UK-FCA-DISP", "UK-FCA-PSD")


def _fca_paragraph(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("case.regime") in _FCA:
        return [("letter.fos_time_limit_case", "an FCA final response needs DISP 1 Annex 3R")]
    return []


def _final_response(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    extra = _fca_paragraph(values)
    outcome = values.get("letter.outcome")
    if outcome == "reject":
        extra.append(("letter.reasons", "a rejection must give its reasons"))
    if outcome in {"accept", "offer"}:
        extra.append(("letter.redress", "say what is offered"))
    return extra


def _cease_and_desist(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("letter.issue_type") == "unfair_billing":
        return [("case.account_number", "name the account the charges are on")]
    return []


def _holding(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("case.regime") in _FCA:
        return [("letter.delay_reason", "DISP 1.6.2R(2) / 1.6.2AR: explain the delay")]
    return []


from plaint.domain.letters.catalogue_termination import LETTERS as TERMINATION_LETTERS  # noqa: E402

_LETTERS: tuple[LetterSpec, ...] = (
    LetterSpec(
        id="complaint",
        title="Complaint letter",
        side=Side.CUSTOMER,
        purpose="Tell the business what you bought, what went wrong and what you want done, "
        "and how long you will wait before going to a consumer protection agency.",
        jurisdiction="ANY",
        required=(
            *_CUSTOMER_SENDS,
            "case.product",
            "case.occurred_on",
            "case.description",
            "case.desired_resolution",
        ),
        optional=(
            "customer.email",
            "customer.phone",
            "business.contact_name",
            "business.contact_title",
            "business.department",
            "business.address",
            "case.bought_where",
            "case.order_number",
            "case.account_number",
            "case.amount",
            "case.currency",
            "letter.wait_days",
            "letter.agency",
        ),
        sources=(
            LetterSource(
                "FTC sample complaint letter (consumer.ftc.gov): structure only",
                U,
                note="The FTC sample itself was not in the research corpus; the field list is "
                "reconstructed from the USA.gov Consumer Action Handbook template. Check it.",
            ),
            LetterSource(
                "US Dept of Commerce Office of Consumer Affairs tip sheet (12/98); FTC 'Solving "
                "Consumer Problems' (1994)",
                P,
                note="Brief, one page, what you want done, copies of documents, keep a copy.",
            ),
        ),
        delivery="Post or e-mail; keep a copy. Enclose copies, never originals.",
        starts="The reply period you set (letter.wait_days, default 14 days from the date of "
        "the letter); no statutory deadline.",
    ),
    LetterSpec(
        id="escalation",
        title="Escalation letter",
        side=Side.CUSTOMER,
        purpose="Escalate an unresolved complaint: urgent subject with the order or account "
        "number, the issue, every previous contact, and the resolution wanted.",
        jurisdiction="ANY",
        required=(
            *_CUSTOMER_SENDS,
            "customer.phone",
            "customer.email",
            "case.description",
            "case.occurred_on",
            "case.desired_resolution",
        ),
        optional=(
            "customer.best_times",
            "business.contact_name",
            "business.contact_title",
            "business.department",
            "business.address",
            "case.order_number",
            "case.account_number",
            "case.product",
            "case.amount",
            "case.currency",
            "letter.reply_days",
        ),
        sources=(
            LetterSource(
                "Plaint escalation checklist (product brief, journey 1)",
                POL,
                note="Practice, not law.",
            ),
        ),
        delivery="E-mail to the escalation or complaints address, with a copy by post.",
        starts="The reply period you set (letter.reply_days, default 7 days); no statutory "
        "deadline.",
        conditional=lambda v: (
            []
            if v.get("case.order_number") or v.get("case.account_number")
            else [("case.order_number", "the subject line needs an order or account number")]
        ),
    ),
    LetterSpec(
        id="cease-and-desist",
        title="Cease-and-desist letter",
        side=Side.CUSTOMER,
        purpose="Demand that specific conduct stops by a date, and say what you will do if it "
        "does not. Tailored to harassment, unfair billing, false claims or a refused warranty.",
        jurisdiction="ANY",
        required=(
            *_CUSTOMER_SENDS,
            "letter.issue_type",
            "letter.conduct",
            "letter.agency",
        ),
        optional=(
            "customer.email",
            "customer.phone",
            "business.contact_name",
            "business.contact_title",
            "business.address",
            "business.email",
            "case.order_number",
            "case.account_number",
            "case.occurred_on",
            "case.amount",
            "case.currency",
            "letter.compliance_days",
            "letter.delivery",
            "letter.charges_not_agreed",
        ),
        sources=(
            LetterSource(
                "Plaint cease-and-desist checklist (product brief, journey 1)",
                POL,
                note="Practice, not law; the letter cites no statute.",
            ),
        ),
        delivery="E-mail plus a physical copy by a trackable method (recorded or certified "
        "mail). Keep a copy.",
        starts="The compliance date you set (letter.compliance_days, default 14 days from the "
        "date of the letter).",
        conditional=_cease_and_desist,
    ),
    LetterSpec(
        id="us-fcba-billing-error",
        title="Billing-error dispute (Fair Credit Billing Act)",
        side=Side.CUSTOMER,
        purpose="Dispute a billing error on a credit card or other open-end credit account.",
        jurisdiction="US",
        required=(
            *_CUSTOMER_SENDS,
            "case.account_number",
            "case.amount",
            "letter.statement_date",
            "letter.billing_address",
            "letter.error_category",
            "case.description",
        ),
        optional=("customer.email", "customer.phone", "case.occurred_on", "case.currency"),
        sources=(
            LetterSource(
                "15 U.S.C. 1666(a)", P, url="https://www.law.cornell.edu/uscode/text/15/1666"
            ),
            LetterSource(
                "12 CFR 1026.13(a)(1)-(3), (b)(1)",
                P,
                url="https://www.consumerfinance.gov/rules-policy/regulations/1026/13/",
            ),
            LetterSource(
                "12 CFR 1026.13(c)(2) (resolution within two billing cycles, 90 days at most)",
                S,
                note="Statute read; the current Reg Z paragraph only in secondary sources.",
            ),
        ),
        delivery="Certified mail, return receipt requested, to the billing-error address (not "
        "the payment address). Send it 5-7 days before the date it must arrive.",
        starts="Creditor's written acknowledgement within 30 days of receipt; resolution "
        "within two complete billing cycles and never more than 90 days.",
        starts_rule="US-FCBA/acknowledgement",
        cites_law=True,
    ),
    LetterSpec(
        id="us-fdcpa-stop-contact",
        title="Stop contacting me (to a debt collector, FDCPA)",
        side=Side.CUSTOMER,
        purpose="Tell a third-party debt collector in writing to stop communicating with you "
        "about a debt.",
        jurisdiction="US",
        required=(
            *_CUSTOMER_SENDS,
            "business.address",
            "letter.contacted_on",
            "letter.contacted_by",
            "letter.debt_details",
        ),
        optional=(
            "case.account_number",
            "letter.also_dispute",
            "letter.stop_requested_on",
            "letter.stop_requested_how",
            "letter.contacted_at_work",
            "letter.employer_prohibits",
            "letter.third_parties",
        ),
        sources=(
            LetterSource(
                "15 U.S.C. 1692c(c)", P, url="https://www.law.cornell.edu/uscode/text/15/1692c"
            ),
            LetterSource(
                "15 U.S.C. 1692c(a)(1), (a)(3) (time and place; place of employment)",
                P,
                last_verified=date(2026, 12, 1),
                url="https://www.law.cornell.edu/uscode/text/15/1692c",
            ),
            LetterSource(
                "15 U.S.C. 1692c(b) (communication with third parties)",
                P,
                last_verified=date(2026, 12, 1),
                url="https://www.law.cornell.edu/uscode/text/15/1692c",
            ),
            LetterSource(
                "15 U.S.C. 1692b (acquisition of location information)",
                P,
                last_verified=date(2026, 12, 1),
                url="https://www.law.cornell.edu/uscode/text/15/1692b",
            ),
            LetterSource(
                "CFPB sample letter 'Stop contacting me' (2013, public domain): structure",
                P,
            ),
            LetterSource(
                "12 CFR 1006.6(c)", S, note="Mirrors the statute; the rule text was not read."
            ),
        ),
        delivery="Certified mail with return receipt, or another method that proves receipt. "
        "Keep a copy.",
        starts="Takes effect when the collector receives it; after that the collector may only "
        "write to say it is stopping or that it or the creditor may or will use a specified "
        "remedy. No reply deadline.",
        cites_law=True,
    ),
    LetterSpec(
        id="us-fdcpa-validation-request",
        title="Debt validation request (FDCPA)",
        side=Side.CUSTOMER,
        purpose="Dispute a debt in writing within the validation period and ask the collector "
        "to verify it and name the original creditor.",
        jurisdiction="US",
        required=(*_CUSTOMER_SENDS, "business.address", "letter.debt_details"),
        optional=("case.account_number", "case.amount", "letter.validation_notice_date"),
        sources=(
            LetterSource(
                "15 U.S.C. 1692g(a)-(c)", P, url="https://www.law.cornell.edu/uscode/text/15/1692g"
            ),
            LetterSource(
                "12 CFR 1006.38(a)-(c)",
                P,
                url="https://www.consumerfinance.gov/rules-policy/regulations/1006/38/",
            ),
            LetterSource(
                "12 CFR 1006.34(b)(5) (validation period; assumed receipt 5 business days)",
                S,
                note="Final-rule text not read; proposed text and preamble agree.",
            ),
        ),
        delivery="Certified mail with return receipt, sent within the validation period.",
        starts="Collection of the disputed debt must stop until the collector mails "
        "verification (or a copy of a judgment) or the original creditor's name and address. "
        "The law sets no day count for that.",
        starts_rule="US-FDCPA/validation-period",
        milestone=_always("debt_disputed_in_writing"),
        cites_law=True,
    ),
    LetterSpec(
        id="us-fcra-dispute",
        title="Credit-report dispute (FCRA)",
        side=Side.CUSTOMER,
        purpose="Ask a consumer reporting agency to reinvestigate inaccurate or incomplete "
        "items on your credit report.",
        jurisdiction="US",
        required=(*_CUSTOMER_SENDS, "business.address", "letter.disputed_items"),
        optional=("case.description",),
        sources=(
            LetterSource(
                "15 U.S.C. 1681i(a)(1)(A), (a)(2), (a)(6)",
                P,
                url="https://www.law.cornell.edu/uscode/text/15/1681i",
            ),
        ),
        delivery="Certified mail with return receipt; enclose copies of supporting documents.",
        starts="Reinvestigation within the 30-day period beginning on the day the agency "
        "receives the dispute (up to 15 more days if you send relevant information during it); "
        "results within 5 business days after it ends.",
        starts_rule="US-FCRA/reinvestigation",
        cites_law=True,
    ),
    LetterSpec(
        id="uk-letter-before-claim",
        title="Letter before claim (England & Wales)",
        side=Side.EITHER,
        purpose="The last letter before court: the basis of the claim, the facts, what is "
        "wanted and how any amount is calculated, with a date to reply.",
        jurisdiction="GB-ENG",
        required=(
            "customer.name",
            "customer.address",
            "business.name",
            "business.address",
            "letter.legal_basis",
            "case.description",
            "case.desired_resolution",
        ),
        optional=(
            "case.amount",
            "case.currency",
            "letter.amount_calculation",
            "letter.debt_claim",
            "case.order_number",
            "case.account_number",
            "case.occurred_on",
            "handler.name",
        ),
        sources=(
            LetterSource(
                "Practice Direction - Pre-Action Conduct and Protocols, paras 6(a)-(b), 8, 13-16",
                S,
                url="https://www.justice.gov.uk/courts/procedure-rules/civil/rules/"
                "pd_pre-action_conduct",
                note="Official text not read; several secondary sources agree.",
            ),
            LetterSource(
                "Pre-Action Protocol for Debt Claims (30 days to reply; Annex 1 Information "
                "Sheet and Reply Form, Annex 2 Financial Statement)",
                S,
                note="Protocol text not read; five secondary sources agree.",
            ),
        ),
        delivery="Post (first class or recorded) and e-mail; date it at the top and post it "
        "that day.",
        starts="Reply within 14 days of the date of the letter (30 days for a business "
        "claiming a debt from an individual).",
        starts_rule="UK-PRE-ACTION/letter-before-claim-response",
        milestone=lambda v: "debt_letter_of_claim_sent" if v.get("letter.debt_claim") else "",
        cites_law=True,
        conditional=lambda v: (
            [
                ("case.amount", "a debt claim states the amount"),
                ("case.account_number", "a debt claim identifies the agreement"),
            ]
            if v.get("letter.debt_claim")
            else []
        ),
    ),
    LetterSpec(
        id="uk-cra-short-term-rejection",
        title="Rejecting faulty goods (Consumer Rights Act 2015, short-term right)",
        side=Side.CUSTOMER,
        purpose="Reject goods that are faulty, not as described or not fit for purpose within "
        "30 days of delivery and ask for a full refund.",
        jurisdiction="GB",
        required=(
            *_CUSTOMER_SENDS,
            "case.product",
            "letter.delivered_on",
            "letter.fault",
            "case.amount",
        ),
        optional=("customer.email", "customer.phone", "case.order_number", "business.address"),
        sources=(
            LetterSource(
                "Consumer Rights Act 2015 s.22(1)-(3) (30 days beginning with the first day "
                "after delivery)",
                P,
                url="https://www.legislation.gov.uk/ukpga/2015/15/section/22",
            ),
            LetterSource("Consumer Rights Act 2015 s.20(5)-(8)", P),
            LetterSource(
                "Consumer Rights Act 2015 s.20(15) (refund within 14 days beginning with the "
                "day the trader agrees)",
                S,
            ),
            LetterSource("Consumer Rights Act 2015 ss.9-11", S),
        ),
        delivery="E-mail and post; keep proof of when you sent it.",
        starts="Refund within 14 days beginning with the day the trader agrees you are "
        "entitled to one.",
        starts_rule="UK-CRA-GOODS/refund",
        milestone=_always("goods_rejected"),
        cites_law=True,
    ),
    LetterSpec(
        id="acknowledgement",
        title="Acknowledgement of a complaint",
        side=Side.BUSINESS,
        purpose="Confirm the complaint was received, who is handling it, what happens next "
        "and by when (from the case's regime).",
        jurisdiction="ANY",
        required=(*_BUSINESS_SENDS, "case.received_on", "case.description"),
        optional=("customer.address", "handler.role", "business.address", "letter.next_steps"),
        sources=(
            LetterSource(
                "FCA Handbook DISP 1.6.1R (prompt acknowledgement; say when the response will "
                "come)",
                P,
                url="https://www.handbook.fca.org.uk/handbook/DISP/1/6.html",
            ),
            LetterSource("ISO 10002:2018 clause 4 (principles; cited, not quoted)", S),
        ),
        delivery="The customer's preferred channel; e-mail or post.",
        starts="Nothing new: it states the deadlines the complaint already started.",
        milestone=_always("acknowledgement_sent"),
        cites_law=True,
    ),
    LetterSpec(
        id="holding-response",
        title="Holding response / progress update",
        side=Side.BUSINESS,
        purpose="Tell the customer what has been done, what is left and when to expect the "
        "full answer.",
        jurisdiction="ANY",
        required=(*_BUSINESS_SENDS, "letter.progress", "letter.expected_by"),
        optional=(
            "customer.address",
            "handler.role",
            "letter.delay_reason",
            "letter.fos_referral_now",
        ),
        sources=(
            LetterSource(
                "FCA Handbook DISP 1.6.2R(2) (written response explaining the delay)",
                P,
                url="https://www.handbook.fca.org.uk/handbook/DISP/1/6.html",
            ),
            LetterSource("FCA Handbook DISP 1.6.2AR (payment services holding reply)", S),
        ),
        delivery="The customer's preferred channel.",
        starts="The date promised in the letter (letter.expected_by).",
        milestone=lambda v: {
            "UK-FCA-PSD": "holding_response_sent",
            # Only the 8-week written response of DISP 1.6.2R(2) meets the deadline.
            "UK-FCA-DISP": "delay_response_sent" if v.get("letter.fos_referral_now") else "",
        }.get(str(v.get("case.regime") or ""), ""),
        cites_law=True,
        conditional=_holding,
    ),
    LetterSpec(
        id="final-response",
        title="Final response",
        side=Side.BUSINESS,
        purpose="The business's final answer: uphold and put right, offer redress, or reject "
        "with reasons; for FCA cases, the ombudsman referral content.",
        jurisdiction="ANY",
        required=(*_BUSINESS_SENDS, "letter.outcome", "letter.findings"),
        optional=(
            "customer.address",
            "handler.role",
            "letter.reasons",
            "letter.redress",
            "letter.fos_time_limit_case",
        ),
        sources=(
            LetterSource(
                "FCA Handbook DISP 1.6.2R(1)(a)-(f)",
                P,
                url="https://www.handbook.fca.org.uk/handbook/DISP/1/6.html",
            ),
            LetterSource(
                "FCA Handbook DISP 1 Annex 3R (paragraph for a firm that does not consent to "
                "waive the six-month limit)",
                S,
                last_verified=date(2026, 12, 1),
                url="https://www.handbook.fca.org.uk/handbook/DISP/1/Annex3.html",
                note="First sentence from the 2016 handbook text; the rest as firms reproduce "
                "it. Reproduced verbatim from templates/required/disp-1-annex-3r.md; check it "
                "against the current Annex. The other Annex 3R cases are not held.",
            ),
            LetterSource("FCA Handbook DISP 2.8.2R(1) (six months to refer)", P),
        ),
        delivery="Post or e-mail (a durable medium), with the FOS leaflet for FCA cases.",
        starts="FCA cases: the customer's six months to refer to the Financial Ombudsman "
        "Service, from the date of the letter.",
        starts_rule="UK-FCA-DISP/fos-referral",
        milestone=_always("final_response_sent"),
        cites_law=True,
        conditional=_final_response,
    ),
    LetterSpec(
        id="resolution-confirmation",
        title="Confirmation of the agreed resolution",
        side=Side.BUSINESS,
        purpose="Put the agreed resolution in writing: what was agreed, when it will be done "
        "and the reference.",
        jurisdiction="ANY",
        required=(*_BUSINESS_SENDS, "letter.redress", "letter.agreed_on", "letter.action_by"),
        optional=("customer.address", "handler.role"),
        sources=(
            LetterSource(
                "Plaint practice: resolutions confirmed in writing (product brief, journey 2)",
                POL,
            ),
        ),
        delivery="The customer's preferred channel; keep a copy on the case.",
        starts="The date by which the business will carry out what was agreed.",
    ),
    LetterSpec(
        id="cease-and-desist-reply",
        title="Reply to a cease-and-desist letter",
        side=Side.BUSINESS,
        purpose="Acknowledge a cease-and-desist letter, say what is being investigated and "
        "what will be done, and by when.",
        jurisdiction="ANY",
        required=(
            "business.name",
            "handler.name",
            "letter.their_sender",
            "letter.their_letter_date",
            "letter.their_demand",
            "letter.investigating",
            "letter.actions",
            "letter.respond_by",
        ),
        optional=(
            "customer.name",
            "customer.address",
            "case.reference",
            "handler.role",
            "letter.their_reference",
        ),
        sources=(
            LetterSource(
                "Plaint practice checklist for responding to a cease-and-desist (product brief, "
                "journey 3)",
                POL,
            ),
            LetterSource(
                "Practice Direction - Pre-Action Conduct para 6(b) (14 days in a "
                "straightforward case), where the letter is a letter before claim",
                S,
            ),
        ),
        delivery="The channel their letter came by, plus post.",
        starts="The date the business promises its full answer (letter.respond_by).",
    ),
    LetterSpec(
        id="service-termination",
        title="Notice of service termination",
        side=Side.BUSINESS,
        purpose="End a customer's service as a last resort: reasons, the contract clause, an "
        "effective date that honours the notice period, alternatives and how to respond.",
        jurisdiction="ANY",
        required=(
            *_BUSINESS_SENDS,
            "letter.reasons_for_termination",
            "letter.contract_clause",
            "letter.notice_days",
            "letter.alternatives",
            "letter.how_to_respond",
        ),
        optional=(
            "customer.address",
            "handler.role",
            "letter.effective_date",
            "letter.final_steps",
            "case.account_number",
        ),
        sources=(
            LetterSource(
                "The customer's contract (notice clause)",
                POL,
                note="No general statutory notice period was found; regulated sectors (energy, "
                "telecoms, utilities) have their own rules, not encoded here.",
            ),
        ),
        delivery="Post (recorded) and e-mail.",
        starts="The end of the notice period (the effective date).",
    ),
    *TERMINATION_LETTERS,
)

# disputes (imported here, after the names it uses are defined)
from plaint.domain.letters.catalogue_disputes import LETTERS as _DISPUTES_LETTERS  # noqa: E402

_LETTERS = (*_LETTERS, *_DISPUTES_LETTERS)

CATALOGUE: dict[str, LetterSpec] = {spec.id: spec for spec in _LETTERS}


def letter_spec(kind: str) -> LetterSpec:
    try:
        return CATALOGUE[kind]
    except KeyError:
        raise UnknownLetter(kind) from None
