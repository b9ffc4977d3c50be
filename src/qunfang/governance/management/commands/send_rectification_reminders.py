from qunfang.core.taskcommand import TaskCommand
from qunfang.governance.tasks import send_rectification_reminders


class Command(TaskCommand):
    help = (
        "Tell a village's directors once of each supervision rectification task whose deadline "
        "passed yesterday and that is still open; idempotent; run it daily."
    )
    task = send_rectification_reminders
    done = "sent {count} messages"
