"""Letter check: review any letter text (generated or written by hand) against the
checklist of its kind and say what is missing.

The checks are deliberately plain pattern tests on the text: they find a missing order
number in the subject line or a letter with no deadline date; they cannot judge whether
the wording is persuasive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from plaint.domain.letters.catalogue import CATALOGUE, UnknownLetter
from plaint.domain.letters.fragments import PLACEHOLDER_OPEN

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
DATE = re.compile(
    rf"\b(\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+\d[\d\s().-]{7,}\d|\(?\d{3,5}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4})")
AMOUNT = re.compile(
    r"(?:[$£€]\s?\d[\d,]*(?:\.\d{2})?|\b\d[\d,]*\.\d{2}\b|\b\d+\s?(?:USD|GBP|EUR)\b)"
)
REFERENCE = re.compile(
    r"(?:#\s?[A-Z0-9-]*\d|\b(?:order|account|acct|ref(?:erence)?|invoice|ticket)\b[\s:.#no]*[A-Z0-9-]*\d)",
    re.IGNORECASE,
)
SUBJECT = re.compile(r"^\W*(?:subject|re)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


def _has(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    return lambda text: compiled.search(text) is not None


def _unless(trigger: str, answer: str) -> Callable[[str], bool]:
    """Passes unless the text says `trigger` without also saying `answer`."""
    said, answered = _has(trigger), _has(answer)
    return lambda text: not said(text) or answered(text)


def _subject(text: str) -> str:
    match = SUBJECT.search(text)
    return match.group(1) if match else ""


def _dates(text: str) -> int:
    return len(DATE.findall(text))


def _list_items_after(text: str, heading: str) -> int:
    match = re.search(heading, text, re.IGNORECASE)
    if not match:
        return 0
    items = 0
    for line in text[match.end() :].splitlines()[1:]:
        if re.match(r"^\s*(?:[-*•]|\d+[.)])\s+\S", line):
            items += 1
        elif line.strip() and items:
            break
    return items


Check = tuple[str, Callable[[str], bool], str]

_CONTACT: list[Check] = [
    ("no_email", lambda t: EMAIL.search(t) is not None, "no e-mail address to reply to"),
    ("no_phone", lambda t: PHONE.search(t) is not None, "no phone number (with area code)"),
]
_DATED: Check = ("no_letter_date", lambda t: _dates(t) >= 1, "the letter is not dated")
_DEADLINE: Check = (
    "no_deadline_date",
    lambda t: (
        re.search(
            rf"(?:by|until|before|within|no later than|ends on)\s+[^.\n]{{0,40}}?{DATE.pattern}",
            t,
            re.IGNORECASE,
        )
        is not None
    ),
    "no deadline date (say by which date you expect an answer or action)",
)
_NOT_ADVICE: Check = (
    "no_legal_advice_note",
    _has(r"not legal advice"),
    "a letter that cites the law should say it is not legal advice",
)
_NO_PLACEHOLDER: Check = (
    "unfinished_placeholder",
    lambda t: (
        PLACEHOLDER_OPEN not in t and re.search(r"\[(?:your|insert|date|name)\b", t, re.I) is None
    ),
    "the letter still has a placeholder to fill in",
)

CHECKLISTS: dict[str, list[Check]] = {
    "complaint": [
        _DATED,
        (
            "no_purchase",
            _has(r"\b(bought|purchased|ordered|paid|leased|rented|repaired)\b"),
            "does not say what was bought, when and where",
        ),
        (
            "no_problem",
            _has(r"\b(wrong|fault|defect|broke|problem|not work|failed|charged)"),
            "does not say what went wrong",
        ),
        (
            "no_remedy",
            _has(r"\b(refund|repair|replace|exchange|credit|reimburse|put (this|it) right)"),
            "does not say what you want done (refund, repair, exchange...)",
        ),
        (
            "no_enclosures",
            _has(r"\b(enclos|attach|cop(y|ies))"),
            "does not mention the copies of receipts or documents enclosed",
        ),
        (
            "originals",
            _unless(r"\boriginals?\b", r"(kept|keep|keeping)[^.]{0,30}originals?|copies"),
            "send copies, never originals",
        ),
        _DEADLINE,
        (
            "no_escalation_step",
            _has(
                r"(consumer protection|agency|trading standards|ombudsman|attorney general"
                r"|better business|regulator)"
            ),
            "does not say where you will go if there is no answer (a consumer protection agency)",
        ),
        (
            "no_contact_details",
            lambda t: EMAIL.search(t) is not None or PHONE.search(t) is not None,
            "no contact details",
        ),
    ],
    "escalation": [
        ("no_subject", lambda t: bool(_subject(t)), "no subject line"),
        (
            "subject_not_urgent",
            lambda t: re.search(r"urgent|escalat", _subject(t), re.I) is not None,
            "the subject line does not signal urgency (e.g. 'Urgent: escalation required')",
        ),
        (
            "no_reference_in_subject",
            lambda t: REFERENCE.search(_subject(t)) is not None,
            "no order number in the subject line",
        ),
        ("no_issue_date", lambda t: _dates(t) >= 2, "no date when the problem happened"),
        (
            "no_previous_contacts",
            _has(r"\b(ticket|spoke|called|contacted|chat|representative|agent)\b"),
            "no summary of previous contacts (dates, ticket numbers, names)",
        ),
        (
            "no_resolution",
            _has(r"\b(refund|replace|repair|credit|resolution|compensat)"),
            "no desired resolution",
        ),
        ("no_amount", lambda t: AMOUNT.search(t) is not None, "no amount for the resolution"),
        *_CONTACT,
        (
            "no_best_times",
            _has(
                r"best times?\b|\bavailable\b|convenient time"
                r"|reach me (?:after|before|between|on weekdays|any)"
            ),
            "does not say the best times to reach you",
        ),
    ],
    "cease-and-desist": [
        _DATED,
        ("no_addressee", _has(r"^\s*dear\b|\bto:"), "no one is addressed"),
        (
            "no_demand",
            _has(r"\b(stop|cease|desist|refrain)\b"),
            "no clear demand that the conduct stop",
        ),
        _DEADLINE,
        (
            "no_consequence",
            _has(r"(complaint|agency|legal|attorney|solicitor|lawyer|court|regulator)"),
            "does not say what you will do if it is ignored",
        ),
        (
            "too_much_evidence",
            lambda t: _list_items_after(t, r"enclos|evidence|attach") <= 5,
            "more than 5 items of evidence: focus on the key evidence",
        ),
        (
            "no_delivery_note",
            _has(r"(certified|recorded|tracked|trackable|registered|signed for|e-?mail)"),
            "does not record how it was sent (e-mail plus a trackable physical copy)",
        ),
    ],
    "us-fcba-billing-error": [
        _DATED,
        ("no_account_number", lambda t: REFERENCE.search(t) is not None, "no account number"),
        ("no_billing_error", _has(r"billing error"), "does not say there is a billing error"),
        ("no_amount", lambda t: AMOUNT.search(t) is not None, "no amount of the error"),
        ("no_reasons", _has(r"\b(because|why|reason)"), "no reasons for believing it is an error"),
        (
            "wrong_address",
            _has(r"billing (inquir|error|dispute)"),
            "not addressed to the billing-error (billing inquiries) address",
        ),
        _NOT_ADVICE,
    ],
    "us-fdcpa-stop-contact": [
        _DATED,
        (
            "no_stop_request",
            _has(r"(stop|cease)[^.]{0,40}(communicat|contact)|refuse to pay"),
            "no clear request to stop communicating (or refusal to pay)",
        ),
        (
            "phone_only",
            _unless(r"stop (calling|phoning)", r"all communication"),
            "asking only that calls stop may not count: ask that all communication stop",
        ),
        ("no_debt_identified", _has(r"\bdebt\b"), "does not identify the debt"),
        _NOT_ADVICE,
    ],
    "us-fdcpa-validation-request": [
        _DATED,
        ("no_dispute", _has(r"\bdispute"), "does not say the debt is disputed"),
        ("no_verification", _has(r"verif"), "does not ask for verification"),
        (
            "no_original_creditor",
            _has(r"original creditor"),
            "does not ask for the original creditor",
        ),
        _NOT_ADVICE,
    ],
    "us-fcra-dispute": [
        _DATED,
        (
            "no_items",
            _has(r"(inaccurate|incomplete|not mine|wrong)"),
            "does not say which items are wrong",
        ),
        (
            "no_reinvestigation",
            _has(r"reinvestigat|investigat"),
            "does not ask for a reinvestigation",
        ),
        _NOT_ADVICE,
    ],
    "uk-letter-before-claim": [
        _DATED,
        (
            "no_basis",
            _has(r"(basis|breach|contract|owe|consumer rights act)"),
            "does not give the basis of the claim",
        ),
        ("no_remedy", _has(r"(want|ask|refund|pay|amount)"), "does not say what is wanted"),
        _DEADLINE,
        (
            "no_proceedings_warning",
            _has(r"(court|proceedings|claim)"),
            "does not say court proceedings may follow",
        ),
        (
            "no_adr",
            _has(r"(mediation|ombudsman|dispute resolution|adr|debt advice)"),
            "does not mention alternative dispute resolution (or debt advice)",
        ),
        _NOT_ADVICE,
    ],
    "uk-cra-short-term-rejection": [
        _DATED,
        ("no_rejection", _has(r"\breject"), "does not clearly reject the goods"),
        ("no_refund", _has(r"\brefund"), "does not ask for a refund"),
        ("no_delivery_date", lambda t: _dates(t) >= 2, "does not give the delivery date"),
        _NOT_ADVICE,
    ],
    "acknowledgement": [
        _DATED,
        ("no_reference", lambda t: REFERENCE.search(t) is not None, "no case reference"),
        (
            "no_next_steps",
            _has(r"what happens next|next step|we will"),
            "does not say what happens next",
        ),
        _DEADLINE,
    ],
    "holding-response": [
        _DATED,
        ("no_progress", _has(r"(so far|we have)"), "does not say what has been done"),
        _DEADLINE,
    ],
    "final-response": [
        _DATED,
        ("no_decision", _has(r"(uphold|do not uphold|offer|reject|decision)"), "no decision"),
        ("no_reasons_or_findings", _has(r"(found|reason|because)"), "no findings or reasons"),
        _NO_PLACEHOLDER,
    ],
    "resolution-confirmation": [
        _DATED,
        ("no_agreement", _has(r"agree"), "does not say what was agreed"),
        _DEADLINE,
    ],
    "cease-and-desist-reply": [
        _DATED,
        (
            "no_acknowledgement",
            _has(r"acknowledge|received your letter|your letter"),
            "does not acknowledge their letter",
        ),
        ("no_investigation", _has(r"investigat"), "does not say what is being investigated"),
        ("no_actions", _has(r"we will|we have"), "does not say what will be done"),
        _DEADLINE,
    ],
    "service-termination": [
        _DATED,
        ("no_reasons", _has(r"(why|because|reason)"), "does not give the reasons"),
        (
            "no_effective_date",
            _has(rf"(effect|end|from)[^.\n]{{0,40}}{DATE.pattern}"),
            "no effective date",
        ),
        ("no_notice_period", _has(r"notice"), "does not mention the notice period"),
        ("no_alternatives", _has(r"alternative"), "offers no alternatives"),
        (
            "no_how_to_respond",
            _has(r"(respond|reply|contact us|tell us|write to)"),
            "does not say how to respond",
        ),
    ],
    # termination
    "termination-warning": [
        _DATED,
        ("no_reasons", _has(r"(why|because|reason|happened)"), "does not say what happened"),
        ("no_change", _has(r"(we ask|please)"), "does not say what must change"),
        ("no_notice_promise", _has(r"notice"), "does not say notice would come first"),
    ],
    "service-termination-withdrawn": [
        _DATED,
        ("no_withdrawal", _has(r"withdrawn"), "does not say the notice is withdrawn"),
        ("no_reasons", _has(r"(why|because|reason)"), "does not give the reasons"),
        ("no_continues", _has(r"continues"), "does not say the service continues"),
    ],
    # disputes
    "deadlock-letter": [
        _DATED,
        (
            "not_identified",
            _has(r"(deadlock letter|eight-week letter|8-week letter)"),
            "does not say it is a deadlock or 8-week letter",
        ),
        ("no_position", _has(r"our position"), "does not give the business's position"),
        (
            "no_scheme",
            _has(r"(ombudsman|dispute resolution|adr|cisas)"),
            "does not name the ADR scheme",
        ),
    ],
    "solicitor-authority-request": [
        _DATED,
        ("no_authority", _has(r"authority"), "does not ask for the authority to act"),
        ("no_reference", lambda t: REFERENCE.search(t) is not None, "no case reference"),
    ],
    "cease-and-desist-final-notice": [
        _DATED,
        ("no_first_letter", _has(r"wrote to you"), "does not refer to the first letter"),
        _DEADLINE,
        (
            "no_consequence",
            _has(r"(complaint with|legal advice)"),
            "does not say what happens if it is ignored",
        ),
        ("no_copy_kept", _has(r"kept a copy"), "does not say a copy was kept"),
    ],
    "us-fcra-procedure-request": [
        _DATED,
        (
            "no_procedure",
            _has(r"description of the procedure"),
            "does not ask for the description of the procedure used",
        ),
        ("no_period", _has(r"15 days"), "does not say it is due within 15 days"),
        ("no_copy_kept", _has(r"kept a copy"), "does not say a copy was kept"),
        _NOT_ADVICE,
    ],
    "negotiation-proposal": [
        _DATED,
        ("no_proposal", _has(r"I propose"), "does not say what is proposed"),
        _DEADLINE,
    ],
    "mediation-request": [
        _DATED,
        ("no_mediation", _has(r"mediat"), "does not propose mediation"),
        _DEADLINE,
    ],
    "notice-of-arbitration": [
        _DATED,
        ("no_clause", _has(r"arbitration clause"), "does not name the arbitration clause"),
        ("no_claim", _has(r"(ask for|seek|want)"), "does not say what is claimed"),
    ],
}


def letter_check(text: str, kind: str) -> list[Finding]:
    """What the letter text lacks for its kind; an empty list means every check passed."""
    if kind not in CATALOGUE:
        raise UnknownLetter(kind)
    return [Finding(code, message) for code, test, message in CHECKLISTS[kind] if not test(text)]
