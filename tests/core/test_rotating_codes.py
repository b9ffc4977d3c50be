"""Rotating codes (core/rotating_codes.py): a code per period of any length, accepted for its
period and the next, and refused codes told apart (stale: this secret's, from before the
window; wrong: never this secret's, or too old to look for)."""

import datetime as dt

import pyotp
import pytest

from qunfang.core.rotating_codes import (
    ACCEPTED_PERIODS,
    DIGITS,
    STALE_LOOKBACK,
    CodeCheck,
    RotatingCode,
)
from tests.clock import MIDWEEK

SECOND = dt.timedelta(seconds=1)
SECRET = pyotp.random_base32()


def _start(codes: RotatingCode, at: dt.datetime) -> dt.datetime:
    seconds = int(at.timestamp()) // codes.period * codes.period
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@pytest.mark.parametrize("period", [60, 3600, 86400, 7 * 86400])
def test_a_code_changes_each_period_and_is_good_for_its_period_and_the_next(period):
    codes = RotatingCode(SECRET, period)
    step = dt.timedelta(seconds=period)
    code = codes.current(MIDWEEK)
    assert len(code) == DIGITS and code.isdigit()
    assert code == codes.current(_start(codes, MIDWEEK))  # the same all through its period
    assert codes.current(MIDWEEK + step) != code or codes.current(MIDWEEK + 2 * step) != code
    assert codes.check(code, MIDWEEK) is CodeCheck.VALID
    assert codes.check(codes.current(MIDWEEK - step), MIDWEEK) is CodeCheck.VALID  # the grace
    assert codes.check(codes.current(MIDWEEK - 3 * step), MIDWEEK) is CodeCheck.STALE


def test_the_window_has_exact_edges():
    codes = RotatingCode(SECRET, 60)
    start = _start(codes, MIDWEEK)
    window = codes.window(start + 7 * SECOND)
    assert (window.valid_from, window.replace_by, window.valid_until) == (
        start,
        start + 60 * SECOND,
        start + ACCEPTED_PERIODS * 60 * SECOND,
    )
    assert codes.valid_until(start) == window.valid_until
    code = codes.current(start)
    assert codes.check(code, window.valid_until - SECOND) is CodeCheck.VALID  # the last second
    assert codes.check(code, window.valid_until) is CodeCheck.STALE  # over
    assert codes.check(code, start - SECOND) is CodeCheck.WRONG  # not yet its period


def test_an_old_code_is_stale_only_as_far_back_as_the_lookback():
    day = RotatingCode(SECRET, 86400)
    assert day.lookback_periods() == STALE_LOOKBACK.days
    minute = RotatingCode(SECRET, 60)
    assert minute.lookback_periods() == 24 * 60  # a day of a minute screen, not a month
    two_days = RotatingCode(SECRET, 60, max_lookback_periods=2 * 24 * 60)
    assert two_days.lookback_periods() == 2 * 24 * 60
    start = _start(minute, MIDWEEK)
    code = minute.current(start)
    last_stale = start + (ACCEPTED_PERIODS + minute.lookback_periods()) * 60 * SECOND - SECOND
    assert minute.check(code, last_stale) is CodeCheck.STALE
    assert minute.check(code, last_stale + SECOND) is CodeCheck.WRONG
    yesterday = MIDWEEK - dt.timedelta(hours=30)  # beyond a day, within two
    assert minute.check(minute.current(yesterday), MIDWEEK) is CodeCheck.WRONG
    assert two_days.check(two_days.current(yesterday), MIDWEEK) is CodeCheck.STALE


@pytest.mark.parametrize("typed", ["", "1234567", "123456789", "12ab5678", None])
def test_what_is_not_a_code_is_wrong(typed):
    assert RotatingCode(SECRET, 60).check(typed, MIDWEEK) is CodeCheck.WRONG


def test_spaces_around_a_typed_code_are_forgiven():
    codes = RotatingCode(SECRET, 60)
    assert codes.check(f" {codes.current(MIDWEEK)} ", MIDWEEK) is CodeCheck.VALID


def test_each_secret_has_its_own_codes():
    a, b = RotatingCode(SECRET, 60), RotatingCode(pyotp.random_base32(), 60)
    assert a.current(MIDWEEK) != b.current(MIDWEEK)
    assert b.check(a.current(MIDWEEK), MIDWEEK) is not CodeCheck.VALID
