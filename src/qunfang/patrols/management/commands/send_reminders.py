"""`qunfang send-reminders`: remind each member of a published shift that starts within
QUNFANG_REMINDER_HOURS, once (in-app, by email when the account has an address, and by SMS
when a gateway is configured). Safe to run every few minutes from cron; `qunfang worker` runs
it every 15 minutes."""

from qunfang.core.taskcommand import TaskCommand
from qunfang.patrols.tasks import send_reminders


class Command(TaskCommand):
    help = "Send shift reminders that are due (each shift is reminded once)."
    task = send_reminders
    done = "reminders sent: {count}"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="Remind shifts starting within this many hours (default: QUNFANG_REMINDER_HOURS).",
        )

    def task_kwargs(self, options) -> dict:
        return {"hours": options.get("hours")}
