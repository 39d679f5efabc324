"""The previous-contacts summary builds itself from the logged contacts; the DISP 1 Annex
3R wording is reproduced from its data file, with its source and last-verified date."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from plaint.domain.letters import InvalidFields, letter_make, letter_prepare
from plaint.domain.letters.fragments import PLACEHOLDER_OPEN
from tests.letters.records import request

CONTACTS = [
    {"at": "2026-02-20 09:00", "channel": "chat", "direction": "inbound", "ticket_number": "T-2"},
    {
        "at": "2026-02-10 14:05",
        "channel": "email",
        "ticket_number": "T-1",
        "wait_minutes": 35,
    },
    {
        "at": "2026-02-12 14:05",
        "channel": "email",
        "direction": "outbound",
        "representative": "Priya",
    },
    {"at": "2026-02-12 16:05", "channel": "email", "direction": "inbound", "wait_minutes": 10},
]


def escalation(contacts: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    req = request("escalation", ("md", "txt"))
    return letter_make(type(req)(**{**req.__dict__, "contacts": contacts}))


def test_previous_contacts_summary_from_the_log() -> None:
    letter = escalation(CONTACTS)
    lines = letter.prepared.contacts
    assert [c.at.day for c in lines] == [10, 12, 12, 20]  # in order of time
    assert lines[0].reply_after == timedelta(days=2)  # answered by Priya's e-mail
    assert lines[0].reply_words == "48 hours"
    assert lines[2].unanswered and lines[3].unanswered  # nothing from the business after
    summary = letter.prepared.summary
    assert (summary.count, summary.total_wait_minutes, summary.unanswered) == (3, 45, 2)
    text = letter.outputs["txt"].decode()
    assert "I have contacted you 3 times about this since 10 February 2026" in text
    assert "45 minutes waiting on hold" in text and "2 of my contacts still have no reply" in text
    row = next(line for line in text.splitlines() if line.startswith("| 10 Feb 2026 14:05"))
    assert "| email | me |  | T-1 | 35 min | 48 hours |" in row
    assert "| email | you | Priya |" in text


def test_no_contacts_says_so() -> None:
    text = escalation([]).outputs["txt"].decode()
    assert "| Date |" not in text and "not yet been able to reach anyone" in text


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"channel": "phone"}, "contacts[1].at"),
        ({"at": "yesterday", "channel": "phone"}, "contacts[1].at"),
        ({"at": "2026-02-01", "channel": "pigeon"}, "contacts[1].channel"),
        (
            {"at": "2026-02-01", "channel": "phone", "direction": "sideways"},
            "contacts[1].direction",
        ),
        (
            {"at": "2026-02-01", "channel": "phone", "wait_minutes": "ages"},
            "contacts[1].wait_minutes",
        ),
        ({"at": "2026-02-01", "channel": "phone", "mood": "bad"}, "contacts[1]"),
    ],
)
def test_bad_contacts_are_named(contact: dict[str, object], field: str) -> None:
    req = request("escalation")
    with pytest.raises(InvalidFields) as caught:
        letter_prepare(type(req)(**{**req.__dict__, "contacts": [contact]}))
    assert field in caught.value.errors


REQUIRED = Path(__file__).parents[2] / "src/plaint/domain/letters/templates/required"


def test_fca_final_response_reproduces_the_annex_paragraph_exactly() -> None:
    letter = letter_make(request("final-response", ("txt", "md")))
    text = letter.outputs["txt"].decode()
    paragraph = (REQUIRED / "disp-1-annex-3r.md").read_text().split("\n---\n", 1)[1].strip()
    assert paragraph.startswith("You have the right to refer your complaint")
    assert paragraph in text and paragraph in letter.outputs["md"].decode()
    assert "free of charge \u2013 but you must do so within six months" in text  # en dash
    assert PLACEHOLDER_OPEN not in text and not letter.incomplete
    assert "(last verified 1 December 2026)" in text
    assert any("secondary source, last verified 2026-12-01" in w for w in letter.warnings)
    assert "2 September 2026" in text  # six months from 2 March 2026


def test_annex_wording_plaint_does_not_hold_is_refused_not_invented() -> None:
    req = request("final-response", **{"letter.fos_time_limit_case": "out_of_time_no_waiver"})
    with pytest.raises(InvalidFields) as caught:
        letter_make(req)
    message = caught.value.errors["letter.fos_time_limit_case"]
    assert "does not yet hold verified wording" in message
    assert "required/disp-1-annex-3r-out_of_time_no_waiver.md" in message


def test_non_fca_final_response_has_no_annex_wording() -> None:
    letter = letter_make(request("final-response", ("txt",), **{"case.regime": "US-CFPB"}))
    text = letter.outputs["txt"].decode()
    assert "Financial Ombudsman" not in text and not letter.incomplete
    assert not any("Annex" in w for w in letter.warnings)


def test_fca_final_response_needs_the_annex_paragraph() -> None:
    from plaint.domain.letters import MissingFields

    with pytest.raises(MissingFields, match="fos_time_limit_case"):
        letter_prepare(request("final-response", **{"letter.fos_time_limit_case": ""}))


def test_organisation_supplied_annex_wording(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "required").mkdir()
    (tmp_path / "required" / "disp-1-annex-3r.md").write_text(
        "---\nsource: FCA Handbook DISP 1 Annex 3R\nlast_verified: 2026-12-24\n"
        "verification: primary\n---\nChecked wording from the current Annex.\n"
    )
    letter = letter_make(request("final-response", ("txt",)), override_dir=tmp_path)
    assert "Checked wording from the current Annex." in letter.outputs["txt"].decode()
    assert not letter.incomplete
    assert any("supplied by the organisation" in w for w in letter.warnings)


def test_cease_and_desist_warns_about_too_much_evidence() -> None:
    req = request("cease-and-desist")
    many = [{"description": f"Screenshot {n}"} for n in range(1, 8)]
    letter = letter_make(type(req)(**{**req.__dict__, "evidence": many}))
    assert any("focus on the key evidence" in w for w in letter.warnings)
    assert not any("key evidence" in w for w in letter_make(req).warnings)
