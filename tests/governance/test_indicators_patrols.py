"""The assessment's patrol indicators: shifts served, on time, patrols completed and presence
proven at the points, read as the records stood at the run's cut-off.

The world: village 1's night round (a route of three points), its day shift (no route), a joint
zone's night (no route, villages 1 and 2) and a day shift of village 2, which has no point at
all. The period is March 2027, read at a cut-off on the 19th at 17:00."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.assessment.catalogue import INDICATORS, REF_PAGES, Context, Item, load
from qunfang.governance.assessment.periods import Period
from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    Outcome,
    Roster,
    RosterStatus,
    Shift,
    ShiftPattern,
)
from tests.patrols.conftest import MONDAY, at
from tests.patrols.conftest import patrol as patrol  # the patrol world of tests/patrols

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(at(MONDAY, 7), tick=False)]

MARCH = Period.parse("2027-03")
CUTOFF = at(dt.date(2027, 3, 19), 17)
CODES = ("shift_attendance", "punctuality", "patrol_completion", "proof_of_presence")
HALF = Decimal("0.5")
load()  # the indicators register when their modules are imported


def day(n: int) -> dt.date:
    return dt.date(2027, 3, n)


def roster(world, region, status=RosterStatus.PUBLISHED, zone=None) -> Roster:
    return Roster.objects.create(
        region=region,
        zone=zone,
        starts_on=day(1),
        ends_on=day(31),
        status=status,
        created_by=world.township_officer,
    )


def shift(on: Roster, pattern: ShiftPattern, when: dt.date) -> Shift:
    starts = at(when, pattern.starts_at.hour)
    return Shift.objects.create(
        roster=on,
        region=on.region,
        zone=on.zone,
        pattern=pattern,
        service_date=when,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=pattern.duration_minutes),
        headcount=pattern.headcount,
    )


def assign(on: Shift, person, outcome=Outcome.SERVED) -> Assignment:
    return Assignment.objects.create(
        shift=on, region=on.region, zone=on.zone, person=person, outcome=outcome
    )


def scan(world, a: Assignment, kind, *, minutes=0, point=None, where="near", accepted=True):
    """A check-in `minutes` after the shift's start; `where` the phone was: near the point,
    far from it, or "none" (no position)."""
    located = where != "none"
    return CheckIn.objects.create(
        assignment=a,
        region_id=a.region_id,
        zone_id=a.zone_id,
        kind=kind,
        point=point,
        recorded_at=a.shift.starts_at + dt.timedelta(minutes=minutes),
        accepted=accepted,
        refusal="" if accepted else "stale_code",
        latitude=Decimal("29.710000") if located else None,
        longitude=Decimal("120.240000") if located else None,
        accuracy_m=10 if located else None,
        distance_m=(900 if where == "far" else 12) if located and point else None,
        far_from_point=where == "far",
        by=world.patrol1,
    )


def patrol_round(world, a: Assignment, points, *, start=0, end=True, where="near"):
    scan(world, a, CheckInKind.START, minutes=start)
    for k, point in enumerate(points):
        scan(world, a, CheckInKind.POINT, minutes=start + 30 * (k + 1), point=point, where=where)
    if end:
        scan(world, a, CheckInKind.END, minutes=400)


@pytest.fixture
def w(world, patrol):
    v1, pts = world.village1, patrol.points
    people, people2 = patrol.people, patrol.people2
    nights, zone_roster = roster(world, v1), roster(world, world.township, zone=patrol.zone)
    v2_day = ShiftPattern.objects.create(
        region=world.village2,
        name="乐山白班",
        starts_at=dt.time(8),
        duration_minutes=480,
        headcount=2,
        valid_from=day(1),
    )
    s = SimpleNamespace(
        night1=shift(nights, patrol.night, day(2)),
        night2=shift(nights, patrol.night, day(3)),
        day3=shift(nights, patrol.day, day(4)),
        zone=shift(zone_roster, patrol.zone_pattern, day(5)),
        v2=shift(roster(world, world.village2), v2_day, day(6)),
        draft=shift(roster(world, v1, RosterStatus.DRAFT), patrol.day, day(7)),
        # starts before the cut-off, ends after it (03-19 20:00 to 03-20 04:00)
        running=shift(nights, patrol.night, day(19)),
        after=shift(nights, patrol.day, day(25)),
    )
    a = SimpleNamespace(
        on_time=assign(s.night1, people[0]),
        late=assign(s.night1, people[1], Outcome.LATE),
        partial=assign(s.night2, people[0], Outcome.PARTIAL),
        missed=assign(s.night2, people[1], Outcome.MISSED),
        excused=assign(s.day3, people[2], Outcome.EXCUSED),
        day=assign(s.day3, people[3]),
        unclosed=assign(s.day3, people[0], Outcome.PLANNED),
        zone_v2=assign(s.zone, people2[0]),
        zone_bare=assign(s.zone, people[4]),
        v2_full=assign(s.v2, people2[1]),
        v2_half=assign(s.v2, people2[2], Outcome.PARTIAL),
        draft=assign(s.draft, people[5]),
        running=assign(s.running, people[6]),
        after=assign(s.after, people[7]),
    )
    patrol_round(world, a.on_time, pts)
    # late; one point without a position, one far (accepted all the same), a refused scan
    scan(world, a.late, CheckInKind.POINT, minutes=20, point=pts[0], accepted=False)
    scan(world, a.late, CheckInKind.START, minutes=45)
    scan(world, a.late, CheckInKind.POINT, minutes=50, point=pts[0])
    scan(world, a.late, CheckInKind.POINT, minutes=90, point=pts[1], where="none")
    scan(world, a.late, CheckInKind.POINT, minutes=120, point=pts[2], where="far")
    scan(world, a.late, CheckInKind.END, minutes=400)
    # one point of three, scanned twice, no end of patrol
    patrol_round(world, a.partial, [pts[0], pts[0]], end=False)
    patrol_round(world, a.day, [pts[1]])  # a shift without a route: one point is the round
    patrol_round(world, a.zone_v2, [pts[2]])
    patrol_round(world, a.zone_bare, [])  # the zone has points: start and end are not enough
    patrol_round(world, a.v2_full, [])  # no point in village 2: start and end are the round
    patrol_round(world, a.v2_half, [], end=False)
    for other in (a.draft, a.running, a.after):
        patrol_round(world, other, pts[:1])
    return SimpleNamespace(world=world, patrol=patrol, s=s, a=a)


def context(w, cutoff=CUTOFF) -> Context:
    villages = [w.world.village1.pk, w.world.village2.pk]
    return Context(MARCH, cutoff, w.world.township.pk, villages)


def table(items: list[Item]) -> dict[tuple[int, int | None], tuple[Decimal, Decimal]]:
    """(shift, person) -> (done, due)."""
    out = {}
    for item in items:
        assert item.ref is not None
        key = (item.ref[1], item.person)
        assert key not in out
        out[key] = (item.done, item.due)
    return out


def computed(w, code: str, ctx: Context | None = None):
    return table(list(INDICATORS[code].compute(ctx or context(w))))


def key(a: Assignment) -> tuple[int, int]:
    return (a.shift_id, a.person_id)


ONE, ZERO = Decimal(1), Decimal(0)


def test_attendance_counts_every_shift_due_and_leaves_out_the_excused(w):
    a = w.a
    assert computed(w, "shift_attendance") == {
        key(a.on_time): (ONE, ONE),
        key(a.late): (ONE, ONE),
        key(a.partial): (ONE, ONE),
        key(a.missed): (ZERO, ONE),
        key(a.day): (ONE, ONE),
        key(a.unclosed): (ZERO, ONE),  # not closed by the cut-off: missed
        key(a.zone_v2): (ONE, ONE),
        key(a.zone_bare): (ONE, ONE),
        key(a.v2_full): (ONE, ONE),
        key(a.v2_half): (ONE, ONE),
    }


def test_punctuality_counts_the_shifts_come_to_and_late_or_partial_cost_the_point(w):
    a = w.a
    assert computed(w, "punctuality") == {
        key(a.on_time): (ONE, ONE),
        key(a.late): (ZERO, ONE),
        key(a.partial): (ZERO, ONE),
        key(a.day): (ONE, ONE),
        key(a.zone_v2): (ONE, ONE),
        key(a.zone_bare): (ONE, ONE),
        key(a.v2_full): (ONE, ONE),
        key(a.v2_half): (ZERO, ONE),
    }


def test_completion_is_the_share_of_the_expected_points_or_start_and_end(w):
    a = w.a
    assert computed(w, "patrol_completion") == {
        key(a.on_time): (ONE, ONE),  # the three points of the route
        key(a.late): (ONE, ONE),  # a far or unlocated scan still reached the point
        key(a.partial): (Decimal(1) / 3, ONE),  # one of three, twice
        key(a.day): (ONE, ONE),  # no route: one point of the village
        key(a.zone_v2): (ONE, ONE),  # no route: one point of the zone's villages
        key(a.zone_bare): (ZERO, ONE),
        key(a.v2_full): (ONE, ONE),  # village 2 has no point: start and end
        key(a.v2_half): (ZERO, ONE),  # ... and no end
    }


def test_a_point_out_of_use_is_not_expected(w):
    point = w.patrol.points[2]
    point.active = False
    point.save()
    done = computed(w, "patrol_completion")
    assert done[key(w.a.partial)] == (HALF, ONE)  # one of the two points still in use
    assert done[key(w.a.on_time)] == (ONE, ONE)


def test_proof_counts_a_missing_position_half_and_a_far_one_nothing(w):
    a = w.a
    assert computed(w, "proof_of_presence") == {
        key(a.on_time): (Decimal(3), Decimal(3)),
        # near, without a position, far; the refused scan is not counted
        key(a.late): (Decimal("1.5"), Decimal(3)),
        key(a.partial): (Decimal(2), Decimal(2)),  # each scan counts, the same point or not
        key(a.day): (ONE, ONE),
        key(a.zone_v2): (ONE, ONE),
        # start and end prove no place: shifts without a scan at a point have no item
    }


def test_every_item_names_the_persons_village_and_a_shift_page(w):
    ctx = context(w)
    for code in CODES:
        for item in INDICATORS[code].compute(ctx):
            person = {a.person_id: a for a in vars(w.a).values()}[item.person]
            assert item.village == person.person.region_id
            assert item.organisation is None
            assert item.ref is not None
            kind, pk, label = item.ref
            assert reverse(REF_PAGES[kind], args=[pk]) == f"/patrols/shifts/{pk}/"
            assert label == Shift.objects.get(pk=pk).service_date.strftime("%m-%d")
    zone = [
        i for i in INDICATORS["shift_attendance"].compute(ctx) if i.ref and i.ref[1] == w.s.zone.pk
    ]
    assert sorted(i.village for i in zone) == sorted([w.world.village1.pk, w.world.village2.pk])


def test_a_draft_roster_a_shift_still_running_and_a_later_one_do_not_count(w):
    ctx = context(w)
    counted = {item.ref[1] for code in CODES for item in INDICATORS[code].compute(ctx) if item.ref}
    assert counted == {w.s.night1.pk, w.s.night2.pk, w.s.day3.pk, w.s.zone.pk, w.s.v2.pk}
    # read at the month's end, the shift running at the cut-off and the later one count
    later = context(w, cutoff=MARCH.ends + dt.timedelta(days=3))
    counted = {i.ref[1] for i in INDICATORS["shift_attendance"].compute(later) if i.ref}
    assert {w.s.running.pk, w.s.after.pk} <= counted and w.s.draft.pk not in counted


def test_another_townships_village_is_not_read(w):
    world, patrol = w.world, w.patrol
    pattern = ShiftPattern.objects.create(
        region=world.village3,
        name="白班",
        starts_at=dt.time(8),
        duration_minutes=480,
        valid_from=day(1),
    )
    other = shift(roster(world, world.village3), pattern, day(8))
    assign(other, patrol.people[0])  # even one of ours, on their roster
    ctx = context(w)
    assert all(i.ref and i.ref[1] != other.pk for c in CODES for i in INDICATORS[c].compute(ctx))


def test_changes_after_the_cut_off_do_not_change_the_items(w, time_machine):
    before = {code: computed(w, code) for code in CODES}
    time_machine.move_to(CUTOFF + dt.timedelta(hours=1), tick=False)
    a, pts = w.a, w.patrol.points
    a.missed.outcome = Outcome.SERVED  # the director corrects the register
    a.missed.save()
    a.late.outcome = Outcome.SERVED
    a.late.save()
    a.unclosed.delete()
    late = (CUTOFF - a.partial.shift.starts_at) // dt.timedelta(minutes=1) + 30
    scan(w.world, a.partial, CheckInKind.POINT, minutes=late, point=pts[1])  # after the cut-off
    draft = w.s.draft.roster
    draft.status = RosterStatus.PUBLISHED
    draft.save()
    assign(w.s.night1, w.patrol.people[3], Outcome.MISSED)  # added to a past shift afterwards
    after = {code: computed(w, code) for code in CODES}
    assert after == before
    # read at a later cut-off, the changes count: the test would see them
    now = context(w, cutoff=CUTOFF + dt.timedelta(days=5))
    assert computed(w, "shift_attendance", now)[key(a.missed)] == (ONE, ONE)
    assert computed(w, "punctuality", now)[key(a.late)] == (ONE, ONE)
    assert computed(w, "patrol_completion", now)[key(a.partial)] == (Decimal(2) / 3, ONE)
    assert (w.s.draft.pk, w.a.draft.person_id) in computed(w, "shift_attendance", now)


def test_the_four_read_in_a_few_queries_however_many_shifts(w):
    def queries() -> int:
        ctx = context(w)
        with CaptureQueriesContext(connection) as captured:
            for code in CODES:
                list(INDICATORS[code].compute(ctx))
        return len(captured)

    few = queries()
    assert few <= 16
    nights = roster(w.world, w.world.village1)
    for n in range(8, 18):
        more = shift(nights, w.patrol.night, day(n))
        for person in w.patrol.people[:2]:
            patrol_round(w.world, assign(more, person), w.patrol.points[:2])
    assert queries() == few
