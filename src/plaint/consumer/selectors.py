"""Reads of a consumer's case files. Every selector starts from the owner (None in the
local workspace), so one consumer never reads another's file when the pages are hosted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import Http404

from plaint.consumer.models import ConsumerCase, ConsumerLetter
from plaint.domain import events as ev
from plaint.domain import timeline
from plaint.domain.consumer.calendar import DueDate
from plaint.domain.consumer.nextstep import CaseState, LetterState, Suggestion, next_steps
from plaint.domain.consumer.questions import typed_answers
from plaint.domain.contactpoints import letter_values_clean
from plaint.domain.letters import LetterRequest, letter_spec
from plaint.domain.letters.catalogue import Side
from plaint.domain.letters.fields import parse_zone
from plaint.domain.letters.schedule import DATE_NAMES

DEFAULT_CALENDAR = {"US": "US", "GB": "GB-ENG"}


def case_list(owner: Any | None) -> QuerySet[ConsumerCase]:
    return ConsumerCase.objects.filter(owner=owner).order_by("-updated_at", "-pk")


def case_get(owner: Any | None, pk: int) -> ConsumerCase:
    case = ConsumerCase.objects.filter(owner=owner, pk=pk).first()
    if case is None:
        raise Http404("No such case file.")
    return case


def letter_get(case: ConsumerCase, pk: int) -> ConsumerLetter:
    letter = case.letters.filter(pk=pk).first()
    if letter is None:
        raise Http404("No such letter.")
    return letter


def contacts_data(case: ConsumerCase) -> list[dict[str, Any]]:
    """The contact log as the letters read it (`contacts:` of a case file), local times."""
    zone = ZoneInfo(case.time_zone) if case.time_zone != "UTC" else parse_zone("UTC")
    return [
        {
            "at": c.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "channel": c.channel,
            "direction": c.direction,
            "representative": c.representative,
            "ticket_number": c.ticket_number,
            "wait_minutes": c.wait_minutes,
            "summary": c.summary,
        }
        for c in case.contacts.all()
    ]


def evidence_data(case: ConsumerCase) -> list[dict[str, str]]:
    return [{"description": e.description, "filename": e.filename} for e in case.evidence.all()]


def letter_values(case: ConsumerCase) -> dict[str, Any]:
    """The answers as a letter's values: contact points shown as the country writes them."""
    values, _ = letter_values_clean(dict(case.answers), country=case.jurisdiction)
    return values


def letter_request(
    case: ConsumerCase, kind: str, *, today: date, formats: tuple[str, ...]
) -> LetterRequest:
    return LetterRequest(
        kind=kind,
        values=letter_values(case),
        today=today,
        contacts=contacts_data(case),
        evidence=evidence_data(case),
        jurisdiction=case.jurisdiction,
        time_zone=case.time_zone,
        holiday_calendar=DEFAULT_CALENDAR.get(case.jurisdiction, "GB-ENG"),
        formats=formats,
    )


def can_email(case: ConsumerCase, kind: str) -> bool:
    spec = letter_spec(kind)
    sender, to = (
        ("business", "customer") if spec.side is Side.BUSINESS else ("customer", "business")
    )
    return bool(case.answers.get(f"{sender}.email") and case.answers.get(f"{to}.email"))


def case_state(case: ConsumerCase) -> CaseState:
    typed = typed_answers(case.answers)
    letters = [
        LetterState(
            kind=letter.kind,
            drafted_on=letter.letter_date,
            sent_on=letter.sent_on,
            dates={name: date.fromisoformat(d["day"]) for name, d in letter.dates.items()},
        )
        for letter in case.letters.all()
    ]
    # A statement date is only asked about a charge on a card statement.
    billing = typed.get("letter.statement_date") is not None
    return CaseState(
        jurisdiction=case.jurisdiction,
        letters=letters,
        conduct_continues=case.conduct_continues,
        statement_date=typed.get("letter.statement_date"),
        card_billing=billing,
        delivered_on=typed.get("letter.delivered_on"),
        goods_faulty=bool(typed.get("letter.fault")),
        agency=str(typed.get("letter.agency") or ""),
    )


def case_next(case: ConsumerCase, *, today: date) -> list[Suggestion]:
    return next_steps(case_state(case), today=today)


@dataclass(frozen=True)
class DateLine:
    day: date
    title: str
    basis: str
    citation: str
    letter: ConsumerLetter | None
    uid: str


def case_dates(case: ConsumerCase) -> list[DateLine]:
    """The dates that matter: every date a kept letter states (a reply date, the end of a
    statutory window), with how it was counted, and the date each letter was sent."""
    out: list[DateLine] = []
    for letter in case.letters.all():
        for name, d in sorted(letter.dates.items()):
            if name == "post_by" and letter.sent_on:
                continue
            words = DATE_NAMES.get(name, name.replace("_", " "))
            out.append(
                DateLine(
                    day=date.fromisoformat(d["day"]),
                    title=f"{letter.title}: {words}",
                    basis=d["basis"],
                    citation=d.get("citation", ""),
                    letter=letter,
                    uid=f"plaint-consumer-{case.pk}-letter-{letter.pk}-{name}",
                )
            )
    return sorted(out, key=lambda line: (line.day, line.title))


def case_due_dates(case: ConsumerCase) -> list[DueDate]:
    return [
        DueDate(
            uid=line.uid,
            day=line.day,
            title=f"{case.title}: {line.title}",
            detail=" ".join(filter(None, [line.basis, line.citation])),
        )
        for line in case_dates(case)
    ]


@dataclass(frozen=True)
class RecordLine:
    seq: int
    at: Any
    sentence: str
    detail: str


def case_record(case: ConsumerCase) -> list[RecordLine]:
    """The case's record, newest first, one sentence an event."""
    out = []
    for event in case.events.order_by("-seq"):
        payload = ev.payload_from_json(event.kind, event.payload)
        out.append(
            RecordLine(
                event.seq, event.recorded_at, timeline.describe(payload), timeline.detail(payload)
            )
        )
    return out
