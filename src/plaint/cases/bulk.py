"""Fast multi-row inserts for bulk imports.

`bulk_create` prepares every value through each field's full save path, which costs more
than the database does for wide rows. Imports know their values are already clean, so
`rows_insert` only adapts what the backend needs adapted (dates, times, decimals, through
Django's own `connection.ops`) and sends multi-row ``INSERT ... RETURNING id`` statements,
which both SQLite (3.35+) and PostgreSQL answer with the new ids in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

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
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                values = list(row)
                for i, adapt in adapters:
                    if values[i] is not None:
                        values[i] = adapt(values[i])
                params.extend(values)
            # Only quoted names from the model's metadata go into the text; values are bound.
            sql = (
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one_row] * len(chunk))} "  # noqa: S608
                f"RETURNING {pk}"
            )
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids
