"""Database triggers that keep the books append-only, on SQLite and PostgreSQL alike, whatever
code path tries: UPDATE is always refused; DELETE (and PostgreSQL's TRUNCATE) only inside
`books_unlocked()`, which the retention archive and the test suite's flush alone use.

The tables are every concrete `AppendOnly` model and every simple-history table. Their triggers
are made after each `migrate` (see `CoreConfig.ready`), so a new book or a new history table
gets them without a migration to remember, and SQLite's table remakes (which drop triggers)
cannot leave one open.

On SQLite the unlock is a SQL function that Django registers on each of its connections: a bare
`sqlite3` shell lacks it, so there a DELETE fails too. On PostgreSQL it is a setting local to
the transaction.
"""

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, migrations, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

UNLOCK_FUNCTION = "qunfang_books_unlocked"
UNLOCK_SETTING = "qunfang.books_unlocked"
_FLAG = "_qunfang_books_unlocked"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION qunfang_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('{UNLOCK_SETTING}', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END; $$ LANGUAGE plpgsql
"""


def append_only_tables() -> list[str]:
    """Every table whose rows are never changed: the books and the audit history."""
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    from qunfang.core.books.base import AppendOnly

    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, AppendOnly | HistoricalChanges) and m._meta.managed
    )


def trigger_name(table: str, operation: str) -> str:
    """`<table>_ao_<op>`, shortened with a digest where PostgreSQL's 63 characters would cut it."""
    if len(table) > 50:
        table = table[:40] + "_" + hashlib.sha256(table.encode()).hexdigest()[:8]
    return f"{table}_ao_{operation[0].lower()}"


def _create_sql(vendor: str, table: str) -> dict[str, str]:
    if vendor == "sqlite":
        refuse = "BEGIN SELECT RAISE(ABORT, '{t} is append-only: {op} refused'); END"
        return {
            trigger_name(table, "update"): (
                f"CREATE TRIGGER {trigger_name(table, 'update')} BEFORE UPDATE ON {table} "
                + refuse.format(t=table, op="UPDATE")
            ),
            trigger_name(table, "delete"): (
                f"CREATE TRIGGER {trigger_name(table, 'delete')} BEFORE DELETE ON {table} "
                f"WHEN NOT {UNLOCK_FUNCTION}() " + refuse.format(t=table, op="DELETE")
            ),
        }
    run = "EXECUTE FUNCTION qunfang_append_only()"
    return {
        trigger_name(table, op): (
            f"CREATE TRIGGER {trigger_name(table, op)} BEFORE {op.upper()} ON {table} "
            f"FOR EACH {'STATEMENT' if op == 'truncate' else 'ROW'} {run}"
        )
        for op in ("update", "delete", "truncate")
    }


def _existing_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if connection.vendor == "sqlite"
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def ensure_append_only_triggers(
    connection: BaseDatabaseWrapper, tables: Iterable[str] | None = None
) -> list[str]:
    """Make the missing triggers of every append-only table that exists; returns their names."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    present = set(connection.introspection.table_names())
    wanted = [t for t in (tables or append_only_tables()) if t in present]
    existing = _existing_triggers(connection)
    made = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
        for table in wanted:
            for name, sql in _create_sql(connection.vendor, table).items():
                if name not in existing:
                    cursor.execute(sql)
                    made.append(name)
    return made


def drop_append_only_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    """For a data migration that must fill in new columns of old lines; `migrate` makes the
    triggers again when it ends. Also drops the UPDATE-only trigger of the first migrations."""
    pg = schema_editor.connection.vendor == "postgresql"
    names = [
        f"{table}_no_update",
        *(trigger_name(table, op) for op in ("update", "delete", "truncate")),
    ]
    for name in names:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else ""))
    if pg:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_refuse_update()")


def register_unlock_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: the SQLite side of the unlock, read from a flag on the
    Django connection (not deterministic: SQLite must call it each time)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            UNLOCK_FUNCTION, 0, lambda: int(getattr(connection, _FLAG, False))
        )


@contextmanager
def books_unlocked(using: str = "default") -> Iterator[None]:
    """Let DELETE through on the append-only tables inside this block (one transaction).
    Only the retention archive, which chains a line saying what it took away, and test
    flushes may use it. UPDATE stays refused."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [UNLOCK_SETTING])
        setattr(connection, _FLAG, True)
        try:
            yield
        finally:
            setattr(connection, _FLAG, False)
        if connection.vendor == "postgresql":  # on an error the rollback undoes the setting
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [UNLOCK_SETTING])


def refuse_updates(table: str) -> migrations.RunPython:
    """The first migrations' UPDATE-only trigger, kept so that they still run; the later
    chain migrations replace it with the triggers above."""

    def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        vendor, name = schema_editor.connection.vendor, f"{table}_no_update"
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_refuse_update() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION {table}_refuse_update()"
            )

    def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        drop_append_only_triggers(schema_editor, table)

    return migrations.RunPython(up, down)
