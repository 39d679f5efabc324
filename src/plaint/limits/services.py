"""`limit_take`: count one use and say whether it is within the limit.

One statement (`INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count`)
counts and reads at once, so on PostgreSQL and SQLite alike two concurrent calls can
never both take the last slot (a read-then-insert check lets 16 concurrent calls through
a limit of 5 many times over). Uses over the limit are counted too: a client that keeps
trying stays refused until the window ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from plaint.domain.errors import DomainError

from .models import LimitWindow


@dataclass(frozen=True)
class LimitState:
    limit: int
    used: int
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit


class LimitExceeded(DomainError):
    """Too many uses in the window; the message says when to try again."""


_UPSERT = (
    "INSERT INTO {table} (scope, key, window_start, count) VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (scope, key, window_start) DO UPDATE SET count = {table}.count + 1 "
    "RETURNING count"
)


def limit_take(*, scope: str, key: str, limit: int, window: int, now: datetime) -> LimitState:
    """Count one use of `scope` by `key` at `now` in fixed windows of `window` seconds.
    A `limit` of 0 or less means no limit (nothing is counted)."""
    if limit <= 0:
        return LimitState(limit=limit, used=0, retry_after=0)
    seconds = int(now.timestamp())
    start = seconds - seconds % window
    table = LimitWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [scope, key[:200], start])
        (used,) = cursor.fetchone()
        if used == 1:  # the first use of a new window: drop this key's old windows
            cursor.execute(
                f"DELETE FROM {table} WHERE scope = %s AND key = %s AND window_start < %s",  # noqa: S608
                [scope, key[:200], start],
            )
    return LimitState(limit=limit, used=int(used), retry_after=start + window - seconds)


def limit_require(
    *, scope: str, key: str, limit: int, window: int, now: datetime, what: str
) -> LimitState:
    """`limit_take`, raising `LimitExceeded` ("{what} … try again in N minutes")."""
    state = limit_take(scope=scope, key=key, limit=limit, window=window, now=now)
    if not state.allowed:
        minutes = max(1, -(-state.retry_after // 60))
        raise LimitExceeded(
            f"Too many {what}: the limit is {limit} per {window // 60} minute(s). "
            f"Try again in {minutes} minute(s)."
        )
    return state
