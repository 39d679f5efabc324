"""Opaque cursors for keyset pagination: a page ends at a row, and the cursor names that
row's sort key, so the next page starts after it however many rows were added meanwhile.
Never offsets. A cursor is base64url of a small JSON list; clients must not build one."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from . import problems

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def cursor_make(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_read(cursor: str, *, arity: int) -> list[Any]:
    """The sort key a cursor names, or a 422 problem if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != arity:
        raise problems.Problem(
            422,
            "The cursor is not one this API gave out; start again without it.",
            type_=problems.INVALID,
            errors=[{"field": "cursor", "message": "is not a cursor of this list"}],
        )
    return key


def limit_checked(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise problems.Problem(
            422,
            f"limit must be between 1 and {MAX_LIMIT}.",
            type_=problems.INVALID,
            errors=[{"field": "limit", "message": f"must be between 1 and {MAX_LIMIT}"}],
        )
    return limit
