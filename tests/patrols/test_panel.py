"""The home-page patrol panel: who is out now, empty seats in the coming week and this month's
attendance, counted in Shanghai's days even when UTC still has the day before."""

import datetime as dt

import pytest

from qunfang.patrols.models import Assignment, Outcome, Roster, RosterStatus, Shift
from qunfang.patrols.selectors.records import patrol_summary
from tests.clock import AWKWARD, SHANGHAI

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.time_machine(AWKWARD, tick=False)
def test_the_panel_counts_in_shanghai_days_at_the_turn_of_the_year(world, patrol):
    """Monday 2029-01-01 00:30 in Shanghai is still Sunday 2028-12-31 in UTC."""
    new_year, old_year = dt.date(2029, 1, 1), dt.date(2028, 12, 31)
    roster = Roster.objects.create(
        region=world.village1,
        starts_on=dt.date(2028, 12, 25),
        ends_on=dt.date(2029, 1, 14),
        status=RosterStatus.PUBLISHED,
        created_by=world.director1,
    )

    def shift(pattern, day, start, end, headcount, *people):
        made = Shift.objects.create(
            roster=roster,
            region=world.village1,
            pattern=pattern,
            service_date=day,
            starts_at=start,
            ends_at=end,
            headcount=headcount,
        )
        for person, outcome in people:
            Assignment.objects.create(
                shift=made, region=world.village1, person=person, outcome=outcome
            )

    a, b, c = patrol.people[:3]
    # last night's patrol, out now: it belongs to the 31st, the day it started (one seat empty)
    shift(patrol.night, old_year, _at(old_year, 20), _at(new_year, 4), 2, (a, Outcome.PLANNED))
    # yesterday's day patrol, missed: December's attendance, not January's
    shift(patrol.day, old_year, _at(old_year, 8), _at(old_year, 16), 1, (b, Outcome.MISSED))
    # the new year's first round, just done
    shift(patrol.night, new_year, _at(new_year, 0), _at(new_year, 0, 20), 1, (c, Outcome.SERVED))
    # the coming week runs to Sunday the 7th: two empty seats then, none counted on the 8th
    for day in (dt.date(2029, 1, 7), dt.date(2029, 1, 8)):
        shift(patrol.day, day, _at(day, 8), _at(day, 16), 2)

    summary = patrol_summary(world.director1)
    assert summary["on_duty"] == 1
    assert summary["empty_seats"] == 2
    assert summary["attendance_rate"] == 100
    assert patrol_summary(world.director2)["on_duty"] == 0
