"""The suite's clock and the rule for "today". Today is Shanghai's date, `timezone.localdate()`;
from 16:00 to 24:00 UTC, UTC's date is still yesterday there. CI runs the suite a second time at
QUNFANG_TEST_NOW (see tests/conftest.py), and a test pins its own instant with the
`time_machine` marker."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

import qunfang
from tests.clock import AWKWARD

SOURCE = Path(qunfang.__file__).parent
# ways to a date that are UTC's (or the machine's) rather than Shanghai's
UTC_TODAY = re.compile(
    r"now\(\)\.(date|year|month|day|weekday|isoweekday|isocalendar)\b"
    r"|\bdate\.today\(\)|\butcnow\(|\bdatetime\.today\(\)"
)


@pytest.mark.skipif(not os.environ.get("QUNFANG_TEST_NOW"), reason="QUNFANG_TEST_NOW is not set")
def test_the_session_runs_at_QUNFANG_TEST_NOW():
    """Every worker travelled there at the start, and the clock ticks on from it."""
    start = dt.datetime.fromisoformat(os.environ["QUNFANG_TEST_NOW"])
    assert start <= timezone.now() < start + dt.timedelta(hours=3)


@pytest.mark.time_machine(AWKWARD, tick=False)
def test_today_is_shanghais_date_not_utcs():
    assert timezone.localdate() == dt.date(2029, 1, 1)  # a Monday, the first of January
    assert timezone.localdate().weekday() == 0
    assert timezone.now().date() == dt.date(2028, 12, 31)  # the trap: UTC's date


def test_no_code_takes_today_from_utc():
    found = [
        f"{path.relative_to(SOURCE)}:{n}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if UTC_TODAY.search(line)
    ]
    assert found == [], "today is timezone.localdate(); a moment's date is localtime(moment).date()"
