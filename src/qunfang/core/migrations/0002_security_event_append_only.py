"""A database trigger refuses UPDATE on the security log, whatever code path tries it."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER core_securityevent_no_update BEFORE UPDATE ON core_securityevent
BEGIN SELECT RAISE(ABORT, 'core_securityevent is append-only'); END"""
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_securityevent_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'core_securityevent is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_securityevent_no_update BEFORE UPDATE ON core_securityevent
FOR EACH ROW EXECUTE FUNCTION core_securityevent_refuse_update()""",
]
DOWN = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_securityevent_no_update"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_securityevent_no_update ON core_securityevent",
        "DROP FUNCTION IF EXISTS core_securityevent_refuse_update()",
    ],
}


def create_trigger(apps, schema_editor):
    for sql in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def drop_trigger(apps, schema_editor):
    for sql in DOWN.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
