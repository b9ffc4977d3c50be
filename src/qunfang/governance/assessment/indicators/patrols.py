"""Indicators from the patrols: shifts served and on time, patrols completed, presence proven.

They all read the same records, once per run: the assignments of the period's shifts that had
ended by the cut-off on rosters published then (`period_assignments`), what each assignment's
accepted check-ins add up to (`period_scans`) and how many patrol points each shift was to
check in at (`expected_points`). Reads are a few grouped queries of plain rows, whatever the
size of the township: never a query per shift or per check-in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from qunfang.governance.assessment.asof import Row
from qunfang.governance.assessment.catalogue import (
    ONE,
    ZERO,
    Context,
    Indicator,
    Item,
    Unit,
    indicator,
    ref_page,
)
from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    Outcome,
    PatrolPoint,
    Roster,
    RosterStatus,
    RouteStop,
    Shift,
    ShiftPattern,
    ZoneVillage,
)
from qunfang.patrols.selectors.common import EARLY, GRACE, LONGEST_SHIFT

ATTENDED = frozenset({Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL})
# a shift that was due: everything but an excused one (an excuse is not a miss)
DUE = frozenset({*ATTENDED, Outcome.MISSED, Outcome.PLANNED})
HALF = Decimal("0.5")
# a shift's check-ins are taken until GRACE after its end, then the hourly `close_shifts` task
# closes it: before that its outcome is not known yet, and it is not counted
CLOSED_AFTER = GRACE + dt.timedelta(hours=1)

ref_page("shift", "patrols:shift_detail")


def period_assignments(ctx: Context) -> list[Row]:
    """The assignments of the period's shifts closed by the cut-off, on rosters of the
    township or its villages (a joint zone's are the township's) that were published then, with
    the person's village; read once per run."""

    def read() -> list[Row]:
        published = [
            row["id"]
            for row in ctx.rows(
                Roster,
                ["status"],
                existed="created_at",
                region__in=[*ctx.villages, ctx.township],
                starts_on__lte=ctx.period.last,
                ends_on__gte=ctx.period.first,
            )
            if row["status"] == RosterStatus.PUBLISHED
        ]
        ended = Shift.objects.filter(
            roster__in=published,
            service_date__range=(ctx.period.first, ctx.period.last),
            ends_at__lte=ctx.cutoff - CLOSED_AFTER,
        )
        # (no times: the indicators and triggers need none, and converting them is most of the
        # time this read takes)
        shifts = {
            row["id"]: {**row, "label": f"{row['service_date']:%m-%d}"}
            for row in ended.values("id", "service_date", "region_id", "zone_id", "pattern_id")
        }
        villages = set(ctx.villages)
        out = []
        # the shifts as a subquery: a month of a large township is too many ids to list
        for row in ctx.rows(
            Assignment,
            ["shift_id", "person_id", "outcome", "person__region_id"],
            shift__in=ended.values("id"),
        ):
            shift = shifts.get(row["shift_id"])  # (None: a shift written since it was read)
            if shift is not None and row["person__region_id"] in villages:
                row["shift"] = shift
                out.append(row)
        return out

    return ctx.shared("patrols.assignments", read)


@dataclass(frozen=True, slots=True)
class Scans:
    """What one assignment's accepted check-ins up to the cut-off add up to."""

    points: int = 0  # patrol points checked in at (each counted once)
    started: bool = False
    ended: bool = False
    at_points: int = 0  # check-ins at a point
    near: int = 0  # ... with a position within the point's radius
    far: int = 0  # ... with a position far from the point


NO_SCANS = Scans()


def period_scans(ctx: Context) -> dict[int, Scans]:
    """Per assignment of `period_assignments`, its accepted check-ins recorded by the cut-off.

    A check-in is never changed once written (a refused scan is kept as refused) and has no
    history, so reading it as of the cut-off is leaving out those recorded after it, as
    `ctx.rows(CheckIn, …, existed="recorded_at")` would. The database counts them per
    assignment while it reads: a month of a township at scale is millions of check-ins, too many
    to bring into Python one by one. They are read through the (village, time) index, over the
    times a shift of the period can be checked in at."""

    def read() -> dict[int, Scans]:
        wanted = {row["id"] for row in period_assignments(ctx)}
        at_point = Q(kind=CheckInKind.POINT)
        located = Q(latitude__isnull=False, longitude__isnull=False, distance_m__isnull=False)
        rows = (
            CheckIn.objects.filter(
                region__in=[*ctx.villages, ctx.township],
                recorded_at__gte=ctx.starts - EARLY,
                recorded_at__lt=ctx.period.ends + LONGEST_SHIFT + GRACE,
                recorded_at__lte=ctx.cutoff,
                accepted=True,
            )
            .order_by()
            .values("assignment_id")
            .annotate(
                points=Count("point_id", filter=at_point, distinct=True),
                starts=Count("id", filter=Q(kind=CheckInKind.START)),
                ends=Count("id", filter=Q(kind=CheckInKind.END)),
                at_points=Count("id", filter=at_point),
                near=Count("id", filter=at_point & located & Q(far_from_point=False)),
                far=Count("id", filter=at_point & Q(far_from_point=True)),
            )
        )
        return {
            row["assignment_id"]: Scans(
                points=row["points"],
                started=row["starts"] > 0,
                ended=row["ends"] > 0,
                at_points=row["at_points"],
                near=row["near"],
                far=row["far"],
            )
            for row in rows
            if row["assignment_id"] in wanted
        }

    return ctx.shared("patrols.scans", read)


def expected_points(ctx: Context) -> dict[int, int]:
    """Per shift of `period_assignments`, how many patrol points it was to check in at, as the
    check-in page allows them (`patrols.selectors.common.points_for`) and the shift's outcome
    counts them (`patrols.services.checkin.expected_points`): each point of its pattern's route,
    or, without a route, one of the points of its village (of the joint zone's villages). Only
    points in use count, as a point taken out of use cannot be checked in at; 0 where there are
    none. The pattern's route, the points and the zone's villages as they stood at the cut-off;
    a route's stops as they are now (they keep no history)."""

    def read() -> dict[int, int]:
        shifts = {row["shift_id"]: row["shift"] for row in period_assignments(ctx)}
        route_of = {
            row["id"]: row["route_id"]
            for row in ctx.rows(
                ShiftPattern,
                ["route_id"],
                id__in=sorted({shift["pattern_id"] for shift in shifts.values()}),
            )
        }
        stops = ctx.rows(
            RouteStop,
            ["route_id", "point_id", "point__region_id"],
            route__in=sorted({route for route in route_of.values() if route is not None}),
        )
        zone_villages: dict[int, set[int]] = {}
        for row in ctx.rows(
            ZoneVillage,
            ["zone_id", "village_id"],
            zone__in=sorted({s["zone_id"] for s in shifts.values() if s["zone_id"] is not None}),
        ):
            zone_villages.setdefault(row["zone_id"], set()).add(row["village_id"])
        regions = {
            *ctx.villages,
            *(shift["region_id"] for shift in shifts.values()),
            *(village for villages in zone_villages.values() for village in villages),
            *(row["point__region_id"] for row in stops),
        }
        in_use: dict[int, int] = {
            row["id"]: row["region_id"]
            for row in ctx.rows(PatrolPoint, ["region_id", "active"], region__in=sorted(regions))
            if row["active"]
        }
        on_route: dict[int, set[int]] = {}
        for row in stops:
            if row["point_id"] in in_use:
                on_route.setdefault(row["route_id"], set()).add(row["point_id"])
        with_points = set(in_use.values())
        out = {}
        for pk, shift in shifts.items():
            route = route_of.get(shift["pattern_id"])
            if route is not None:
                out[pk] = len(on_route.get(route, ()))
                continue
            if shift["zone_id"] is not None:
                villages = zone_villages.get(shift["zone_id"], set())
            else:
                villages = {shift["region_id"]}
            out[pk] = 1 if villages & with_points else 0
        return out

    return ctx.shared("patrols.expected_points", read)


@cache
def _share(done: int, due: int) -> Decimal:
    return Decimal(done) / Decimal(due)


def _item(row: Row, done: Decimal, due: Decimal = ONE) -> Item:
    return Item(
        village=row["person__region_id"],
        person=row["person_id"],
        done=done,
        due=due,
        ref=("shift", row["shift_id"], row["shift"]["label"]),
    )


def shift_attendance(ctx: Context) -> list[Item]:
    """One item per shift due: done if the person came (served, late or part of it)."""
    return [
        _item(row, ONE if row["outcome"] in ATTENDED else ZERO)
        for row in period_assignments(ctx)
        if row["outcome"] in DUE
    ]


def punctuality(ctx: Context) -> list[Item]:
    """One item per shift the person came to: done if served in full and on time."""
    return [
        _item(row, ONE if row["outcome"] == Outcome.SERVED else ZERO)
        for row in period_assignments(ctx)
        if row["outcome"] in ATTENDED
    ]


def patrol_completion(ctx: Context) -> list[Item]:
    """One item per shift the person came to: the share of its expected points checked in at;
    where none were expected, done if the patrol's start and end were both checked in."""
    expected, scans = expected_points(ctx), period_scans(ctx)
    items = []
    for row in period_assignments(ctx):
        if row["outcome"] not in ATTENDED:
            continue
        due, got = expected[row["shift_id"]], scans.get(row["id"], NO_SCANS)
        if due:
            done = _share(min(got.points, due), due)
        else:
            done = ONE if got.started and got.ended else ZERO
        items.append(_item(row, done))
    return items


def proof_of_presence(ctx: Context) -> list[Item]:
    """The accepted check-ins at a point, one item per shift for all of them (due: how many):
    each is worth 1 with a position near the point, half without a position and 0 far from it.
    The engine adds done and due up, so this is the same as an item per check-in, in a fifth of
    the items."""
    scans = period_scans(ctx)
    items = []
    for row in period_assignments(ctx):
        got = scans.get(row["id"])
        if got is None or not got.at_points:
            continue
        unproven = got.at_points - got.near - got.far
        done = Decimal(got.near) + HALF * unproven
        items.append(_item(row, done, Decimal(got.at_points)))
    return items


indicator(
    Indicator(
        code="shift_attendance",
        label=_("Shifts served"),
        explanation=_(
            "Of the shifts each person was rostered for in the period, the share they came to "
            "(served, late or part of it). Excused shifts do not count; a shift not closed by "
            "the director counts as missed."
        ),
        unit=Unit.RATE,
        default_target=ONE * 95,
        compute=shift_attendance,
    )
)

indicator(
    Indicator(
        code="punctuality",
        label=_("Shifts served on time"),
        explanation=_(
            "Of the shifts each person came to in the period, the share served in full and on "
            "time: a late start or a patrol left part done costs the shift."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=punctuality,
    )
)

indicator(
    Indicator(
        code="patrol_completion",
        label=_("Patrols completed"),
        explanation=_(
            "For each shift a person came to, the share of its patrol points they checked in "
            "at: every point in use on the shift's route, or one point of the village (of the "
            "joint zone) for a shift without a route; where there is no point to check in at, "
            "the check-ins at the start and at the end of the patrol."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=patrol_completion,
    )
)

indicator(
    Indicator(
        code="proof_of_presence",
        label=_("Presence proven at the points"),
        explanation=_(
            "Of the accepted check-ins at patrol points, how many the phone's position proves: "
            "a check-in near the point counts in full, one without a position (location refused, "
            "no fix, or a point with no position to compare with) counts half, and one far from "
            "the point counts nothing."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=proof_of_presence,
    )
)
