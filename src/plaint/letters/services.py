"""Generating a letter from a case: fill it, keep an exact copy, record it in the ledger.

`letter_generate` writes nothing when the letter cannot be generated: missing fields,
bad values and past deadlines are raised (as `MissingFields` / `InvalidFields`) before a
file is stored or an event appended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import case_milestone_record
from plaint.config.appsettings import APP
from plaint.domain import events as ev
from plaint.domain.errors import FieldErrors
from plaint.domain.letters import RenderedLetter, letter_prepare, letter_render
from plaint.domain.vocabulary import Visibility
from plaint.letters.record import case_letter_request
from plaint.letters.store import letter_put


def templates_dir() -> Path | None:
    """The organisation's override folder (PLAINT_LETTER_TEMPLATES_DIR), if set."""
    return Path(APP.letter_templates_dir).resolve() if APP.letter_templates_dir else None


@dataclass(frozen=True)
class GeneratedLetter:
    event: CaseEvent
    letter: RenderedLetter
    files: dict[str, str]  # format -> SHA-256 in the letter store
    milestone_event: CaseEvent | None = None


@transaction.atomic
def letter_generate(
    *,
    case: Case,
    kind: str,
    actor: Actor,
    now: datetime,
    fields: Mapping[str, Any] | None = None,
    formats: Sequence[str] = ("md", "html", "pdf"),
    page_size: str = "A4",
    sent_at: datetime | None = None,
) -> GeneratedLetter:
    """Generate letter `kind` for the case and keep it: each output file is stored under
    its SHA-256 and one `letter_generated` event records the template id and version, the
    field values used and the hashes. `fields` (dotted keys, e.g. ``business.address``,
    ``letter.compliance_days``) supply what the case does not hold. With `sent_at`, the
    milestone that sending the letter represents (``final_response_sent``...) is recorded
    too, as its own event."""
    if now.tzinfo is None or (sent_at is not None and sent_at.tzinfo is None):
        raise FieldErrors({"now": "must be a timezone-aware date and time"})
    case = (
        Case.objects.select_for_update().select_related("organisation", "customer").get(pk=case.pk)
    )
    today = now.astimezone(ZoneInfo(case.organisation.time_zone)).date()
    request = case_letter_request(
        case=case,
        kind=kind,
        actor=actor,
        today=today,
        fields=fields,
        formats=formats,
        page_size=page_size,
    )
    prepared = letter_prepare(request)
    milestone = prepared.spec.milestone_for(prepared.values) if sent_at is not None else ""
    if sent_at is not None and not milestone:
        raise FieldErrors(
            {"sent_at": f"sending a {prepared.spec.title.lower()} records no milestone"}
        )
    letter = letter_render(prepared, override_dir=templates_dir())
    if sent_at is not None and letter.incomplete:
        raise FieldErrors(
            {"sent_at": "the letter still has wording to complete; it cannot be recorded as sent"}
        )
    files = {fmt: letter_put(data) for fmt, data in letter.outputs.items()}
    payload = ev.LetterGenerated(
        letter=letter.spec.id,
        title=letter.spec.title,
        template_version=letter.template_version,
        template_sha256=letter.template_sha256,
        subject=letter.subject,
        files=files,
        fields=prepared.field_values(),
        warnings=letter.warnings,
    )
    event = event_append(
        case=case, payload=payload, actor=actor, now=now, visibility=Visibility.INTERNAL
    )
    milestone_event = None
    if sent_at is not None:
        milestone_event = case_milestone_record(
            case=case,
            milestone=milestone,
            at=sent_at,
            actor=actor,
            now=now,
            note=f"{letter.spec.title} ({files.get('pdf') or next(iter(files.values()))[:12]})",
        )
    return GeneratedLetter(event=event, letter=letter, files=files, milestone_event=milestone_event)
