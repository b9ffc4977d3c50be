"""Rotating codes on patrol-point signs.

Each point has a secret; its sign shows a time-based code for the current period of
`sign_period` seconds, made and checked by `qunfang.core.rotating_codes` (HOTP over the period
number; a meeting's roll-call screen uses the same machinery). A printed sign is reprinted
each period; a screen at the point (opened through a display link, see displays.py) shows a
code that changes every minute.

The window of a code. Periods are counted from the Unix epoch, so they start at fixed instants
(a day at 08:00 Beijing time, a week on Thursday 08:00). A code is accepted from the start of
its period until the end of the *next* period: the next period is the grace for a patrol that
scanned just before the change, or a printed sign not yet replaced. The longest period is a
week (`SignPeriod`), so a printed code is never good for more than 14 days; the printed sign
says from when until when, and by when to put up the next one. The end is exclusive: at the
last second of the window the code is accepted, at the end it is stale.

Refused codes are told apart, for the log: a code of this point from before its window is
*stale* (an old sign, a photo) as long as it is at most `STALE_LOOKBACK` old (and at most
`MAX_LOOKBACK_PERIODS` periods, so a minute screen costs at most a day of codes to check);
an older code, or one that was never this point's, is *wrong*. Both are refused alike; the
difference only tells the director what happened.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from qunfang.core.rotating_codes import (
    ACCEPTED_PERIODS,
    DIGITS,
    MAX_LOOKBACK_PERIODS,
    STALE_LOOKBACK,
    CodeCheck,
    CodeWindow,
    RotatingCode,
)
from qunfang.patrols.models import PatrolPoint

__all__ = [
    "ACCEPTED_PERIODS",
    "DIGITS",
    "MAX_LOOKBACK_PERIODS",
    "STALE_LOOKBACK",
    "CodeCheck",
    "CodeWindow",
    "check_code",
    "code_window",
    "current_code",
    "lookback_periods",
    "scan_url",
    "valid_until",
]


def _codes(point: PatrolPoint) -> RotatingCode:
    return RotatingCode(point.secret, point.sign_period)


def current_code(point: PatrolPoint, at: dt.datetime | None = None) -> str:
    return _codes(point).current(at)


def code_window(point: PatrolPoint, at: dt.datetime | None = None) -> CodeWindow:
    return _codes(point).window(at)


def valid_until(point: PatrolPoint, at: dt.datetime | None = None) -> dt.datetime:
    """The first instant at which the code shown at `at` is no longer accepted."""
    return _codes(point).valid_until(at)


def lookback_periods(point: PatrolPoint) -> int:
    return _codes(point).lookback_periods()


def check_code(point: PatrolPoint, code: str, at: dt.datetime | None = None) -> CodeCheck:
    return _codes(point).check(code, at)


def scan_url(point: PatrolPoint, at: dt.datetime | None = None) -> str:
    """What the QR carries: the check-in page of the point with the period's code."""
    return reverse("patrols:scan", args=[point.pk]) + f"?c={current_code(point, at)}"
