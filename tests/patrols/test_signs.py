import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from qunfang.patrols.models import SignPeriod
from qunfang.patrols.services import signs
from qunfang.patrols.services.signs import (
    CodeCheck,
    check_code,
    code_window,
    current_code,
    valid_until,
)
from tests.clock import MIDWEEK

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("period", [p.value for p in SignPeriod])
def test_codes_rotate_per_period_and_old_ones_are_told_apart_from_forged(patrol, period):
    point = patrol.points[0]
    point.sign_period = period
    point.save()
    now = timezone.now()
    step = dt.timedelta(seconds=period)
    code = current_code(point, now)
    assert len(code) == 8 and code.isdigit()
    assert check_code(point, code, now) is CodeCheck.VALID
    assert (
        check_code(point, current_code(point, now - step), now) is CodeCheck.VALID
    )  # just changed
    assert check_code(point, current_code(point, now - 3 * step), now) is CodeCheck.STALE  # a photo
    forged = f"{(int(code) + 1) % 10**8:08d}"
    assert check_code(point, forged, now) in (CodeCheck.WRONG, CodeCheck.STALE)
    assert check_code(point, "12ab5678", now) is CodeCheck.WRONG
    assert check_code(point, "", now) is CodeCheck.WRONG
    assert now + step < valid_until(point, now) <= now + 2 * step  # its period and the next


def test_each_point_has_its_own_code(patrol):
    a, b = patrol.points[:2]
    now = timezone.now()
    assert current_code(a, now) != current_code(b, now)
    assert check_code(b, current_code(a, now), now) is not CodeCheck.VALID


# ---- the window of a code: bounded, and its edges ------------------------------------------------

SECOND = dt.timedelta(seconds=1)


def _period_start(point, at: dt.datetime) -> dt.datetime:
    seconds = int(at.timestamp()) // point.sign_period * point.sign_period
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def test_no_sign_period_lets_a_printed_code_live_longer_than_two_weeks():
    assert max(SignPeriod.values) == SignPeriod.WEEK
    assert signs.ACCEPTED_PERIODS * max(SignPeriod.values) == 14 * 86400


@pytest.mark.parametrize("period", [p.value for p in SignPeriod])
def test_a_code_is_accepted_to_the_last_second_of_its_window_and_stale_after(patrol, period):
    point = patrol.points[0]
    point.sign_period = period
    point.save()
    start = _period_start(point, MIDWEEK)
    code = current_code(point, start)
    window = code_window(point, start + SECOND * 7)
    step = dt.timedelta(seconds=period)
    assert (window.valid_from, window.replace_by, window.valid_until) == (
        start,
        start + step,
        start + 2 * step,
    )
    end = window.valid_until
    assert check_code(point, code, start) is CodeCheck.VALID
    assert check_code(point, code, end - SECOND) is CodeCheck.VALID  # the last second
    assert check_code(point, code, end - SECOND / 2) is CodeCheck.VALID
    assert check_code(point, code, end) is CodeCheck.STALE  # the window is over
    assert check_code(point, code, end + SECOND) is CodeCheck.STALE
    assert check_code(point, code, start - SECOND) is CodeCheck.WRONG  # not yet its period


@pytest.mark.parametrize("period", [p.value for p in SignPeriod])
def test_a_code_older_than_the_lookback_is_wrong_not_stale(patrol, period):
    point = patrol.points[0]
    point.sign_period = period
    point.save()
    start = _period_start(point, MIDWEEK)
    code = current_code(point, start)
    step = dt.timedelta(seconds=period)
    lookback = signs.lookback_periods(point)
    assert lookback * step <= signs.STALE_LOOKBACK and lookback <= signs.MAX_LOOKBACK_PERIODS
    last_stale = start + (signs.ACCEPTED_PERIODS + lookback) * step - SECOND
    assert check_code(point, code, last_stale) is CodeCheck.STALE
    assert check_code(point, code, last_stale + SECOND) is CodeCheck.WRONG


def test_the_printed_sign_says_from_when_until_when_in_the_readers_language(
    client, world, patrol, settings
):
    point = patrol.points[0]  # a weekly printed sign
    with time_machine.travel(MIDWEEK, tick=False):
        client.force_login(world.director1)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        page = client.get(reverse("patrols:point_sign", args=[point.pk])).content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("patrols:point_sign", args=[point.pk])).content.decode()
    window = code_window(point, MIDWEEK)
    start, until, replace = (
        timezone.localtime(t).strftime("%Y-%m-%d %H:%M")
        for t in (window.valid_from, window.valid_until, window.replace_by)
    )
    assert f"有效期自 {start} 至 {until}" in page
    assert replace in page and "换上新标牌" in page
    assert f"Valid from {start} until {until}" in english
