"""`letter check` on good and bad letters, including ones written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from plaint.domain.letters import UnknownLetter
from plaint.domain.letters.checker import CHECKLISTS, letter_check

SHARED = Path("/work/shared/data/letters")

GOOD_ESCALATION = """Subject: Urgent: escalation required for order #12345

Dear Ms Lee,

On 3 February 2026 my router stopped working. I called on 10 February 2026 (ticket T-1,
spoke with Sam, waited 40 minutes) and e-mailed on 14 February; no reply.
I want a replacement router or a refund of $89.99 for order #12345.
Call me on (713) 555-0142 (best time: after 5pm) or e-mail dana@example.org.
"""


def codes(text: str, kind: str) -> set[str]:
    return {f.code for f in letter_check(text, kind)}


def test_good_hand_written_escalation_passes() -> None:
    assert codes(GOOD_ESCALATION, "escalation") == set()


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (("order #12345\n", "my order\n"), "no_reference_in_subject"),
        (("Urgent: escalation required", "About"), "subject_not_urgent"),
        (("$89.99 ", ""), "no_amount"),
        (("dana@example.org", "me"), "no_email"),
        (("(best time: after 5pm) ", ""), "no_best_times"),
    ],
)
def test_each_escalation_gap_is_found(edit: tuple[str, str], code: str) -> None:
    assert code in codes(GOOD_ESCALATION.replace(*edit), "escalation")


def test_cease_and_desist_without_deadline_or_with_too_much_evidence() -> None:
    letter = (
        "Dear Sir or Madam,\n12 March 2026\nStop calling me at work. If you do not stop by "
        "26 March 2026 I will complain to the regulator.\nSent by e-mail and recorded post.\n"
    )
    assert codes(letter, "cease-and-desist") == set()
    no_date = letter.replace("by 26 March 2026 ", "")
    assert "no_deadline_date" in codes(no_date, "cease-and-desist")
    many = letter + "Enclosed evidence:\n" + "".join(f"- screenshot {n}\n" for n in range(7))
    assert "too_much_evidence" in codes(many, "cease-and-desist")


def test_public_domain_samples() -> None:
    fcba = (SHARED / "ftc_billing_error_dispute_letter.txt").read_text()
    found = codes(fcba, "us-fcba-billing-error")
    # the FTC sample is a blank form: no date filled in, and it does not carry our note
    assert "no_billing_error" not in found and "wrong_address" not in found
    assert "no_legal_advice_note" in found
    stop = (SHARED / "cfpb_debt_collector_stop_contacting_me.txt").read_text()
    found = codes(stop, "us-fdcpa-stop-contact")
    assert "no_stop_request" not in found and "no_debt_identified" not in found


def test_phone_only_request_is_flagged() -> None:
    text = "1 March 2026\nRe: debt\nPlease stop calling me about this debt."
    assert "phone_only" in codes(text, "us-fdcpa-stop-contact")


def test_every_kind_has_a_checklist_and_unknown_kinds_fail() -> None:
    assert all(CHECKLISTS.values())
    with pytest.raises(UnknownLetter):
        letter_check("text", "sonnet")
