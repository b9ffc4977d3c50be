"""Rotating codes on patrol-point signs.

Each point has a secret; its sign shows a TOTP code (RFC 6238, via pyotp) for the current
period of `sign_period` seconds. A printed sign is reprinted each period; a screen at the point
shows a code that changes every minute. The server accepts the current and the previous
period (a patrol that scanned just before the change), and tells a stale code (a photo of an
old sign) from one that was never valid.
"""

from __future__ import annotations

import datetime as dt
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


def _totp(point: PatrolPoint) -> pyotp.TOTP:
    return pyotp.TOTP(point.secret, digits=DIGITS, interval=point.sign_period, name=str(point.pk))


def current_code(point: PatrolPoint, at: dt.datetime | None = None) -> str:
    return _totp(point).at(at or timezone.now())


def valid_until(point: PatrolPoint, at: dt.datetime | None = None) -> dt.datetime:
    at = at or timezone.now()
    period = point.sign_period
    start = int(at.timestamp()) // period * period
    return dt.datetime.fromtimestamp(start + period, tz=dt.UTC)


def check_code(point: PatrolPoint, code: str, at: dt.datetime | None = None) -> CodeCheck:
    code = (code or "").strip()
    if not code.isdigit() or len(code) != DIGITS:
        return CodeCheck.WRONG
    at = at or timezone.now()
    totp = _totp(point)
    if totp.verify(code, for_time=at, valid_window=1):
        return CodeCheck.VALID
    period = dt.timedelta(seconds=point.sign_period)
    for back in range(2, STALE_LOOKBACK_PERIODS):
        if totp.at(at - back * period) == code:
            return CodeCheck.STALE
    return CodeCheck.WRONG


def scan_url(point: PatrolPoint, at: dt.datetime | None = None) -> str:
    """What the QR carries: the check-in page of the point with the period's code."""
    return reverse("patrols:scan", args=[point.pk]) + f"?c={current_code(point, at)}"


def qr_svg(data: str, scale: int = 6) -> str:
    return segno.make(data, error="m").svg_inline(scale=scale, dark="#000", light="#fff")
