from qunfang.core.taskcommand import TaskCommand
from qunfang.governance.tasks import record_health_readings


class Command(TaskCommand):
    help = (
        "Read the health of every organisation and ten-household group from its records and "
        "keep today's reading (again the same day: replaced); tell the township of any that "
        "turned paper-only or paralysed; run it daily."
    )
    task = record_health_readings
    done = "recorded {count} health readings"
