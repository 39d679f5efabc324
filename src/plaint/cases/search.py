"""Full-text search over what people wrote about a case: the complaint as received (the
customer's name, product, issue, order and account numbers, narrative and the resolution
they want), every note and every contact summary.

One selector, two engines. SQLite answers from an FTS5 table that triggers keep in step
with `SearchEntry` (migration ``cases/0005``); PostgreSQL from a GIN index on
``to_tsvector('plaint_english', body)``. Both stem English words ("refunds" finds
"refund") and fold accents ("zoe" finds "Zoë"); both treat the last word typed as a
prefix, so the desk's live search narrows as someone types. Every word must match (AND).
Nothing a user types is read as query syntax: the words are bound as parameters, quoted
for FTS5 and parsed as plain text by PostgreSQL.

Entries are written by the services in the transaction of the event they mirror
(`search_index`), by bulk imports in their batch (`search_index_rows`), and can be rebuilt
from the cases and their ledgers (`search_rebuild`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from plaint.accounts.models import Organisation
from plaint.cases.bulk import rows_insert
from plaint.cases.ledger import clear_text, personal_data
from plaint.cases.models import Case, CaseEvent, SearchEntry
from plaint.domain.events import EventKind

FTS_TABLE = "cases_searchentry_fts"
MAX_TERMS = 16
MAX_TERM_LENGTH = 64
_WORD = re.compile(r"[^\W_]+")

Source = SearchEntry.Source


def search_terms(text: str) -> list[str]:
    """The words of a query: runs of letters and digits, lower-cased, at most `MAX_TERMS`
    of them, each cut to `MAX_TERM_LENGTH` characters."""
    return [w[:MAX_TERM_LENGTH] for w in _WORD.findall(text.lower())][:MAX_TERMS]


def case_text(
    *,
    customer_name: str,
    product: str = "",
    issue: str = "",
    order_number: str = "",
    account_number: str = "",
    description: str = "",
    desired_resolution: str = "",
) -> str:
    """The searchable text of a complaint as received."""
    parts = (
        customer_name,
        product,
        issue,
        order_number,
        account_number,
        description,
        desired_resolution,
    )
    return "\n".join(p for p in parts if p)


def case_text_of(case: Case, *, customer_name: str) -> str:
    """`case_text` of a saved case."""
    return case_text(
        customer_name=customer_name,
        product=case.product,
        issue=case.issue,
        order_number=case.order_number,
        account_number=case.account_number,
        description=case.description,
        desired_resolution=case.desired_resolution,
    )


def search_index(*, case: Case, source: Source, body: str) -> None:
    """Make `body` findable for `case`. Runs in the caller's transaction."""
    if body.strip():
        SearchEntry.objects.create(
            organisation_id=case.organisation_id, case=case, source=source, body=body
        )


_COLUMNS = ("organisation_id", "case_id", "source", "body")


def search_index_rows(rows: Sequence[tuple[int, int, str, str]]) -> None:
    """Bulk form of `search_index` for imports: (organisation id, case id, source, body)."""
    rows_insert(SearchEntry, _COLUMNS, [row for row in rows if row[3].strip()])


_LAST_WORD = re.compile(r"[^\W_]+$")
MAX_QUERY_LENGTH = 1000


def _prefix_query(last: re.Match[str]) -> str:
    """The tsquery for the last word as a prefix. PostgreSQL's parser reads digits after a
    hyphen as a signed number ("INV-4217" is "inv" and "-4217"), so a last word of digits
    matches either spelling: "INV-42" and "4217" both find INV-4217. (A number earlier in
    the query goes through plainto_tsquery and must be typed as it was written.)"""
    word = last.group().lower()
    if word.isdigit():
        return f"({word}:* | '-{word}':*)"
    return f"{word}:*"


def _match_sql(
    organisation: Organisation, text: str, terms: Sequence[str]
) -> tuple[str, list[object]]:
    """SQL selecting the ids of the organisation's cases whose text matches every word of
    the query (the last as a prefix), with its parameters."""
    if connection.vendor == "postgresql":
        # PostgreSQL parses the query's text with the same parser as the documents
        # (plainto_tsquery reads no operators), so "ORD-77" means what it means in a
        # document. A last word still being typed is matched as a prefix; it is letters
        # and digits only, so it cannot form tsquery operators.
        text = text.strip()[:MAX_QUERY_LENGTH]
        last = _LAST_WORD.search(text)
        head, prefix = (text[: last.start()], _prefix_query(last)) if last else (text, "")
        sql = (
            "SELECT case_id FROM cases_searchentry WHERE organisation_id = %s AND "
            "to_tsvector('plaint_english'::regconfig, body) @@ "
            "(plainto_tsquery('plaint_english'::regconfig, %s) "
            "&& to_tsquery('plaint_english'::regconfig, %s))"
        )
        return sql, [organisation.pk, head, prefix]
    # FTS5: each term a quoted string (so no word is read as an operator), the last with *.
    query = " ".join([*(f'"{t}"' for t in terms[:-1]), f'"{terms[-1]}"*'])
    sql = (
        f"SELECT e.case_id FROM {FTS_TABLE} JOIN cases_searchentry e "  # noqa: S608
        f"ON e.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND e.organisation_id = %s"
    )
    return sql, [query, organisation.pk]


def search_matches(*, organisation: Organisation, q: str) -> RawSQL:
    """The ids of the organisation's cases whose reference is `q` (references are upper
    case; the match ignores case) or whose text matches every word of `q`, as one
    subquery for ``Q(pk__in=...)``. A union of two indexed lookups, so the database
    starts from the matches rather than testing every case against an OR."""
    table = Case._meta.db_table
    sql = f"SELECT id FROM {table} WHERE organisation_id = %s AND reference = %s"  # noqa: S608
    params: list[object] = [organisation.pk, q.strip().upper()[:64]]
    terms = search_terms(q)
    if terms:
        words_sql, words_params = _match_sql(organisation, q, terms)
        sql, params = f"{sql} UNION {words_sql}", [*params, *words_params]
    # The SQL text is fixed; the words, the reference and the organisation are bound.
    return RawSQL(sql, params)  # noqa: S611


@transaction.atomic
def search_rebuild(*, organisation: Organisation | None = None) -> int:
    """Recreate the search entries from the cases and their ledgers (all organisations,
    or one). Returns how many entries were written."""
    entries = SearchEntry.objects.all()
    cases = Case.objects.select_related("customer")
    events = CaseEvent.objects.filter(kind__in=[EventKind.NOTE_ADDED, EventKind.CONTACT_LOGGED])
    if organisation is not None:
        entries = entries.filter(organisation=organisation)
        cases = cases.filter(organisation=organisation)
        events = events.filter(organisation=organisation)
    entries.delete()
    rows: list[tuple[int, int, str, str]] = []
    written = 0

    def flush() -> None:
        nonlocal written
        search_index_rows(rows)
        written += sum(1 for row in rows if row[3].strip())
        rows.clear()

    for case in cases.iterator(chunk_size=2000):
        body = case_text_of(case, customer_name=case.customer.name)
        rows.append((case.organisation_id, case.pk, Source.CASE, body))
        if len(rows) >= 2000:
            flush()
    personal = personal_data(events)
    for row in _event_rows(
        (org, case_id, kind, clear_text(kind, payload, personal.get((case_id, seq))))
        for org, case_id, seq, kind, payload in events.values_list(
            "organisation_id", "case_id", "seq", "kind", "payload"
        ).iterator(chunk_size=2000)
    ):
        rows.append(row)
        if len(rows) >= 2000:
            flush()
    flush()
    return written


def _event_rows(
    events: Iterable[tuple[int, int, str, str]],
) -> Iterable[tuple[int, int, str, str]]:
    for organisation_id, case_id, kind, payload in events:
        data = json.loads(payload)
        if kind == EventKind.NOTE_ADDED:
            yield organisation_id, case_id, Source.NOTE, data.get("text", "")
        else:
            yield organisation_id, case_id, Source.CONTACT, data.get("summary", "")
