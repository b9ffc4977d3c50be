"""Shared by the benchmarks: Django on a fresh throw-away database, SQLite in a temporary folder
by default, or a new database on a PostgreSQL server (dropped again when the run ends)."""

import atexit
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def _postgres_throwaway(server_url: str) -> str:
    """Create qf_bench_<pid> on the server of `server_url`; return its URL. Dropped at exit."""
    import psycopg

    parts = urlsplit(server_url)
    name = f"qf_bench_{os.getpid()}"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(
            admin.replace("postgres://", "postgresql://", 1), autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def setup_throwaway_django(database_url: str | None = None) -> str:
    """Point Qunfang at a new database (SQLite unless `database_url` names a PostgreSQL server),
    set Django up and migrate; returns the data folder."""
    data_dir = tempfile.mkdtemp(prefix="qunfang-bench-")
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        url = _postgres_throwaway(database_url)
    elif database_url:
        raise SystemExit(f"--database-url: only postgres://… is supported, not {database_url!r}")
    else:
        url = f"sqlite:///{data_dir}/bench.sqlite3"
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
    return data_dir
