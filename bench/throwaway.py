"""Shared by the benchmarks: Django on a fresh throw-away database, SQLite in a temporary folder
by default, or a new database on a PostgreSQL server (dropped again when the run ends)."""

import atexit
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def _admin_url(server_url: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))


def postgres_database(server_url: str, name: str, *, keep: bool = False) -> str:
    """Database `name` on the server of `server_url`; returns its URL. Made afresh and dropped at
    exit, or with `keep` made only if missing and left for the next run."""
    import psycopg

    with psycopg.connect(_admin_url(server_url), autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not keep:
            c.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(_admin_url(server_url), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    if not keep:
        atexit.register(drop)
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def setup_throwaway_django(database_url: str | None = None) -> str:
    """Point Qunfang at a new database (SQLite unless `database_url` names a PostgreSQL server),
    set Django up and migrate; returns the data folder."""
    data_dir = tempfile.mkdtemp(prefix="qunfang-bench-")
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        url = postgres_database(database_url, f"qf_bench_{os.getpid()}")
    elif database_url:
        raise SystemExit(f"--database-url: only postgres://… is supported, not {database_url!r}")
    else:
        url = f"sqlite:///{data_dir}/bench.sqlite3"
    setup_django(url, data_dir)
    return data_dir


def setup_django(url: str, data_dir: str) -> None:
    """Set Django up on the database at `url` (made already) and migrate it."""
    os.environ.update(
        {
            "QUNFANG_ENV": "test",
            "QUNFANG_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "qunfang.settings",
            "QUNFANG_DATABASE_URL": url,
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
