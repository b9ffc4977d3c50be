from qunfang.core.taskcommand import TaskCommand
from qunfang.core.tasks import send_digests


class Command(TaskCommand):
    help = (
        "E-mail the daily digest of messages to users who chose it (at most once a day each; "
        "run it daily, or let `qunfang worker` run it at 07:00)."
    )
    task = send_digests
    done = "sent {count} digests"
