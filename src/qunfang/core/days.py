"""Days as the project's users live them: in the configured time zone (Asia/Shanghai)."""

import datetime as dt

from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the project's time zone: the bound of a day's records."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())
