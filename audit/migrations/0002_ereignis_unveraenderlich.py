"""Make the audit history append-only in the database itself.

PostgreSQL (production): UPDATE and DELETE on audit_ereignis raise an error, whatever the
application does. TRUNCATE stays possible for the database owner (the test suite's flush
uses it); the application's database role should not be granted TRUNCATE.
SQLite (embedded default): UPDATE is refused; DELETE stays possible because Django's
flush deletes row by row there.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_ereignis_unveraenderlich() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_ereignis ist unveränderlich (% verweigert)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_ereignis_kein_update BEFORE UPDATE OR DELETE ON audit_ereignis
    FOR EACH ROW EXECUTE FUNCTION audit_ereignis_unveraenderlich();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_ereignis_kein_update ON audit_ereignis;
DROP FUNCTION IF EXISTS audit_ereignis_unveraenderlich();
"""
SQLITE_UP = [
    """CREATE TRIGGER audit_ereignis_kein_update BEFORE UPDATE ON audit_ereignis
       BEGIN SELECT RAISE(ABORT, 'audit_ereignis ist unveränderlich (UPDATE verweigert)'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_ereignis_kein_update;",
]


def vorwaerts(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # A plain cursor: the schema editor would read the "%" of RAISE as a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def rueckwaerts(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(vorwaerts, rueckwaerts)]
