"""Letters: a catalogue of templates with their sources, filled from the case record.

Pure Python (no Django): the desk's service and the consumer CLI both call
`letter_prepare` / `letter_render` (or `letter_make`), and `letter_check` reviews any
letter text against its kind's checklist.
"""

from plaint.domain.letters.catalogue import CATALOGUE, LetterSpec, Side, UnknownLetter, letter_spec
from plaint.domain.letters.fields import ALL_FIELDS, InvalidFields, MissingFields
from plaint.domain.letters.render import (
    FORMATS,
    MEDIA_TYPES,
    LetterRequest,
    PreparedLetter,
    RenderedLetter,
    TemplateProblem,
    letter_make,
    letter_prepare,
    letter_render,
)
from plaint.domain.letters.schedule import DeadlineInfo

__all__ = [
    "ALL_FIELDS",
    "CATALOGUE",
    "FORMATS",
    "MEDIA_TYPES",
    "DeadlineInfo",
    "InvalidFields",
    "LetterRequest",
    "LetterSpec",
    "MissingFields",
    "PreparedLetter",
    "RenderedLetter",
    "Side",
    "TemplateProblem",
    "UnknownLetter",
    "letter_make",
    "letter_prepare",
    "letter_render",
    "letter_spec",
]
