"""The cron commands that run a periodic task: here by default, or queued for the worker."""

from argparse import ArgumentParser
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand

if TYPE_CHECKING:
    from django_tasks.base import Task


class TaskCommand(BaseCommand):
    """Runs `task` here and prints `done` with its count, or with --enqueue queues it for
    `qunfang worker` (which also runs it on its own schedule)."""

    task: "Task[..., int]"  # returns a count; each command sets its own
    done = "done: {count}"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it for `qunfang worker` instead"
        )

    def task_kwargs(self, options: dict[str, Any]) -> dict[str, Any]:
        return {}

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        kwargs = self.task_kwargs(options)
        if enqueue:
            result = self.task.enqueue(**kwargs)
            self.stdout.write(f"queued {self.task.name} ({result.id})")
        else:
            self.stdout.write(self.done.format(count=self.task.call(**kwargs)))
