"""The cron commands that run a periodic task: here by default, or queued for the worker."""

from django.core.management.base import BaseCommand


class TaskCommand(BaseCommand):
    """Runs `task` here and prints `done` with its count, or with --enqueue queues it for
    `qunfang worker` (which also runs it on its own schedule)."""

    task = None  # a django_tasks Task returning a count
    done = "done: {count}"

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it for `qunfang worker` instead"
        )

    def task_kwargs(self, options) -> dict:
        return {}

    def handle(self, *args, enqueue=False, **options):
        kwargs = self.task_kwargs(options)
        if enqueue:
            result = self.task.enqueue(**kwargs)
            self.stdout.write(f"queued {self.task.name} ({result.id})")
        else:
            self.stdout.write(self.done.format(count=self.task.call(**kwargs)))
