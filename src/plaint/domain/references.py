"""Human-friendly case references such as ``PL-2026-000123`` (unique per organisation)."""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"^(?P<prefix>[A-Z]{1,8})-(?P<year>\d{4})-(?P<number>\d{6,})$")
_PREFIX = re.compile(r"^[A-Z]{1,8}$")


def format_reference(prefix: str, year: int, number: int) -> str:
    """``format_reference("PL", 2026, 123) == "PL-2026-000123"``."""
    if not _PREFIX.match(prefix):
        raise ValueError(f"A reference prefix is 1 to 8 capital letters, not {prefix!r}.")
    if number < 1:
        raise ValueError("Reference numbers start at 1.")
    return f"{prefix}-{year:04d}-{number:06d}"


def is_reference(text: str) -> bool:
    return bool(_REFERENCE.match(text))
