from qunfang.core.taskcommand import TaskCommand
from qunfang.governance.tasks import send_rebuilding_reminders


class Command(TaskCommand):
    help = (
        "Tell each village's leader in charge of the rebuilding steps overdue (the day after one "
        "falls due, then weekly); idempotent; run it daily."
    )
    task = send_rebuilding_reminders
    done = "sent {count} messages"
