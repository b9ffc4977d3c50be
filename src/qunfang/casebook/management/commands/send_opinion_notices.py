from qunfang.casebook.tasks import send_opinion_notices
from qunfang.core.taskcommand import TaskCommand


class Command(TaskCommand):
    help = (
        "Tell village directors about the anonymous opinion-book entries of the hours that are "
        "over (one message per village, no entry named); idempotent; run it hourly."
    )
    task = send_opinion_notices
    done = "sent {count} messages"
