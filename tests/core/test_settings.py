"""Settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from qunfang.dburl import parse_database_url
from qunfang.env import env_bool, env_int
from qunfang.keys import generate_env_lines

ROOT = Path(__file__).resolve().parents[2]


def run_qunfang(args, env_overrides, tmp_path):
    """`qunfang ARGS` in a fresh process with only the given QUNFANG_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUNFANG_", "DJANGO_"))}
    env.update({"QUNFANG_DATA_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env(tmp_path):
    keys = dict(line.split("=", 1) for line in generate_env_lines().splitlines())
    return {
        **keys,
        "QUNFANG_ENV": "production",
        "QUNFANG_ALLOWED_HOSTS": "qunfang.example.cn",
        "QUNFANG_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_qunfang(
        ["check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path), tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_its_keys(tmp_path):
    env = _production_env(tmp_path)
    del env["QUNFANG_SECRET_KEY"], env["QUNFANG_BLIND_INDEX_KEY"]
    result = run_qunfang(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "QUNFANG_SECRET_KEY" in result.stderr and "QUNFANG_BLIND_INDEX_KEY" in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    env = _production_env(tmp_path)
    secret_file = tmp_path / "secret"
    secret_file.write_text(env.pop("QUNFANG_SECRET_KEY"))
    env["QUNFANG_SECRET_KEY_FILE"] = str(secret_file)
    assert run_qunfang(["check"], env, tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QUNFANG_DEBUG", "maybe"),
        ("QUNFANG_SESSION_IDLE_MINUTES", "ten"),
        ("QUNFANG_ENV", "staging"),
        ("QUNFANG_DATABASE_URL", "mysql://x/y"),
        ("QUNFANG_FIELD_KEYS", "k1:tooshort"),
        ("QUNFANG_MAX_REQUEST_MB", "lots"),
        ("QUNFANG_REDIS_URL", "localhost:6379"),
        ("QUNFANG_TRUSTED_PROXIES", "10.0.0.1, nginx"),
        ("QUNFANG_TASKS", "celery"),
    ],
)
def test_a_bad_value_stops_start_up_and_names_the_variable(tmp_path, name, value):
    result = run_qunfang(["check"], {name: value}, tmp_path)
    assert result.returncode != 0
    assert name in result.stderr


def test_tasks_on_redis_need_the_redis_address(tmp_path):
    result = run_qunfang(["check"], {"QUNFANG_TASKS": "rq"}, tmp_path)
    assert result.returncode != 0 and "QUNFANG_REDIS_URL" in result.stderr
    url = "redis://127.0.0.1:6379/15"
    script = "from django.conf import settings as s; print(s.TASKS, s.RQ_QUEUES)"
    shown = run_qunfang(
        ["shell", "--no-imports", "-c", script],
        {"QUNFANG_TASKS": "rq", "QUNFANG_REDIS_URL": url},
        tmp_path,
    )
    assert "django_tasks_rq.RQBackend" in shown.stdout and url in shown.stdout, shown.stderr


def test_development_creates_its_keys_once_and_keeps_them(tmp_path):
    assert run_qunfang(["check"], {}, tmp_path).returncode == 0
    secrets_file = tmp_path / "secrets.json"
    first = secrets_file.read_text()
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    assert run_qunfang(["check"], {}, tmp_path).returncode == 0
    assert secrets_file.read_text() == first


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_NUM", "-1")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 5, minimum=0)


def test_database_urls():
    pg = parse_database_url("postgres://qf:p%40ss@db.local:5433/qunfang?sslmode=require", ROOT)
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "qf",
        "p@ss",
        "db.local",
        "5433",
        "qunfang",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    lite = parse_database_url("sqlite:///var/x.sqlite3", ROOT)
    assert lite["NAME"] == str(ROOT / "var/x.sqlite3")
    assert "journal_mode=WAL" in lite["OPTIONS"]["init_command"]


def test_sqlite_pragmas_are_in_force_on_a_file_database(tmp_path, django_db_blocker):
    """The test database lives in memory; open a file database through Django's own backend."""
    from django.db.backends.sqlite3.base import DatabaseWrapper
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler(
        {"default": parse_database_url(f"sqlite:///{tmp_path / 'p.db'}", ROOT)}
    )
    wrapper = DatabaseWrapper(handler.settings["default"], alias="p")
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            pragmas = {}
            for name in (
                "journal_mode",
                "synchronous",
                "busy_timeout",
                "foreign_keys",
                "secure_delete",
            ):
                cursor.execute(f"PRAGMA {name}")
                pragmas[name] = cursor.fetchone()[0]
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 2,
            "busy_timeout": 5000,
            "foreign_keys": 1,
            "secure_delete": 1,
        }
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()
