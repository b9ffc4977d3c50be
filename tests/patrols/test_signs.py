import datetime as dt

import pytest
from django.utils import timezone

from qunfang.patrols.models import SignPeriod
from qunfang.patrols.signs import CodeCheck, check_code, current_code, valid_until

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
    assert now < valid_until(point, now) <= now + step


def test_each_point_has_its_own_code(patrol):
    a, b = patrol.points[:2]
    now = timezone.now()
    assert current_code(a, now) != current_code(b, now)
    assert check_code(b, current_code(a, now), now) is not CodeCheck.VALID
