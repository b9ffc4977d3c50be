from qunfang.casebook.tasks import send_overdue_notices
from qunfang.core.taskcommand import TaskCommand


class Command(TaskCommand):
    help = (
        "Tell the people responsible about overdue upward reports and rectification orders "
        "(each report once a day, each order once a week while overdue); idempotent; run it hourly."
    )
    task = send_overdue_notices
    done = "sent {count} messages"
