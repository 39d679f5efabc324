"""Reads of the letters kept on a case, scoped to the case's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from plaint.cases.ledger import personal_prefetch
from plaint.cases.models import Case, CaseEvent
from plaint.domain.events import (
    EventKind,
    LetterGenerated,
    LetterSent,
    LetterWithdrawn,
)
from plaint.domain.letters import CATALOGUE, LetterSpec, RenderedLetter, letter_make
from plaint.domain.letters.render import PACKAGE_TEMPLATES, request_from_fields
from plaint.domain.vocabulary import DeliveryMethod
from plaint.letters.overrides import templates_dir
from plaint.letters.store import letter_read


class LetterNotFound(LookupError):
    """No letter event with that number on this case."""


@dataclass(frozen=True)
class SentRecord:
    """The `letter_sent` event of a kept letter."""

    event: CaseEvent
    payload: LetterSent

    @property
    def method(self) -> DeliveryMethod | None:
        try:
            return DeliveryMethod(self.payload.method)
        except ValueError:
            return None

    @property
    def method_words(self) -> str:
        """The words that follow "sent": by post, through the customer portal..."""
        method = self.method
        return method.words if method else "by " + self.payload.method.replace("_", " ")

    @property
    def tracking_number(self) -> str:
        return self.payload.tracking_number

    @property
    def sent_at(self) -> datetime:
        return datetime.fromisoformat(self.payload.sent_at)


@dataclass(frozen=True)
class WithdrawnRecord:
    """The `letter_withdrawn` event of a kept letter: who withdrew it, when and why."""

    event: CaseEvent
    payload: LetterWithdrawn

    @property
    def by(self) -> str:
        return self.event.actor_label

    @property
    def at(self) -> datetime:
        return self.event.recorded_at

    @property
    def reason(self) -> str:
        return self.payload.reason


@dataclass(frozen=True)
class KeptLetter:
    event: CaseEvent
    payload: LetterGenerated
    sent: SentRecord | None = None  # None until the letter is marked as sent
    withdrawn: WithdrawnRecord | None = None  # None unless the draft was withdrawn

    @property
    def is_draft(self) -> bool:
        """Kept, not sent and not withdrawn: it may still be sent, or withdrawn."""
        return self.sent is None and self.withdrawn is None


def case_letters(*, case: Case) -> list[KeptLetter]:
    """Every letter kept on the case, oldest first, each with its sent record (or its
    withdrawal) if any."""
    events = CaseEvent.objects.filter(
        organisation_id=case.organisation_id,
        case=case,
        kind__in=(
            EventKind.LETTER_GENERATED.value,
            EventKind.LETTER_SENT.value,
            EventKind.LETTER_WITHDRAWN.value,
        ),
    ).order_by("seq")
    generated: list[tuple[CaseEvent, LetterGenerated]] = []
    sent: dict[int, SentRecord] = {}
    withdrawn: dict[int, WithdrawnRecord] = {}
    for event in personal_prefetch(events):
        payload = event.data
        if isinstance(payload, LetterGenerated):
            generated.append((event, payload))
        elif isinstance(payload, LetterSent):
            # The service refuses a second `letter_sent` for a letter; the first one counts.
            sent.setdefault(payload.letter_seq, SentRecord(event, payload))
        elif isinstance(payload, LetterWithdrawn):
            withdrawn.setdefault(payload.letter_seq, WithdrawnRecord(event, payload))
    return [
        KeptLetter(event, payload, sent.get(event.seq), withdrawn.get(event.seq))
        for event, payload in generated
    ]


def case_letters_sent(*, case: Case) -> list[KeptLetter]:
    """The letters of the case marked as sent, in the order they were kept."""
    return [kept for kept in case_letters(case=case) if kept.sent is not None]


def case_letter(*, case: Case, seq: int) -> KeptLetter:
    for kept in case_letters(case=case):
        if kept.event.seq == seq:
            return kept
    raise LetterNotFound(f"{case.reference} has no letter event #{seq}")


def case_letter_file(*, case: Case, seq: int, fmt: str) -> bytes:
    """The exact bytes kept for one format of a generated letter."""
    kept = case_letter(case=case, seq=seq)
    if fmt not in kept.payload.files:
        raise LetterNotFound(f"letter #{seq} of {case.reference} was not generated as {fmt}")
    return letter_read(kept.payload.files[fmt])


def case_letter_regenerate(
    *, case: Case, seq: int, formats: tuple[str, ...] = ("md", "html")
) -> RenderedLetter:
    """Render a kept letter again from the values its event recorded (not from the case
    as it is now). With unchanged templates the Markdown and HTML are byte-identical."""
    kept = case_letter(case=case, seq=seq)
    return letter_regenerate(kept.payload, formats=formats)


def letter_regenerate(
    payload: LetterGenerated, *, formats: tuple[str, ...] = ("md", "html")
) -> RenderedLetter:
    request = request_from_fields(payload.letter, payload.fields, formats)
    return letter_make(request, override_dir=templates_dir())


@dataclass(frozen=True)
class TemplateRow:
    spec: LetterSpec
    file: str
    overridden: bool


def letter_templates(*, folder: Path | None) -> tuple[list[TemplateRow], list[str]]:
    """Each letter of the catalogue with whether the override folder replaces its file,
    and the shared files (layout, styles, fragments) the folder replaces."""
    present = folder is not None and folder.is_dir()

    def replaced(name: str) -> bool:
        return present and folder is not None and (folder / name).is_file()

    rows = [
        TemplateRow(spec, f"{spec.id}.md", replaced(f"{spec.id}.md"))
        for spec in sorted(CATALOGUE.values(), key=lambda spec: spec.title)
    ]
    letter_files = {row.file for row in rows}
    shipped = sorted(
        path.relative_to(PACKAGE_TEMPLATES).as_posix()
        for path in PACKAGE_TEMPLATES.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )
    shared = [name for name in shipped if name not in letter_files and replaced(name)]
    return rows, shared
