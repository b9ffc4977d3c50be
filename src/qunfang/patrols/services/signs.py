"""Rotating codes on patrol-point signs.

Each point has a secret; its sign shows a time-based code for the current period of
`sign_period` seconds: HOTP (RFC 4226, via pyotp) over the period number, which is TOTP
(RFC 6238) for any period length (pyotp's TOTP class stops at 120 s; printed signs need days).
A printed sign is reprinted each period; a screen at the point (opened through a display link,
see displays.py) shows a code that changes every minute.

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
import hmac
from dataclasses import dataclass
from enum import Enum

import pyotp
from django.urls import reverse
from django.utils import timezone

from qunfang.patrols.models import PatrolPoint

DIGITS = 8
ACCEPTED_PERIODS = 2  # a code's own period and the next one (the grace)
STALE_LOOKBACK = dt.timedelta(days=31)  # how far back an old code is still recognised as stale
MAX_LOOKBACK_PERIODS = 24 * 60  # ... but never more codes than a day of a minute screen


class CodeCheck(Enum):
    VALID = "valid"
    STALE = "stale"
    WRONG = "wrong"


def _period(point: PatrolPoint, at: dt.datetime) -> int:
    return int(at.timestamp()) // point.sign_period


def _code(point: PatrolPoint, period: int) -> str:
    return pyotp.HOTP(point.secret, digits=DIGITS).at(period)


def current_code(point: PatrolPoint, at: dt.datetime | None = None) -> str:
    at = at or timezone.now()
    return _code(point, _period(point, at))


@dataclass(frozen=True)
class CodeWindow:
    """When the code shown at `at` is accepted: from `valid_from` until `valid_until`
    (exclusive), and when the sign showing it should be replaced (`replace_by`, the end of
    its own period)."""

    valid_from: dt.datetime
    replace_by: dt.datetime
    valid_until: dt.datetime


def code_window(point: PatrolPoint, at: dt.datetime | None = None) -> CodeWindow:
    period = point.sign_period
    start = _period(point, at or timezone.now()) * period

    def instant(seconds: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)

    return CodeWindow(
        valid_from=instant(start),
        replace_by=instant(start + period),
        valid_until=instant(start + ACCEPTED_PERIODS * period),
    )


def valid_until(point: PatrolPoint, at: dt.datetime | None = None) -> dt.datetime:
    """The first instant at which the code shown at `at` is no longer accepted."""
    return code_window(point, at).valid_until


def lookback_periods(point: PatrolPoint) -> int:
    return min(int(STALE_LOOKBACK.total_seconds()) // point.sign_period, MAX_LOOKBACK_PERIODS)


def check_code(point: PatrolPoint, code: str, at: dt.datetime | None = None) -> CodeCheck:
    code = (code or "").strip()
    if not code.isdigit() or len(code) != DIGITS:
        return CodeCheck.WRONG
    now = _period(point, at or timezone.now())
    hotp = pyotp.HOTP(point.secret, digits=DIGITS)
    accepted = range(ACCEPTED_PERIODS)
    if any(hmac.compare_digest(hotp.at(now - back), code) for back in accepted):
        return CodeCheck.VALID
    older = range(ACCEPTED_PERIODS, ACCEPTED_PERIODS + lookback_periods(point))
    if any(hotp.at(now - back) == code for back in older):
        return CodeCheck.STALE
    return CodeCheck.WRONG


def scan_url(point: PatrolPoint, at: dt.datetime | None = None) -> str:
    """What the QR carries: the check-in page of the point with the period's code."""
    return reverse("patrols:scan", args=[point.pk]) + f"?c={current_code(point, at)}"
