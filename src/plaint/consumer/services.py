"""Writes to a consumer's case file. Each runs in one transaction, locks the case, checks
its input (a `FieldErrors` with one plain message per field, and nothing written, when any
is wrong) and appends exactly one event to the case's record (`record.record_append`)."""

from __future__ import annotations

import hashlib
import mimetypes
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from plaint.cases.evidence_store import HEAD
from plaint.cases.upload_inspection import upload_inspect
from plaint.config.appsettings import APP
from plaint.consumer import selectors
from plaint.consumer.models import ConsumerCase, ConsumerContact, ConsumerEvidence, ConsumerLetter
from plaint.consumer.record import record_append
from plaint.domain import events as ev
from plaint.domain.consumer.questions import AnswerProblem, answer_check
from plaint.domain.contactpoints import name_clean
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events_consumer import ConsumerAnswersSaved, ConsumerCaseStarted
from plaint.domain.letters import letter_make
from plaint.domain.letters.fields import ALL_FIELDS, parse_zone
from plaint.domain.vocabulary import Channel, DeliveryMethod, Direction
from plaint.letters.overrides import templates_dir

JURISDICTIONS = {"US": "United States", "GB": "United Kingdom"}
TITLE_MAX = 200
SUMMARY_MAX = 4_000


def _lock(case: ConsumerCase) -> ConsumerCase:
    return ConsumerCase.objects.select_for_update().get(pk=case.pk)


def _text(errors: dict[str, str], name: str, value: str, limit: int, *, required: bool = False,
          what: str = "This") -> str:  # fmt: skip
    text = (value or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        errors[name] = f"{what} contains a hidden NUL character; please type it again."
    elif required and not text:
        errors[name] = f"{what} is needed."
    elif len(text) > limit:
        errors[name] = f"{what} is {len(text):,} characters long; keep it under {limit:,}."
    return text


def case_start(
    *,
    owner: Any | None,
    title: str,
    jurisdiction: str,
    time_zone: str,
    now: datetime,
    source: str = "new",
    file_sha256: str = "",
) -> ConsumerCase:
    """A new, empty case file."""
    errors: dict[str, str] = {}
    try:
        title = name_clean(title, required=True)
    except DomainError as exc:
        errors["title"] = f"The case name {exc.message}."
    code = (jurisdiction or "").strip().upper()
    if code not in JURISDICTIONS:
        errors["jurisdiction"] = (
            "Choose the country whose law applies: United States or United Kingdom."
        )
    try:
        parse_zone(time_zone)
    except ValueError:
        errors["time_zone"] = f"“{time_zone}” is not a time zone (e.g. Europe/London)."
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        case = ConsumerCase.objects.create(
            owner=owner,
            title=title,
            jurisdiction=code,
            time_zone=time_zone or "UTC",
            answers={"case.currency": "USD" if code == "US" else "GBP"},
            created_at=now,
            updated_at=now,
        )
        record_append(
            case=case,
            payload=ConsumerCaseStarted(
                title=title,
                jurisdiction=code,
                time_zone=case.time_zone,
                source=source,
                file_sha256=file_sha256,
            ),
            now=now,
        )
    return case


def answers_save(
    *,
    case: ConsumerCase,
    answers: Mapping[str, str],
    today: date,
    now: datetime,
    conduct_continues: bool | None = None,
) -> ConsumerCase:
    """Keep answers (raw text by dotted field key; an empty text clears the answer).
    Every answer is checked first; one that cannot be kept refuses them all."""
    errors: dict[str, str] = {}
    kept: dict[str, Any] = {}
    for key, raw in answers.items():
        if key not in ALL_FIELDS:
            errors[key] = "This is not a question Plaint asks."
            continue
        try:
            kept[key] = answer_check(key, raw, today=today, country=case.jurisdiction)
        except AnswerProblem as exc:
            errors[key] = exc.message
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        case = _lock(case)
        changed = {k: v for k, v in kept.items() if case.answers.get(k) != v}
        flag_changed = conduct_continues is not None and conduct_continues != case.conduct_continues
        if not changed and not flag_changed:
            return case
        for key, value in changed.items():
            if value is None:
                case.answers.pop(key, None)
            else:
                case.answers[key] = value
        if flag_changed:
            case.conduct_continues = bool(conduct_continues)
        record_append(
            case=case,
            payload=ConsumerAnswersSaved(
                answers=changed, conduct_continues=conduct_continues if flag_changed else None
            ),
            now=now,
            changed=["answers", "conduct_continues"],
        )
    return case


def contact_log(
    *,
    case: ConsumerCase,
    at: datetime,
    channel: str,
    direction: str,
    representative: str = "",
    ticket_number: str = "",
    wait_minutes: int | None = None,
    summary: str = "",
    now: datetime,
) -> ConsumerContact:
    """One call, e-mail, chat or letter with the business, as it happened."""
    errors: dict[str, str] = {}
    if at.tzinfo is None:
        raise ValueError("contact_log needs an aware datetime")
    if at > now:
        errors["at"] = "This time is in the future: log a contact once it has happened."
    if channel not in {c.value for c in Channel}:
        errors["channel"] = "Choose how you were in touch (phone, e-mail, chat...)."
    if direction not in {d.value for d in Direction}:
        errors["direction"] = "Say who got in touch: you, or the business."
    rep = _text(errors, "representative", representative, 200, what="The name")
    ticket = _text(errors, "ticket_number", ticket_number, 100, what="The ticket number")
    text = _text(errors, "summary", summary, SUMMARY_MAX, what="What was said")
    for name, value in (("representative", rep), ("ticket_number", ticket)):
        if "\n" in value and name not in errors:
            errors[name] = "Keep this on one line."
    if wait_minutes is not None and not 0 <= wait_minutes <= 24 * 60:
        errors["wait_minutes"] = "Give the wait in minutes, from 0 to 1,440."
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        case = _lock(case)
        contact = ConsumerContact.objects.create(
            case=case,
            at=at,
            channel=channel,
            direction=direction,
            representative=rep,
            ticket_number=ticket,
            wait_minutes=wait_minutes,
            summary=text,
        )
        record_append(
            case=case,
            payload=ev.ContactLogged(
                contact_id=contact.pk,
                contact_at=at.isoformat(),
                channel=channel,
                direction=direction,
                representative=rep,
                ticket_number=ticket,
                wait_minutes=wait_minutes,
                summary=text,
            ),
            now=now,
        )
    return contact


def evidence_add(
    *,
    case: ConsumerCase,
    filename: str,
    content_type: str,
    data: bytes,
    description: str,
    now: datetime,
) -> ConsumerEvidence:
    """A file kept with its SHA-256 (a bill, a screenshot, a recording)."""
    errors: dict[str, str] = {}
    name = _text(errors, "file", filename.replace("\\", "/").rsplit("/", 1)[-1], 255,
                 required=True, what="The file name")  # fmt: skip
    about = _text(errors, "description", description, 300, what="The description")
    if not data:
        errors["file"] = "Choose a file: this one is empty."
    elif len(data) > APP.evidence_max_bytes:
        errors["file"] = (
            f"This file is {len(data):,} bytes; files up to {APP.evidence_max_bytes:,} "
            "bytes can be kept."
        )
    if errors:
        raise FieldErrors(errors)
    ctype = _evidence_type(name, content_type)
    _evidence_inspect(name=name, ctype=ctype, data=data)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        case = _lock(case)
        item = ConsumerEvidence.objects.create(
            case=case,
            description=about or name,
            filename=name,
            content_type=ctype,
            size=len(data),
            sha256=digest,
            content=data,
            added_at=now,
        )
        record_append(
            case=case,
            payload=ev.EvidenceAttached(
                evidence_id=item.pk,
                sha256=digest,
                filename=name,
                content_type=item.content_type,
                size=len(data),
                description=item.description,
            ),
            now=now,
        )
    return item


def _evidence_type(name: str, content_type: str) -> str:
    """The type a kept file is checked as: the one its name says, else the one sent."""
    sent = (content_type or "").split(";")[0].strip().lower()
    named = (mimetypes.guess_type(name)[0] or "").lower()
    return (named or sent or "application/octet-stream")[:100]


def _evidence_inspect(*, name: str, ctype: str, data: bytes) -> None:
    """The same content check as every upload to a business's desk (a PDF with script, an
    office file that expands without bound, a file that is also a web page): a
    consumer's case file can be exported and handed to a business or an ombudsman."""
    with tempfile.NamedTemporaryFile(prefix="plaint-consumer-upload-") as tmp:
        tmp.write(data)
        tmp.flush()
        upload_inspect(path=Path(tmp.name), name=name, ctype=ctype, head=data[:HEAD])


def letter_draft(*, case: ConsumerCase, kind: str, today: date, now: datetime) -> ConsumerLetter:
    """Write the letter `kind` from the case file and keep it (Markdown, PDF, DOCX and,
    when both e-mail addresses are known, the .eml draft) with each file's SHA-256.
    Raises the letters' MissingFields / InvalidFields when the answers are not enough."""
    with transaction.atomic():
        case = _lock(case)
        request = selectors.letter_request(
            case, kind, today=today, formats=("md", "txt", "pdf", "docx")
        )
        override = templates_dir()
        letter = letter_make(request, override_dir=override)
        outputs = dict(letter.outputs)
        if selectors.can_email(case, kind):
            eml = letter_make(replace(request, formats=("eml",)), override_dir=override)
            outputs["eml"] = eml.outputs["eml"]
        hashes = {fmt: hashlib.sha256(data).hexdigest() for fmt, data in outputs.items()}
        event = record_append(
            case=case,
            payload=ev.LetterGenerated(
                letter=kind,
                title=letter.spec.title,
                template_version=letter.template_version,
                template_sha256=letter.template_sha256,
                subject=letter.subject,
                files=hashes,
                fields=letter.prepared.field_values(),
                warnings=letter.warnings,
            ),
            now=now,
        )
        return ConsumerLetter.objects.create(
            case=case,
            kind=kind,
            title=letter.spec.title,
            subject=letter.subject[:400],
            letter_date=request.today,
            drafted_at=now,
            event_seq=event.seq,
            fields=letter.prepared.field_values(),
            dates={
                name: {"day": d.day.isoformat(), "basis": d.basis, "citation": d.citation}
                for name, d in letter.prepared.dates.items()
            },
            warnings=letter.warnings,
            md=outputs["md"].decode(),
            txt=outputs.pop("txt").decode(),
            pdf=outputs["pdf"],
            docx=outputs["docx"],
            eml=outputs.get("eml"),
            sha256=hashes,
        )


def letter_sent_record(
    *,
    letter: ConsumerLetter,
    method: str,
    sent_on: date,
    tracking_number: str = "",
    today: date,
    now: datetime,
) -> ConsumerLetter:
    """Record how and when a kept letter went out (tracked services with their number)."""
    errors: dict[str, str] = {}
    try:
        how = DeliveryMethod(method)
    except ValueError:
        how = None
        errors["method"] = "Choose how you sent it."
    tracking = _text(errors, "tracking_number", tracking_number, 100, what="The tracking number")
    if how is not None and how.needs_tracking and not tracking:
        errors["tracking_number"] = (
            "Tracked post has a tracking number: write it here, it is your proof of delivery."
        )
    if sent_on > today:
        errors["sent_on"] = "This date is in the future: record the day you actually sent it."
    elif sent_on < letter.letter_date:
        errors["sent_on"] = "This is before the date on the letter."
    if letter.sent_on is not None:
        errors["method"] = f"This letter is already recorded as sent on {letter.sent_on}."
    if errors:
        raise FieldErrors(errors)
    assert how is not None
    with transaction.atomic():
        case = _lock(letter.case)
        letter = ConsumerLetter.objects.select_for_update().get(pk=letter.pk)
        letter.sent_method, letter.sent_on, letter.tracking_number = how.value, sent_on, tracking
        letter.save(update_fields=["sent_method", "sent_on", "tracking_number"])
        record_append(
            case=case,
            payload=ev.LetterSent(
                letter_seq=letter.event_seq,
                letter=letter.kind,
                title=letter.title,
                method=how.value,
                tracking_number=tracking,
                sent_at=sent_on.isoformat(),
                file_sha256=letter.sha256.get(
                    "eml" if how is DeliveryMethod.EMAIL and letter.eml else "pdf", ""
                ),
            ),
            now=now,
        )
    return letter
