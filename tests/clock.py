"""Instants for tests where the date matters. "Today" is Shanghai's date (`timezone.localdate()`);
between 16:00 and 24:00 UTC it is already tomorrow there, which is when a UTC date in the code
shows. Pin one with `@pytest.mark.time_machine(AWKWARD, tick=False)`; CI also runs the whole
suite at AWKWARD (`QUNFANG_TEST_NOW`, see tests/conftest.py)."""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Monday 2029-01-01 00:30 in Shanghai: the first day of a week, a month and a year there, and still
# Sunday 2028-12-31 in UTC.
AWKWARD = dt.datetime(2028, 12, 31, 16, 30, tzinfo=dt.UTC)
# Sunday 23:30 in Shanghai: the last half hour of a week (UTC is Sunday too).
WEEK_END = dt.datetime(2028, 12, 31, 15, 30, tzinfo=dt.UTC)
# Wednesday noon in Shanghai: an ordinary day, the same date in both zones.
MIDWEEK = dt.datetime(2029, 1, 10, 4, 0, tzinfo=dt.UTC)
