"""Filling a canned reply or a notification with a case's fields.

`{{ case.reference }}` and the other names in `FIELDS` are replaced in one pass by the
values given, which are inserted as they are and never read again: a customer called
`{{ 7*7 }}` stays `{{ 7*7 }}`. Nothing else in the text is code; an unknown name is refused
with the list of the known ones."""

from __future__ import annotations

import re
from collections.abc import Mapping

from plaint.domain.errors import FieldErrors

FIELDS: dict[str, str] = {
    "case.reference": "the case reference",
    "case.product": "the product or service",
    "case.status": "the case's status, in words",
    "customer.name": "the customer's name",
    "organisation.name": "the organisation's name",
    "staff.name": "the name of the member of staff sending it",
    "link": "the customer's private link (new-link notifications only)",
}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_.]+)\s*\}\}")


def template_check(text: str, *, field_name: str) -> None:
    """Refuse a template that names a field we do not fill."""
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(text)} - set(FIELDS))
    if unknown:
        known = ", ".join("{{ " + name + " }}" for name in FIELDS)
        raise FieldErrors({field_name: f"unknown field(s) {', '.join(unknown)}; use {known}"})


def template_fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{{ field }}` replaced by its value (empty when not given)."""
    return _PLACEHOLDER.sub(
        lambda m: values.get(m.group(1), "") if m.group(1) in FIELDS else m.group(0), text
    )
