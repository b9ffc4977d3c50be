"""QUNFANG_DATABASE_URL → Django DATABASES entry (sqlite:///rel.db, sqlite:////abs.db, postgres://…)."""

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# IMMEDIATE: a transaction that reads then writes would otherwise fail with "database is locked"
# instead of waiting for busy_timeout.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"
        "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
}


def parse_database_url(url: str, base_dir: Path) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:])
        if not path:
            raise ImproperlyConfigured("QUNFANG_DATABASE_URL: sqlite URL has no file name.")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path if path.startswith("/") else str(base_dir / path),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("QUNFANG_DATABASE_URL: postgres URL has no database name.")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    raise ImproperlyConfigured(
        f"QUNFANG_DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite:/// or postgres://)."
    )
