"""The demo's patrol township as every part of it sees it: the clock and the chance, the
villages and who keys in their patrol logs, the demo members' accounts, the weather and the
busy farming seasons, and each village's pool of patrol members with their profiles. The
ground they patrol (points, routes, shift patterns, the joint zone) is laid by `ground.py`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from django.conf import settings

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.core.demo.reference import BUSY_SEASONS, PARALYSED_VILLAGE, SLIPPING_VILLAGES
from qunfang.core.models import Region, User
from qunfang.patrols.models import BusySeason, JointZone, PatrolPoint, PatrolProfile, PatrolRoute
from qunfang.patrols.selectors.people import PATROL_ORG_KINDS, pool
from qunfang.patrols.services.rostering import RosterRequest
from qunfang.registry.models import Membership, OrgForm, Person

MONTHS = 12  # published months, the current one included
SOLVER_SECONDS = 2.0  # the real solver's time limit for the current and next month
NO_FIX = 0.05  # scans at a point for which the phone gave no position
# the township's story (core.demo.reference): the paralysed village's patrols stopped this many
# days ago; the slipping villages miss more and more turns over the last SLIPPING_DAYS, and every
# turn of their last SLIPPING_GAP days
STOPPED_DAYS = 49
SLIPPING_DAYS, SLIPPING_GAP = 90, 15

# The words of the patrol log.
EXCUSES = [
    "生病请假",
    "外出务工",
    "家中有事",
    "走亲戚",
    "孩子生病",
    "到城里看病",
    "参加村里婚礼",
    "外出送货",
]
ABSENCE_REASONS = ["外出务工", "住院治疗", "到杭州看病", "外出学习", "家中办丧事", "探亲"]
SWAP_REASONS = [
    "临时有事",
    "要去诸暨市区看病",
    "家里办喜事",
    "厂里加班",
    "外出送货",
    "孩子开家长会",
]
REJECT_NOTES = [
    "替班人员当晚已有安排，请按原班执勤",
    "当晚人手紧，请按原班执勤",
    "请另找有经验的队员替班",
]
BUYOUT_NOTES = ["外出务工，按组约交代勤费", "家中无人值守，交代勤费", "补交代勤费"]
# chance of rain on a day, by month (梅雨 in June); a wet day makes the next one wetter
RAIN_BY_MONTH = dict(
    enumerate([0.3, 0.35, 0.4, 0.35, 0.35, 0.5, 0.3, 0.25, 0.25, 0.15, 0.2, 0.25], start=1)
)


def months(today: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The `count` calendar months ending with today's, oldest first."""
    out = []
    y, m = today.year, today.month
    for _ in range(count):
        first = dt.date(y, m, 1)
        out.append((first, month_end(first)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def month_end(first: dt.date) -> dt.date:
    nxt = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return nxt - dt.timedelta(days=1)


class Township:
    """What every part of the patrol demo shares. `set_up()` finds who patrols and when;
    `ground.py` lays the points, routes, patterns and the joint zone; `profiles()` follows."""

    me: dict[str, Person]  # village code -> the demo patrol member who lives there
    busy: set[dt.date]  # the days of the busy farming seasons
    points: dict[int, list[PatrolPoint]]  # village pk -> its points, the hall first
    coords: dict[int, tuple[float, float]]  # point pk -> where it is
    route: dict[int, PatrolRoute]  # village pk -> its round
    positions_required: set[int]  # villages whose check-ins need a position
    pool: dict[int, list[Person]]  # village pk -> who may be rostered
    posts: defaultdict[int, list[Any]]  # person pk -> their patrol posts (values() rows)
    kind: dict[int, str]  # village pk -> the kind of its night patrol
    zone_round: list[PatrolPoint]  # the joint zone's border round
    zone_points: set[int]

    def __init__(self, context: DemoContext):
        self.context = context
        self.rng = context.rng
        self.tz, self.now, self.today = context.tz, context.now, context.today
        self.late = dt.timedelta(minutes=settings.QUNFANG_LATE_MINUTES)
        self.township = cast(Region, context.township)  # the core demo built it first
        self.villages = sorted(context.villages, key=lambda v: v.code)
        self.by_code = {v.code: v for v in self.villages}
        acc = context.accounts
        self.township_user = acc["township"]
        self.recorder = {v.pk: acc["township"] for v in self.villages}
        for code, name in ((VILLAGE_1, "director1"), (VILLAGE_2, "director2")):
            if code in self.by_code and name in acc:
                self.recorder[self.by_code[code].pk] = acc[name]
        self.main_ids = {self.by_code[c].pk for c in (VILLAGE_1, VILLAGE_2) if c in self.by_code}
        paralysed = self.by_code.get(PARALYSED_VILLAGE)
        self.paralysed_id = paralysed.pk if paralysed else None
        self.stopped_on = context.today - dt.timedelta(days=STOPPED_DAYS)
        self.slipping_ids = {self.by_code[c].pk for c in SLIPPING_VILLAGES if c in self.by_code}
        self.months = months(self.today, MONTHS)
        self.first_day = self.months[0][0]
        self.reliability: dict[int, float] = {}
        self.account_of: dict[int, User] = {}  # person pk -> user
        self.rainy: dict[dt.date, bool] = {}
        self.stats: defaultdict[str, int] = defaultdict(int)
        self.zone_obj: JointZone | None = None
        self.zone_members: list[Person] = []

    def set_up(self) -> None:
        """Who patrols, in what weather and seasons, and who may be rostered."""
        self.link_accounts()
        self.weather()
        self.seasons()

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
            for name, start, end in BUSY_SEASONS:
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
        for k, p in enumerate(self.zone_members):
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
        for people in [*self.pool.values(), self.zone_members]:
            for p in people:  # a few are never on time, a few never miss
                self.reliability[p.pk] = rng.choice([0.4, 0.7, 1.0, 1.0, 1.0, 1.3, 1.8])
