from qunfang.core.taskcommand import TaskCommand
from qunfang.governance.tasks import send_decision_reminders


class Command(TaskCommand):
    help = (
        "Remind the people responsible for meetings' decisions due within three days, and tell "
        "them once of those overdue (the village's directors when the person has no account); "
        "idempotent; run it daily."
    )
    task = send_decision_reminders
    done = "sent {count} messages"
