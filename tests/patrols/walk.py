"""One of every patrol record in village 1, for the outsider walk
(tests/core/test_outsider_walk.py).

Each group of patrol routes classifies its routes in its own module (walk_planning.py,
walk_self.py, walk_records.py): ROUTES (name -> how an outsider is answered), PK_OWNER
(name -> attribute of the namespace built here that fills `pk`) and SAMPLES (other URL
parameters). The zone here has village 1 only, so village 2's director must not see it.
"""

import datetime as dt
import uuid
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from qunfang.patrols.models import (
    Absence,
    Assignment,
    BusySeason,
    CheckIn,
    CheckInKind,
    DutyLedgerEntry,
    JointZone,
    LedgerKind,
    PatrolPoint,
    PatrolProfile,
    PatrolRoute,
    Roster,
    RosterStatus,
    RouteStop,
    Shift,
    ShiftPattern,
    SignPeriod,
    SwapRequest,
    ZoneVillage,
)
from qunfang.patrols.services.displays import display_create
from qunfang.registry.models import GroupMembership, Person

MARKER_POINT = "枫源村委会点"


def patrol_records(world, records) -> SimpleNamespace:
    village, today = world.village1, timezone.localdate()
    person = records.person  # 楼阿根, of household 0001 in group 第1联防组
    person.account = world.patrol1
    person.save()
    PatrolProfile.objects.create(person=person, experienced=True)
    helper = Person.objects.create(
        region=village, name="周立强", sex="M", birth_date=dt.date(1985, 1, 1)
    )
    GroupMembership.objects.get_or_create(
        group=records.group,
        household=records.household,
        defaults={"joined_on": dt.date(2025, 1, 1)},
    )
    point = PatrolPoint.objects.create(
        region=village,
        name=MARKER_POINT,
        latitude=Decimal("29.71"),
        longitude=Decimal("120.24"),
        sign_period=SignPeriod.MINUTE,
    )
    route = PatrolRoute.objects.create(region=village, name="枫源村东线")
    RouteStop.objects.create(route=route, point=point, order=1)
    pattern = ShiftPattern.objects.create(
        region=village,
        name="枫源村夜班",
        starts_at=dt.time(20),
        duration_minutes=480,
        headcount=1,
        route=route,
        valid_from=today - dt.timedelta(days=30),
        household_group=records.group,
    )
    season = BusySeason.objects.create(
        region=village, name="枫源村秋收", starts_on=today, ends_on=today + dt.timedelta(days=20)
    )
    zone = JointZone.objects.create(region=world.township, name="枫源村联防区")
    ZoneVillage.objects.create(zone=zone, village=village, cost_share=Decimal("100"))
    zone.members.add(person)
    roster = Roster.objects.create(
        region=village,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=6),
        status=RosterStatus.PUBLISHED,
        created_by=world.director1,
        published_by=world.director1,
        published_at=timezone.now(),
        solver_status="optimal",
    )
    now = timezone.now()
    shift = Shift.objects.create(
        roster=roster,
        region=village,
        pattern=pattern,
        service_date=today,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        night=True,
        headcount=1,
    )
    later = Shift.objects.create(
        roster=roster,
        region=village,
        pattern=pattern,
        service_date=today + dt.timedelta(days=2),
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=8),
        night=True,
        headcount=1,
    )
    assignment = Assignment.objects.create(
        shift=shift, region=village, person=person, household=records.household
    )
    upcoming = Assignment.objects.create(
        shift=later, region=village, person=person, household=records.household
    )
    check_in = CheckIn.objects.create(
        client_id=uuid.uuid4(),
        assignment=assignment,
        region=village,
        kind=CheckInKind.POINT,
        point=point,
        recorded_at=now,
        by=world.patrol1,
        note="枫源村巡查记录",
    )
    swap = SwapRequest.objects.create(
        assignment=upcoming, region=village, replacement=helper, requested_by=world.patrol1
    )
    absence = Absence.objects.create(
        person=person,
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=12),
        declared_by=world.patrol1,
    )
    entry = DutyLedgerEntry.objects.create(
        region=village,
        household=records.household,
        group=records.group,
        assignment=assignment,
        kind=LedgerKind.OWED,
        on=today,
        recorded_by=world.director1,
    )
    display, _token = display_create(point=point, by=world.director1)
    return SimpleNamespace(
        village=village,
        display=display,
        point=point,
        route=route,
        pattern=pattern,
        season=season,
        zone=zone,
        roster=roster,
        shift=shift,
        assignment=assignment,
        upcoming=upcoming,
        check_in=check_in,
        swap=swap,
        absence=absence,
        entry=entry,
        group=records.group,
        household=records.household,
        person=person,
    )
