import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qunfang.patrols import solver
from qunfang.patrols.models import Absence, Assignment, RosterStatus, Shift
from qunfang.patrols.services.rostering import (
    RosterRequest,
    generate_roster,
    solver_people,
    solver_slots,
)
from tests.patrols.conftest import MONDAY

pytestmark = pytest.mark.django_db


def week(world, **kw):
    return RosterRequest(
        region=world.village1, starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6), **kw
    )


def test_village_week_is_fully_staffed_and_passes_the_independent_checker(world, patrol):
    roster = generate_roster(week(world), by=world.director1)
    assert roster.status == RosterStatus.DRAFT
    shifts = list(roster.shifts.select_related("pattern"))
    # 7 day + 7 night + 7 household shifts; the zone's shifts are not part of a village roster
    assert Counter(s.pattern.name for s in shifts) == {"白班": 7, "夜班": 7, "联防值守": 7}
    for s in shifts:
        assert s.assignments.count() == s.headcount, s
    assert roster.solver_status in ("optimal", "feasible")
    assert roster.problems == []
    # re-check the saved roster from the database with the independent checker
    patrol_shifts = [s for s in shifts if s.pattern.household_group_id is None]
    req = week(world)
    slots = solver_slots(req, patrol_shifts)
    people = solver_people(req, patrol.people)
    assignments = {
        str(k): [str(a.person_id) for a in s.assignments.all()] for k, s in enumerate(patrol_shifts)
    }
    assert solver.check_roster(people, slots, solver.Rules(), assignments) == []


def test_night_shift_crossing_midnight_belongs_to_its_start_day(world, patrol):
    roster = generate_roster(week(world), by=world.director1)
    night = roster.shifts.filter(pattern=patrol.night).order_by("starts_at").first()
    assert night.service_date == MONDAY
    assert timezone.localtime(night.ends_at).date() == MONDAY + dt.timedelta(days=1)
    assert night.night


def test_declared_absence_is_respected(world, patrol):
    Absence.objects.create(
        person=patrol.people[2],
        starts_on=MONDAY,
        ends_on=MONDAY + dt.timedelta(days=6),
        declared_by=world.director1,
    )
    roster = generate_roster(week(world), by=world.director1)
    assert not Assignment.objects.filter(shift__roster=roster, person=patrol.people[2]).exists()


def test_household_rotation_skips_exempt_households_and_spreads_turns(world, patrol):
    roster = generate_roster(week(world), by=world.director1)
    turns = Counter(
        a.household.number
        for a in Assignment.objects.filter(shift__roster=roster, household__isnull=False)
    )
    assert sum(turns.values()) == 7
    assert "H008" not in turns and "H009" not in turns  # elderly-only, away
    assert max(turns.values()) == 1  # 8 households, 7 turns: nobody twice


def test_impossible_demand_is_explained_in_plain_words(world, patrol):
    patrol.night.headcount = 12  # more than the whole team
    patrol.night.save()
    roster = generate_roster(week(world), by=world.director1)
    assert roster.solver_status == "infeasible"
    codes = {p["code"] for p in roster.problems}
    assert codes & {"too_few_eligible", "simultaneous_demand", "understaffed"}
    first = roster.problems[0]
    assert first["day"] and first["short"] > 0


def test_zone_roster_draws_from_both_villages(world, patrol):
    req = RosterRequest(
        region=world.township,
        zone=patrol.zone,
        starts_on=MONDAY,
        ends_on=MONDAY + dt.timedelta(days=6),
    )
    roster = generate_roster(req, by=world.township_officer)
    shifts = list(Shift.objects.filter(roster=roster))
    assert len(shifts) == 2  # Friday and Saturday
    villages = {a.person.region_id for a in Assignment.objects.filter(shift__roster=roster)}
    assert villages <= {world.village1.pk, world.village2.pk}


def test_bad_periods_are_refused_and_nothing_is_saved(world, patrol):
    with pytest.raises(ValidationError):
        generate_roster(
            RosterRequest(
                region=world.village1, starts_on=MONDAY, ends_on=MONDAY - dt.timedelta(days=1)
            ),
            by=world.director1,
        )
    with pytest.raises(ValidationError):
        generate_roster(
            RosterRequest(
                region=world.village1, starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=90)
            ),
            by=world.director1,
        )
    assert not Shift.objects.exists()
