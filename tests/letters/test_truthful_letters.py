"""Issue 10: every date and sentence a letter states is true (the Letters items)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.domain.letters import InvalidFields, LetterRequest, letter_make, letter_prepare
from tests.letters.records import request

EXAMPLES = Path(__file__).parents[2] / "examples"


def with_(req: LetterRequest, **changes: Any) -> LetterRequest:
    return type(req)(**{**req.__dict__, **changes})


def text_of(kind: str, fmt: str = "txt", **values: Any) -> str:
    return letter_make(request(kind, (fmt,), **values)).outputs[fmt].decode()


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("letter", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- 1. contacts summary

LIVE_AND_LATER = [
    # A call answered by Sam at the time.
    {"at": "2026-02-10 14:05", "channel": "phone", "representative": "Sam", "wait_minutes": 35},
    # An e-mail from the customer, answered by the business two days later.
    {"at": "2026-02-14 09:30", "channel": "email", "direction": "inbound"},
    {"at": "2026-02-16 09:30", "channel": "email", "direction": "outbound", "representative": "P"},
    # A chat answered by Alex at the time.
    {"at": "2026-02-24 17:20", "channel": "chat", "representative": "Alex", "wait_minutes": 22},
    # A letter from the customer with nothing after it.
    {"at": "2026-02-25 10:00", "channel": "letter", "direction": "inbound"},
]


def test_contacts_answered_at_the_time_are_answered_and_only_mine_count() -> None:
    letter = letter_make(with_(request("escalation", ("txt",)), contacts=LIVE_AND_LATER))
    summary = letter.prepared.summary
    assert summary.count == 4  # the business's own e-mail is not one of my contacts
    assert summary.unanswered == 1  # only the letter
    text = letter.outputs["txt"].decode()
    assert "I have contacted you 4 times about this since 10 February 2026" in text
    assert "1 of my contacts still has no reply" in text
    assert "The longest wait for a reply was 48 hours." in text
    call = next(line for line in text.splitlines() if "10 Feb 2026 14:05" in line)
    assert "at the time" in call and "days" not in call and "no reply" not in call
    chat = next(line for line in text.splitlines() if "24 Feb 2026 17:20" in line)
    assert "at the time" in chat and "no reply" not in chat


def test_a_call_nobody_answered_still_waits_for_a_reply() -> None:
    contacts = [{"at": "2026-02-10 14:05", "channel": "phone", "wait_minutes": 50}]
    letter = letter_make(with_(request("escalation", ("txt",)), contacts=contacts))
    assert letter.prepared.summary.unanswered == 1


# ---------------------------------------------------------------- 2. --date and letter_date


def _case_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_command_line_date_and_case_file_date_disagreeing_is_an_error(tmp_path: Path) -> None:
    source = (EXAMPLES / "faulty-goods-uk.yaml").read_text()
    path = _case_file(tmp_path, source)  # letter_date: 2026-03-02
    with pytest.raises(CommandError, match=r"--date 2026-03-05.*letter_date 2026-03-02"):
        run("new", "complaint", "--case", str(path), "--date", "2026-03-05")
    out, _ = run("new", "complaint", "--case", str(path), "--date", "2026-03-02")
    assert "2 March 2026" in out
    without = _case_file(tmp_path, source.replace("letter_date: 2026-03-02\n", ""))
    out, _ = run("new", "complaint", "--case", str(without), "--date", "2026-03-05")
    assert "5 March 2026" in out


# ---------------------------------------------------------------- 3. final response


def test_final_response_carries_the_required_wording_with_its_source() -> None:
    letter = letter_make(request("final-response", ("txt",)))
    text = letter.outputs["txt"].decode()
    assert "TO COMPLETE" not in text and not letter.incomplete
    assert "FCA Handbook DISP 1 Annex 3R" in text and "last verified" in text
    assert "You have the right to refer your complaint to the Financial Ombudsman Service" in text


def test_final_response_lists_the_leaflet_it_encloses_and_says_how_to_accept() -> None:
    text = text_of("final-response")
    enclosures = text[text.index("Enclosures") :]
    assert "Financial Ombudsman Service's standard explanatory leaflet" in enclosures
    assert "To accept" in text and "AC-2026-000001" in text


@pytest.mark.parametrize("outcome", ["offer", "reject"])
def test_final_response_whose_outcome_contradicts_its_findings_is_refused(outcome: str) -> None:
    req = request(
        "final-response",
        ("txt",),
        **{
            "letter.outcome": outcome,
            "letter.findings": "We should have recorded your request to change the due date.",
            "letter.reasons": "Our terms allow the fee.",
        },
    )
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(req)
    message = caught.value.errors["letter.outcome"]
    assert "we should have" in message.lower() and "accept" in message


# ---------------------------------------------------------------- 4. FDCPA stop contact


def test_stop_contact_covers_third_parties_work_and_the_spoken_request() -> None:
    text = text_of(
        "us-fdcpa-stop-contact",
        **{
            "letter.third_parties": "my sister and my neighbour",
            "letter.contacted_at_work": True,
            "letter.employer_prohibits": True,
            "letter.stop_requested_on": date(2026, 2, 21),
            "letter.stop_requested_how": "on the phone to your agent Kim",
        },
    )
    assert "1692c(b)" in text and "1692b" in text and "my sister and my neighbour" in text
    assert "1692c(a)(3)" in text and "place of work" in text
    assert "February 21, 2026" in text and "on the phone to your agent Kim" in text
    plain = text_of("us-fdcpa-stop-contact")
    assert "1692c(b)" not in plain and "place of work" not in plain


# ---------------------------------------------------------------- 5. nothing invented


def test_no_delivery_method_is_invented() -> None:
    text = text_of("cease-and-desist")
    assert "tracked post" not in text and "sent by" not in text
    given = text_of("cease-and-desist", **{"letter.delivery": "recorded delivery"})
    assert "This letter is sent by recorded delivery." in given


def test_the_date_it_happened_is_not_when_it_began_or_when_it_was_bought() -> None:
    for kind in ("escalation", "cease-and-desist", "complaint"):
        text = text_of(kind)
        assert "began" not in text and "I bought" not in text, kind
        assert "3 February 2026" in text, kind


def test_charges_not_agreed_only_when_the_case_says_so() -> None:
    assert "I did not agree to these charges" not in text_of("cease-and-desist")
    said = text_of("cease-and-desist", **{"letter.charges_not_agreed": True})
    assert "I did not agree to these charges" in said


def test_fcba_notice_goes_to_the_card_issuer_with_no_repeated_line() -> None:
    text = text_of("us-fcba-billing-error", "md")
    head = text[: text.index("Subject")]
    block = head.split("February 10, 2026" if "February 10" in head else "2026\n\n", 1)[-1]
    lines = [line for line in head.splitlines() if line.strip()]
    assert "Card Services, Billing Inquiries" in head
    assert "Acme Energy Ltd" not in block.split("Dear")[0].split("\n\n", 1)[-1]
    assert len(lines) == len(set(lines)), lines
    assert "Morgan Reyes" not in text  # the merchant's contact is not the card issuer's


# ---------------------------------------------------------------- 7. encoding


def test_a_case_file_that_is_not_utf8_names_the_problem_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(b"customer:\n  name: Ren\xe9e Dupont\n")
    with pytest.raises(CommandError, match=r"not UTF-8.*line 2"):
        run("new", "complaint", "--case", str(path))


# ---------------------------------------------------------------- 8. markup


def test_markdown_has_no_stray_escapes_and_text_has_no_markup() -> None:
    values = {"letter.their_sender": "Okafor & Lane Solicitors\n5 Court Lane\nLeeds"}
    md = text_of("cease-and-desist-reply", "md", **values)
    assert "Okafor & Lane Solicitors" in md and "\\&" not in md
    md = text_of("complaint", "md", **{"case.order_number": "#4471", "customer.email": "a_b@x.org"})
    assert "\\#" not in md and "a_b@x.org" in md
    for kind in ("escalation", "final-response", "us-fcba-billing-error"):
        assert "**" not in text_of(kind, "txt"), kind


def test_markdown_still_neutralises_structure() -> None:
    md = text_of("complaint", "md", **{"case.description": "# Heading\n- item\n**bold**"})
    assert "\\# Heading" in md and "\\- item" in md and "\\*\\*bold\\*\\*" in md


# ---------------------------------------------------------------- 9. dates


def test_past_deadlines_are_refused_in_words() -> None:
    req = request("us-fdcpa-validation-request", ("txt",))
    late = with_(req, today=date(2026, 10, 20), values={**req.values})
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(late)
    message = caught.value.errors["letter.validation_notice_date"]
    assert "the validation period ended on" in message and "2026-" not in message
    assert "March" in message


def test_absurd_compliance_days_are_refused() -> None:
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(request("cease-and-desist", **{"letter.compliance_days": 99999}))
    assert "letter.compliance_days" in caught.value.errors


def test_an_incident_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(request("complaint", **{"case.occurred_on": date(2026, 6, 1)}))
    assert "after the date of the letter" in caught.value.errors["case.occurred_on"]


def test_a_holding_response_after_eight_weeks_needs_the_ombudsman_wording() -> None:
    late = {"letter.expected_by": date(2026, 5, 20), "case.received_on": date(2026, 3, 1)}
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(request("holding-response", **late))
    assert "letter.fos_referral_now" in caught.value.errors
    assert "eight weeks" in caught.value.errors["letter.fos_referral_now"]


# ---------------------------------------------------------------- 10. conventions


def test_us_letters_default_to_us_letter_and_say_sincerely() -> None:
    req = with_(request("us-fdcpa-stop-contact", ("md", "docx")), page_size="")
    letter = letter_make(req)
    assert letter.prepared.page_size == "Letter"
    md = letter.outputs["md"].decode()
    assert "Sincerely," in md and "Yours sincerely" not in md
    assert "Dear Recovery" not in md and "Dear Acme Energy Ltd" not in md
    uk = letter_make(with_(request("complaint"), page_size=""))
    assert uk.prepared.page_size == "A4"


def test_salutation_uses_title_and_surname_or_no_firm_oddities() -> None:
    md = text_of(
        "complaint", **{"business.contact_honorific": "Mr", "business.contact_name": "Alan Price"}
    )
    assert "Dear Mr Price," in md and "Yours sincerely," in md
    firm = text_of(
        "cease-and-desist-reply",
        **{"letter.their_sender": "Okafor & Lane Solicitors\n5 Court Lane\nLeeds"},
    )
    assert "Dear Okafor" not in firm and "Dear Sir or Madam," in firm
    assert "Yours faithfully," in firm
    customer = text_of("final-response", **{"customer.honorific": "Ms"})
    assert "Dear Ms Whitfield," in customer


@pytest.mark.parametrize("kind", ["complaint", "acknowledgement", "us-fdcpa-stop-contact"])
def test_every_letter_has_space_to_sign_and_an_enclosures_list(kind: str) -> None:
    req = with_(request(kind, ("txt",)), evidence=[])
    text = letter_make(req).outputs["txt"].decode()
    assert "____" in text
    assert "Enclosures: none" in text


# ---------------------------------------------------------------- 11. no trace in cwd


def test_letter_new_writes_nothing_into_the_current_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAINT_", "DATABASE_URL"))}
    env["DJANGO_SETTINGS_MODULE"] = "plaint.config.settings"
    done = subprocess.run(
        [sys.executable, "-m", "plaint", "letter", "new", "complaint", "--case",
         str(EXAMPLES / "faulty-goods-uk.yaml")],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Complaint about" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_letter_dated_in_the_past_is_warned_about_with_its_passed_dates() -> None:
    from plaint.domain.letters.render import past_date_warnings

    prepared = letter_prepare(request("cease-and-desist"))  # dated 2 March 2026
    warnings = past_date_warnings(prepared, date(2026, 12, 1))
    assert warnings[0] == "The letter is dated 2 March 2026, before today (1 December 2026)."
    assert "The date to comply by, 16 March 2026, has already passed." in warnings
    assert past_date_warnings(prepared, date(2026, 3, 2)) == []


def test_a_newline_in_a_single_line_field_cannot_break_a_block() -> None:
    text = text_of("final-response", **{"handler.name": "Sam\nPatel", "customer.name": "Dana\nW"})
    assert "Sam Patel\n" in text and "Dana W\n" in text and "Sam\nPatel" not in text


def test_plain_text_keeps_the_blank_lines_of_the_markdown() -> None:
    text = text_of("escalation")
    assert "Subject: Urgent: escalation required for order #INV-12345\n\nDear" in text
    assert "It happened on 3 February 2026.\n\nMy details." in text
