"""Make the case ledger append-only in the database itself.

Whatever the application does, the database refuses UPDATE and DELETE on
cases_caseevent (and TRUNCATE on PostgreSQL). Tampering then needs someone to drop the
triggers first, and `plaint verify` catches what they change.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER plaint_case_event_no_update BEFORE UPDATE ON cases_caseevent
       BEGIN SELECT RAISE(ABORT, 'case events are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER plaint_case_event_no_delete BEFORE DELETE ON cases_caseevent
       BEGIN SELECT RAISE(ABORT, 'case events are append-only: DELETE refused'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS plaint_case_event_no_update",
    "DROP TRIGGER IF EXISTS plaint_case_event_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION plaint_case_event_append_only() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION USING
           MESSAGE = 'case events are append-only: ' || TG_OP || ' refused',
           ERRCODE = 'integrity_constraint_violation';
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER plaint_case_event_no_change BEFORE UPDATE OR DELETE ON cases_caseevent
       FOR EACH ROW EXECUTE FUNCTION plaint_case_event_append_only()""",
    """CREATE TRIGGER plaint_case_event_no_truncate BEFORE TRUNCATE ON cases_caseevent
       FOR EACH STATEMENT EXECUTE FUNCTION plaint_case_event_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS plaint_case_event_no_change ON cases_caseevent",
    "DROP TRIGGER IF EXISTS plaint_case_event_no_truncate ON cases_caseevent",
    "DROP FUNCTION IF EXISTS plaint_case_event_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No append-only triggers for {schema_editor.connection.vendor}; "
                "Plaint supports SQLite and PostgreSQL."
            )
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
