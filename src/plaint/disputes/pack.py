"""The referral pack: the case file as an ombudsman asks for it (the complaint, the final
response, the timeline, the evidence list and the letters), as one PDF. A read: it changes
nothing and records nothing. When the evidence-pack export exists, the referral should use
it; until then this simpler PDF stands in (issue 12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string

from plaint.cases.models import Case
from plaint.cases.selectors import case_evidence, case_timeline
from plaint.disputes.selectors import referral_option
from plaint.domain import timeline
from plaint.domain.letters.formats import pdf_from_html
from plaint.letters.selectors import case_letters

_MILESTONES_OF_RESPONSE = ("final_response_sent", "summary_resolution_sent", "deadlock_letter_sent")


@dataclass(frozen=True)
class PackLine:
    when: str
    text: str
    detail: str


def referral_pack_html(*, case: Case, today: date) -> str:
    """The pack as an HTML page (autoescaped: the record's text is shown, never run)."""
    zone = ZoneInfo(case.organisation.time_zone)
    window = referral_option(case=case, today=today)  # refuses a regime with no route
    lines = [
        PackLine(
            entry.event.occurred_at.astimezone(zone).strftime("%d %b %Y %H:%M"),
            timeline.describe(entry.payload),
            timeline.detail(entry.payload),
        )
        for entry in case_timeline(case=case)
    ]
    letters = case_letters(case=case)
    responses = [
        kept
        for kept in letters
        if kept.payload.letter in {"final-response", "deadlock-letter"} and kept.sent is not None
    ]
    return render_to_string(
        "disputes/referral_pack.html",
        {
            "case": case,
            "today": today,
            "window": window,
            "received": case.received_at.astimezone(zone),
            "lines": lines,
            "evidence": list(case_evidence(case=case)),
            "letters": letters,
            "responses": responses,
        },
    )


def referral_pack_pdf(*, case: Case, today: date) -> bytes:
    base = Path(__file__).resolve().parent / "templates" / "disputes"
    return pdf_from_html(referral_pack_html(case=case, today=today), (base,))
