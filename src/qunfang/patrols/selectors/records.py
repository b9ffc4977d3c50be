"""Reads behind the patrol records: the home page's patrol panel, the patrol log, attendance
(考勤), the paper register and the ten-household duty ledger. Every read starts from
`visible_to(user)`; counts are done by the database (grouped aggregates), never by looping
over rows in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.days import local_midnight
from qunfang.core.models import Region

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from qunfang.patrols.models import (
    Absence,
    Assignment,
    CheckIn,
    CheckInKind,
    DutyLedgerEntry,
    Finding,
    JointZone,
    LedgerKind,
    Outcome,
    RosterStatus,
    RouteStop,
    Shift,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.selectors.common import (
    LONGEST_SHIFT,
    MinutesBetween,
    count_of,
    on_published_roster,
    seated,
)
from qunfang.patrols.selectors.people import eligible_members
from qunfang.registry.models import GroupMembership, Household, JointDefenceGroup

TURNED_OUT = (Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL)  # came out on patrol
FLAGGED = (Finding.HAZARD, Finding.INCIDENT, Finding.DISPUTE)

# ---- the home page's panel ------------------------------------------------------------------


def patrol_summary(user) -> dict:
    """The home-page panel: who is out now, empty seats this week, this month's attendance,
    swaps waiting and what patrols found in the last week."""
    now = timezone.now()
    today = timezone.localdate(now)
    # Every count is bounded in time and read through the (region, start) index: a shift
    # belongs to the day it starts, so the days' shifts are those starting within them.
    published = Shift.objects.visible_to(user).filter(on_published_roster())
    # who is out now and the week's empty seats in one pass over the shifts of both windows
    running = Q(starts_at__gt=now - LONGEST_SHIFT, starts_at__lte=now, ends_at__gt=now)
    week_start, week_end = local_midnight(today), local_midnight(today + dt.timedelta(7))
    short = Q(starts_at__gte=week_start, n__lt=F("headcount"))
    earliest = min(now - LONGEST_SHIFT, week_start)
    seats = (
        published.filter(starts_at__gte=earliest, starts_at__lt=week_end)
        .annotate(n=seated())
        .aggregate(
            on_duty=Sum("n", filter=running), empty=Sum(F("headcount") - F("n"), filter=short)
        )
    )
    this_month = published.filter(
        starts_at__gte=local_midnight(today.replace(day=1)),
        starts_at__lt=local_midnight(today + dt.timedelta(days=1)),
    )
    month = (
        Assignment.objects.visible_to(user)
        .filter(shift__in=this_month.values("pk"))
        .exclude(outcome__in=[Outcome.PLANNED, Outcome.EXCUSED])
    )
    counts = month.aggregate(due=Count("id"), served=Count("id", filter=Q(outcome__in=TURNED_OUT)))
    rate = round(100 * counts["served"] / counts["due"]) if counts["due"] else None
    return {
        "on_duty": seats["on_duty"] or 0,
        "empty_seats": seats["empty"] or 0,
        "attendance_rate": rate,
        "swaps_waiting": SwapRequest.objects.visible_to(user)
        .filter(status=SwapStatus.PENDING)
        .count(),
        "findings": CheckIn.objects.visible_to(user)
        .filter(accepted=True, recorded_at__gte=now - dt.timedelta(days=7))
        .exclude(finding=Finding.NOTHING)
        .count(),
    }


# ---- months and villages ---------------------------------------------------------------------


def parse_month(value: str | None) -> dt.date | None:
    """'2027-03' -> 2027-03-01; anything else -> None."""
    value = (value or "").strip()
    if len(value) != 7 or value[4] != "-":
        return None
    try:
        return dt.date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        return None


def month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def shift_month(first: dt.date, by: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)


def _in_village(village: Region) -> Q:
    """A shift of the village itself or of a joint zone it belongs to."""
    return Q(region=village) | Q(zone__in=JointZone.objects.filter(villages=village).values("pk"))


# ---- the patrol log ------------------------------------------------------------------------


def _expected_points():
    """How many points a shift should visit: its route's stops; a shift without a route, one."""
    stops = RouteStop.objects.filter(route_id=OuterRef("pattern__route_id"))
    return Case(
        When(pattern__route__isnull=True, then=Value(1)),
        default=count_of(stops, "route_id"),
        output_field=IntegerField(),
    )


@dataclass(slots=True)
class LogPerson:
    """One rostered member as a log line shows them."""

    name: str
    outcome: str
    outcome_label: StrOrPromise


@dataclass(slots=True)
class LogPoint:
    pk: int
    name: str


@dataclass(slots=True)
class LogFinding:
    pk: int
    finding: str
    finding_label: str
    note: str
    recorded_at: dt.datetime


def log_shifts(
    user,
    *,
    village: Region | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    since: dt.date | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Shift]:
    """Shifts of published rosters that have started (running or closed), newest first, each
    with its people and their accepted check-ins prefetched (see `decorate`); of the days from
    `first` to `last` (the month of `first`), or from `since` on."""
    now = now or timezone.now()
    shifts = Shift.objects.visible_to(user).filter(on_published_roster(), starts_at__lte=now)
    if village is not None:
        shifts = shifts.filter(_in_village(village))
    # Days as ranges of start times, read through the (region, start) index: a shift belongs
    # to the day it starts.
    if first is not None:
        end = (last or month_end(first)) + dt.timedelta(days=1)
        shifts = shifts.filter(
            starts_at__gte=local_midnight(first), starts_at__lt=local_midnight(end)
        )
    if since is not None:
        shifts = shifts.filter(starts_at__gte=local_midnight(since))
    flagged = CheckIn.objects.filter(
        assignment__shift=OuterRef("pk"), accepted=True, finding__in=FLAGGED
    )
    return (
        shifts.select_related("pattern__route", "region", "zone")
        .annotate(expected=_expected_points(), flagged=Exists(flagged))
        .order_by("-starts_at", "-id")
    )


def decorate(shifts) -> list[Shift]:
    """Each shift's people, points visited and findings, in two queries of plain rows: a page
    is 50 shifts with a few hundred scans, and model instances for each (people's encrypted
    numbers, scans' photos) were most of the log's time."""
    shifts = list(shifts)
    ids = [s.pk for s in shifts]
    people: dict[int, list[LogPerson]] = {pk: [] for pk in ids}
    outcomes = {value: str(label) for value, label in Outcome.choices}  # translated once
    rows = Assignment.objects.filter(shift_id__in=ids).order_by("id")
    for shift_id, outcome, name in rows.values_list("shift_id", "outcome", "person__name"):
        people[shift_id].append(LogPerson(name, outcome, outcomes.get(outcome, outcome)))
    scans: dict[int, list[tuple]] = {pk: [] for pk in ids}
    accepted = CheckIn.objects.filter(assignment__shift_id__in=ids, accepted=True)
    columns = (
        "assignment__shift_id",
        "pk",
        "point_id",
        "point__name",
        "latitude",
        "longitude",
        "finding",
        "note",
        "recorded_at",
    )
    for row in accepted.order_by("recorded_at", "id").values_list(*columns):
        scans[row[0]].append(row[1:])
    findings = {value: str(label) for value, label in Finding.choices}
    for shift in shifts:
        visited: dict[int, LogPoint]
        visited, found, no_position, positioned = {}, [], 0, set()
        for pk, point_id, point_name, lat, lon, finding, note, at in scans[shift.pk]:
            if point_id:
                visited.setdefault(point_id, LogPoint(point_id, point_name))
                if lat is not None and lon is not None:
                    positioned.add(point_id)
                else:
                    no_position += 1
            if finding in FLAGGED:
                found.append(LogFinding(pk, finding, findings.get(finding, finding), note, at))
        # the row's times as text here: the template's date filters were a tenth of the page
        start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
        shift.day, shift.hours = shift.service_date.isoformat(), f"{start:%H:%M}–{end:%H:%M}"
        shift.people = people[shift.pk]
        shift.visited_points = list(visited.values())
        shift.visited = len(visited)
        # scans accepted without the phone's position, and points only such scans reached
        shift.no_position = no_position
        shift.unpositioned_points = set(visited) - positioned
        shift.findings = found
    return shifts


def shift_for_detail(user, pk: int) -> QuerySet[Shift]:
    all_check_ins = CheckIn.objects.select_related("point", "by").order_by("recorded_at", "id")
    return (
        Shift.objects.visible_to(user)
        .select_related("pattern__route", "region", "zone__region", "roster")
        .annotate(expected=_expected_points())
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("person", "household").order_by("id"),
            ),
            Prefetch("assignments__check_ins", queryset=all_check_ins, to_attr="all_check_ins"),
            "pattern__route__stops__point",
        )
    )


# ---- attendance (考勤) ----------------------------------------------------------------------


def attendance_counts() -> dict:
    return {
        "planned": Count("id"),
        "served": Count("id", filter=Q(outcome=Outcome.SERVED)),
        "late": Count("id", filter=Q(outcome=Outcome.LATE)),
        "partial": Count("id", filter=Q(outcome=Outcome.PARTIAL)),
        "missed": Count("id", filter=Q(outcome=Outcome.MISSED)),
        "excused": Count("id", filter=Q(outcome=Outcome.EXCUSED)),
        "open": Count("id", filter=Q(outcome=Outcome.PLANNED)),
        "minutes_served": Sum(
            MinutesBetween("shift__starts_at", "shift__ends_at"), filter=Q(outcome__in=TURNED_OUT)
        ),
    }


def _point_scans(assignments: QuerySet[Assignment]) -> dict[int, tuple[int, int]]:
    """Per person, the accepted scans at a point in `assignments` and how many of them carried
    a position: one grouped join over the month's check-ins, where a subquery per assignment
    took as long as the rest of the page's query."""
    point_scans = Q(check_ins__accepted=True, check_ins__kind=CheckInKind.POINT)
    rows = (
        assignments.filter(point_scans)
        .order_by()
        .values_list("person")
        .annotate(
            checked=Count("check_ins"),
            positioned=Count("check_ins", filter=Q(check_ins__latitude__isnull=False)),
        )
    )
    return {person: (checked, positioned) for person, checked, positioned in rows}


def month_assignments(
    user, *, first: dt.date, village: Region | None = None
) -> QuerySet[Assignment]:
    """Assignments on shifts of published rosters that start in the month. A village means the
    members of that village, wherever they served (joint zones included)."""
    # Driven by the month's shifts (indexed by start time), not by a scan of every assignment
    # ever made: a shift belongs to the day it starts, so its start lies in the month.
    shifts = Shift.objects.visible_to(user).filter(
        on_published_roster(),
        starts_at__gte=local_midnight(first),
        starts_at__lt=local_midnight(month_end(first) + dt.timedelta(days=1)),
    )
    qs = Assignment.objects.visible_to(user).filter(shift__in=shifts.values("pk"))
    if village is not None:
        qs = qs.filter(person__region__path__startswith=village.path)
    return qs


def attendance_people(user, *, first: dt.date, village: Region | None = None) -> list[dict]:
    """One row per person: planned, served, late, partial, missed, excused, still open, minutes
    served, points checked (with a position). Two grouped queries; the page adds the rate to
    the rows it shows."""
    assignments = month_assignments(user, first=first, village=village)
    rows = list(
        assignments.values("person", "person__name", "person__region__name", "person__region__code")
        .annotate(**attendance_counts())
        .order_by("person__region__path", "person__name", "person")
    )
    scans = _point_scans(assignments)
    for row in rows:
        row["points_checked"], row["points_with_position"] = scans.get(row["person"], (0, 0))
    return rows


def attendance_villages(people_rows) -> list[dict]:
    """The village rows from the person rows (ordered by village, as `attendance_people` gives
    them): a person counts in their own village only, so the sums are the village's, without a
    second grouped query over the month."""
    villages: dict[str, dict] = {}
    for row in people_rows:
        code = row["person__region__code"]
        village = villages.get(code)
        if village is None:
            village = villages[code] = {
                "person__region__code": code,
                "person__region__name": row["person__region__name"],
                "people": 0,
                **dict.fromkeys(_SUMMED, 0),
            }
        village["people"] += 1
        for key in _SUMMED:
            village[key] += row[key] or 0
    return list(villages.values())


_SUMMED = (
    *("planned", "served", "late", "partial", "missed", "excused", "open"),
    *("points_checked", "points_with_position", "minutes_served"),
)


def attendance_total(village_rows) -> dict:
    """The total over the village rows (a person counts in their own village only, so the
    people add up too): no further query."""
    total = {k: sum(r[k] for r in village_rows) for k in ("people", *_SUMMED)}
    return with_rate(total)


def with_rate(row: dict) -> dict:
    """Hours served and the attendance rate: shifts turned out (served, late or partial) out
    of the shifts due (every closed shift except the excused ones)."""
    turned_out = row["served"] + row["late"] + row["partial"]
    due = turned_out + row["missed"]
    row["hours"] = (Decimal(row.get("minutes_served") or 0) / 60).quantize(Decimal("0.1"))
    row["turned_out"] = turned_out
    row["due"] = due
    row["rate"] = (Decimal(turned_out * 100) / due).quantize(Decimal("0.1")) if due else None
    row["points_without_position"] = (row.get("points_checked") or 0) - (
        row.get("points_with_position") or 0
    )
    return row


# ---- the ten-household rotation and its ledger --------------------------------------------------


@dataclass
class Turn:
    assignment: Assignment
    stand_ins: list = field(default_factory=list)


def upcoming_turns(
    user, group: JointDefenceGroup, *, now: dt.datetime | None = None, limit: int = 60
) -> list[Turn]:
    """Household turns of the group on published rosters that have not ended and are not
    settled, with the members of the household who may stand in that day."""
    now = now or timezone.now()
    assignments = list(
        Assignment.objects.visible_to(user)
        .filter(
            shift__pattern__household_group=group,
            shift__roster__status=RosterStatus.PUBLISHED,
            household__isnull=False,
            outcome=Outcome.PLANNED,
            shift__ends_at__gte=now,
        )
        .select_related("shift__pattern", "person", "household__head")
        .prefetch_related("household__members")
        .order_by("shift__starts_at", "id")[:limit]
    )
    if not assignments:
        return []
    first = min(a.shift.service_date for a in assignments)
    last = max(a.shift.service_date for a in assignments)
    absent = set()
    absences = Absence.objects.filter(
        person__household_id__in={a.household_id for a in assignments},
        ends_on__gte=first,
        starts_on__lte=last,
    )
    for absence in absences:
        day = max(absence.starts_on, first)
        while day <= min(absence.ends_on, last):
            absent.add((absence.person_id, day))
            day += dt.timedelta(days=1)
    return [
        Turn(
            assignment=a,
            stand_ins=[
                p
                for p in eligible_members(
                    a.household,  # type: ignore[arg-type]  # households' turns only
                    a.shift.service_date,
                    absent,
                )
                if p.pk != a.person_id
            ],
        )
        for a in assignments
    ]


def recent_turns(
    user, group: JointDefenceGroup, *, now: dt.datetime | None = None, days: int = 31
) -> QuerySet[Assignment]:
    """Household turns that ended in the last month, newest first, each marked when it was
    bought out: a household that missed its turn may still pay for it."""
    now = now or timezone.now()
    paid = DutyLedgerEntry.objects.filter(assignment=OuterRef("pk"), kind=LedgerKind.BOUGHT_OUT)
    return (
        Assignment.objects.visible_to(user)
        .filter(
            shift__pattern__household_group=group,
            shift__roster__status=RosterStatus.PUBLISHED,
            household__isnull=False,
            shift__ends_at__lt=now,
            shift__ends_at__gte=now - dt.timedelta(days=days),
        )
        .select_related("shift__pattern", "person", "household")
        .annotate(bought_out=Exists(paid))
        .order_by("-shift__starts_at", "-id")
    )


def exemption_reasons(household: Household) -> list[str]:
    reasons = []
    if household.elderly_only:
        reasons.append(_("elderly only"))
    if household.disabled_member:
        reasons.append(_("disabled member"))
    if household.absent:
        reasons.append(_("away"))
    return reasons


SETTLING = (LedgerKind.SERVED, LedgerKind.EXCUSED, LedgerKind.SWAPPED, LedgerKind.BOUGHT_OUT)


def ledger_balances(group) -> dict[int, dict]:
    """Per household of a ten-household group (keyed by household id): turns owed, served,
    excused, swapped, bought out, missed, and how many are still open (owed and not settled).

    A turn's verdict is its latest line: a correction (served, then corrected to missed) is a
    new line that replaces the earlier verdict, so nothing is counted twice."""
    latest = (
        DutyLedgerEntry.objects.filter(group=group, assignment__isnull=False)
        .exclude(kind=LedgerKind.OWED)
        .values("household", "assignment")
        .annotate(last=Max("id"))
        .values("last")
    )
    counted = Q(kind=LedgerKind.OWED) | Q(assignment__isnull=True) | Q(id__in=latest)
    rows = (
        DutyLedgerEntry.objects.filter(group=group)
        .filter(counted)
        .values("household")
        .annotate(**{kind: Count("id", filter=Q(kind=kind)) for kind in LedgerKind.values})
        .order_by("household")
    )
    out = {}
    for row in rows:
        settled = sum(row[kind] for kind in SETTLING)
        row["open"] = max(0, row[LedgerKind.OWED] - settled)
        out[row["household"]] = row
    return out


def ledger_summary(group: JointDefenceGroup) -> list[dict]:
    """One row per household of the group (current members, and former members that still
    have ledger lines): the balances, the amount paid, and why an exempt household is exempt."""
    balances = ledger_balances(group)
    paid = dict(
        DutyLedgerEntry.objects.filter(group=group, kind=LedgerKind.BOUGHT_OUT)
        .values("household")
        .annotate(total=Sum("amount"))
        .values_list("household", "total")
    )
    current = {
        m.household_id: m.household
        for m in GroupMembership.objects.filter(group=group, left_on__isnull=True).select_related(
            "household__head"
        )
    }
    former_ids = set(balances) - set(current)
    former = {h.pk: h for h in Household.objects.filter(pk__in=former_ids).select_related("head")}
    zero = dict.fromkeys(LedgerKind.values, 0) | {"open": 0}
    rows = []
    for household in sorted([*current.values(), *former.values()], key=lambda h: h.number):
        reasons = exemption_reasons(household)
        rows.append(
            {
                "household": household,
                "member": household.pk in current,
                "exempt": bool(reasons),
                "reasons": reasons,
                "paid": paid.get(household.pk),
                **zero,
                **{k: v for k, v in balances.get(household.pk, {}).items() if k != "household"},
            }
        )
    return rows


def ledger_totals(rows: list[dict]) -> dict:
    keys = [*LedgerKind.values, "open"]
    totals = {k: sum(r[k] for r in rows) for k in keys}
    totals["paid"] = sum((r["paid"] or Decimal(0) for r in rows), Decimal(0))
    return totals


def household_lines(user, household: Household) -> QuerySet[DutyLedgerEntry]:
    return (
        DutyLedgerEntry.objects.visible_to(user)
        .filter(household=household)
        .select_related("group", "assignment__shift__pattern", "assignment__person", "recorded_by")
        .order_by("-on", "-id")
    )


def household_balances(user, household: Household) -> list[dict]:
    """The household's balance in each group it has owed turns to (usually one)."""
    groups = JointDefenceGroup.objects.filter(
        pk__in=DutyLedgerEntry.objects.visible_to(user).filter(household=household).values("group")
    )
    out = []
    for group in groups:
        row = ledger_balances(group).get(household.pk)
        if row:
            paid = DutyLedgerEntry.objects.filter(
                group=group, household=household, kind=LedgerKind.BOUGHT_OUT
            )
            out.append(
                {"group": group, **row, "paid": paid.aggregate(total=Sum("amount"))["total"]}
            )
    return out
