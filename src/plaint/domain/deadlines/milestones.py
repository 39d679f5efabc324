"""Milestones: the dated facts of a case that start, pause or meet deadlines.

Two come from the case itself: `complaint_received` (its received time) and
`cfpb_sent_to_company` (for complaints that came through the CFPB portal). The others
are recorded by staff (`case_milestone_record`). ``status:X`` names the moment the case
moved to status X.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Milestone:
    name: str
    label: str
    scheduled: bool = False  # may be recorded ahead of time (a known future date)


MILESTONES: dict[str, Milestone] = {
    m.name: m
    for m in (
        Milestone("complaint_received", "Complaint received"),
        Milestone("cfpb_sent_to_company", "CFPB sent the complaint to the company"),
        Milestone("acknowledgement_sent", "Acknowledgement sent"),
        Milestone("holding_response_sent", "Holding response sent"),
        Milestone("delay_response_sent", "Written explanation of delay sent"),
        Milestone("final_response_sent", "Final response sent"),
        Milestone("summary_resolution_sent", "Summary resolution communication sent"),
        Milestone("company_response_sent", "Company response sent (CFPB portal)"),
        Milestone("ombudsman_referral_made", "Customer referred the complaint to the ombudsman"),
        Milestone("deadlock_letter_sent", "Deadlock / ADR letter sent"),
        Milestone("statement_transmitted", "Statement showing the error sent to the customer"),
        Milestone("billing_notice_received", "Billing-error notice received by the creditor"),
        Milestone(
            "second_billing_cycle_closes", "Second complete billing cycle closes", scheduled=True
        ),
        Milestone("validation_info_provided", "Debt validation information provided"),
        Milestone("debt_disputed_in_writing", "Debt disputed in writing"),
        Milestone("dispute_received", "Credit-report dispute received"),
        Milestone(
            "new_information_received", "Relevant new information received from the consumer"
        ),
        Milestone("furnisher_notified", "Furnisher notified of the dispute"),
        Milestone("reinvestigation_completed", "Reinvestigation completed"),
        Milestone("goods_delivered", "Goods delivered (ownership passed, installed)"),
        Milestone("goods_rejected", "Customer rejected the goods"),
        Milestone("repair_requested", "Repair or replacement requested"),
        Milestone("repaired_goods_received", "Repaired or replacement goods received"),
        Milestone("refund_agreed", "Trader agreed the customer is entitled to a refund"),
        Milestone("refund_paid", "Refund paid"),
        Milestone("letter_before_claim_received", "Letter before claim received"),
        Milestone("letter_before_claim_answered", "Letter before claim answered"),
        Milestone("debt_letter_of_claim_sent", "Letter of claim for a debt sent"),
        Milestone("debt_reply_form_received", "Debt claim reply form received"),
        Milestone("goods_possession_acquired", "Customer took physical possession of the goods"),
        Milestone("contract_concluded", "Contract concluded"),
        Milestone("withdrawal_notified", "Customer withdrew from the contract"),
        Milestone("adr_file_complete", "ADR body received the complete complaint file"),
        Milestone("adr_outcome_received", "ADR outcome received"),
    )
}

#: Milestones that come from the case record rather than being recorded by hand.
DERIVED = frozenset({"complaint_received", "cfpb_sent_to_company"})


def is_known(name: str) -> bool:
    return name in MILESTONES or name.startswith("status:")
