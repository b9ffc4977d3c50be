"""Demo patrols for 枫桥镇: points, a route and shift patterns in every village, one rotation per
ten-household group, a joint zone (联勤互防), the farming calendar, a year of published monthly
rosters with their patrol logs (late starts, partial rounds, missed nights, excuses, swaps,
refused scans, findings) and the duty ledger, the current month rostered by the real solver,
and a draft for next month.

The past is bulk-inserted so that the step stays well within a minute: each village-month is
rostered by the solver's own greedy first roster (which keeps every hard rule) and the
ten-household rotation, then its log is made up and written with one prepared statement per
table. The current month goes through the real services (generate, publish, check in, close,
swap, remind), and so does next month's draft.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, models, router
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from qunfang.core.books.chain import link
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.core.models import Notification
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.patrols import solver
from qunfang.patrols.checkin import (
    EARLY,
    GRACE,
    Refusal,
    Scan,
    check_in,
    close_assignment,
    distance_m,
)
from qunfang.patrols.displays import display_create
from qunfang.patrols.models import (
    Absence,
    Assignment,
    BusySeason,
    CheckIn,
    CheckInKind,
    DutyLedgerEntry,
    Finding,
    JointZone,
    LedgerKind,
    Outcome,
    PatrolPoint,
    PatrolProfile,
    PatrolRoute,
    Roster,
    RosterStatus,
    RouteStop,
    Shift,
    ShiftKind,
    ShiftPattern,
    SignPeriod,
    SwapRequest,
    SwapStatus,
    ZoneVillage,
)
from qunfang.patrols.proof import patrol_settings_set
from qunfang.patrols.rostering import (
    PATROL_ORG_KINDS,
    RosterRequest,
    build_shifts,
    generate_roster,
    pool,
    problem_record,
    solver_people,
    solver_slots,
)
from qunfang.patrols.rotation import fill_household_shifts
from qunfang.patrols.services import (
    buy_out,
    clashing_assignments,
    decide_swap,
    declare_absence,
    publish_roster,
    record_outcome,
    replacement_problems,
    request_swap,
    send_reminders,
)
from qunfang.patrols.signs import current_code
from qunfang.patrols.solver.explain import explain_shortfall, precheck
from qunfang.patrols.solver.hint import greedy
from qunfang.patrols.solver.instance import components, prepare
from qunfang.registry.models import JointDefenceGroup, Membership, OrgForm, Person

VILLAGE_3 = "330681109292"  # 齐东村, the third village of the joint zone
CENTRE = (29.7100, 120.2400)  # 枫源村; the township lies around it
M_PER_DEG = 111_320.0
MONTHS = 12  # published months, the current one included
SOLVER_SECONDS = 2.0  # the real solver's time limit for the current and next month
BATCH = 2000
NO_FIX = 0.05  # scans at a point for which the phone gave no position

# fmt: off
VILLAGE_POINTS = ["文化礼堂", "老年活动室", "村口桥头", "小学门口", "祠堂", "水库大坝", "停车场", "卫生室", "山塘", "养殖场", "竹林路口", "溪滩埠头"]
COMMUNITY_POINTS = ["菜市场", "小区东门", "幼儿园门口", "商业街口", "街心公园", "停车场", "老街口", "农贸市场"]
POINT_NOTES = {
    "水库大坝": "汛期每班必到，查看水位和泄洪口。",
    "养殖场": "夜间防盗重点。",
    "小学门口": "上学放学时段重点守护。",
    "山塘": "防溺水，劝离玩水人员。",
    "停车场": "查看车辆，防盗防火。",
}
EXCUSES = ["生病请假", "外出务工", "家中有事", "走亲戚", "孩子生病", "到城里看病", "参加村里婚礼", "外出送货"]
ABSENCE_REASONS = ["外出务工", "住院治疗", "到杭州看病", "外出学习", "家中办丧事", "探亲"]
SWAP_REASONS = ["临时有事", "要去诸暨市区看病", "家里办喜事", "厂里加班", "外出送货", "孩子开家长会"]
REJECT_NOTES = ["替班人员当晚已有安排，请按原班执勤", "当晚人手紧，请按原班执勤", "请另找有经验的队员替班"]
BUYOUT_NOTES = ["外出务工，按组约交代勤费", "家中无人值守，交代勤费", "补交代勤费"]
FINDINGS = {
    Finding.HAZARD: ["路灯损坏，桥头一段漆黑", "河边护栏松动，已做标记", "电线私拉乱接，有火灾隐患", "山塘水位偏高，已告知村委", "井盖缺失，已用石块围挡", "柴堆靠近灶间，已提醒农户清理", "电动车在楼道充电，已劝导"],
    Finding.INCIDENT: ["一辆无牌摩托车停在路边，已拍照报告", "有陌生人在仓库附近徘徊，已盘问登记", "一户院门未关，已提醒户主", "发现小孩在水库边玩水，已劝离", "养殖场围栏被撬，已报派出所", "路边草堆冒烟，已扑灭"],
    Finding.DISPUTE: ["两户因宅基地界线争吵，已劝开并报调委会", "邻里因停车发生口角，已劝解", "狗咬人引起纠纷，双方已到村委会", "因排水沟堵塞两户争执，已约明天调解"],
}
# fmt: on
# chance of rain on a day, by month (梅雨 in June); a wet day makes the next one wetter
RAIN_BY_MONTH = dict(
    enumerate([0.3, 0.35, 0.4, 0.35, 0.35, 0.5, 0.3, 0.25, 0.25, 0.15, 0.2, 0.25], start=1)
)


# ---- small helpers ----------------------------------------------------------------------------


def _months(today: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The `count` calendar months ending with today's, oldest first."""
    out = []
    y, m = today.year, today.month
    for _ in range(count):
        first = dt.date(y, m, 1)
        out.append((first, _month_end(first)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _month_end(first: dt.date) -> dt.date:
    nxt = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return nxt - dt.timedelta(days=1)


def _moved(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    return (
        lat + metres * math.cos(bearing) / M_PER_DEG,
        lon + metres * math.sin(bearing) / (M_PER_DEG * math.cos(math.radians(lat))),
    )


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


def _adapter(field, connection):
    """How a value of this field goes to the database (what `get_db_prep_save` does, minus
    its checks, which cost seconds over ~1.5 million values): as it is for text, numbers,
    booleans, decimals and ids, through the backend for dates, times, UUIDs and JSON."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.UUIDField):
        return None if connection.features.has_native_uuid_field else (lambda value: value.hex)
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    if isinstance(field, models.JSONField | models.FileField):
        return lambda value: field.get_db_prep_save(value, connection=connection)
    return None


def _write_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows with one prepared statement (`executemany`): bulk_create compiles
    the SQL again for every 50 rows on SQLite, which costs most of a minute here."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(c) for c in columns]
    adapters = [
        (k, f) for k, f in enumerate(_adapter(f, connection) for f in fields) if f is not None
    ]
    if adapters:
        rows = [list(r) for r in rows]
        for r in rows:
            for k, adapt in adapters:
                r[k] = adapt(r[k])
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
        for k in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[k : k + BATCH])


def _write(model, objs: list) -> None:
    """Insert model instances with ids of our own (so that rows pointing at them can follow),
    then set the sequence past them (PostgreSQL; SQLite keeps up by itself)."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = model._meta.concrete_fields
    relations = [f for f in fields if f.is_relation]
    start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    for k, obj in enumerate(objs):
        obj.pk = start + k
        obj._state.adding = False
        for f in relations:  # rows made before their parent had an id
            if obj.__dict__.get(f.attname) is None:
                parent = f.get_cached_value(obj, None)
                if parent is not None:
                    obj.__dict__[f.attname] = parent.pk
    _write_rows(
        model,
        [f.attname for f in fields],
        [tuple(getattr(o, f.attname) for f in fields) for o in objs],
    )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


@contextmanager
def _big_cache():
    """SQLite: a page cache large enough for the check-in indexes while they are filled."""
    connection = connections[router.db_for_write(CheckIn)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@dataclass(slots=True)
class _Scan:
    """A check-in before it is written (lighter than a model instance: there are ~150,000)."""

    assignment: Assignment
    kind: str
    point: PatrolPoint | None
    recorded_at: dt.datetime
    latitude: Decimal | None  # None: the phone gave no position
    longitude: Decimal | None
    accuracy_m: int | None
    by_id: int
    client_id: uuid.UUID
    accepted: bool = True
    refusal: str = ""
    distance_m: int | None = None
    far_from_point: bool = False
    finding: str = Finding.NOTHING
    note: str = ""


SCAN_COLUMNS = [
    "client_id",
    "assignment_id",
    "region_id",
    "zone_id",
    "kind",
    "point_id",
    "recorded_at",
    "accepted",
    "refusal",
    "latitude",
    "longitude",
    "accuracy_m",
    "distance_m",
    "far_from_point",
    "finding",
    "note",
    "photo",
    "by_id",
]


def _write_scans(scans: list[_Scan]) -> None:
    _write_rows(
        CheckIn,
        SCAN_COLUMNS,
        [
            (
                c.client_id,
                c.assignment.pk,
                c.assignment.region_id,
                c.assignment.zone_id,
                c.kind,
                c.point.pk if c.point else None,
                c.recorded_at,
                c.accepted,
                c.refusal,
                c.latitude,
                c.longitude,
                c.accuracy_m,
                c.distance_m,
                c.far_from_point,
                c.finding,
                c.note,
                "",
                c.by_id,
            )
            for c in scans
        ],
    )


# ---- the builder ------------------------------------------------------------------------------


class _Patrols:
    def __init__(self, context: DemoContext):
        self.context = context
        self.rng = context.rng
        self.tz = timezone.get_default_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.late = dt.timedelta(minutes=settings.QUNFANG_LATE_MINUTES)
        self.township = context.township
        self.villages = sorted(context.villages, key=lambda v: v.code)
        self.by_code = {v.code: v for v in self.villages}
        acc = context.accounts
        self.township_user = acc["township"]
        self.recorder = {v.pk: acc["township"] for v in self.villages}
        for code, name in ((VILLAGE_1, "director1"), (VILLAGE_2, "director2")):
            if code in self.by_code and name in acc:
                self.recorder[self.by_code[code].pk] = acc[name]
        self.main_ids = {self.by_code[c].pk for c in (VILLAGE_1, VILLAGE_2) if c in self.by_code}
        self.months = _months(self.today, MONTHS)
        self.first_day = self.months[0][0]
        self.reliability: dict[int, float] = {}
        self.account_of: dict[int, object] = {}  # person pk -> user
        self.rainy: dict[dt.date, bool] = {}
        self.stats = defaultdict(int)

    # ---- setting up ----------------------------------------------------------------------

    def run(self) -> None:
        self.link_accounts()
        self.weather()
        self.seasons()
        self.places()
        self.pools()
        self.patterns()
        self.zone()
        self.profiles()
        self.history()
        self.current_month()
        self.next_month()

    def link_accounts(self) -> None:
        """The demo's patrol members sign in as the registry people who hold their posts."""
        acc = self.context.accounts
        self.me = {}
        for code, name in ((VILLAGE_1, "patrol1"), (VILLAGE_2, "patrol2")):
            user = acc.get(name)
            if user is None or code not in self.by_code:
                continue
            posts = Membership.objects.filter(
                post__organisation__region=self.by_code[code],
                post__title="队员",
                ended_on__isnull=True,
            ).select_related("person")
            membership = (
                next((m for m in posts if m.person.name == user.full_name), None) or posts.first()
            )
            if membership is None:
                continue
            person = membership.person
            person.account = user
            person.save(update_fields=["account"])
            self.account_of[person.pk] = user
            self.me[code] = person

    def weather(self) -> None:
        day = self.first_day - dt.timedelta(days=7)
        while day <= self.today + dt.timedelta(days=70):
            wet_yesterday = self.rainy.get(day - dt.timedelta(days=1), False)
            self.rainy[day] = self.rng.random() < RAIN_BY_MONTH[day.month] + (
                0.2 if wet_yesterday else 0
            )
            day += dt.timedelta(days=1)

    def seasons(self) -> None:
        self.busy = set()
        for year in range(self.first_day.year, self.today.year + 2):
            for name, start, end in (
                ("春耕春种", (4, 20), (5, 20)),
                ("秋收冬种", (10, 1), (10, 31)),
            ):
                season = BusySeason.objects.create(
                    region=self.township,
                    name=f"{year}年{name}",
                    starts_on=dt.date(year, *start),
                    ends_on=dt.date(year, *end),
                )
                day = season.starts_on
                while day <= season.ends_on:
                    self.busy.add(day)
                    day += dt.timedelta(days=1)

    def places(self) -> None:
        """Village centres a few km apart around 枫源村, 3-5 points each and one route."""
        rng = self.rng
        centres = {}
        fixed = {
            VILLAGE_1: CENTRE,
            VILLAGE_2: _moved(*CENTRE, 2300, 1.1),
            VILLAGE_3: _moved(*CENTRE, 2600, 2.0),
        }
        for v in self.villages:
            if v.code in fixed:
                centres[v.code] = fixed[v.code]
                continue
            for _attempt in range(200):
                spot = _moved(*CENTRE, rng.uniform(1500, 7000), rng.uniform(0, 2 * math.pi))
                if all(distance_m(*spot, *c) > 1300 for c in centres.values()):
                    break
            centres[v.code] = spot
        self.points: dict[int, list[PatrolPoint]] = {}
        self.coords: dict[int, tuple[float, float]] = {}
        self.route: dict[int, PatrolRoute] = {}
        for v in self.villages:
            community = v.name.endswith("社区")
            names = list(COMMUNITY_POINTS if community else VILLAGE_POINTS)
            rng.shuffle(names)
            names = ["社区服务中心" if community else "村委会", *names[: rng.randint(2, 4)]]
            lat, lon = centres[v.code]
            points = []
            for k, name in enumerate(names):
                plat, plon = (
                    (lat, lon)
                    if k == 0
                    else _moved(lat, lon, rng.uniform(200, 750), rng.uniform(0, 2 * math.pi))
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
                        latitude=_dec(plat),
                        longitude=_dec(plon),
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
            self.points[v.pk] = points
            self.route[v.pk] = route
            self.coords.update({p.pk: (float(p.latitude), float(p.longitude)) for p in points})
        self.proof()

    def proof(self) -> None:
        """枫源村 needs a position for every check-in (its points are in the open), and the
        screen at its village-committee point shows the code through a display link."""
        v = self.by_code.get(VILLAGE_1)
        self.positions_required = set()
        if v is None:
            return
        director = self.recorder[v.pk]
        patrol_settings_set(village=v, positions_required=True, by=director)
        self.positions_required.add(v.pk)
        screen = self.points[v.pk][0]  # the one whose code changes every minute
        display_create(point=screen, by=director)  # the token is not kept: make a new one to see it
        self.stats["display_links"] += 1

    def pools(self) -> None:
        """Who may be rostered in each village (the roster's own rule), and their posts."""
        self.pool: dict[int, list[Person]] = {}
        for v in self.villages:
            req = RosterRequest(region=v, starts_on=self.first_day, ends_on=self.first_day)
            self.pool[v.pk] = sorted(pool(req), key=lambda p: p.pk)
        self.posts = defaultdict(list)
        for m in Membership.objects.filter(
            ended_on__isnull=True,
            post__organisation__kind__in=PATROL_ORG_KINDS,
            post__organisation__region__in=self.villages,
        ).values("person_id", "post__is_leader", "post__organisation__form"):
            self.posts[m["person_id"]].append(m)

    def patterns(self) -> None:
        rng, start = self.rng, self.first_day
        self.kind = {}
        for v in self.villages:
            main = v.code in (VILLAGE_1, VILLAGE_2)
            route = self.route[v.pk]
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
            rotating = not main and (len(self.pool[v.pk]) < 11 or rng.random() < 0.25)
            self.kind[v.pk] = ShiftKind.ROTATING if rotating else ShiftKind.NIGHT
            if rotating:  # two nights on, one off (轮班)
                ShiftPattern.objects.create(
                    region=v,
                    name="轮班夜巡",
                    kind=ShiftKind.ROTATING,
                    starts_at=dt.time(19, 30),
                    duration_minutes=390,
                    cycle_length=3,
                    cycle_on=2,
                    headcount=2,
                    route=route,
                    weight=Decimal("1.5"),
                    valid_from=start,
                )
            else:  # 夜班制: every night 20:00-04:00
                ShiftPattern.objects.create(
                    region=v,
                    name="夜间巡逻",
                    kind=ShiftKind.NIGHT,
                    starts_at=dt.time(20),
                    duration_minutes=480,
                    headcount=3 if main else 2,
                    route=route,
                    weight=Decimal("1.5"),
                    valid_from=start,
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

    def zone(self) -> None:
        """联勤互防: 枫源村, 乐山村 and 齐东村 patrol their borders together on weekend nights."""
        codes = [c for c in (VILLAGE_1, VILLAGE_2, VILLAGE_3) if c in self.by_code]
        if len(codes) < 2:
            self.zone_obj = None
            return
        villages = [self.by_code[c] for c in codes]
        zone = JointZone.objects.create(
            region=self.township,
            name="枫源—乐山—齐东联勤互防区",
            description="三村交界地带周末夜间联合巡逻，费用按比例分摊。",
        )
        shares = [Decimal("40"), Decimal("35"), Decimal("25")][: len(villages)]
        shares[0] += Decimal(100) - sum(shares)
        for v, share in zip(villages, shares, strict=True):
            ZoneVillage.objects.create(zone=zone, village=v, cost_share=share)
        members = []
        for v in villages:  # volunteers who are not on the village's own patrol
            taken = {p.pk for p in self.pool[v.pk]}
            people = [
                p
                for p in Person.objects.filter(
                    region=v, may_serve=True, household__isnull=False
                ).order_by("pk")
                if p.pk not in taken and 22 <= p.age_on(self.today) <= 55
            ]
            members += self.rng.sample(people, min(len(people), 5 if v.code != VILLAGE_3 else 4))
        zone.members.set(members)
        ShiftPattern.objects.create(
            region=self.township,
            zone=zone,
            name="周末联合夜巡",
            kind=ShiftKind.NIGHT,
            starts_at=dt.time(21),
            duration_minutes=360,
            weekdays="56",
            headcount=3,
            weight=Decimal("2"),
            valid_from=self.first_day,
        )
        self.zone_obj = zone
        self.zone_members = sorted(members, key=lambda p: p.pk)
        points = [p for v in villages for p in self.points[v.pk]]
        # the border round: the points of each village nearest the others' centre
        lat = sum(float(p.latitude) for p in points) / len(points)
        lon = sum(float(p.longitude) for p in points) / len(points)
        near = sorted(
            points, key=lambda p: distance_m(lat, lon, float(p.latitude), float(p.longitude))
        )[:4]
        self.zone_round = sorted(near, key=lambda p: float(p.longitude))
        self.zone_points = {p.pk for p in points}

    def profiles(self) -> None:
        rng = self.rng
        profiles = []
        for v in self.villages:
            village = []
            for p in self.pool[v.pk]:
                posts = self.posts.get(p.pk, [])
                leader = any(m["post__is_leader"] for m in posts)
                paid = any(
                    m["post__organisation__form"] in (OrgForm.PAID, OrgForm.CONTRACTED)
                    for m in posts
                )
                mine = p.pk in self.account_of
                village.append(
                    PatrolProfile(
                        person=p,
                        experienced=leader or mine or rng.random() < 0.35,
                        volunteer=not paid,
                        max_nights_per_week=1 if rng.random() < 0.15 and not mine else None,
                        prefers=rng.choices(["", "day", "night"], weights=[70, 20, 10])[0],
                    )
                )
            novices = [f for f in village if not f.experienced]
            for f in rng.sample(
                novices, max(0, min(len(novices), 4 - (len(village) - len(novices))))
            ):
                f.experienced = True  # at least four who may lead a night patrol
            profiles += village
        for k, p in enumerate(getattr(self, "zone_members", [])):
            profiles.append(
                PatrolProfile(
                    person=p, experienced=k % 2 == 0, prefers="night" if k % 3 == 0 else ""
                )
            )
        PatrolProfile.objects.bulk_create(profiles, batch_size=500)
        for v in self.villages:  # the pools hold the profile now
            req = RosterRequest(region=v, starts_on=self.first_day, ends_on=self.first_day)
            self.pool[v.pk] = sorted(pool(req), key=lambda p: p.pk)
        if self.zone_obj:
            req = RosterRequest(
                region=self.township,
                zone=self.zone_obj,
                starts_on=self.first_day,
                ends_on=self.first_day,
            )
            self.zone_members = sorted(pool(req), key=lambda p: p.pk)
        for people in [*self.pool.values(), getattr(self, "zone_members", [])]:
            for p in people:  # a few are never on time, a few never miss
                self.reliability[p.pk] = rng.choice([0.4, 0.7, 1.0, 1.0, 1.0, 1.3, 1.8])

    # ---- the past, in bulk -----------------------------------------------------------------

    def history(self) -> None:
        """Every published month but the current one of the solver's villages: rostered in
        memory, logged in memory, then written in a few statements."""
        rng = self.rng
        self.absences_ahead()
        busy_map: dict[int, list] = defaultdict(list)  # person pk -> shifts they are on
        rosters, shifts, assignments = [], [], []
        household = defaultdict(list)  # village pk -> its household shifts of the year
        roster_of = {}  # (village or zone region pk, month) -> roster
        for k, (first, last) in enumerate(self.months):
            current = k == len(self.months) - 1
            jobs = []
            if self.zone_obj and not current:
                req = RosterRequest(
                    region=self.township, zone=self.zone_obj, starts_on=first, ends_on=last
                )
                jobs.append((req, self.zone_members, self.township_user))
            for v in self.villages:
                if not (current and v.code in (VILLAGE_1, VILLAGE_2)):
                    jobs.append(
                        (
                            RosterRequest(region=v, starts_on=first, ends_on=last),
                            self.pool[v.pk],
                            self.recorder[v.pk],
                        )
                    )
            for req, people, by in jobs:
                roster, month_shifts, month_assignments = self.plan(req, people, busy_map, by)
                rosters.append(roster)
                shifts += month_shifts
                assignments += month_assignments
                roster_of[req.region.pk, first] = roster
                for shift in month_shifts:
                    if shift.pattern.household_group_id:
                        household[shift.region_id].append(shift)
        rules = solver.Rules(min_rest_hours=8, tz=self.tz)
        for village_shifts in household.values():  # the rotation runs on over the months
            more, problems = fill_household_shifts(village_shifts, busy_map, rules)
            assignments += more
            for problem in problems:
                day = dt.date.fromisoformat(problem["day"])
                roster = roster_of[village_shifts[0].region_id, day.replace(day=1)]
                roster.problems.append(problem)
                roster.solver_status = "infeasible"
        assignments.sort(key=lambda a: (a.shift.starts_at, a.shift.region_id, a.person_id))
        scans, ledger, swaps = [], [], []
        for a in assignments:
            self.settle(a, scans, ledger)
            swappable = a.region_id in self.main_ids and a.household is None
            if swappable and a.shift.starts_at < self.now and rng.random() < 0.03:
                swaps.append(self.past_swap(a))
        with _big_cache():
            self.write_history(rosters, shifts, assignments, scans, ledger, swaps)

    def write_history(self, rosters, shifts, assignments, scans, ledger, swaps) -> None:
        _write(Roster, rosters)
        _write(Shift, shifts)
        _write(Assignment, assignments)
        _write_scans(scans)
        link(ledger, using=router.db_for_write(DutyLedgerEntry))  # the raw insert skips save()
        _write(DutyLedgerEntry, ledger)
        _write(SwapRequest, swaps)
        self.stats["rosters"] += len(rosters)
        self.stats["shifts"] += len(shifts)
        self.stats["check_ins"] += len(scans)

    def absences_ahead(self) -> None:
        """Members who said in time that they would be away: the roster leaves them out."""
        rng, rows = self.rng, []
        for first, last in self.months:
            for v in self.villages:
                for _ in range(rng.choice([0, 0, 1, 1, 2])):
                    person = rng.choice(self.pool[v.pk])
                    start = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                    end = min(start + dt.timedelta(days=rng.randint(2, 10)), last)
                    declared = dt.datetime.combine(
                        first - dt.timedelta(days=rng.randint(2, 12)),
                        dt.time(19, 30),
                        tzinfo=self.tz,
                    )
                    rows.append(
                        Absence(
                            person=person,
                            starts_on=start,
                            ends_on=end,
                            reason=rng.choice(ABSENCE_REASONS),
                            declared_by=self.recorder[v.pk],
                            created_at=declared,
                        )
                    )
        _write(Absence, rows)

    def plan(self, req: RosterRequest, people: list[Person], busy_map, by):
        """One published month's patrol shifts, filled by the solver's greedy first roster."""
        rng = self.rng
        published = dt.datetime.combine(
            req.starts_on - dt.timedelta(days=rng.randint(3, 8)),
            dt.time(rng.randint(9, 17), rng.randint(0, 59)),
            tzinfo=self.tz,
        )
        roster = Roster(
            region=req.region,
            zone=req.zone,
            starts_on=req.starts_on,
            ends_on=req.ends_on,
            status=RosterStatus.PUBLISHED,
            created_by=by,
            created_at=published - dt.timedelta(hours=20),
            published_by=by,
            published_at=published,
        )
        shifts = build_shifts(req, roster)
        patrol = [s for s in shifts if s.pattern.household_group_id is None]
        t0 = time.perf_counter()
        persons = solver_people(req, people)
        month_start = dt.datetime.combine(req.starts_on, dt.time(), tzinfo=self.tz)
        for p in persons:  # still resting from last month's last night
            spans = [span for span in busy_map.get(int(p.id), ()) if span[1] > month_start]
            if spans:
                p.unavailable = [*p.unavailable, *spans]
        days = frozenset(d for d in self.busy if req.starts_on <= d <= req.ends_on)
        rules = solver.Rules(
            min_rest_hours=req.min_rest_hours,
            max_nights_per_week=req.max_nights_per_week,
            busy_season_days=days,
            tz=self.tz,
        )
        slots = solver_slots(req, patrol)
        inst = prepare(persons, slots, rules)
        chosen = greedy(inst, seed=rng.randrange(1 << 30))
        proven = precheck(inst, components(inst))
        problems = proven + explain_shortfall(inst, chosen, proven)
        by_id = {str(p.pk): p for p in people}
        assignments = []
        for i, j in sorted(chosen, key=lambda ij: (ij[1], ij[0])):
            shift = patrol[j]
            person = by_id[persons[i].id]
            assignments.append(
                Assignment(shift=shift, region=shift.region, zone=req.zone, person=person)
            )
            busy_map[person.pk].append((shift.starts_at, shift.ends_at))
        shift_of = {str(k): s for k, s in enumerate(patrol)}
        roster.problems = [problem_record(p, shift_of) for p in problems]
        roster.solver_status = "infeasible" if roster.problems else "feasible"
        roster.first_feasible_s = roster.seconds = round(time.perf_counter() - t0, 3)
        return roster, shifts, assignments

    # ---- how each shift went ---------------------------------------------------------------

    def fate(self, a: Assignment) -> str:
        """How a shift ends, with the gaps real logs have: more missed in the busy season and
        on cold or rainy winter nights."""
        shift, rng = a.shift, self.rng
        day = shift.service_date
        rel = self.reliability.get(a.person_id, 1.0)
        busy, wet = day in self.busy, self.rainy.get(day, False)
        winter = day.month in (12, 1, 2)
        missed = 0.025 * rel
        if busy:
            missed *= 2.2
        if shift.night and winter:
            missed *= 2.2 if wet else 1.6
        elif wet:
            missed *= 1.4
        excused = 0.02 * (1.8 if busy else 1.0)
        partial = 0.03 * (2.0 if wet else 1.0) * (1.4 if shift.night and winter else 1.0)
        late = 0.05 * rel * (1.5 if shift.night and winter else 1.0)
        bought = 0.0
        if a.household_id or a.household is not None:
            missed *= 1.3
            bought = 0.06 if busy else 0.035
        roll = rng.random()
        for outcome, p in (
            ("bought", bought),
            (Outcome.MISSED, missed),
            (Outcome.EXCUSED, excused),
            (Outcome.PARTIAL, partial),
            (Outcome.LATE, late),
        ):
            if roll < p:
                return outcome
            roll -= p
        return Outcome.SERVED

    def round_points(self, a: Assignment) -> list[PatrolPoint]:
        pattern = a.shift.pattern
        if pattern.zone_id:
            return self.zone_round
        points = self.points[pattern.region_id]
        if pattern.household_group_id:  # the group keeps watch at one point
            return [points[pattern.household_group_id % len(points)]]
        return points

    def log(self, a: Assignment, fate: str, by_id: int) -> list[_Scan]:
        """The scans of one shift that ends as `fate` (all of them, even those after now)."""
        rng, shift = self.rng, a.shift
        points = self.round_points(a)
        rows: list[_Scan] = []

        def scan(kind, at, point, far=False, fix=True, **extra) -> _Scan:
            plat, plon = self.coords[point.pk]
            metres = rng.uniform(400, 2500) if far else min(abs(rng.gauss(0, 25)), 60)
            lat, lon = _moved(plat, plon, metres, rng.uniform(0, 2 * math.pi))
            row = _Scan(
                assignment=a,
                kind=kind,
                point=point if kind == CheckInKind.POINT else None,
                recorded_at=at,
                latitude=_dec(lat) if fix else None,
                longitude=_dec(lon) if fix else None,
                accuracy_m=rng.choice([5, 8, 10, 12, 15, 20, 30, 45]) if fix else None,
                by_id=by_id,
                client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                **extra,
            )
            if kind == CheckInKind.POINT and fix:
                row.distance_m = round(distance_m(lat, lon, plat, plon))
                row.far_from_point = far
            rows.append(row)
            return row

        if fate in (Outcome.EXCUSED, "bought"):
            return rows
        if fate == Outcome.MISSED:
            if rng.random() < 0.15:  # a photo of the sign, scanned from home
                at = shift.starts_at + dt.timedelta(minutes=rng.randint(5, 120))
                scan(
                    CheckInKind.POINT,
                    at,
                    rng.choice(points),
                    far=True,
                    accepted=False,
                    refusal=Refusal.STALE_CODE,
                )
            return rows
        if fate == Outcome.LATE:
            begin = shift.starts_at + self.late + dt.timedelta(minutes=rng.randint(5, 75))
        else:
            early = max(-25, min(self.late.seconds // 60 - 2, round(rng.gauss(-3, 6))))
            begin = shift.starts_at + dt.timedelta(minutes=early)
        finish = shift.ends_at - dt.timedelta(minutes=rng.randint(0, 25))
        scan(CheckInKind.START, begin, points[0])
        visit, ended = list(points), True
        if fate == Outcome.PARTIAL:
            # skipped part of the round, then signed off: partial only on a route (a shift
            # without one, as the joint zone's, needs one point, so skipping some is served)
            if shift.pattern.route_id and len(points) > 1 and rng.random() < 0.5:
                keep = sorted(rng.sample(range(len(points)), rng.randint(1, len(points) - 1)))
                visit = [points[k] for k in keep]
            else:  # went home early, or the phone died: no end of patrol
                visit, ended = points[: rng.randint(1, len(points))], False
        step = ((finish - begin) - dt.timedelta(minutes=20)) / (len(visit) + 1)
        visited = []
        for k, point in enumerate(visit):
            at = begin + step * (k + 1 + rng.uniform(-0.3, 0.3))
            if rng.random() < 0.04:  # refused first: an old code, or scanned from the road
                why = rng.choices(
                    [Refusal.STALE_CODE, Refusal.FAR, Refusal.WRONG_CODE], weights=[55, 35, 10]
                )[0]
                scan(
                    CheckInKind.POINT,
                    at - dt.timedelta(minutes=rng.randint(1, 3)),
                    point,
                    far=why == Refusal.FAR,
                    accepted=False,
                    refusal=why,
                )
            if rng.random() < NO_FIX:  # indoors, location refused, or no fix yet
                if point.region_id not in self.positions_required:
                    visited.append(scan(CheckInKind.POINT, at, point, fix=False))
                    continue
                refusal = Refusal.NO_POSITION  # refused; location allowed, scanned again
                scan(CheckInKind.POINT, at, point, fix=False, accepted=False, refusal=refusal)
                at += dt.timedelta(minutes=1)
            visited.append(scan(CheckInKind.POINT, at, point))
        if visited and rng.random() < 0.03:  # something found on the round
            found = rng.choice(visited)
            found.finding = rng.choices(
                [Finding.HAZARD, Finding.INCIDENT, Finding.DISPUTE], weights=[45, 35, 20]
            )[0]
            found.note = rng.choice(FINDINGS[found.finding])
            self.stats["findings"] += 1
        if ended:
            last = max([begin, *[c.recorded_at for c in visited]])
            scan(CheckInKind.END, max(finish, last + dt.timedelta(minutes=5)), visit[-1])
        return rows

    def settle(self, a: Assignment, scans: list, ledger: list) -> None:
        """Bulk path: the log and outcome of one assignment of a published roster, and its
        lines in the duty ledger."""
        shift, rng = a.shift, self.rng
        roster = shift.roster
        recorder = self.recorder.get(shift.region_id, self.township_user)
        group_id = shift.pattern.household_group_id
        if a.household is not None:
            ledger.append(self.line(a, LedgerKind.OWED, roster.published_by, roster.published_at))
        if shift.starts_at - EARLY > self.now:
            return  # still to come
        fate = self.fate(a)
        rows = self.log(a, fate, self.by_id(a.person_id, recorder))
        rows = [c for c in rows if c.recorded_at <= self.now]
        scans += rows
        ended = any(c.kind == CheckInKind.END for c in rows)
        if fate in (Outcome.EXCUSED, "bought"):
            # excuses come in before the shift; half of those to come are not in yet
            if shift.starts_at <= self.now or rng.random() < 0.5:
                when = shift.starts_at - dt.timedelta(hours=rng.randint(2, 48))
                a.outcome, a.closed_at = Outcome.EXCUSED, min(when, self.now)
                if fate == "bought" and group_id:
                    a.note = "以钱代勤"
                    amount = Decimal(rng.choice([50, 50, 50, 30, 100]))
                    ledger.append(
                        self.line(
                            a,
                            LedgerKind.BOUGHT_OUT,
                            recorder,
                            a.closed_at,
                            amount=amount,
                            note=rng.choice(BUYOUT_NOTES[:2]),
                        )
                    )
                else:
                    a.note = rng.choice(EXCUSES)
                    if group_id:
                        ledger.append(
                            self.line(a, LedgerKind.EXCUSED, recorder, a.closed_at, note=a.note)
                        )
                self.stats[Outcome.EXCUSED] += 1
            return
        if not ended and shift.ends_at + GRACE > self.now:
            return  # on patrol now, or not closed by the clock yet
        a.outcome = fate
        a.closed_at = (
            max(c.recorded_at for c in rows)
            if ended
            else (shift.ends_at + GRACE + dt.timedelta(minutes=rng.randint(1, 15)))
        )
        self.stats[fate] += 1
        if group_id:
            kind = LedgerKind.MISSED if fate == Outcome.MISSED else LedgerKind.SERVED
            ledger.append(self.line(a, kind, roster.published_by, a.closed_at))
            if fate == Outcome.MISSED and rng.random() < 0.3:  # paid afterwards
                paid = a.closed_at + dt.timedelta(days=rng.randint(1, 6))
                if paid <= self.now:
                    ledger.append(
                        self.line(
                            a,
                            LedgerKind.BOUGHT_OUT,
                            recorder,
                            paid,
                            amount=Decimal(50),
                            note=BUYOUT_NOTES[2],
                        )
                    )

    def by_id(self, person_pk: int, recorder) -> int:
        """Who the scans are recorded by: the member's own account, else the one who keys in
        the village's paper register (the director, or the township office)."""
        user = self.account_of.get(person_pk)
        return (user or recorder).pk

    def line(
        self, a: Assignment, kind: str, by, at: dt.datetime, amount=None, note=""
    ) -> DutyLedgerEntry:
        return DutyLedgerEntry(
            region_id=a.region_id,
            household=a.household,
            group_id=a.shift.pattern.household_group_id,
            assignment=a,
            kind=kind,
            on=a.shift.service_date,
            amount=amount,
            note=note,
            recorded_by=by,
            recorded_at=at,
        )

    def past_swap(self, a: Assignment) -> SwapRequest:
        """A swap decided before the shift: approved ones already put the replacement on it."""
        rng = self.rng
        director = self.recorder[a.region_id]
        mine = self.account_of.get(a.person_id)
        asked = a.shift.starts_at - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 10))
        approve = rng.random() < 0.7
        if approve:
            replacement = a.person
        else:
            others = [p for p in self.pool[a.region_id] if p.pk != a.person_id]
            replacement = rng.choice(others)
        return SwapRequest(
            assignment=a,
            region_id=a.region_id,
            zone_id=a.zone_id,
            replacement=replacement,
            reason=rng.choice(SWAP_REASONS),
            status=SwapStatus.APPROVED if approve else SwapStatus.REJECTED,
            requested_by=mine if (mine and not approve) else director,
            requested_at=asked,
            decided_by=director,
            decided_at=asked + dt.timedelta(hours=rng.randint(1, 20)),
            decision_note="同意" if approve else rng.choice(REJECT_NOTES),
        )

    # ---- this month and next, through the real services ------------------------------------

    def current_month(self) -> None:
        first, last = self.months[-1]
        rosters = []
        if self.zone_obj:
            req = RosterRequest(
                region=self.township,
                zone=self.zone_obj,
                starts_on=first,
                ends_on=last,
                time_limit_s=SOLVER_SECONDS,
            )
            rosters.append((generate_roster(req, by=self.township_user), self.township_user))
        for code in (VILLAGE_1, VILLAGE_2):
            v = self.by_code.get(code)
            if v is None:
                continue
            by = self.recorder[v.pk]
            req = RosterRequest(
                region=v, starts_on=first, ends_on=last, time_limit_s=SOLVER_SECONDS
            )
            roster = generate_roster(req, by=by)
            if code in self.me:
                self.on_duty(roster, self.me[code])
            rosters.append((roster, by))
        published = dt.datetime.combine(first - dt.timedelta(days=5), dt.time(16), tzinfo=self.tz)
        for roster, by in rosters:
            publish_roster(roster=roster, by=by)
            # made and published before the month began, like the others
            Roster.objects.filter(pk=roster.pk).update(
                created_at=published - dt.timedelta(hours=22), published_at=published
            )
            Notification.objects.filter(url=roster.get_absolute_url()).update(created_at=published)
            self.stats["rosters"] += 1
            self.stats["shifts"] += roster.shifts.count()
        self.live_log([r for r, _ in rosters])
        self.absences_now()
        self.swaps_now()
        send_reminders(now=self.now, hours=settings.QUNFANG_REMINDER_HOURS)
        user = self.context.accounts.get("patrol1")
        if user is not None:
            drill = Phrase(
                gettext_noop(
                    "Notice from the village committee: every member comes to the village "
                    "committee on Saturday evening for a fire drill."
                )
            )
            note = notify(user, "roster", drill, "/patrols/my/")
            if note is not None:  # sent yesterday
                Notification.objects.filter(pk=note.pk).update(
                    created_at=self.now - dt.timedelta(days=1)
                )

    def on_duty(self, roster: Roster, person: Person) -> None:
        """The demo member has a shift today and, when the month goes on, another one to come
        (a draft may still be changed; the director would do the same by hand)."""
        self.put_on(roster, person, self.today, force=True)
        day = self.today + dt.timedelta(days=1)
        while day <= roster.ends_on:
            if Assignment.objects.filter(
                shift__roster=roster, person=person, shift__service_date__gt=self.today
            ).exists():
                return
            self.put_on(roster, person, day, force=False)
            day += dt.timedelta(days=1)

    def put_on(self, roster: Roster, person: Person, day: dt.date, *, force: bool) -> None:
        if roster.shifts.filter(service_date=day, assignments__person=person).exists():
            return
        shifts = list(
            roster.shifts.filter(service_date=day, pattern__household_group__isnull=True)
            .select_related("pattern")
            .order_by("-night", "starts_at")
        )
        shifts.sort(key=lambda s: s.starts_at <= self.now)  # one still to come first
        seats = [
            a
            for shift in shifts
            for a in shift.assignments.select_related("shift__pattern", "person").order_by("pk")
        ]
        for a in seats:
            if not replacement_problems(a, person):
                a.person = person
                a.save()
                return
        # hand one of their shifts that week to the member they replace
        week = (day - dt.timedelta(days=6), day + dt.timedelta(days=6))
        for a in seats:
            other = a.person
            near = Assignment.objects.filter(
                shift__roster=roster,
                person=person,
                household__isnull=True,
                shift__service_date__range=week,
            ).select_related("shift__pattern")
            for theirs in near:
                if replacement_problems(theirs, other):
                    continue
                theirs.person = other
                theirs.save()
                if not replacement_problems(a, person):
                    a.person = person
                    a.save()
                    return
                theirs.person = person
                theirs.save()
        if force and shifts:  # a short roster: join the day's first shift as an extra member
            Assignment.objects.create(
                shift=shifts[0], region=shifts[0].region, zone=shifts[0].zone, person=person
            )

    def live_log(self, rosters: list[Roster]) -> None:
        """The log of this month so far: the demo members check in through the real service,
        the others' scans are written in bulk, then every ended shift is closed for real."""
        rng = self.rng
        mine = {p.pk for p in self.me.values()}
        assignments = list(
            Assignment.objects.filter(
                shift__roster__in=rosters, shift__starts_at__lte=self.now + EARLY
            )
            .select_related("shift__pattern", "shift__roster", "person", "household", "region")
            .order_by("shift__starts_at", "pk")
        )
        bulk, to_close, excused, bought = [], [], [], []
        for a in assignments:
            shift = a.shift
            if a.person_id in mine and shift.service_date == self.today:
                continue  # left for the demo user to check in
            recorder = self.recorder.get(shift.region_id, self.township_user)
            fate = self.fate(a)
            if fate == Outcome.EXCUSED or (fate == "bought" and not a.household_id):
                excused.append((a, recorder))
                continue
            if fate == "bought":
                bought.append((a, recorder))
                continue
            rows = [
                c
                for c in self.log(a, fate, self.by_id(a.person_id, recorder))
                if c.recorded_at <= self.now
            ]
            if a.person_id in mine:
                self.scan_for_real(a, rows)
            else:
                bulk += rows
            to_close.append((a, fate, rows))
        _write_scans(bulk)
        self.stats["check_ins"] += len(bulk)
        for a, fate, rows in to_close:
            ended = any(c.kind == CheckInKind.END and c.accepted for c in rows)
            if not ended and a.shift.ends_at + GRACE > self.now:
                continue
            at = (
                max(c.recorded_at for c in rows)
                if ended
                else a.shift.ends_at + GRACE + dt.timedelta(minutes=5)
            )
            closed = close_assignment(a, now=at)
            self.stats[closed.outcome] += 1
            if closed.outcome != fate:
                self.stats["fate_mismatch"] += 1
        for a, recorder in excused:
            if a.shift.starts_at <= self.now or rng.random() < 0.5:
                record_outcome(
                    assignment=a, outcome=Outcome.EXCUSED, by=recorder, note=rng.choice(EXCUSES)
                )
                self.stats[Outcome.EXCUSED] += 1
        for a, recorder in bought:
            buy_out(assignment=a, amount=Decimal(50), by=recorder, note=BUYOUT_NOTES[0])
            self.stats[Outcome.EXCUSED] += 1

    def scan_for_real(self, a: Assignment, rows: list[_Scan]) -> None:
        """Replay a made-up log through check_in, as the member's phone would send it."""
        user = self.account_of[a.person_id]
        for row in rows:
            code = ""
            if row.point is not None:
                if row.refusal == Refusal.STALE_CODE:
                    code = current_code(
                        row.point, row.recorded_at - dt.timedelta(seconds=5 * row.point.sign_period)
                    )
                elif row.refusal == Refusal.WRONG_CODE:
                    code = "12345678"
                else:
                    code = current_code(row.point, row.recorded_at)
            scan = Scan(
                client_id=row.client_id,
                kind=row.kind,
                point=row.point,
                code=code,
                latitude=row.latitude,
                longitude=row.longitude,
                accuracy_m=5 if row.far_from_point else row.accuracy_m,
                finding=row.finding,
                note=row.note,
            )
            check_in(assignment=a, scan=scan, user=user, now=row.recorded_at)
            self.stats["check_ins"] += 1

    def absences_now(self) -> None:
        """Two members say they will be away: the director excuses one clash and must still
        find cover for the others."""
        v = self.by_code.get(VILLAGE_1)
        if v is None:
            return
        director = self.recorder[v.pk]
        people = [p for p in self.pool[v.pk] if p.pk not in self.account_of]
        for k, person in enumerate(self.rng.sample(people, 2)):
            start = self.today + dt.timedelta(days=2 + 4 * k)
            absence = declare_absence(
                person=person,
                starts_on=start,
                ends_on=start + dt.timedelta(days=4),
                reason=ABSENCE_REASONS[k],
                by=director,
            )
            if k == 0:
                for a in clashing_assignments(absence)[:1]:
                    record_outcome(
                        assignment=a, outcome=Outcome.EXCUSED, by=director, note=absence.reason
                    )

    def swaps_now(self) -> None:
        """One swap approved, one refused and one waiting for director1."""
        v = self.by_code.get(VILLAGE_1)
        if v is None:
            return
        director = self.recorder[v.pk]
        soon = (
            Assignment.objects.filter(
                region=v,
                outcome=Outcome.PLANNED,
                household__isnull=True,
                shift__roster__status=RosterStatus.PUBLISHED,
                shift__starts_at__gt=self.now + dt.timedelta(hours=6),
            )
            .select_related("shift__pattern", "person")
            .order_by("shift__starts_at", "pk")
        )
        me = self.me.get(VILLAGE_1)
        user = self.account_of.get(me.pk) if me else None
        # their shift today stays theirs, for the demo
        mine = [
            a for a in soon if me and a.person_id == me.pk and a.shift.service_date != self.today
        ]
        others = [a for a in soon if not me or a.person_id != me.pk]

        def ask(a: Assignment, by, not_to=()) -> SwapRequest | None:
            for p in self.pool[v.pk]:
                if p.pk != a.person_id and p.pk not in not_to and not replacement_problems(a, p):
                    return request_swap(
                        assignment=a, replacement=p, reason=self.rng.choice(SWAP_REASONS), by=by
                    )
            return None

        if len(others) > 1:
            swap = ask(others[0], director)
            if swap:
                decide_swap(swap=swap, approve=True, by=director, note="同意")
        target = mine[-1] if mine else (others[-1] if others else None)
        if target is None:
            return
        by = user if mine else director
        swap = ask(target, by)
        if swap:
            decide_swap(swap=swap, approve=False, by=director, note=REJECT_NOTES[1])
        ask(
            target, by, not_to={swap.replacement_id} if swap else ()
        )  # asked again: waiting for the director

    def next_month(self) -> None:
        v = self.by_code.get(VILLAGE_1)
        if v is None:
            return
        first = self.months[-1][1] + dt.timedelta(days=1)
        req = RosterRequest(
            region=v, starts_on=first, ends_on=_month_end(first), time_limit_s=SOLVER_SECONDS
        )
        generate_roster(req, by=self.recorder[v.pk])
        self.stats["rosters"] += 1


def step_patrols(context: DemoContext) -> None:
    _Patrols(context).run()
