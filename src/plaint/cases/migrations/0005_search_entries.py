"""Full-text search over what people wrote about a case (`plaint.cases.search`).

`SearchEntry` holds the text; the index is the database's own: on SQLite an FTS5 table
over `cases_searchentry` (external content, kept in step by triggers), on PostgreSQL a
GIN index on the text-search vector of `body` (English stemming, accents folded). Existing cases and their notes and
contact summaries are indexed here.
"""

import json

import django.db.models.deletion
from django.db import migrations, models

TOKENIZER = "porter unicode61 remove_diacritics 2"
SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE cases_searchentry_fts USING fts5(
        body, content='cases_searchentry', content_rowid='id', tokenize='{TOKENIZER}')""",
    """CREATE TRIGGER cases_searchentry_fts_insert AFTER INSERT ON cases_searchentry BEGIN
         INSERT INTO cases_searchentry_fts(rowid, body) VALUES (new.id, new.body); END""",
    """CREATE TRIGGER cases_searchentry_fts_delete AFTER DELETE ON cases_searchentry BEGIN
         INSERT INTO cases_searchentry_fts(cases_searchentry_fts, rowid, body)
         VALUES ('delete', old.id, old.body); END""",
    """CREATE TRIGGER cases_searchentry_fts_update AFTER UPDATE ON cases_searchentry BEGIN
         INSERT INTO cases_searchentry_fts(cases_searchentry_fts, rowid, body)
         VALUES ('delete', old.id, old.body);
         INSERT INTO cases_searchentry_fts(rowid, body) VALUES (new.id, new.body); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS cases_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS cases_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS cases_searchentry_fts_update",
    "DROP TABLE IF EXISTS cases_searchentry_fts",
]
# English stemming with accents folded (as FTS5's remove_diacritics does): "zoe" finds
# "Zoë". unaccent is a trusted extension, so the database's owner may create it.
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION plaint_english (COPY = pg_catalog.english)",
    """ALTER TEXT SEARCH CONFIGURATION plaint_english
       ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem""",
    """CREATE INDEX cases_searchentry_body_fts ON cases_searchentry
       USING gin (to_tsvector('plaint_english'::regconfig, body))""",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS cases_searchentry_body_fts",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS plaint_english",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No full-text index for {schema_editor.connection.vendor}; "
                "Plaint supports SQLite and PostgreSQL."
            )
        for sql in statements:
            schema_editor.execute(sql)

    return run


def index_existing(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    SearchEntry = apps.get_model("cases", "SearchEntry")
    batch = []

    def add(organisation_id, case_id, source, body):
        if body and body.strip():
            batch.append(
                SearchEntry(
                    organisation_id=organisation_id, case_id=case_id, source=source, body=body
                )
            )
        if len(batch) >= 2000:
            SearchEntry.objects.bulk_create(batch)
            batch.clear()

    cases = Case.objects.values_list(
        "organisation_id", "pk", "customer__name", "product", "issue", "order_number",
        "account_number", "description", "desired_resolution",
    )
    for organisation_id, case_id, *parts in cases.iterator(chunk_size=2000):
        add(organisation_id, case_id, "case", "\n".join(p for p in parts if p))
    events = CaseEvent.objects.filter(kind__in=["note_added", "contact_logged"]).values_list(
        "organisation_id", "case_id", "kind", "payload"
    )
    for organisation_id, case_id, kind, payload in events.iterator(chunk_size=2000):
        data = json.loads(payload)
        if kind == "note_added":
            add(organisation_id, case_id, "note", data.get("text", ""))
        else:
            add(organisation_id, case_id, "contact", data.get("summary", ""))
    SearchEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_calendars_and_service_levels"),
        ("cases", "0004_filter_menu_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("case", "Complaint as received"),
                            ("note", "Note"),
                            ("contact", "Contact summary"),
                        ],
                        max_length=10,
                    ),
                ),
                ("body", models.TextField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="accounts.organisation"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["organisation", "case"], name="cases_searc_organis_a9a1a0_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
