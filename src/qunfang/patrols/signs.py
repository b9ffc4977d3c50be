"""Rotating codes on patrol-point signs.

Each point has a secret; its sign shows a time-based code for the current period of
`sign_period` seconds: HOTP (RFC 4226, via pyotp) over the period number, which is TOTP
(RFC 6238) for any period length (pyotp's TOTP class stops at 120 s; printed signs need weeks). A printed sign is reprinted each period; a screen at the point
shows a code that changes every minute. The server accepts the current and the previous
period (a patrol that scanned just before the change), and tells a stale code (a photo of an
old sign) from one that was never valid.
"""

from __future__ import annotations

import datetime as dt
import hmac
from enum import Enum

import pyotp
import segno
from django.urls import reverse
from django.utils import timezone

from qunfang.patrols.models import PatrolPoint

DIGITS = 8
STALE_LOOKBACK_PERIODS = 400  # how far back a photographed code is still recognised as stale


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


def valid_until(point: PatrolPoint, at: dt.datetime | None = None) -> dt.datetime:
    at = at or timezone.now()
    period = point.sign_period
    start = int(at.timestamp()) // period * period
    return dt.datetime.fromtimestamp(start + period, tz=dt.UTC)


def check_code(point: PatrolPoint, code: str, at: dt.datetime | None = None) -> CodeCheck:
    code = (code or "").strip()
    if not code.isdigit() or len(code) != DIGITS:
        return CodeCheck.WRONG
    now = _period(point, at or timezone.now())
    # the previous period too: a patrol that scanned just before the change, a sign just replaced
    if any(hmac.compare_digest(_code(point, now - back), code) for back in (0, 1)):
        return CodeCheck.VALID
    if any(_code(point, now - back) == code for back in range(2, STALE_LOOKBACK_PERIODS)):
        return CodeCheck.STALE
    return CodeCheck.WRONG


def scan_url(point: PatrolPoint, at: dt.datetime | None = None) -> str:
    """What the QR carries: the check-in page of the point with the period's code."""
    return reverse("patrols:scan", args=[point.pk]) + f"?c={current_code(point, at)}"


def qr_svg(data: str, scale: int = 6) -> str:
    # no fixed size: the viewBox lets CSS shrink the code to a phone's width
    return segno.make(data, error="m").svg_inline(
        scale=scale, dark="#000", light="#fff", omitsize=True
    )
