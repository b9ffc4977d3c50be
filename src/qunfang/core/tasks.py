"""Core's periodic work: the daily e-mail digest."""

import datetime as dt

from django_tasks import task

from qunfang.core import notify, schedule


@task()
def send_digests() -> int:
    return notify.send_digests()


schedule.register(send_digests, daily_at=dt.time(7, 0))  # before the working day, Shanghai time
