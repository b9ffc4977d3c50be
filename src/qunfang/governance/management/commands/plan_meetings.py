from qunfang.core.taskcommand import TaskCommand
from qunfang.governance.tasks import plan_meetings


class Command(TaskCommand):
    help = (
        "Put the coming month's meetings of every schedule in the book as planned meetings, "
        "with the organisations' members invited; idempotent; run it daily."
    )
    task = plan_meetings
    done = "planned {count} meetings"
