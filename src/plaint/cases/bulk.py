"""Fast multi-row inserts and updates for bulk imports, and the ledger of a batch.

`bulk_create` prepares every value through each field's full save path, which costs more
than the database does for wide rows. Imports know their values are already clean, so
`rows_insert` only adapts what the backend needs adapted (dates, times, decimals, through
Django's own `connection.ops`) and sends multi-row ``INSERT ... RETURNING id`` statements,
which both SQLite (3.35+) and PostgreSQL answer with the new ids in order. `rows_update`
is the matching multi-row ``WITH v(...) AS (VALUES ...) UPDATE ... FROM v`` (SQLite 3.33+).

`LedgerBatch` appends events to many cases' ledgers in memory, hash-chained exactly as
`plaint.cases.ledger.event_append` chains them, and writes them with one multi-row insert
and the cases' new heads with one multi-row update, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models

from plaint.cases.ledger import Actor, event_values, ledger_entry
from plaint.cases.models import Case, CaseEvent, PersonalDatum
from plaint.domain.events import Payload
from plaint.domain.ledger import chain_hash
from plaint.domain.vocabulary import Visibility

# SQLite allows 32,766 bound parameters per statement (since 3.32); PostgreSQL 65,535.
MAX_PARAMS = 32_000


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_value(value, connection)
    return None


def rows_insert(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert `rows` (tuples of values for the fields named in `columns`, by attname) into
    `model`'s table and return the new primary keys, in order. Runs in the caller's
    transaction; values are not validated here."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    adapters = [(i, a) for i, c in enumerate(columns) if (a := _adapter(fields[c])) is not None]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(str(fields[c].column)) for c in columns)
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    pk = quote(str(model._meta.pk.column))
    per_statement = max(1, MAX_PARAMS // len(columns))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for chunk, params in _bound(rows, adapters, per_statement):
            # Only quoted names from the model's metadata go into the text; values are bound.
            sql = (
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one_row] * len(chunk))} "  # noqa: S608
                f"RETURNING {pk}"
            )
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _bound(
    rows: Sequence[Sequence[Any]], adapters: list[tuple[int, Any]], per_statement: int
) -> Iterator[tuple[Sequence[Sequence[Any]], list[Any]]]:
    """The rows in chunks of `per_statement`, each with its flat list of bound values
    (adapted for the database where a column needs it)."""
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        params: list[Any] = []
        for row in chunk:
            values = list(row)
            for i, adapt in adapters:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            params.extend(values)
        yield chunk, params


def rows_update(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Set the fields named in `columns` (by attname) of many rows at once: each row is
    (primary key, *values). Runs in the caller's transaction; values are not validated."""
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    pk_field = model._meta.pk
    all_fields = [pk_field, *(fields[c] for c in columns)]
    adapters = [(i, a) for i, f in enumerate(all_fields) if (a := _adapter(f)) is not None]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [quote(str(f.column)) for f in all_fields]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    one_row = "(" + ", ".join(["%s"] * len(all_fields)) + ")"
    per_statement = max(1, MAX_PARAMS // len(all_fields))
    with connection.cursor() as cursor:
        for chunk, params in _bound(rows, adapters, per_statement):
            # Only quoted names from the model's metadata go into the text; values are bound.
            sql = (
                f"WITH v ({', '.join(names)}) AS (VALUES {', '.join([one_row] * len(chunk))}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{names[0]} = v.{names[0]}"
            )
            cursor.execute(sql, params)


EVENT_COLUMNS = tuple(f.attname for f in CaseEvent._meta.concrete_fields if not f.primary_key)
PERSONAL_COLUMNS = ("case_id", "seq", "path", "salt", "value")


@dataclass
class _Head:
    organisation_id: int
    reference: str
    length: int
    head: str
    moved: bool = False


class LedgerBatch:
    """The ledgers of a batch of cases, appended to in memory and written at once.

    Every event is chained to the one before it in its case, as `event_append` would
    chain it; `write` inserts the events and moves each case's head (and `updated_at`)."""

    def __init__(self, cases: Sequence[Case], *, now: datetime) -> None:
        self.now = now
        self._heads = {
            case.pk: _Head(
                case.organisation_id, case.reference, case.ledger_length, case.ledger_head
            )
            for case in cases
        }
        self._rows: list[tuple[Any, ...]] = []
        self._personal: list[tuple[Any, ...]] = []

    def append(
        self,
        case_id: int,
        payload: Payload,
        *,
        actor: Actor,
        occurred_at: datetime | None = None,
        visibility: Visibility = Visibility.INTERNAL,
    ) -> None:
        head = self._heads[case_id]
        entry, data = ledger_entry(
            reference=head.reference,
            seq=head.length + 1,
            payload=payload,
            actor=actor,
            occurred_at=occurred_at or self.now,
            recorded_at=self.now,
            visibility=visibility,
        )
        digest = chain_hash(head.head, entry)
        values = event_values(
            entry,
            organisation_id=head.organisation_id,
            case_id=case_id,
            prev_hash=head.head,
            digest=digest,
        )
        self._rows.append(tuple(values[column] for column in EVENT_COLUMNS))
        self._personal.extend((case_id, entry.seq, d.path, d.salt, d.value) for d in data)
        head.length, head.head, head.moved = entry.seq, digest, True

    def length(self, case_id: int) -> int:
        """How many events the case's ledger holds, counting those not yet written."""
        return self._heads[case_id].length

    @property
    def events(self) -> int:
        return len(self._rows)

    def write(self) -> None:
        """Insert the appended events and move the cases' heads."""
        rows_insert(CaseEvent, EVENT_COLUMNS, self._rows)
        rows_insert(PersonalDatum, PERSONAL_COLUMNS, self._personal)
        rows_update(
            Case,
            ("ledger_length", "ledger_head", "updated_at"),
            [
                (case_id, head.length, head.head, self.now)
                for case_id, head in self._heads.items()
                if head.moved
            ],
        )
        self._rows = []
        self._personal = []
        for head in self._heads.values():
            head.moved = False
