"""`qunfang close-shifts`: settle every shift that ended more than the grace period ago as
served / late / partial / missed from its check-ins. Idempotent; run it from cron, or let
`qunfang worker` run it hourly."""

from qunfang.core.taskcommand import TaskCommand
from qunfang.patrols.tasks import close_shifts


class Command(TaskCommand):
    help = "Close the shifts that have ended: record how each ended from its check-ins."
    task = close_shifts
    done = "shifts closed: {count}"
