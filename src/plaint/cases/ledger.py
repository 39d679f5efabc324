"""Writing and checking the case ledger. `event_append` is the only writer of `CaseEvent`."""

from __future__ import annotations

import os
import secrets
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import pairwise
from multiprocessing import get_context
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Exists, Max, Min, OuterRef, QuerySet

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case, CaseEvent, PersonalDatum
from plaint.domain.events import Payload
from plaint.domain.ledger import (
    BrokenLink,
    ChainHead,
    EventRow,
    LedgerEntry,
    VerificationReport,
    chain_hash,
    verify_chain,
)
from plaint.domain.personal import (
    SALT_BYTES,
    Datum,
    commit_payload,
    commitment_problems,
    rehydrate,
)
from plaint.domain.vocabulary import ActorKind, Visibility


def _salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


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
) -> tuple[LedgerEntry, list[Datum]]:
    """The hashed content of event number `seq` of the case `reference`, and the personal
    data kept beside it (the payload holds their commitments, `plaint.domain.personal`)."""
    payload_json, data = commit_payload(payload.kind.value, payload.to_json(), _salt)
    entry = LedgerEntry(
        case=reference,
        seq=seq,
        kind=payload.kind.value,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        actor_kind=actor.kind.value,
        actor_id=actor.user.pk if actor.user else None,
        actor_label=actor.label,
        visibility=visibility.value,
        payload_json=payload_json,
    )
    return entry, data


def personal_rows(case_id: int, seq: int, data: Iterable[Datum]) -> list[PersonalDatum]:
    return [
        PersonalDatum(case_id=case_id, seq=seq, path=d.path, salt=d.salt, value=d.value)
        for d in data
    ]


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
    entry, data = ledger_entry(
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
    if data:
        PersonalDatum.objects.bulk_create(personal_rows(case.pk, entry.seq, data))
    case.ledger_length, case.ledger_head = entry.seq, digest
    case.updated_at = now
    case.save(update_fields=[*changed, "ledger_length", "ledger_head", "updated_at"])
    return row


def personal_prefetch(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """Load the personal data of `events` in one query per 500 events, so that reading
    their `clear_payload` asks nothing more of the database."""
    items = list(events)
    wanted = [e for e in items if '{"commit":' in e.payload]
    by_key = {(e.case_id, e.seq): e for e in wanted}
    for e in wanted:
        e.__dict__["_plaint_personal"] = {}
    case_ids = sorted({e.case_id for e in wanted})
    for start in range(0, len(case_ids), 500):
        for case_id, seq, path, salt, value in PersonalDatum.objects.filter(
            case_id__in=case_ids[start : start + 500]
        ).values_list("case_id", "seq", "path", "salt", "value"):
            event = by_key.get((case_id, seq))
            if event is not None:
                event.__dict__["_plaint_personal"][path] = (salt, value)
    return items


PersonalData = dict[tuple[int, int], dict[str, tuple[str, str]]]


def personal_data(events: QuerySet[CaseEvent]) -> PersonalData:
    """The personal data of `events`, by (case id, seq): path -> (salt, value JSON)."""
    found: PersonalData = {}
    rows = PersonalDatum.objects.filter(
        Exists(events.filter(case_id=OuterRef("case_id"), seq=OuterRef("seq")))
    ).values_list("case_id", "seq", "path", "salt", "value")
    for case_id, seq, path, salt, value in rows.iterator(chunk_size=10_000):
        found.setdefault((case_id, seq), {})[path] = (salt, value)
    return found


def clear_text(kind: str, payload: str, data: dict[str, tuple[str, str]] | None) -> str:
    """The stored `payload` of a `kind` event with its personal values put back."""
    if '{"commit":' not in payload:
        return payload
    return rehydrate(kind, payload, data or {}).payload_json


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
        report = verify_chain(_event_rows(case_filter, params), heads)
        references = {head.chain: head.case for head in heads}
        already = {b.chain for b in report.broken}
        report.broken.extend(
            b
            for b in _commitments_verify(case_filter, params, references)
            if b.chain not in already
        )
        return report, case_orgs


def _commitments_verify(
    case_filter: str, params: list[Any], references: dict[Hashable, str]
) -> list[BrokenLink]:
    """Check every stored personal datum against the commitment its event's hashed payload
    holds (erased data are simply absent: nothing to check)."""
    where = case_filter.replace("case_id", "d.case_id").replace(
        "organisation_id", "e.organisation_id"
    )
    sql = (
        "SELECT d.case_id, d.seq, e.kind, e.payload, d.path, d.salt, d.value "  # noqa: S608 - fixed text
        f"FROM {PersonalDatum._meta.db_table} d LEFT JOIN cases_caseevent e "
        f"ON e.case_id = d.case_id AND e.seq = d.seq {where} ORDER BY d.case_id, d.seq"
    )
    broken: list[BrokenLink] = []
    seen: set[Hashable] = set()
    current: tuple[Any, int, str | None, str | None] | None = None
    data: dict[str, tuple[str, str]] = {}

    def check() -> None:
        if current is None:
            return
        case_id, seq, kind, payload = current
        if case_id in seen:
            return
        if payload is None or kind is None:
            problems = ["personal data belong to an event that does not exist"]
        else:
            problems = commitment_problems(kind, payload, data)
        if problems:
            seen.add(case_id)
            reference = references.get(case_id, f"<case {case_id}>")
            broken.append(BrokenLink(case_id, reference, seq, "; ".join(problems)))

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            for case_id, seq, kind, payload, path, salt, value in rows:
                if current is None or (current[0], current[1]) != (case_id, seq):
                    check()
                    current, data = (case_id, seq, kind, payload), {}
                data[path] = (salt, value)
        check()
    return broken


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
