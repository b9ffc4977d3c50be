"""How the pages scale: time and queries per page at 1x, 10x and 100x data, as a township
officer and as a village security director.

1x is one township: 30 villages, 300 accounts, 3,000 security events, 300 households and
people, 60 organisations; patrols: 120 points, 90 published monthly rosters (the current
month and the two before), ~5,500 shifts, ~11,000 assignments, ~25,000 check-ins and the
ten-household duty ledger; the casebook: a year of 1,200 cases, mediation, 360 safety
inspections with hazards and orders, 900 opinions and weekly situation reports; governance: a
year of ~2,300 meetings with ~18,500 attendances and ~1,100 decisions, ~1,500 enrolments on
132 courses, rules, candidacies, model texts and mandates. Every scale adds whole townships;
the officer sees one township and the director one village at every scale, so their pages
should take about as long at 100x as at 1x. Run:
    .venv/bin/python bench/pages.py [--scales 1 10 100] [--users township director admin]
        [--database-url postgres://postgres@127.0.0.1:5432/] [--json]
Builds one database per scale (SQLite files in a temporary folder, or qf_bench_<pid>_<n>x on the
PostgreSQL server, dropped at the end; with --keep they stay, in $TMPDIR/qunfang-bench-pages or
as qf_bench_pages_<n>x, and the next --keep run measures them without building again). Each page
is timed at every scale in turn, request by request, so that the machine's other work weighs on
every scale alike. Prints per role and page the median ms and queries at each scale and the ratio
of the last scale to the first (to stderr, the build time and row counts of each scale).
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from casebook_data import build_casebook
from governance_data import (
    GOVERNANCE_PAGES,
    build_governance,
    governance_counts,
    governance_urls,
)
from throwaway import postgres_database, setup_django

PAGES = [
    "/",
    "/regions/",
    "/accounts/",
    "/accounts/?page=3",
    "/security-log/",
    "/api/v1/regions",
    "/registry/organisations/",
    "/registry/people/",
    "/registry/people/?page=3",
    "/registry/households/",
    "/registry/groups/",
    "/registry/due/",
]
# {roster}: this month's roster of the first village; {village}, {month}: its register
PATROL_PAGES = [
    "/patrols/rosters/",
    "/patrols/rosters/{roster}/",
    "/patrols/log/",
    "/patrols/log/?page=3",
    "/patrols/attendance/",
    "/patrols/register/?village={village}&month={month}",
    "/patrols/on-duty/",
    "/patrols/swaps/",
    "/patrols/rosters/unfilled/",
    "/patrols/points/",
]
CASEBOOK_PAGES = [
    "/books/cases/",
    "/books/cases/?page=3",
    "/books/cases/register/",
    "/books/escalations/",
    "/books/reports/",
    "/books/mediation/",
    "/books/mediation/register/",
    "/books/inspections/",
    "/books/orders/overdue/",
    "/books/opinions/",
    "/books/opinions/register/",
]
# Who is measured: the township officer of the first township and the security director of its
# first village (both see one township's worth at every scale); `--users admin` adds the system
# administrator, who sees every township (their pages grow with the database, as they should).
USERS = {"township": "township_officer", "director": "village_director", "admin": "system_admin"}


def build_registry(villages) -> None:
    """Per village: 10 households with a person each, 2 organisations with posts and holders,
    one ten-household group. Bulk writes: the benchmark measures reading, not the import."""
    import datetime as dt

    from qunfang.registry.models import (
        GroupMembership,
        Household,
        JointDefenceGroup,
        Membership,
        Organisation,
        Person,
        Post,
        TrainingRecord,
    )

    households = Household.objects.bulk_create(
        [Household(region=v, number=f"{i:04d}") for v in villages for i in range(10)]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                region=h.region,
                household=h,
                name=f"村民{h.number}",
                sex="M",
                birth_date=dt.date(1980, 1, 1),
                phone="13800000000",
            )
            for h in households
        ]
    )
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(region=v, name=f"{v.name}{kind}", kind=kind)
            for v in villages
            for kind in ("security_committee", "patrol_team")
        ]
    )
    posts = Post.objects.bulk_create(
        [
            Post(
                organisation=o, title=t, seats=3, required_training="patrol" if t == "队员" else ""
            )
            for o in orgs
            for t in ("主任", "队员")
        ]
    )
    by_village = {}
    for person in people:
        by_village.setdefault(person.region_id, []).append(person)
    Membership.objects.bulk_create(
        [
            Membership(
                person=by_village[p.organisation.region_id][i],
                post=p,
                started_on=dt.date(2025, 1, 1),
            )
            for p in posts
            for i in range(2)
        ]
    )
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                person=p,
                kind="patrol",
                course="巡逻",
                held_on=dt.date(2025, 3, 1),
                hours=8,
                certificate_expires_on=dt.date(2026, 12, 1),
            )
            for p in people[::3]
        ]
    )
    groups = JointDefenceGroup.objects.bulk_create(
        [
            JointDefenceGroup(region=v, name="第1联防组", formed_on=dt.date(2025, 1, 1))
            for v in villages
        ]
    )
    group_of = {g.region_id: g for g in groups}
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(group=group_of[h.region_id], household=h, joined_on=dt.date(2025, 1, 1))
            for h in households
        ]
    )


PATROL_MONTHS = 3  # the current month and the two before it
SHIFT_HOURS = {"day": (8, 720), "night": (20, 720)}  # start hour, minutes: someone is always out
BATCH = 2000  # bulk_create batch size (SQLite caps it at 999 parameters a statement anyway)


def _patrol_months(today):
    """The first and last day of the PATROL_MONTHS calendar months ending with today's."""
    out, y, m = [], today.year, today.month
    for _ in range(PATROL_MONTHS):
        first = dt.date(y, m, 1)
        following = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append((first, following - dt.timedelta(days=1)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def build_patrols(villages, scale) -> None:
    """Per village: 4 patrol points on one route, a day pattern (the ten-household rotation,
    two households a day) and a night patrol, a published roster for each of the last three
    months with two people a shift, the closed past with its outcomes (mostly served, some
    late, missed or excused), three check-ins per turn-out, the duty ledger of the household
    turns, one pending and one decided swap, and a few empty seats still to come. Bulk writes
    only (no history rows, no signals): the benchmark measures reading."""
    import random
    import uuid
    from decimal import Decimal

    from django.utils import timezone

    from qunfang.core.bulk import insert
    from qunfang.core.models import User
    from qunfang.patrols.models import (
        Assignment,
        CheckIn,
        CheckInKind,
        DutyLedgerEntry,
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
        SwapRequest,
        SwapStatus,
    )
    from qunfang.patrols.selectors.common import GRACE
    from qunfang.registry.models import JointDefenceGroup, Person

    rng = random.Random(scale * 1_000_003 + villages[0].pk)
    tz = timezone.get_default_timezone()
    now = timezone.now()
    months = _patrol_months(timezone.localdate(now))
    start = months[0][0]
    recorder, people, group = {}, {}, {}
    for user in User.objects.filter(region__in=villages).order_by("pk"):
        recorder.setdefault(user.region_id, user)
    for person in Person.objects.filter(region__in=villages).order_by("pk"):
        people.setdefault(person.region_id, []).append(person)
    for g in JointDefenceGroup.objects.filter(region__in=villages).order_by("pk"):
        group.setdefault(g.region_id, g)

    PatrolProfile.objects.bulk_create(
        [
            PatrolProfile(person=p, experienced=k < 4, prefers=rng.choice(["", "", "day", "night"]))
            for v in villages
            for k, p in enumerate(people[v.pk])
        ],
        batch_size=BATCH,
    )
    points = PatrolPoint.objects.bulk_create(
        [
            PatrolPoint(
                region=v,
                name=f"巡逻点{k + 1}",
                latitude=Decimal("29.710000") + Decimal(k) / 1000,
                longitude=Decimal("120.240000") + Decimal(v.pk % 100) / 1000,
            )
            for v in villages
            for k in range(4)
        ],
        batch_size=BATCH,
    )
    points_of = {}
    for p in points:
        points_of.setdefault(p.region_id, []).append(p)
    routes = PatrolRoute.objects.bulk_create(
        [PatrolRoute(region=v, name=f"{v.name}巡逻路线") for v in villages], batch_size=BATCH
    )
    RouteStop.objects.bulk_create(
        [
            RouteStop(route=r, point=p, order=k + 1)
            for r in routes
            for k, p in enumerate(points_of[r.region_id])
        ],
        batch_size=BATCH,
    )
    route_of = {r.region_id: r for r in routes}
    patterns = ShiftPattern.objects.bulk_create(
        [
            ShiftPattern(
                region=v,
                name=name,
                kind=kind,
                starts_at=dt.time(SHIFT_HOURS[kind][0]),
                duration_minutes=SHIFT_HOURS[kind][1],
                headcount=2,
                route=route_of[v.pk],
                household_group=group[v.pk] if kind == ShiftKind.DAY else None,
                weight=Decimal("1.5") if kind == ShiftKind.NIGHT else Decimal(1),
                valid_from=start,
            )
            for v in villages
            for kind, name in ((ShiftKind.DAY, "十户联防白班"), (ShiftKind.NIGHT, "夜间巡逻"))
        ],
        batch_size=BATCH,
    )
    pattern_of = {(p.region_id, p.kind): p for p in patterns}
    rosters = Roster.objects.bulk_create(
        [
            Roster(
                region=v,
                starts_on=first,
                ends_on=last,
                status=RosterStatus.PUBLISHED,
                solver_status="feasible",
                objective=0,
                bound=0,
                gap=0,
                first_feasible_s=0.1,
                seconds=0.5,
                created_by=recorder[v.pk],
                published_by=recorder[v.pk],
                published_at=dt.datetime.combine(
                    first - dt.timedelta(days=3), dt.time(16), tzinfo=tz
                ),
            )
            for v in villages
            for first, last in months
        ],
        batch_size=BATCH,
    )
    shifts = []
    for roster in rosters:
        day = roster.starts_on
        while day <= roster.ends_on:
            for kind in (ShiftKind.DAY, ShiftKind.NIGHT):
                pattern = pattern_of[roster.region_id, kind]
                starts = dt.datetime.combine(day, pattern.starts_at, tzinfo=tz)
                shifts.append(
                    Shift(
                        roster=roster,
                        region_id=roster.region_id,
                        pattern=pattern,
                        service_date=day,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=pattern.duration_minutes),
                        night=kind == ShiftKind.NIGHT,
                        headcount=2,
                        weight=pattern.weight,
                    )
                )
            day += dt.timedelta(days=1)
    shifts = insert(Shift, shifts)

    assignments = []
    for k, shift in enumerate(shifts):
        team = people[shift.region_id]
        seats = 2
        if shift.starts_at > now and rng.random() < 0.05:
            seats = 1  # a seat still empty
        for i in range(seats):
            person = team[(2 * k + i) % len(team)]
            a = Assignment(
                shift=shift,
                region_id=shift.region_id,
                person=person,
                household_id=person.household_id if not shift.night else None,
            )
            if shift.ends_at + GRACE < now:  # closed
                roll = rng.random()
                if roll < 0.03:
                    a.outcome, a.note = Outcome.EXCUSED, "外出务工"
                    a.closed_at = shift.starts_at - dt.timedelta(hours=6)
                else:
                    a.outcome = (
                        Outcome.MISSED
                        if roll < 0.07
                        else Outcome.LATE
                        if roll < 0.12
                        else Outcome.SERVED
                    )
                    a.closed_at = shift.ends_at + dt.timedelta(minutes=5)
            assignments.append(a)
    assignments = insert(Assignment, assignments)

    check_ins, ledger = [], []
    for a in assignments:
        shift, by = a.shift, recorder[a.region_id]
        route_points = points_of[a.region_id]
        turned_out = a.outcome in (Outcome.SERVED, Outcome.LATE)
        running = a.outcome == Outcome.PLANNED and shift.starts_at <= now
        if turned_out or running:
            begin = shift.starts_at + dt.timedelta(minutes=25 if a.outcome == Outcome.LATE else -5)
            scans = [
                (CheckInKind.START, None, begin),
                (CheckInKind.POINT, route_points[a.pk % 4], begin + dt.timedelta(hours=2)),
                (CheckInKind.END, None, shift.ends_at - dt.timedelta(minutes=10)),
            ]
            for kind, point, at in scans:
                if at > now:
                    break
                check_ins.append(
                    CheckIn(
                        client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        assignment=a,
                        region_id=a.region_id,
                        kind=kind,
                        point=point,
                        recorded_at=at,
                        latitude=route_points[0].latitude,
                        longitude=route_points[0].longitude,
                        accuracy_m=10,
                        distance_m=12 if point else None,
                        by=by,
                    )
                )
        if a.household_id:
            group_id = group[a.region_id].pk
            owed = DutyLedgerEntry(
                region_id=a.region_id,
                household_id=a.household_id,
                group_id=group_id,
                assignment=a,
                kind=LedgerKind.OWED,
                on=shift.service_date,
                recorded_by=by,
            )
            ledger.append(owed)
            settled = {
                Outcome.SERVED: LedgerKind.SERVED,
                Outcome.LATE: LedgerKind.SERVED,
                Outcome.MISSED: LedgerKind.MISSED,
                Outcome.EXCUSED: LedgerKind.EXCUSED,
            }
            if a.outcome in settled:
                ledger.append(
                    DutyLedgerEntry(
                        region_id=a.region_id,
                        household_id=a.household_id,
                        group_id=group_id,
                        assignment=a,
                        kind=settled[a.outcome],
                        on=shift.service_date,
                        recorded_by=by,
                    )
                )
            if a.outcome == Outcome.MISSED and a.pk % 3 == 0:
                ledger.append(
                    DutyLedgerEntry(
                        region_id=a.region_id,
                        household_id=a.household_id,
                        group_id=group_id,
                        assignment=a,
                        kind=LedgerKind.BOUGHT_OUT,
                        on=shift.service_date,
                        amount=Decimal(50),
                        note="补交代勤费",
                        recorded_by=by,
                    )
                )
    insert(CheckIn, check_ins)
    DutyLedgerEntry.objects.bulk_create(ledger, batch_size=BATCH)

    past, future = {}, {}  # village pk -> one assignment to have swapped, one to swap
    for a in assignments:
        if a.outcome == Outcome.SERVED:
            past[a.region_id] = a  # the latest served turn
        elif a.shift.starts_at > now + dt.timedelta(days=1) and a.region_id not in future:
            future[a.region_id] = a
    swaps = []
    for v in villages:
        by = recorder[v.pk]
        if v.pk in future:
            a = future[v.pk]
            others = [p for p in people[v.pk] if p.pk != a.person_id]
            swaps.append(
                SwapRequest(
                    assignment=a,
                    region_id=v.pk,
                    replacement=rng.choice(others),
                    reason="临时有事",
                    requested_by=by,
                )
            )
        if v.pk in past:
            a = past[v.pk]
            swaps.append(
                SwapRequest(
                    assignment=a,
                    region_id=v.pk,
                    replacement=a.person,
                    reason="家里办喜事",
                    status=SwapStatus.APPROVED,
                    requested_by=by,
                    decided_by=by,
                    decided_at=a.shift.starts_at - dt.timedelta(days=1),
                    decision_note="同意",
                )
            )
    SwapRequest.objects.bulk_create(swaps, batch_size=BATCH)


def build_township(t: int, county, password: str, scale: int) -> None:
    from qunfang.core.models import (
        Region,
        RegionKind,
        SecurityEvent,
        SecurityEventKind,
        User,
        UserRole,
    )

    township = Region.objects.create(
        code=f"330681{100 + t:03d}000", name=f"镇{t}", kind=RegionKind.TOWNSHIP, parent=county
    )
    villages = [
        Region.objects.create(
            code=f"330681{100 + t:03d}{200 + v:03d}",
            name=f"镇{t}村{v}",
            kind=RegionKind.VILLAGE,
            parent=township,
        )
        for v in range(30)
    ]
    users = User.objects.bulk_create(
        [
            User(username=f"u{t}-{v}-{i}", full_name=f"村民{i}", region=village, password=password)
            for v, village in enumerate(villages)
            for i in range(10)
        ]
    )
    UserRole.objects.bulk_create([UserRole(user=u, role="patrol_member") for u in users])
    build_registry(villages)
    SecurityEvent.objects.bulk_create(
        [
            SecurityEvent(
                kind=SecurityEventKind.LOGIN_SUCCEEDED, user=u, username=u.username, region=u.region
            )
            for u in users
            for _ in range(10)
        ]
    )
    build_patrols(villages, scale)
    recorder = {}
    for user in users:
        recorder.setdefault(user.region_id, user)
    build_casebook(villages, recorder, scale)
    build_governance(township, villages, recorder, scale)


def build(scale: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from qunfang.core.models import Region, RegionKind
    from qunfang.core.services import user_create

    county = Region.objects.create(code="330681000000", name="诸暨市", kind=RegionKind.COUNTY)
    password = make_password("Bench-2026x")
    for t in range(scale):
        with transaction.atomic():  # one commit a township: SQLite syncs once, not per statement
            build_township(t, county, password, scale)
    township = Region.objects.get(code="330681100000")
    user_create(
        username="township", password="Bench-2026x", region=township, roles={"township_officer"}
    )
    user_create(username="admin", password="Bench-2026x", region=county, roles={"system_admin"})
    village = Region.objects.get(code="330681100200")
    user_create(
        username="director", password="Bench-2026x", region=village, roles={"village_director"}
    )


def patrol_pages() -> list[str]:
    """The patrol pages, with this month's roster of the first village of the first township
    and that village's paper register of last month (a full, closed month)."""
    from django.utils import timezone

    from qunfang.core.models import Region
    from qunfang.patrols.models import Roster

    village = Region.objects.get(code="330681100200")
    today = timezone.localdate()
    roster = Roster.objects.get(region=village, starts_on=today.replace(day=1))
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return [
        url.format(roster=roster.pk, village=village.code, month=f"{last_month:%Y-%m}")
        for url in PATROL_PAGES
    ]


class Scales:
    """One database per scale, all open at once: `use(scale)` makes that scale's connection the
    default one, so a page can be timed at every scale in turn, under the same machine load."""

    def __init__(self, urls: dict[int, str]):
        from django.db import connections
        from django.db.utils import load_backend

        from qunfang.dburl import parse_database_url

        template = connections["default"].settings_dict
        self.wrappers = {}
        for scale, url in urls.items():
            settings_dict = {**template, **parse_database_url(url, Path("."))}
            backend = load_backend(settings_dict["ENGINE"])
            self.wrappers[scale] = backend.DatabaseWrapper(settings_dict, "default")

    def use(self, scale: int) -> None:
        from django.db import connections

        connections["default"] = self.wrappers[scale]


def built() -> bool:
    """A database this script finished building (the director is made last)."""
    from qunfang.core.models import User

    return User.objects.filter(username="director").exists()


def prepare(scale: int, reuse: bool) -> dict:
    """Migrate the current database and build `scale` into it unless a kept build is there."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from qunfang.core.triggers import books_unlocked

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    if reuse and built():
        built_s = None
    else:
        with books_unlocked():  # the append-only books refuse DELETE otherwise
            call_command("flush", interactive=False, verbosity=0)
        settings.DEBUG = False  # no query log while building
        build(scale)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum would do soon after a bulk load
        settings.DEBUG = True
        built_s = round(time.perf_counter() - start, 1)
    return {"scale": scale, "build_s": built_s, "database": connection.vendor, **counts()}


def signed_in(username: str):
    from django.test import Client

    from qunfang.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def measure(
    scales: Scales, pages: dict[int, list[str]], username: str, repeats: int, must_open: set[int]
) -> list[dict]:
    """Time each page at every scale, the scales taking turns request by request (so a busy
    moment of the machine falls on all of them alike). Pages are lists by scale, page i being
    the same page at each scale. A page index in `must_open` must answer 200; the others may
    answer 403 to a role that may not open them, and are left out."""
    from django.db import connection, reset_queries

    order = list(pages)
    clients = {}
    for scale in order:
        scales.use(scale)
        clients[scale] = signed_in(username)
    rows = []
    for i in range(len(pages[order[0]])):
        times: dict[int, list[float]] = {scale: [] for scale in order}
        queries, statuses = {}, set()
        for scale in order:  # warm up
            scales.use(scale)
            clients[scale].get(pages[scale][i])
        for _ in range(repeats):
            for scale in order:
                scales.use(scale)
                url = pages[scale][i]
                reset_queries()
                start = time.perf_counter()
                response = clients[scale].get(url)
                times[scale].append(time.perf_counter() - start)
                queries[scale] = len(connection.queries)
                allowed = (200,) if i in must_open else (200, 403)
                if response.status_code not in allowed:
                    raise SystemExit(
                        f"{username} {url} at {scale}x: answered {response.status_code}"
                    )
                statuses.add(response.status_code)
        if 403 in statuses:
            continue  # this role may not open the page
        for scale in order:
            rows.append(
                {
                    "scale": scale,
                    "url": pages[order[0]][i],
                    "user": username,
                    "median_ms": round(statistics.median(times[scale]) * 1000, 1),
                    "queries": queries[scale],
                }
            )
    return rows


def counts() -> dict:
    from qunfang.casebook.models import Case, Opinion
    from qunfang.patrols.models import Assignment, CheckIn, DutyLedgerEntry, Shift

    return {
        "shifts": Shift.objects.count(),
        "assignments": Assignment.objects.count(),
        "check_ins": CheckIn.objects.count(),
        "ledger": DutyLedgerEntry.objects.count(),
        "cases": Case.objects.count(),
        "opinions": Opinion.objects.count(),
        **governance_counts(),
    }


def table(results: list[dict], scales: list[int]) -> None:
    """One row per role and page: median ms and queries at each scale, and last/first."""
    first, last = scales[0], scales[-1]
    rows: dict = {}
    for r in results:
        rows.setdefault((r["user"], r["url"]), {})[r["scale"]] = r
    head = " ".join(f"{f'{s}x ms':>9} {'q':>3}" for s in scales)
    print(f"{'role':<16} {'url':<52} {head} {f'{last}x/{first}x':>9}")
    for (user, url), by_scale in rows.items():
        cells = " ".join(
            f"{by_scale[s]['median_ms']:>9} {by_scale[s]['queries']:>3}"
            if s in by_scale
            else f"{'-':>9} {'-':>3}"
            for s in scales
        )
        ratio = "-"
        if first in by_scale and last in by_scale and by_scale[first]["median_ms"]:
            ratio = f"{by_scale[last]['median_ms'] / by_scale[first]['median_ms']:.2f}"
        print(f"{USERS[user]:<16} {url:<52} {cells} {ratio:>9}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--users", nargs="+", choices=list(USERS), default=["township", "director"])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server, postgres://user@host:port/ (a database qf_bench_pages_<n>x "
        "for each scale is made on it); SQLite files in a temporary folder when left out",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the built databases (SQLite: in $TMPDIR/qunfang-bench-pages) and reuse them "
        "on the next run with --keep, so that a change can be measured without building again",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "qunfang-bench-pages" if args.keep else None
    urls = {}
    for scale in args.scales:
        name = f"qf_bench_pages_{scale}x" if args.keep else f"qf_bench_{os.getpid()}_{scale}x"
        if args.database_url:
            urls[scale] = postgres_database(args.database_url, name, keep=args.keep)
        else:
            folder = folder or Path(tempfile.mkdtemp(prefix="qunfang-bench-"))
            folder.mkdir(exist_ok=True)
            urls[scale] = f"sqlite:///{folder}/{name}.sqlite3"
    setup_django(urls[args.scales[0]], tempfile.mkdtemp(prefix="qunfang-bench-"))
    import logging

    from django.conf import settings
    from django.db import connection

    settings.DEBUG = True  # so that connection.queries counts queries
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a 403 is expected, not news
    scales, sizes, pages = Scales(urls), [], {}
    for scale in args.scales:
        scales.use(scale)
        sizes.append(prepare(scale, reuse=args.keep))
        if not args.json:
            print(f"{scale}x: {sizes[-1]}", file=sys.stderr, flush=True)
        pages[scale] = PAGES + patrol_pages() + CASEBOOK_PAGES + governance_urls(GOVERNANCE_PAGES)
    first, last = len(PAGES), len(pages[args.scales[0]])
    patrols = set(range(first, first + len(PATROL_PAGES)))
    governance = set(range(last - len(GOVERNANCE_PAGES), last))
    books = set(range(first + len(PATROL_PAGES), last)) - governance
    results = []
    for username in args.users:
        # all roles here open the home, patrol and governance pages; the director not every book
        must_open = {0} | patrols | governance | (books if username != "director" else set())
        results += measure(scales, pages, username, args.repeats, must_open)
    if args.json:
        print(json.dumps({"sizes": sizes, "pages": results}, ensure_ascii=False))
        return
    print(f"database: {connection.vendor}")
    table(results, args.scales)


if __name__ == "__main__":
    main()
