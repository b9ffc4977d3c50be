"""The demo year's township as every book of it sees it: the clock and the chance, the
calendar, and the villages with their places, households, people and the accounts that hold
their books. The books (cases, mediation, opinions, inspections) share one `Township`."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

from django.db.models import Count, Manager, Q
from django.utils import timezone

from qunfang.casebook.demo.case_words import DISPUTE_KINDS
from qunfang.casebook.demo.rhythms import (
    AMOUNTS,
    COMMUNITY_EXTRAS,
    HOURS,
    PLACES,
    VILLAGE_EXTRAS,
    Calendar,
    minutes,
)
from qunfang.casebook.models import Case, CaseStatus, CaseType, EscalationRule
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, metres, moved, phone
from qunfang.core.demo.reference import (
    CENTRE,
    COMMUNITY_HALL,
    GIVEN_F,
    GIVEN_M,
    POINT_KINDS,
    SURNAMES,
    VILLAGE_HALL,
)
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.patrols.models import PatrolPoint
from qunfang.registry.models import Household, Person


@dataclass(eq=False)
class Place:
    """A place in a village where things happen: a patrol point or one of the usual spots."""

    name: str
    kind: str
    lat: float
    lon: float
    group_id: int | None
    hot: float


@dataclass(eq=False)
class Village:
    """A village as the books see it (people and homes as plain rows, read once)."""

    region: Region
    community: bool
    main: bool
    weight: float
    centre: tuple[float, float]
    groups: list[Region]
    group_hot: dict[int | None, float]
    group_centre: dict[int, tuple[float, float]]
    places: list[Place]
    homes: list[dict]
    people: list[dict]
    by_household: dict[int, list[dict]]
    holder: User
    mediators: list[User]
    cache: dict = field(default_factory=dict)


@dataclass(eq=False)
class Draft:
    """A case while its story is made up: the unsaved row, its book and its upward reports."""

    case: Case
    code: str
    village: Village
    owner: User
    status: str = CaseStatus.REGISTERED
    # where the story has got to, from the registration on (Story.registered sets it first)
    t: dt.datetime = None  # type: ignore[assignment]
    owners: list = field(default_factory=list)  # (from, owner)
    escalations: dict = field(default_factory=dict)  # level -> Escalation
    parties: list = field(default_factory=list)
    frozen: bool = False
    stop_after: str = ""
    sub: str = ""
    a: dict | None = None
    b: dict | None = None

    def owner_at(self, at: dt.datetime) -> User:
        owner = self.owners[0][1]
        for since, user in self.owners:
            if since <= at:
                owner = user
        return owner


T = TypeVar("T")


def grouped(items: Iterable[T], key: Callable[[T], Any]) -> defaultdict[Any, list[T]]:
    """The items by their key, each list in the items' order."""
    groups: defaultdict[Any, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def spot(
    name: str,
    address: str,
    group_id: int | None,
    lat: float,
    lon: float,
    household: int | None = None,
    people: list[dict] | None = None,
) -> dict:
    """Where something happens: a place's name, its address, villager group and position, and
    for a home the household and its people."""
    return {
        "name": name,
        "address": address,
        "group_id": group_id,
        "lat": lat,
        "lon": lon,
        "household": household,
        "people": people if people is not None else [],
    }


class Township:
    """What every book of the year shares. `load()` reads the villages; until then the clock,
    the chance and the calendar are there already (enough for `occurrence`)."""

    types: dict[str, CaseType]
    rules: list[EscalationRule]
    villages: list[Village]
    village_weights: list[float]
    scale: float  # the share of the whole township's records that these villages make
    existing: Sequence[Mapping[str, Any]]  # the cases the register holds already

    def __init__(self, context: DemoContext):
        self.context = context
        self.rng = context.rng
        self.tz, self.now, self.today = context.tz, context.now, context.today
        self.first = self.today - dt.timedelta(days=364)
        self.days = [self.first + dt.timedelta(days=k) for k in range(365)]
        self.calendar = Calendar(self.first, self.today)
        acc = context.accounts
        self.township_user = acc["township"]
        self.police = acc["police"]
        self.admin = acc.get("admin")
        self.stats: Counter = Counter()
        self.cum: dict[str, list[float]] = {}  # cumulative weights of the days, by case type

    # ---- time and chance ---------------------------------------------------------------------

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def office(self, day: dt.date) -> dt.datetime:
        return self.at(day, self.rng.choice([9, 10, 11, 14, 15, 16]), self.rng.randint(0, 59))

    def local(self, moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment, self.tz)

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def name(self, sex: str = "") -> str:
        given = GIVEN_F if sex == "F" or (not sex and self.rng.random() < 0.4) else GIVEN_M
        return self.rng.choice(SURNAMES) + self.rng.choice(given)

    def phone(self) -> str:
        return phone(self.rng)

    def amount(self, code: str) -> float:
        lo, hi = AMOUNTS.get(code, (500, 5000))
        return round(lo + (hi - lo) * self.rng.random() ** 2, -2)

    # ---- what there is ---------------------------------------------------------------------

    def load(self) -> None:
        ctx = self.context
        self.types = {t.code: t for t in CaseType.objects.filter(active=True)}
        self.rules = list(EscalationRule.objects.select_related("case_type"))
        region_ids = [v.pk for v in ctx.villages]
        everyone = (
            Region.objects.filter(kind=RegionKind.VILLAGE, parent=ctx.township)
            .annotate(groups=Count("children", filter=Q(children__kind=RegionKind.GROUP)))
            .order_by("code")
        )
        weights = {v.pk: self.village_weight(v, v.groups) for v in everyone}
        self.scale = sum(weights.get(pk, 0) for pk in region_ids) / (sum(weights.values()) or 1)
        villager_groups = Region.objects.filter(parent_id__in=region_ids, kind=RegionKind.GROUP)
        groups = grouped(villager_groups.order_by("code"), attrgetter("parent_id"))

        def rows(objects: Manager[Any], *fields: str) -> list[dict[str, Any]]:
            """The rows in these villages as plain values, in the order they were made."""
            found = objects.filter(region_id__in=region_ids).order_by("pk")
            return list(found.values(*fields))

        village_of = itemgetter("region_id")
        points = grouped(
            rows(PatrolPoint.objects, "pk", "name", "region_id", "latitude", "longitude"),
            village_of,
        )
        homes = grouped(
            rows(Household.objects, "pk", "region_id", "group_id", "address", "head_id"), village_of
        )
        persons = rows(Person.objects, "pk", "name", "sex", "region_id", "household_id", "address")
        people = grouped(persons, village_of)
        by_household = grouped(
            (p for p in persons if p["household_id"]), itemgetter("household_id")
        )
        holders: dict[int, User] = {}
        mediators = defaultdict(list)
        for user in sorted(ctx.accounts.values(), key=lambda u: u.pk):
            if user.is_system_admin or not user.region_id:
                continue
            if user.can(Perm.MANAGE_VILLAGE):
                holders.setdefault(user.region_id, user)
            elif user.can(Perm.HANDLE_MEDIATION):
                mediators[user.region_id].append(user)
        self.villages = []
        for region in sorted(ctx.villages, key=lambda v: v.code):
            self.villages.append(
                self.village(
                    region,
                    weights[region.pk],
                    groups[region.pk],
                    points[region.pk],
                    homes[region.pk],
                    people[region.pk],
                    by_household,
                    holders.get(region.pk, self.township_user),
                    mediators[region.pk],
                )
            )
        self.village_weights = [v.weight for v in self.villages]
        self.existing = list(
            Case.objects.filter(region_id__in=region_ids).values(
                "region_id",
                "year",
                "serial",
                "reported_at",
                "case_type__code",
                "source_check_in_id",
            )
        )

    @staticmethod
    def village_weight(region: Region, groups: int) -> float:
        community = region.name.endswith("社区")
        main = region.code in (VILLAGE_1, VILLAGE_2)
        return max(groups, 3) * (1.8 if community else 1) * (2.5 if main else 1)

    def village(
        self, region, weight, groups, points, homes, people, by_household, holder, mediators
    ):
        rng = self.rng
        community = region.name.endswith("社区")
        hall = next(
            (p for p in points if p["name"] in (VILLAGE_HALL, COMMUNITY_HALL)),
            points[0] if points else None,
        )
        centre = (
            (float(hall["latitude"]), float(hall["longitude"]))
            if hall
            else moved(*CENTRE, rng.uniform(1500, 7000), rng.uniform(0, 2 * math.pi))
        )
        group_centre = {
            g.pk: moved(*centre, rng.uniform(150, 900), rng.uniform(0, 2 * math.pi)) for g in groups
        }
        group_hot = {g.pk: 1.0 for g in groups}
        for g, boost in zip(rng.sample(groups, min(2, len(groups))), (3.0, 2.0), strict=False):
            group_hot[g.pk] = boost  # the hot villager groups

        def nearest_group(spot):
            return (
                min(groups, key=lambda g: metres(spot, group_centre[g.pk])).pk if groups else None
            )

        places = []
        for p in points:
            spot = (float(p["latitude"]), float(p["longitude"]))
            places.append(
                Place(
                    p["name"],
                    POINT_KINDS.get(p["name"], "gathering"),
                    *spot,
                    nearest_group(spot),
                    rng.choice([0.6, 1, 1, 1.5, 2]),
                )
            )
        taken = {p.name for p in places}
        for name in COMMUNITY_EXTRAS if community else VILLAGE_EXTRAS:
            if name in taken or (name == "棋牌室" and rng.random() < 0.5):
                continue
            spot = moved(*centre, rng.uniform(120, 650), rng.uniform(0, 2 * math.pi))
            places.append(
                Place(
                    name,
                    POINT_KINDS[name],
                    *spot,
                    nearest_group(spot),
                    rng.choice([0.6, 1, 1, 1.5, 2]),
                )
            )
        if places:
            rng.choice(places).hot *= 4  # the village's hotspot
        return Village(
            region=region,
            community=community,
            main=region.code in (VILLAGE_1, VILLAGE_2),
            weight=weight,
            centre=centre,
            groups=groups,
            group_hot=group_hot,
            group_centre=group_centre,
            places=places,
            homes=homes,
            people=people,
            by_household=by_household,
            holder=holder,
            mediators=mediators,
        )

    def pick_village(self, tilt: dict | None = None) -> Village:
        weights = self.village_weights
        if tilt:
            weights = [
                v.weight * (tilt.get("community", 1) if v.community else tilt.get("village", 1))
                for v in self.villages
            ]
        return self.rng.choices(self.villages, weights=weights)[0]

    def person(self, v: Village, *, not_in: int | None = None) -> dict:
        rng = self.rng
        if v.people:
            for _attempt in range(5):
                p = rng.choice(v.people)
                if p["household_id"] != not_in or not_in is None:
                    return p
        return {"pk": None, "name": self.name(), "sex": "", "household_id": None, "address": ""}

    def place(self, v: Village, code: str) -> dict:
        """Where a case of this type happens: a recurring place or a household's address."""
        rng = self.rng
        kinds = PLACES[code]
        cached = v.cache.get(code)
        if cached is None:
            usable = [p for p in v.places if p.kind in kinds]
            weights = [kinds[p.kind] * p.hot * v.group_hot.get(p.group_id, 1) for p in usable]
            homes_weight = [v.group_hot.get(h["group_id"], 1) for h in v.homes]
            cached = v.cache[code] = (usable, weights, homes_weight)
        usable, weights, homes_weight = cached
        home_share = kinds.get("home", 0) / sum(kinds.values())
        if v.homes and (not usable or rng.random() < home_share):
            home = rng.choices(v.homes, weights=homes_weight)[0]
            base = v.group_centre.get(home["group_id"], v.centre)
            lat, lon = moved(*base, rng.uniform(0, 180), rng.uniform(0, 2 * math.pi))
            people = v.by_household.get(home["pk"], [])
            address = home["address"]
            return spot(address, address, home["group_id"], lat, lon, home["pk"], people)
        if not usable:
            lat, lon = moved(*v.centre, rng.uniform(50, 500), rng.uniform(0, 2 * math.pi))
            return spot(v.region.name, v.region.name, None, lat, lon)
        p = rng.choices(usable, weights=weights)[0]
        lat, lon = moved(p.lat, p.lon, rng.uniform(5, 40), rng.uniform(0, 2 * math.pi))
        return spot(p.name, f"{v.region.name}{p.name}", p.group_id, lat, lon)

    def occurrence(self, code: str) -> dt.datetime:
        """When a case of this type happens: on a day as the calendar weighs it, at an hour as
        the type's rhythm does, before now."""
        rng = self.rng
        cum = self.cum.get(code)
        if cum is None:
            total, cum = 0.0, []
            for day in self.days:
                total += self.calendar.weight(code, day)
                cum.append(total)
            self.cum[code] = cum
        while True:
            day = rng.choices(self.days, cum_weights=cum)[0]
            hour = rng.choices(range(24), weights=HOURS[code])[0]
            if code == "traffic" and self.calendar.market(day) and rng.random() < 0.4:
                hour = rng.choice([6, 7, 8, 9, 10])  # market mornings
            moment = self.at(day, hour, rng.randint(0, 59))
            if moment < self.now - minutes(30):
                return moment

    def dispute_kind(self, day: dt.date) -> tuple:
        busy = self.calendar.busy_fields(day)
        return self.rng.choices(
            DISPUTE_KINDS, weights=[k[2] if busy else k[1] for k in DISPUTE_KINDS]
        )[0]
