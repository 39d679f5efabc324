"""Reads of the letters kept on a case, scoped to the case's organisation."""

from __future__ import annotations

from dataclasses import dataclass

from plaint.cases.models import Case, CaseEvent
from plaint.domain.events import EventKind, LetterGenerated, payload_from_json
from plaint.domain.letters import RenderedLetter, letter_make
from plaint.domain.letters.render import request_from_fields
from plaint.letters.services import templates_dir
from plaint.letters.store import letter_read


class LetterNotFound(LookupError):
    """No letter event with that number on this case."""


@dataclass(frozen=True)
class KeptLetter:
    event: CaseEvent
    payload: LetterGenerated


def case_letters(*, case: Case) -> list[KeptLetter]:
    events = CaseEvent.objects.filter(
        organisation_id=case.organisation_id, case=case, kind=EventKind.LETTER_GENERATED.value
    ).order_by("seq")
    out = []
    for event in events:
        payload = payload_from_json(event.kind, event.payload)
        assert isinstance(payload, LetterGenerated)
        out.append(KeptLetter(event, payload))
    return out


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
    request = request_from_fields(kept.payload.letter, kept.payload.fields, formats)
    return letter_make(request, override_dir=templates_dir())
