"""Writing and checking the case ledger. `event_append` is the only writer of `CaseEvent`."""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import pairwise
from multiprocessing import get_context
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Max, Min

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case, CaseEvent
from plaint.domain.events import Payload
from plaint.domain.ledger import (
    ChainHead,
    EventRow,
    LedgerEntry,
    VerificationReport,
    chain_hash,
    verify_chain,
)
from plaint.domain.vocabulary import ActorKind, Visibility


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a member of staff, the customer, or Plaint itself."""

    kind: ActorKind
    label: str
    user: User | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(ActorKind.STAFF, user.display_name, user)

    @classmethod
    def customer(cls, name: str) -> Actor:
        return cls(ActorKind.CUSTOMER, name)

    @classmethod
    def system(cls, label: str = "Plaint") -> Actor:
        return cls(ActorKind.SYSTEM, label)


def ledger_entry(
    *,
    reference: str,
    seq: int,
    payload: Payload,
    actor: Actor,
    occurred_at: datetime,
    recorded_at: datetime,
    visibility: Visibility,
) -> LedgerEntry:
    """The hashed content of event number `seq` of the case `reference`."""
    return LedgerEntry(
        case=reference,
        seq=seq,
        kind=payload.kind.value,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        actor_kind=actor.kind.value,
        actor_id=actor.user.pk if actor.user else None,
        actor_label=actor.label,
        visibility=visibility.value,
        payload_json=payload.to_json(),
    )


def event_values(
    entry: LedgerEntry, *, organisation_id: int, case_id: int, prev_hash: str, digest: str
) -> dict[str, Any]:
    """The `CaseEvent` column values (by attname) that store `entry`."""
    return {
        "organisation_id": organisation_id,
        "case_id": case_id,
        "seq": entry.seq,
        "kind": entry.kind,
        "occurred_at": entry.occurred_at,
        "recorded_at": entry.recorded_at,
        "actor_id": entry.actor_id,
        "actor_kind": entry.actor_kind,
        "actor_label": entry.actor_label,
        "visibility": entry.visibility,
        "payload": entry.payload_json,
        "prev_hash": prev_hash,
        "hash": digest,
    }


def event_append(
    *,
    case: Case,
    payload: Payload,
    actor: Actor,
    now: datetime,
    changed: list[str] | tuple[str, ...] = (),
    occurred_at: datetime | None = None,
    visibility: Visibility = Visibility.INTERNAL,
) -> CaseEvent:
    """Append one event to a locked, saved case and save the case's `changed` fields with
    its new ledger head, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_append must run inside the service's transaction")
    entry = ledger_entry(
        reference=case.reference,
        seq=case.ledger_length + 1,
        payload=payload,
        actor=actor,
        occurred_at=occurred_at or now,
        recorded_at=now,
        visibility=visibility,
    )
    digest = chain_hash(case.ledger_head, entry)
    row = CaseEvent(
        **event_values(
            entry,
            organisation_id=case.organisation_id,
            case_id=case.pk,
            prev_hash=case.ledger_head,
            digest=digest,
        )
    )
    row.save(force_insert=True)
    case.ledger_length, case.ledger_head = entry.seq, digest
    case.updated_at = now
    case.save(update_fields=[*changed, "ledger_length", "ledger_head", "updated_at"])
    return row


# Event times as canonical UTC text (see plaint.domain.ledger.canonical_time), computed by
# the database so that verification does not parse and re-format two datetimes per event.
# Django stores aware datetimes in SQLite as naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
_CANONICAL_TIME_SQL = {
    "sqlite": "replace({col}, ' ', 'T') || CASE WHEN length({col}) = 19 "
    "THEN '.000000+00:00' ELSE '+00:00' END",
    "postgresql": "to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'",
}


def _event_rows(case_filter: str, params: list[Any]) -> Iterator[EventRow]:
    time_sql = _CANONICAL_TIME_SQL[connection.vendor]
    sql = (
        "SELECT case_id, seq, kind, "  # noqa: S608 - fixed text; the filter's values are bound
        f"{time_sql.format(col='occurred_at')}, {time_sql.format(col='recorded_at')}, "
        "actor_id, actor_kind, actor_label, visibility, payload, prev_hash, hash "
        f"FROM cases_caseevent {case_filter} ORDER BY case_id, seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            yield from rows


@contextmanager
def _read_snapshot() -> Iterator[None]:
    """Read the case heads and their events from one consistent snapshot, without
    blocking writers."""
    if connection.in_atomic_block:  # the caller's transaction is the snapshot
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    # SQLite: atomic() would BEGIN IMMEDIATE and hold the write lock for the whole check;
    # a deferred transaction reads one WAL snapshot and lets writers carry on.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


@dataclass(frozen=True)
class _Scope:
    """Which cases to verify: an organisation, a reference, a range of case ids."""

    organisation_id: int | None = None
    reference: str | None = None
    first_id: int | None = None
    last_id: int | None = None

    def cases(self) -> Any:
        cases = Case.objects.all()
        if self.organisation_id is not None:
            cases = cases.filter(organisation_id=self.organisation_id)
        if self.reference is not None:
            cases = cases.filter(reference=self.reference)
        if self.first_id is not None:
            cases = cases.filter(pk__gte=self.first_id, pk__lte=self.last_id)
        return cases


def _verify_scope(scope: _Scope) -> tuple[VerificationReport, dict[Hashable, int]]:
    with _read_snapshot():
        heads: list[ChainHead] = []
        case_orgs: dict[Hashable, int] = {}
        for pk, org_id, ref, length, head in (
            scope.cases()
            .values_list("pk", "organisation_id", "reference", "ledger_length", "ledger_head")
            .iterator(chunk_size=10_000)
        ):
            heads.append(ChainHead(pk, ref, length, head))
            case_orgs[pk] = org_id
        where: list[str] = []
        params: list[Any] = []
        if scope.reference is not None:
            ids = list(case_orgs) or [0]
            where.append(f"case_id IN ({', '.join(['%s'] * len(ids))})")
            params.extend(ids)
        if scope.organisation_id is not None:
            where.append("organisation_id = %s")
            params.append(scope.organisation_id)
        if scope.first_id is not None:
            where.append("case_id BETWEEN %s AND %s")
            params.extend([scope.first_id, scope.last_id])
        case_filter = f"WHERE {' AND '.join(where)}" if where else ""
        return verify_chain(_event_rows(case_filter, params), heads), case_orgs


def _verify_in_child(scope: _Scope) -> tuple[VerificationReport, dict[Hashable, int]]:
    try:
        return _verify_scope(scope)
    finally:
        connections.close_all()


def _split(scope: _Scope, parts: int) -> list[_Scope]:
    """Cut the scope into `parts` ranges of case ids holding about as many events each."""
    bounds = scope.cases().aggregate(first=Min("pk"), last=Max("pk"))
    first, last = bounds["first"], bounds["last"]
    if first is None or parts < 2 or last - first < parts:
        return [scope]
    step = (last - first + 1) // parts
    edges = [first + i * step for i in range(parts)] + [last + 1]
    return [replace(scope, first_id=lo, last_id=hi - 1) for lo, hi in pairwise(edges)]


def ledger_verify(
    *,
    organisation: Organisation | None = None,
    reference: str | None = None,
    workers: int | None = None,
) -> VerificationReport:
    """Recompute the hash chains of one case, one organisation's cases, or all cases.

    Chains are independent, so large checks run in `workers` processes (default: one per
    available CPU), each over a range of case ids in its own read snapshot. Inside a
    transaction (whose writes other processes cannot see) the check runs in-process."""
    scope = _Scope(organisation_id=organisation.pk if organisation else None, reference=reference)
    if workers is None:
        workers = len(os.sched_getaffinity(0))
    if reference is not None or connection.in_atomic_block or workers < 2:
        results = [_verify_scope(scope)]
    else:
        scopes = _split(scope, workers)
        connections.close_all()  # a forked child must not share the parent's connection
        with ProcessPoolExecutor(len(scopes), mp_context=get_context("fork")) as pool:
            results = list(pool.map(_verify_in_child, scopes))
    report = VerificationReport()
    case_orgs: dict[Hashable, int] = {}
    for part, orgs in results:
        report.cases += part.cases
        report.events += part.events
        report.broken.extend(part.broken)
        case_orgs.update(orgs)
    if report.broken:
        slugs = dict(Organisation.objects.values_list("pk", "slug"))
        report.broken = [
            replace(b, case=f"{slugs.get(case_orgs.get(b.chain, 0), '?')}/{b.case}")
            for b in report.broken
        ]
    return report
