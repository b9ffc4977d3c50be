"""Records for the supervision tests: night shifts with their people and check-ins, visits made,
findings and tasks — all through the services where a service writes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from qunfang.core.days import local_midnight
from qunfang.governance.models import SupervisionVisit
from qunfang.governance.services import supervision as svc
from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    Outcome,
    PatrolPoint,
    Roster,
    RosterStatus,
    Shift,
    ShiftPattern,
    SignPeriod,
)
from qunfang.registry.models import Person


def person_in(village, name: str) -> Person:
    return Person.objects.create(region=village, name=name, sex="M", birth_date=dt.date(1980, 1, 1))


def point_in(village, name: str = "村口桥头") -> PatrolPoint:
    return PatrolPoint.objects.create(
        region=village,
        name=name,
        latitude=Decimal("29.71"),
        longitude=Decimal("120.24"),
        sign_period=SignPeriod.DAY,
    )


def night_shift(
    world, village, day: dt.date, *, status=RosterStatus.PUBLISHED, night=True, hour=20, hours=8
) -> Shift:
    """A shift of `village` on `day` from `hour` for `hours` (a night shift unless told)."""
    roster = Roster.objects.filter(region=village, status=status).first()
    if roster is None:
        roster = Roster.objects.create(
            region=village,
            starts_on=dt.date(2028, 1, 1),
            ends_on=dt.date(2029, 12, 31),
            status=status,
            created_by=world.township_officer,
        )
    pattern, _ = ShiftPattern.objects.get_or_create(
        region=village,
        name=f"{village.name}{'夜班' if night else '日班'}{hour}",
        defaults={
            "starts_at": dt.time(hour),
            "duration_minutes": hours * 60,
            "headcount": 2,
            "valid_from": dt.date(2028, 1, 1),
        },
    )
    starts = local_midnight(day) + dt.timedelta(hours=hour)
    return Shift.objects.create(
        roster=roster,
        region=village,
        pattern=pattern,
        service_date=day,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        night=night,
        headcount=2,
    )


def on_shift(shift: Shift, person: Person, outcome=Outcome.SERVED) -> Assignment:
    return Assignment.objects.create(
        shift=shift, region=shift.region, person=person, outcome=outcome
    )


def check_in(world, assignment: Assignment, at: dt.datetime, point=None, accepted=True) -> CheckIn:
    return CheckIn.objects.create(
        assignment=assignment,
        region_id=assignment.region_id,
        kind=CheckInKind.POINT if point else CheckInKind.START,
        point=point,
        recorded_at=at,
        accepted=accepted,
        refusal="" if accepted else "stale_code",
        by=world.patrol1,
    )


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour, minutes=minute)


def visit_done(
    world,
    village,
    *,
    kind="routine",
    day: dt.date | None = None,
    score="90",
    shift=None,
    found=(),
    at: dt.datetime | None = None,
) -> SupervisionVisit:
    """A visit planned and recorded through the services, dated `day` (yesterday by default)."""
    day = day or (timezone.localdate() - dt.timedelta(days=1))
    before = local(day, 8) - dt.timedelta(days=1)
    officer = world.township_officer
    visit = svc.visit_create(
        village=village, kind=kind, planned_for=day, shift=shift, by=officer, now=before
    )
    visited = at or local(day, 10)
    return svc.visit_record(
        visit=visit,
        visited_at=visited,
        inspectors="陈建国、钱海波",
        score=score,
        summary="",
        found_people=found,
        by=officer,
        now=visited + dt.timedelta(hours=1),
    )


def problem(world, visit, text="消防通道堵塞", **kw):
    return svc.finding_add(visit=visit, kind="problem", text=text, by=world.township_officer, **kw)
