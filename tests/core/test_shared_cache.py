"""Rate limits and one-time tokens live in a cache that every worker process shares: the
database by default, Redis when QUNFANG_REDIS_URL is set. Proven with real, separate processes."""

import os
import socket
import subprocess
import sys
import uuid

import pytest

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(
    not _redis_up() and not os.environ.get("QUNFANG_REQUIRE_REDIS"),
    reason="needs Redis on 127.0.0.1:6379 (CI sets QUNFANG_REQUIRE_REDIS and has it)",
)


def _run(code: str, env: dict) -> str:
    """`code` in a fresh Python process with Qunfang's development settings."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "qunfang.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _processes_share_a_counter(env: dict) -> list[str]:
    key = f"qf:test-limit:{uuid.uuid4().hex}"  # fresh each run; gone from Redis after a minute
    bump = (
        "from django.core.cache import cache\n"
        f"cache.add({key!r}, 0, 60)\n"
        f"print(cache.incr({key!r}))"
    )
    return [_run(bump, env) for _ in range(3)]


@pytest.fixture(scope="module")
def development_env(tmp_path_factory) -> dict:
    """A migrated development database in a folder of its own, made once for this module."""
    tmp_path = tmp_path_factory.mktemp("shared-cache")
    env = {"QUNFANG_ENV": "development", "QUNFANG_DATA_DIR": str(tmp_path)}
    env["QUNFANG_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--no-input", "-v0"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "qunfang.settings", **env},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env


def test_the_default_cache_is_the_database_and_migrate_makes_its_table(development_env):
    env = development_env
    backend = _run(
        "from django.conf import settings\nprint(settings.CACHES['default']['BACKEND'])", env
    )
    assert backend == "django.core.cache.backends.db.DatabaseCache"
    # three processes, one count: a limit cannot be multiplied by starting more workers
    assert _processes_share_a_counter(env) == ["1", "2", "3"]


@needs_redis
def test_with_redis_every_process_sees_the_same_limits(development_env):
    env = {**development_env, "QUNFANG_REDIS_URL": "redis://127.0.0.1:6379/15"}
    assert _processes_share_a_counter(env) == ["1", "2", "3"]
