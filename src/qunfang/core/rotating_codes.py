"""Rotating codes: a short code that changes every period, for a QR that proves presence.

A record that shows such a code (a patrol point's sign, a meeting's screen) keeps a secret; the
code of a period is HOTP (RFC 4226, via pyotp) over the period number, which is TOTP (RFC 6238)
for any period length (pyotp's TOTP class stops at 120 s; printed signs need days).

The window of a code. Periods are counted from the Unix epoch, so they start at fixed instants
(a day at 08:00 Beijing time, a week on Thursday 08:00). A code is accepted from the start of
its period until the end of the *next* period: the next period is the grace for someone who
scanned just before the change, or a printed sign not yet replaced. The end is exclusive: at
the last second of the window the code is accepted, at the end it is stale.

Refused codes are told apart, for the log and the person told: a code of this secret from
before its window is *stale* (an old sign, a photo, yesterday's screen) as long as it is at most
`STALE_LOOKBACK` old and at most `max_lookback_periods` periods back (so a minute screen costs at
most a bounded number of codes to check); an older code, or one that was never this secret's,
is *wrong*. Both are refused alike.

    codes = RotatingCode(secret, period=60)
    codes.current()          # "04718263"
    codes.check("04718263")  # CodeCheck.VALID
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from enum import Enum

import pyotp
from django.utils import timezone

DIGITS = 8
ACCEPTED_PERIODS = 2  # a code's own period and the next one (the grace)
STALE_LOOKBACK = dt.timedelta(days=31)  # how far back an old code is still recognised as stale
MAX_LOOKBACK_PERIODS = 24 * 60  # ... but never more codes than a day of a minute screen


class CodeCheck(Enum):
    VALID = "valid"
    STALE = "stale"
    WRONG = "wrong"


@dataclass(frozen=True)
class CodeWindow:
    """When the code shown at an instant is accepted: from `valid_from` until `valid_until`
    (exclusive), and when whatever shows it should change (`replace_by`, the end of its own
    period)."""

    valid_from: dt.datetime
    replace_by: dt.datetime
    valid_until: dt.datetime


def _instant(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@dataclass(frozen=True)
class RotatingCode:
    """The codes of one secret (base32, as `pyotp.random_base32()` makes) for periods of
    `period` seconds."""

    secret: str
    period: int
    digits: int = DIGITS
    max_lookback_periods: int = MAX_LOOKBACK_PERIODS

    def period_at(self, at: dt.datetime | None = None) -> int:
        """The number of the period `at` (default: now) falls in."""
        return int((at or timezone.now()).timestamp()) // self.period

    def code_of(self, period: int) -> str:
        return pyotp.HOTP(self.secret, digits=self.digits).at(period)

    def current(self, at: dt.datetime | None = None) -> str:
        """The code shown at `at` (default: now)."""
        return self.code_of(self.period_at(at))

    def window(self, at: dt.datetime | None = None) -> CodeWindow:
        start = self.period_at(at) * self.period
        return CodeWindow(
            valid_from=_instant(start),
            replace_by=_instant(start + self.period),
            valid_until=_instant(start + ACCEPTED_PERIODS * self.period),
        )

    def valid_until(self, at: dt.datetime | None = None) -> dt.datetime:
        """The first instant at which the code shown at `at` is no longer accepted."""
        return self.window(at).valid_until

    def lookback_periods(self) -> int:
        """How many periods before the window a code is still recognised as stale."""
        by_time = int(STALE_LOOKBACK.total_seconds()) // self.period
        return min(by_time, self.max_lookback_periods)

    def check(self, code: str, at: dt.datetime | None = None) -> CodeCheck:
        """Is `code` (as typed or carried by the QR) accepted at `at` (default: now)?"""
        code = (code or "").strip()
        if not code.isdigit() or len(code) != self.digits:
            return CodeCheck.WRONG
        now = self.period_at(at)
        hotp = pyotp.HOTP(self.secret, digits=self.digits)
        accepted = range(ACCEPTED_PERIODS)
        if any(hmac.compare_digest(hotp.at(now - back), code) for back in accepted):
            return CodeCheck.VALID
        older = range(ACCEPTED_PERIODS, ACCEPTED_PERIODS + self.lookback_periods())
        if any(hotp.at(now - back) == code for back in older):
            return CodeCheck.STALE
        return CodeCheck.WRONG
