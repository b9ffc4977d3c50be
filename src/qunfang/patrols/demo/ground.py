"""The ground the demo's patrols cover: village centres a few kilometres apart around 枫源村,
three to five patrol points each with one round, the shift patterns (day patrols, night or
rotating patrols, one watch per ten-household group), 枫源村's proof of presence, and the joint
zone (联勤互防) of three villages."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import cast

from django.db.models import Count, Q

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, coordinate, moved
from qunfang.core.demo.reference import (
    CENTRE,
    COMMUNITY_HALL,
    COMMUNITY_POINTS,
    VILLAGE_3,
    VILLAGE_HALL,
    VILLAGE_POINTS,
)
from qunfang.patrols.demo.township import Township
from qunfang.patrols.models import (
    JointZone,
    PatrolPoint,
    PatrolRoute,
    RouteStop,
    ShiftKind,
    ShiftPattern,
    SignPeriod,
    ZoneVillage,
)
from qunfang.patrols.services.checkin import distance_m
from qunfang.patrols.services.displays import display_create
from qunfang.patrols.services.proof import patrol_settings_set
from qunfang.registry.models import JointDefenceGroup, Person

POINT_NOTES = {
    "水库大坝": "汛期每班必到，查看水位和泄洪口。",
    "养殖场": "夜间防盗重点。",
    "小学门口": "上学放学时段重点守护。",
    "山塘": "防溺水，劝离玩水人员。",
    "停车场": "查看车辆，防盗防火。",
}


def _position(p: PatrolPoint) -> tuple[float, float]:
    """A point's latitude and longitude: every demo point is made with them."""
    return float(cast(Decimal, p.latitude)), float(cast(Decimal, p.longitude))


def places(t: Township) -> None:
    """Village centres a few km apart around 枫源村, 3-5 points each and one route."""
    rng = t.rng
    centres = {}
    fixed = {
        VILLAGE_1: CENTRE,
        VILLAGE_2: moved(*CENTRE, 2300, 1.1),
        VILLAGE_3: moved(*CENTRE, 2600, 2.0),
    }
    for v in t.villages:
        if v.code in fixed:
            centres[v.code] = fixed[v.code]
            continue
        for _attempt in range(200):
            spot = moved(*CENTRE, rng.uniform(1500, 7000), rng.uniform(0, 2 * math.pi))
            if all(distance_m(*spot, *c) > 1300 for c in centres.values()):
                break
        centres[v.code] = spot
    t.points, t.coords, t.route = {}, {}, {}
    for v in t.villages:
        community = v.name.endswith("社区")
        names = list(COMMUNITY_POINTS if community else VILLAGE_POINTS)
        rng.shuffle(names)
        names = [COMMUNITY_HALL if community else VILLAGE_HALL, *names[: rng.randint(2, 4)]]
        lat, lon = centres[v.code]
        points = []
        for k, name in enumerate(names):
            plat, plon = (
                (lat, lon)
                if k == 0
                else moved(lat, lon, rng.uniform(200, 750), rng.uniform(0, 2 * math.pi))
            )
            period = SignPeriod.WEEK
            if k == 0 and v.code == VILLAGE_1:
                period = SignPeriod.MINUTE  # an old phone on the wall shows the code
            elif rng.random() < 0.2:
                period = rng.choice([SignPeriod.DAY, SignPeriod.WEEK])
            points.append(
                PatrolPoint.objects.create(
                    region=v,
                    name=name,
                    description=POINT_NOTES.get(name, ""),
                    latitude=coordinate(plat),
                    longitude=coordinate(plon),
                    radius_m=rng.choice([100, 120, 150, 150, 200]),
                    sign_period=period,
                )
            )
        route = PatrolRoute.objects.create(
            region=v,
            name=f"{v.name}巡逻路线",
            description="从" + names[0] + "出发，逐点签到后返回。",
        )
        RouteStop.objects.bulk_create(
            [RouteStop(route=route, point=p, order=k + 1) for k, p in enumerate(points)]
        )
        t.points[v.pk] = points
        t.route[v.pk] = route
        t.coords.update({p.pk: _position(p) for p in points})
    proof(t)


def proof(t: Township) -> None:
    """枫源村 needs a position for every check-in (its points are in the open), and the
    screen at its village-committee point shows the code through a display link."""
    v = t.by_code.get(VILLAGE_1)
    t.positions_required = set()
    if v is None:
        return
    director = t.recorder[v.pk]
    patrol_settings_set(village=v, positions_required=True, by=director)
    t.positions_required.add(v.pk)
    screen = t.points[v.pk][0]  # the one whose code changes every minute
    display_create(point=screen, by=director)  # the token is not kept: make a new one to see it
    t.stats["display_links"] += 1


def patterns(t: Township) -> None:
    """A day patrol, a night patrol (every night) or a rotating one (two nights on, one off)
    in every village, and one evening watch a week for each ten-household group."""
    rng, start = t.rng, t.first_day
    t.kind = {}
    for v in t.villages:
        main = v.code in (VILLAGE_1, VILLAGE_2)
        route = t.route[v.pk]
        ShiftPattern.objects.create(
            region=v,
            name="白天巡逻",
            kind=ShiftKind.DAY,
            starts_at=dt.time(9),
            duration_minutes=180,
            weekdays="135" if main else rng.choice(["135", "246", "36", "147"]),
            headcount=2 if main else 1,
            route=route,
            valid_from=start,
        )
        rotating = not main and (len(t.pool[v.pk]) < 11 or rng.random() < 0.25)
        t.kind[v.pk] = ShiftKind.ROTATING if rotating else ShiftKind.NIGHT
        if rotating:  # two nights on, one off (轮班)
            night = {
                "name": "轮班夜巡",
                "kind": ShiftKind.ROTATING,
                "starts_at": dt.time(19, 30),
                "duration_minutes": 390,
                "cycle_length": 3,
                "cycle_on": 2,
                "headcount": 2,
            }
        else:  # 夜班制: every night 20:00-04:00
            night = {
                "name": "夜间巡逻",
                "kind": ShiftKind.NIGHT,
                "starts_at": dt.time(20),
                "duration_minutes": 480,
                "headcount": 3 if main else 2,
            }
        ShiftPattern.objects.create(
            region=v, route=route, weight=Decimal("1.5"), valid_from=start, **night
        )
        groups = (
            JointDefenceGroup.objects.filter(region=v, dissolved_on__isnull=True)
            .annotate(size=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
            .filter(size__gte=5)  # a leftover household or two keeps no watch of its own
            .order_by("pk")
        )
        for k, group in enumerate(groups):
            ShiftPattern.objects.create(
                region=v,
                household_group=group,
                name=f"{group.name}值守",
                kind=ShiftKind.DAY,
                starts_at=dt.time(19),
                duration_minutes=180,
                weekdays=str(k % 7 + 1),
                headcount=1,
                valid_from=start,
            )


def zone(t: Township) -> None:
    """联勤互防: 枫源村, 乐山村 and 齐东村 patrol their borders together on weekend nights."""
    codes = [c for c in (VILLAGE_1, VILLAGE_2, VILLAGE_3) if c in t.by_code]
    if len(codes) < 2:
        t.zone_obj = None
        return
    villages = [t.by_code[c] for c in codes]
    zone = JointZone.objects.create(
        region=t.township,
        name="枫源—乐山—齐东联勤互防区",
        description="三村交界地带周末夜间联合巡逻，费用按比例分摊。",
    )
    shares = [Decimal("40"), Decimal("35"), Decimal("25")][: len(villages)]
    shares[0] += Decimal(100) - sum(shares)
    for v, share in zip(villages, shares, strict=True):
        ZoneVillage.objects.create(zone=zone, village=v, cost_share=share)
    members = []
    for v in villages:  # volunteers who are not on the village's own patrol
        taken = {p.pk for p in t.pool[v.pk]}
        people = [
            p
            for p in Person.objects.filter(
                region=v, may_serve=True, household__isnull=False
            ).order_by("pk")
            if p.pk not in taken and 22 <= p.age_on(t.today) <= 55
        ]
        members += t.rng.sample(people, min(len(people), 5 if v.code != VILLAGE_3 else 4))
    zone.members.set(members)
    ShiftPattern.objects.create(
        region=t.township,
        zone=zone,
        name="周末联合夜巡",
        kind=ShiftKind.NIGHT,
        starts_at=dt.time(21),
        duration_minutes=360,
        weekdays="56",
        headcount=3,
        weight=Decimal("2"),
        valid_from=t.first_day,
    )
    t.zone_obj = zone
    t.zone_members = sorted(members, key=lambda p: p.pk)
    points = [p for v in villages for p in t.points[v.pk]]
    # the border round: the points of each village nearest the others' centre
    lat = sum(_position(p)[0] for p in points) / len(points)
    lon = sum(_position(p)[1] for p in points) / len(points)
    near = sorted(points, key=lambda p: distance_m(lat, lon, *_position(p)))[:4]
    t.zone_round = sorted(near, key=lambda p: _position(p)[1])
    t.zone_points = {p.pk for p in points}
