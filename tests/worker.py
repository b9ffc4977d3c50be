"""The database-backed task worker that `qunfang worker` runs, for tests that need a real one
beside the test (a roster solving, an import checking) on file-backed SQLite or PostgreSQL."""

from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker_once(worker_id: str = "test-worker") -> None:
    """Work off the queue in this thread until it is empty, then close this thread's
    connection."""
    try:
        Worker(
            queue_names=["default"],
            interval=0.1,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()
    finally:
        connection.close()
