"""`limit_take`: count one use and say whether it is within the limit.

One statement (`INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count`)
counts and reads at once, so on PostgreSQL and SQLite alike two concurrent calls can
never both take the last slot (a read-then-insert check lets 16 concurrent calls through
a limit of 5 many times over). Uses over the limit are counted too: a client that keeps
trying stays refused until the window ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections

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
    """Too many uses in the window; the message says when to try again, and `retry_after`
    holds the seconds until the window ends (for a `Retry-After` header)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_UPSERT = (
    "INSERT INTO {table} (scope, key, window_start, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (scope, key, window_start) DO UPDATE SET count = {table}.count + %s "
    "RETURNING count"
)


def limit_take(
    *,
    scope: str,
    key: str,
    limit: int,
    window: int,
    now: datetime,
    amount: int = 1,
    using: str = DEFAULT_DB_ALIAS,
) -> LimitState:
    """Count `amount` uses (1 by default; bytes, for a byte quota) of `scope` by `key` at
    `now` in fixed windows of `window` seconds; a `window` of 0 is one window for ever (a
    quota that never resets). A `limit` of 0 or less means no limit (nothing is counted).

    Run inside the caller's transaction, a refusal the caller turns into an exception
    rolls the count back with everything else; run on its own (autocommit), the use is
    counted whatever happens next."""
    if limit <= 0:
        return LimitState(limit=limit, used=0, retry_after=0)
    seconds = int(now.timestamp())
    start = seconds - seconds % window if window > 0 else 0
    table = LimitWindow._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [scope, key[:200], start, amount, amount])
        (used,) = cursor.fetchone()
        if window > 0 and used == amount:  # a new window: drop this key's old windows
            cursor.execute(
                f"DELETE FROM {table} WHERE scope = %s AND key = %s AND window_start < %s",  # noqa: S608
                [scope, key[:200], start],
            )
    retry_after = start + window - seconds if window > 0 else 0
    return LimitState(limit=limit, used=int(used), retry_after=retry_after)


def limit_require(
    *, scope: str, key: str, limit: int, window: int, now: datetime, what: str
) -> LimitState:
    """`limit_take`, raising `LimitExceeded` ("{what} … try again in N minutes")."""
    state = limit_take(scope=scope, key=key, limit=limit, window=window, now=now)
    if not state.allowed:
        minutes = max(1, -(-state.retry_after // 60))
        raise LimitExceeded(
            f"Too many {what}: the limit is {limit} per {window // 60} minute(s). "
            f"Try again in {minutes} minute(s).",
            retry_after=state.retry_after,
        )
    return state
