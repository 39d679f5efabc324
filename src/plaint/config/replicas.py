"""Read replicas: which database a read goes to.

Every read and every write goes to the primary (`default`) unless code says otherwise.
A selector that may show slightly stale data (the desk's queue, reports, search) says so
explicitly, in one of two ways:

- `Case.objects.using(replica_alias())` for a query set it returns unevaluated (the queue's
  page is evaluated in the template, after the selector returned);
- `with stale_ok(): ...` around work that reads eagerly (a report's figures): inside the
  block, `ReplicaRouter` sends the reads that name no database to `replica_alias()`.

`replica_alias()` is the primary whenever a replica could show the wrong thing:

- no replica is configured (`DATABASE_REPLICA_URL` unset, always so on SQLite);
- a transaction is open on the primary (a service reading what it is about to change, or
  reading back what it wrote, must see its own uncommitted rows);
- the request is *pinned*: it is itself a write (POST, PUT, PATCH, DELETE), or its browser
  wrote in the last `PLAINT_READ_PIN_SECONDS` seconds. `ReadYourWritesMiddleware` sets a
  cookie on every response to a write that lasts that long, so a member of staff who has
  just filed, assigned or closed a case sees it on the next page even if the replica has
  not replayed it yet.

Writes always go to the primary (`db_for_write`), even for an object read from the
replica, and migrations run on the primary only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
#: The cookie that pins a browser's reads to the primary after a write of its own.
PIN_COOKIE = "plaint_primary"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_pinned: ContextVar[bool] = ContextVar("plaint_read_pinned", default=False)
_stale_ok: ContextVar[bool] = ContextVar("plaint_stale_ok", default=False)


def replica_alias() -> str:
    """The database a read that tolerates slightly stale data should use now."""
    if REPLICA not in settings.DATABASES or _pinned.get():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


@contextmanager
def stale_ok() -> Iterator[str]:
    """Inside the block, reads that name no database go to `replica_alias()` (yielded)."""
    token = _stale_ok.set(True)
    try:
        yield replica_alias()
    finally:
        _stale_ok.reset(token)


@contextmanager
def primary_pinned() -> Iterator[None]:
    """Inside the block every read goes to the primary (a request after its own write)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReplicaRouter:
    """Django's database router for the replica: reads inside `stale_ok()` may go to it;
    everything else is left to Django's default (the primary, or the database an object
    was read from); writes and migrations always go to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return replica_alias() if _stale_ok.get() else None

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: object, obj2: object, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        """Never migrate the replica (a standby takes its schema from the primary); any
        other database (a second one a command or test names) is Django's default call."""
        return False if db == REPLICA else None


class ReadYourWritesMiddleware:
    """Pins a request's reads to the primary when it is a write, or when its browser
    wrote within the last `PLAINT_READ_PIN_SECONDS` seconds (the `plaint_primary`
    cookie, set on the response to every write while a replica is configured)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        write = request.method in _WRITES
        token = _pinned.set(write or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        seconds = settings.PLAINT_READ_PIN_SECONDS
        if write and seconds and REPLICA in settings.DATABASES:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
