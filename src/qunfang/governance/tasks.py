"""Governance's periodic work: reminders of meetings' decisions falling due and overdue, and
what the other governance books schedule. Each task is registered with `core.schedule` and has
its cron command (a `core.taskcommand.TaskCommand`) under management/commands/."""

import datetime as dt

from django_tasks import task

from qunfang.core import schedule
from qunfang.governance.services import decisions, meetings


@task()
def send_decision_reminders() -> int:
    return decisions.send_decision_reminders()


# in the morning, Shanghai time: the owner has the working day to act on it
schedule.register(send_decision_reminders, daily_at=dt.time(8, 0))


@task()
def plan_meetings() -> int:
    return meetings.plan_coming_meetings()


# before the working day: a schedule's meetings of the coming month are in the book
schedule.register(plan_meetings, daily_at=dt.time(5, 0))


@task()
def record_health_readings() -> int:
    from qunfang.governance.services import health

    return health.record_readings()


# early, after the night's patrols are logged: the township sees the day's flags at work
schedule.register(record_health_readings, daily_at=dt.time(6, 0))


@task()
def send_rectification_reminders() -> int:
    from qunfang.governance.services import supervision

    return supervision.send_overdue_reminders()


# the morning after a supervision's rectification task fell due: its village is told once
schedule.register(send_rectification_reminders, daily_at=dt.time(8, 5))


@task()
def send_rebuilding_reminders() -> int:
    from qunfang.governance.services import classification

    return classification.send_overdue_step_reminders()


# after the rectification reminders: the leader in charge hears of a rebuilding step overdue
schedule.register(send_rebuilding_reminders, daily_at=dt.time(8, 10))
