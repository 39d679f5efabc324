"""Letters of disputes (issue 12): the deadlock and 8-week letters of the UK telecoms and
energy ADR schemes, the request for a solicitor's authority to act, and the customer's
final notice after an ignored cease-and-desist.

The FCA "8-week letter" of DISP 1.6.2R(2) is the existing `holding-response` with
`letter.fos_referral_now`; it is not repeated here. Marks as in catalogue.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from plaint.domain.deadlines.model import Verification
from plaint.domain.letters.catalogue import LetterSource, LetterSpec, Side

P, S, U, POL = (
    Verification.PRIMARY,
    Verification.SECONDARY,
    Verification.UNVERIFIED,
    Verification.POLICY,
)
CHECKED = date(2026, 12, 1)
VERSION = "2026-12-01.1"


def _eight_weeks(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("letter.adr_letter_type") == "eight_weeks":
        return [("case.received_on", "an 8-week letter says when the complaint was received")]
    return []


LETTERS: tuple[LetterSpec, ...] = (
    LetterSpec(
        id="deadlock-letter",
        title="Deadlock or 8-week letter (telecoms and energy ADR)",
        side=Side.BUSINESS,
        purpose="Tell the customer the complaint has reached deadlock, or is unresolved 8 weeks "
        "after it was received, give the business's position and any offer, and name the "
        "ADR scheme the customer may now go to.",
        jurisdiction="GB",
        required=(
            "business.name",
            "customer.name",
            "case.reference",
            "handler.name",
            "letter.adr_letter_type",
            "letter.final_position",
            "letter.adr_scheme",
        ),
        optional=(
            "customer.address",
            "case.received_on",
            "letter.redress",
            "letter.offer_open",
            "handler.role",
        ),
        sources=(
            LetterSource(
                "Ofcom General Condition C4 (ADR letter at deadlock or 8 weeks)",
                P,
                url="https://www.ofcom.org.uk/phones-and-broadband/telecoms-general-conditions",
            ),
            LetterSource(
                "Ombudsman Services, Eight week and deadlock letters (communications, July 2019; "
                "energy, March 2020): identify the letter as such; say whether an offer stays "
                "open",
                P,
            ),
            LetterSource(
                "Gas and Electricity (Consumer Complaints Handling Standards) Regulations 2008, "
                "SI 2008/1898: the regulation imposing the signposting duty",
                U,
                last_verified=CHECKED,
                note="The regulation number of the 8-week/deadlock duty was not confirmed.",
            ),
        ),
        delivery="Post or e-mail (the channel the customer chose), on paper or another durable "
        "medium; keep a copy.",
        starts="The customer may go to the ADR scheme from the date of the letter.",
        version=VERSION,
        milestone=lambda values: "deadlock_letter_sent",
        conditional=_eight_weeks,
    ),
    LetterSpec(
        id="solicitor-authority-request",
        title="Request for a solicitor's authority to act",
        side=Side.BUSINESS,
        purpose="Ask the firm that wrote on the customer's behalf for the customer's signed "
        "authority before discussing the customer's account with it.",
        jurisdiction="ANY",
        required=(
            "business.name",
            "customer.name",
            "case.reference",
            "handler.name",
            "letter.their_sender",
            "letter.their_letter_date",
        ),
        optional=("letter.their_reference", "handler.role"),
        sources=(
            LetterSource(
                "Plaint practice checklist for a cease-and-desist received (issue 12): authority "
                "to act requested or on file",
                POL,
                last_verified=CHECKED,
                note="Practice, not law; the letter cites no statute.",
            ),
        ),
        delivery="The channel their letter came by.",
        starts="No deadline: the account is discussed with the firm once the authority arrives.",
        version=VERSION,
    ),
    LetterSpec(
        id="cease-and-desist-final-notice",
        title="Final notice after an ignored cease-and-desist",
        side=Side.CUSTOMER,
        purpose="Follow up a cease-and-desist letter that was ignored: the first letter, what "
        "has happened since, a last date, and what you will do next.",
        jurisdiction="ANY",
        required=(
            "customer.name",
            "customer.address",
            "business.name",
            "letter.first_letter_date",
            "letter.conduct",
            "letter.final_deadline",
            "letter.agency",
        ),
        optional=(
            "business.address",
            "case.account_number",
            "case.order_number",
            "letter.first_letter_tracking",
            "letter.continued_conduct",
            "letter.delivery",
        ),
        sources=(
            LetterSource(
                "Plaint cease-and-desist checklist (seed 000: what happens if the recipient "
                "ignores the letter)",
                POL,
                last_verified=CHECKED,
                note="Practice, not law; the letter cites no statute.",
            ),
        ),
        delivery="A trackable method (recorded or certified mail) plus e-mail; keep a copy.",
        starts="The last date you set (letter.final_deadline).",
        version=VERSION,
    ),
    LetterSpec(
        id="negotiation-proposal",
        title="Proposal to settle by negotiation",
        side=Side.EITHER,
        purpose="Offer to settle the dispute on stated terms, without further steps, and ask "
        "for a written answer by a date.",
        jurisdiction="ANY",
        required=(
            "customer.name",
            "customer.address",
            "business.name",
            "case.description",
            "letter.proposal",
            "letter.reply_by",
        ),
        optional=("business.address", "case.reference", "case.account_number"),
        sources=(
            LetterSource(
                "Alternatives to a cease-and-desist: negotiation (seed 000)",
                POL,
                last_verified=CHECKED,
                note="Practice, not law; the letter cites no statute.",
            ),
        ),
        delivery="E-mail or post; keep a copy.",
        starts="The reply date you set (letter.reply_by).",
        version=VERSION,
    ),
    LetterSpec(
        id="mediation-request",
        title="Request for mediation",
        side=Side.EITHER,
        purpose="Propose that an independent mediator helps settle the dispute, and ask for a "
        "written answer by a date.",
        jurisdiction="ANY",
        required=(
            "customer.name",
            "customer.address",
            "business.name",
            "case.description",
            "letter.reply_by",
        ),
        optional=("business.address", "case.reference", "letter.mediator"),
        sources=(
            LetterSource(
                "Alternatives to a cease-and-desist: mediation (seed 000)",
                POL,
                last_verified=CHECKED,
            ),
            LetterSource(
                "Practice Direction - Pre-Action Conduct para 8 (litigation a last resort; "
                "consider ADR)",
                S,
                last_verified=CHECKED,
                note="Official text not read; secondary sources agree.",
            ),
        ),
        delivery="E-mail or post; keep a copy.",
        starts="The reply date you set (letter.reply_by).",
        version=VERSION,
    ),
    LetterSpec(
        id="notice-of-arbitration",
        title="Notice of arbitration under the contract",
        side=Side.EITHER,
        purpose="Refer the dispute to arbitration under the contract's arbitration clause, "
        "which the sender says the contract has.",
        jurisdiction="ANY",
        required=(
            "customer.name",
            "customer.address",
            "business.name",
            "case.description",
            "case.desired_resolution",
            "letter.arbitration_clause",
        ),
        optional=("business.address", "case.reference", "case.account_number"),
        sources=(
            LetterSource(
                "Alternatives to a cease-and-desist: arbitration where the contract provides "
                "for it (seed 000)",
                POL,
                last_verified=CHECKED,
                note="The clause itself sets the procedure; the letter only gives notice and "
                "asks the other side to follow it.",
            ),
        ),
        delivery="As the clause requires; otherwise recorded or certified mail. Keep a copy.",
        starts="The reply period the clause or its arbitration rules set.",
        version=VERSION,
    ),
    LetterSpec(
        id="us-fcra-procedure-request",
        title="Request for the method of verification (FCRA)",
        side=Side.CUSTOMER,
        purpose="After a credit-report reinvestigation, ask the consumer reporting agency to "
        "describe the procedure it used to decide the accuracy and completeness of the "
        "disputed items, including the business name, address and (if reasonably available) "
        "phone number of each business it contacted.",
        jurisdiction="US",
        required=(
            "customer.name",
            "customer.address",
            "business.name",
            "business.address",
            "letter.disputed_items",
            "letter.results_date",
        ),
        optional=("case.account_number",),
        sources=(
            LetterSource(
                "15 U.S.C. 1681i(a)(6)(B)(iii) (the results notice says the description is "
                "available on request) and 1681i(a)(7) (the description is due within 15 "
                "days of the request)",
                P,
                url="https://www.law.cornell.edu/uscode/text/15/1681i",
                last_verified=CHECKED,
            ),
        ),
        delivery="Certified mail with return receipt; keep a copy.",
        starts="The agency's description is due within 15 days of receiving the request "
        "(1681i(a)(7)).",
        cites_law=True,
        version=VERSION,
    ),
)


@dataclass(frozen=True)
class NotOffered:
    """A letter the issue asks for that Plaint does not write yet, with the reason: the
    rule behind it is not verified in legal_rules.md, and a letter may not cite what was
    not read."""

    id: str
    title: str
    reason: str


NOT_OFFERED: tuple[NotOffered, ...] = (
    NotOffered(
        "us-fcra-furnisher-direct-dispute",
        "Credit-report dispute sent directly to the furnisher (FCRA)",
        "Its rule, Regulation V 12 CFR 1022.43 (about 30 days), is marked ⚠️ not read in "
        "legal_rules.md §3. Dispute through the reporting agency instead (us-fcra-dispute), "
        "whose rules are ✅.",
    ),
    NotOffered(
        "us-fcra-605b-identity-theft-block",
        "Identity-theft block request (FCRA 605B, with the FTC report)",
        "15 U.S.C. 1681c-2 (FCRA 605B) is not in legal_rules.md: its content and time "
        "limits were not read. IdentityTheft.gov (FTC) is named as a next step instead.",
    ),
    NotOffered(
        "us-demand-before-small-claims",
        "Demand letter before small claims (US)",
        "No US state's small-claims pre-filing demand rule is in legal_rules.md; only the "
        "England & Wales letter before claim (PD-PAC para 6, 🟡) is. The 'what next' step "
        "is shown as ⚠️ without a letter.",
    ),
)
