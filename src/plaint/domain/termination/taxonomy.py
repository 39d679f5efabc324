"""The words of a termination: why (a fixed taxonomy), what was tried first, and where
the workflow stands."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    ABUSE = "abuse"
    FRAUD = "fraud"
    NON_PAYMENT = "non_payment"
    BREACH_OF_TERMS = "breach_of_terms"
    LEGAL_REQUIREMENT = "legal_requirement"
    COMMERCIAL = "commercial"


REASON_LABELS: dict[Reason, str] = {
    Reason.ABUSE: "Abuse or threats to staff",
    Reason.FRAUD: "Fraud",
    Reason.NON_PAYMENT: "Persistent non-payment",
    Reason.BREACH_OF_TERMS: "Breach of terms",
    Reason.LEGAL_REQUIREMENT: "Legal or regulatory requirement",
    Reason.COMMERCIAL: "Commercial decision",
}

#: Reasons where safety or the law may justify acting without trying an alternative
#: first; the proposal must then say why (it is recorded with that justification).
IMMEDIATE_REASONS = frozenset({Reason.ABUSE, Reason.FRAUD, Reason.LEGAL_REQUIREMENT})


class Alternative(StrEnum):
    WARNING_LETTER = "warning_letter"
    CONTACT_RESTRICTION = "contact_restriction"
    MODIFIED_TERMS = "modified_terms"
    PAYMENT_PLAN = "payment_plan"
    PRODUCT_REFERRAL = "product_referral"

    @property
    def label(self) -> str:
        return {
            "warning_letter": "A warning letter",
            "contact_restriction": (
                "A contact restriction (single point of contact, written contact only)"
            ),
            "modified_terms": "Modified terms",
            "payment_plan": "A payment plan",
            "product_referral": "Referral to another product",
        }[self.value]


class AlternativeOutcome(StrEnum):
    DID_NOT_WORK = "did_not_work"
    DECLINED = "declined"
    NOT_SUITABLE = "not_suitable"
    WORKED = "worked"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Status(StrEnum):
    PROPOSED = "proposed"
    CHECKED = "checked"
    APPROVED = "approved"
    REFUSED = "refused"
    NOTICE_SENT = "notice_sent"
    APPEALED = "appealed"
    REVERSED = "reversed"
    EFFECTIVE = "effective"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: Statuses in which the termination can still be reversed (before the effective date).
REVERSIBLE = frozenset({Status.PROPOSED, Status.CHECKED, Status.APPROVED, Status.NOTICE_SENT,
                        Status.APPEALED})  # fmt: skip
