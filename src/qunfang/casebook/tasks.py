"""The casebook's periodic work: opinion-book notices to directors, overdue reports and
rectification orders to whoever must act."""

import datetime as dt

from django_tasks import task

from qunfang.casebook.services import opinions, overdue
from qunfang.core import schedule


@task()
def send_opinion_notices() -> int:
    return opinions.send_held_notices()


@task()
def send_overdue_notices() -> int:
    return overdue.send_overdue_notices()


schedule.register(send_opinion_notices, every=dt.timedelta(hours=1))
schedule.register(send_overdue_notices, every=dt.timedelta(hours=1))
