"""Make the access log append-only in the database itself, as the case ledger is
(cases/0002): UPDATE and DELETE are refused on both engines, TRUNCATE on PostgreSQL."""

from django.db import migrations

TABLE = "accesslog_accessrecord"

SQLITE_UP = [
    f"""CREATE TRIGGER plaint_access_record_no_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER plaint_access_record_no_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE refused'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS plaint_access_record_no_update",
    "DROP TRIGGER IF EXISTS plaint_access_record_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION plaint_access_record_append_only() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION USING
           MESSAGE = 'the access log is append-only: ' || TG_OP || ' refused',
           ERRCODE = 'integrity_constraint_violation';
       END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER plaint_access_record_no_change BEFORE UPDATE OR DELETE ON {TABLE}
       FOR EACH ROW EXECUTE FUNCTION plaint_access_record_append_only()""",
    f"""CREATE TRIGGER plaint_access_record_no_truncate BEFORE TRUNCATE ON {TABLE}
       FOR EACH STATEMENT EXECUTE FUNCTION plaint_access_record_append_only()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS plaint_access_record_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS plaint_access_record_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS plaint_access_record_append_only()",
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
    dependencies = [("accesslog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
