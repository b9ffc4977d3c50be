"""A patrol world on top of `world`: village 1 has a patrol team of eight (patrol1 among them),
three points on a route, a day and a night pattern and a ten-household group; villages 1 and
2 share a joint zone. Shifts are on fixed dates so tests do not drift with the calendar."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qunfang.patrols.models import (
    JointZone,
    PatrolPoint,
    PatrolProfile,
    PatrolRoute,
    RouteStop,
    ShiftKind,
    ShiftPattern,
    ZoneVillage,
)
from qunfang.registry.models import (
    GroupMembership,
    Household,
    JointDefenceGroup,
    Membership,
    Organisation,
    OrgKind,
    Person,
    Post,
)

MONDAY = dt.date(2027, 3, 1)  # a Monday
NAMES = ["何小军", "楼建平", "陈立新", "骆国强", "斯志明", "赵永康", "宣海波", "周建华"]


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=timezone.get_default_timezone())


def _team(village, names, prefix, experienced=4):
    org = Organisation.objects.create(
        region=village, name=f"{village.name}巡逻队", kind=OrgKind.PATROL_TEAM
    )
    post = Post.objects.create(organisation=org, title="队员", seats=20)
    people = []
    for k, name in enumerate(names):
        p = Person.objects.create(
            region=village,
            name=name,
            sex="M",
            birth_date=dt.date(1975 + k, 3, 1),
            phone=f"139{prefix}{k:05d}",
        )
        Membership.objects.create(person=p, post=post, started_on=dt.date(2025, 1, 1))
        PatrolProfile.objects.create(person=p, experienced=k < experienced)
        people.append(p)
    return org, people


@pytest.fixture
def patrol(world):
    org, people = _team(world.village1, NAMES, "100")
    people[0].account = world.patrol1
    people[0].save()
    _, people2 = _team(
        world.village2, ["斯伟东", "金阿三", "陈小龙", "俞大伟"], "200", experienced=1
    )
    people2[0].account = world.patrol2
    people2[0].save()
    points = [
        PatrolPoint.objects.create(
            region=world.village1,
            name=name,
            latitude=Decimal(lat),
            longitude=Decimal("120.2400"),
            radius_m=100,
        )
        for name, lat in [("村委会", "29.7100"), ("枫源桥", "29.7120"), ("老街口", "29.7140")]
    ]
    route = PatrolRoute.objects.create(region=world.village1, name="夜巡路线")
    for k, p in enumerate(points):
        RouteStop.objects.create(route=route, point=p, order=k + 1)
    day = ShiftPattern.objects.create(
        region=world.village1,
        name="白班",
        kind=ShiftKind.DAY,
        starts_at=dt.time(8),
        duration_minutes=480,
        headcount=1,
        valid_from=dt.date(2027, 1, 1),
    )
    night = ShiftPattern.objects.create(
        region=world.village1,
        name="夜班",
        kind=ShiftKind.NIGHT,
        starts_at=dt.time(20),
        duration_minutes=480,
        headcount=2,
        route=route,
        valid_from=dt.date(2027, 1, 1),
    )
    # ten-household group: ten households of village 1, two of them exempt
    group = JointDefenceGroup.objects.create(
        region=world.village1, name="第3联防组", formed_on=dt.date(2025, 1, 1)
    )
    households = []
    for k in range(10):
        h = Household.objects.create(
            region=world.village1,
            group=world.group1,
            number=f"H{k:03d}",
            elderly_only=k == 8,
            absent=k == 9,
        )
        Person.objects.create(
            region=world.village1,
            household=h,
            name=f"户主{k}",
            sex="M",
            birth_date=dt.date(1970 + k, 1, 1),
        )
        Person.objects.create(
            region=world.village1,
            household=h,
            name=f"家人{k}",
            sex="F",
            birth_date=dt.date(1990, 1, 1),
        )
        GroupMembership.objects.create(group=group, household=h, joined_on=dt.date(2025, 1, 1))
        households.append(h)
    rota = ShiftPattern.objects.create(
        region=world.village1,
        name="联防值守",
        starts_at=dt.time(19),
        duration_minutes=180,
        headcount=1,
        household_group=group,
        valid_from=dt.date(2027, 1, 1),
    )
    zone = JointZone.objects.create(region=world.township, name="枫源—乐山联防区")
    ZoneVillage.objects.create(zone=zone, village=world.village1, cost_share=Decimal("60"))
    ZoneVillage.objects.create(zone=zone, village=world.village2, cost_share=Decimal("40"))
    zone.members.set(people[4:] + people2)
    zone_pattern = ShiftPattern.objects.create(
        region=world.township,
        zone=zone,
        name="边界夜巡",
        kind=ShiftKind.NIGHT,
        starts_at=dt.time(21),
        duration_minutes=360,
        headcount=2,
        weekdays="56",
        valid_from=dt.date(2027, 1, 1),
    )
    return SimpleNamespace(
        org=org,
        people=people,
        people2=people2,
        points=points,
        route=route,
        day=day,
        night=night,
        group=group,
        households=households,
        rota=rota,
        zone=zone,
        zone_pattern=zone_pattern,
    )
