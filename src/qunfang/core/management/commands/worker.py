"""`qunfang worker`: run the background tasks (rosters, large imports, reminders, digests) with
the configured backend's worker — django-tasks-db's `db_worker` by default, the RQ worker with
QUNFANG_TASKS=rq — and, unless --no-schedule, queue the periodic tasks when they are due
(`core.schedule`; README "Background work" lists the schedule)."""

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from qunfang.core.schedule import enqueue_due, periodic_tasks

logger = logging.getLogger("qunfang.core.schedule")
SCHEDULE_EVERY_S = 30


def _schedule_forever(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            enqueue_due()
        except DatabaseError:  # busy or restarting: try again next round
            logger.exception("could not queue the periodic tasks")
        finally:
            connection.close()  # this thread's own connection
        stop.wait(SCHEDULE_EVERY_S)


class Command(BaseCommand):
    help = (
        "Run the task worker of the configured backend, and queue the periodic tasks when due "
        "(reminders every 15 minutes, notices and shift closing hourly, the digest at 07:00)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="only run queued tasks; another worker or cron queues the periodic ones",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="queue what is due, run every queued task, then exit (for checks and cron)",
        )

    def handle(
        self,
        *args: Any,
        no_schedule: bool = False,
        batch: bool = False,
        verbosity: int = 1,
        **options: Any,
    ) -> None:
        if not no_schedule:
            names = [p.name for p in periodic_tasks()]
            self.stdout.write(f"scheduling {len(names)} periodic tasks: {', '.join(names)}")
            if batch:
                enqueue_due()
            else:
                stop = threading.Event()
                threading.Thread(target=_schedule_forever, args=(stop,), daemon=True).start()
        if isinstance(task_backends["default"], DatabaseBackend):
            call_command(
                "db_worker",
                queue_name="default",
                reload=False,
                batch=batch,
                startup_delay=not batch,
                verbosity=verbosity,
            )
        else:
            # the backend's Job class runs the Task object that RQ holds
            call_command(
                "rqworker",
                "default",
                burst=batch,
                with_scheduler=not batch,
                job_class="django_tasks_rq.backend.Job",
                verbosity=verbosity,
            )
