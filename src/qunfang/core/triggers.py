"""Database triggers that refuse UPDATE on append-only tables (the security log, the duty
ledger), on SQLite and PostgreSQL alike, whatever code path tries it."""

from django.db import migrations


def _sql(table: str) -> dict[str, tuple[list[str], list[str]]]:
    name = f"{table}_no_update"
    return {
        "sqlite": (
            [
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            ],
            [f"DROP TRIGGER IF EXISTS {name}"],
        ),
        "postgresql": (
            [
                f"CREATE OR REPLACE FUNCTION {table}_refuse_update() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql",
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_refuse_update()",
            ],
            [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"DROP FUNCTION IF EXISTS {table}_refuse_update()",
            ],
        ),
    }


def refuse_updates(table: str) -> migrations.RunPython:
    sql = _sql(table)

    def up(apps, schema_editor):
        for statement in sql.get(schema_editor.connection.vendor, ([], []))[0]:
            schema_editor.execute(statement, params=None)

    def down(apps, schema_editor):
        for statement in sql.get(schema_editor.connection.vendor, ([], []))[1]:
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(up, down)
