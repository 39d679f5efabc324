"""Per-token rate limits: a fixed window of `PLAINT_API_RATE_WINDOW` seconds allowing
`PLAINT_API_RATE_LIMIT` requests. Each request adds one to its token's counter with a
single upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), atomic on SQLite and
PostgreSQL alike, so concurrent requests never both take the last slot.

The headers follow the IETF draft "RateLimit header fields for HTTP"
(`RateLimit-Policy: "default";q=600;w=60`, `RateLimit: "default";r=599;t=42`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection

from .models import ApiToken, RateWindow


@dataclass(frozen=True)
class RateState:
    limit: int
    window: int  # seconds
    used: int
    reset: int  # seconds until the window ends

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Policy": f'"default";q={self.limit};w={self.window}',
            "RateLimit": f'"default";r={self.remaining};t={self.reset}',
        }


_UPSERT = (
    "INSERT INTO {table} (token_id, window_start, count) VALUES (%s, %s, 1) "
    "ON CONFLICT (token_id, window_start) DO UPDATE SET count = {table}.count + 1 "
    "RETURNING count"
)


def rate_take(*, token: ApiToken, now: datetime) -> RateState:
    """Count one request of `token` at `now` and say where the token stands."""
    limit = int(settings.PLAINT_API_RATE_LIMIT)
    window = int(settings.PLAINT_API_RATE_WINDOW)
    seconds = int(now.timestamp())
    start = seconds - seconds % window
    table = RateWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [token.pk, start])
        (used,) = cursor.fetchone()
        if used == 1:  # the first request of a new window: drop the token's old ones
            cursor.execute(
                f"DELETE FROM {table} WHERE token_id = %s AND window_start < %s",  # noqa: S608
                [token.pk, start],
            )
    return RateState(limit=limit, window=window, used=int(used), reset=start + window - seconds)
