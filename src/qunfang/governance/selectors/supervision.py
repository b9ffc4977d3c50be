"""Reads of township supervision (督导检查): plans, visits, findings with their photos and
rectification tasks, and the home panels.

Unannounced visits stay unannounced: an account that does not supervise villages (a village's
director, the police, an auditor) never sees a spot check or a night check before it is done —
nor one cancelled before it was made — nor a plan's draw. Every read here starts from
`visible_to(user)`; lists cost the same few queries however many rows they show."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.governance.models.supervision import (
    FindingKind,
    FindingPhoto,
    PlanStatus,
    RectificationTask,
    SupervisionFinding,
    SupervisionPlan,
    SupervisionVisit,
    TaskStatus,
    VisitKind,
    VisitStatus,
)
from qunfang.patrols.models import Assignment, CheckIn, RosterStatus, Shift
from qunfang.registry.models import Person

PERSON_SECRETS = ("person__id_number", "person__phone")
UNANNOUNCED = (VisitKind.SPOT, VisitKind.NIGHT)
OPEN_TASKS = (TaskStatus.OPEN, TaskStatus.REPORTED)
# a patroller who checked in up to this long after the inspectors came had claimed to be out
CHECK_IN_GRACE = dt.timedelta(minutes=30)
TASK_FILTERS = ("open", "overdue", "reported", "verified", "cancelled")


def supervises(user: User) -> bool:
    return user.is_active and user.can(Perm.SUPERVISE_VILLAGES)


def _hidden() -> Q:
    """An unannounced visit not (yet) made."""
    return Q(kind__in=UNANNOUNCED) & ~Q(status=VisitStatus.DONE)


# ---- plans ----------------------------------------------------------------------------------


def plans_visible(user: User) -> QuerySet[SupervisionPlan]:
    """The township's officers see their townships' plans; a village's accounts the plans of the
    township above them once drawn (what they may read of one: `visits_of_plan`)."""
    if supervises(user):
        return SupervisionPlan.objects.visible_to(user)
    if not user.is_active or user.region is None:
        return SupervisionPlan.objects.none()
    above = [code for code in user.region.path.split("/") if code]
    townships = Region.objects.filter(kind=RegionKind.TOWNSHIP, code__in=above)
    return SupervisionPlan.objects.filter(region__in=townships).exclude(status=PlanStatus.DRAFT)


def plan_list(user: User) -> QuerySet[SupervisionPlan]:
    return (
        plans_visible(user)
        .select_related("region", "created_by")
        .annotate(
            visit_count=Count("visits", distinct=True),
            done_count=Count("visits", filter=Q(visits__status=VisitStatus.DONE), distinct=True),
        )
        .order_by("-starts_on", "-id")
    )


# ---- visits ---------------------------------------------------------------------------------


def visits_visible(user: User) -> QuerySet[SupervisionVisit]:
    visits = SupervisionVisit.objects.visible_to(user)
    return visits if supervises(user) else visits.exclude(_hidden())


def _month(value: str) -> tuple[dt.date, dt.date] | None:
    try:
        first = dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 (a calendar month)
    except ValueError:
        return None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following


def visit_list(
    user: User,
    *,
    village: Region | None = None,
    kind: str = "",
    status: str = "",
    month: str = "",
) -> QuerySet[SupervisionVisit]:
    """The visits the user sees, the latest day first."""
    visits = visits_visible(user).select_related("region", "plan", "shift__pattern")
    if village is not None:
        visits = visits.filter(region=village)
    if kind in VisitKind.values:
        visits = visits.filter(kind=kind)
    if status in VisitStatus.values:
        visits = visits.filter(status=status)
    bounds = _month(month) if month else None
    if bounds is not None:
        visits = visits.filter(planned_for__gte=bounds[0], planned_for__lt=bounds[1])
    return visits.annotate(
        finding_count=Count("findings", distinct=True),
    ).order_by("-planned_for", "-id")


def visits_of_plan(plan: SupervisionPlan, user: User) -> list[SupervisionVisit]:
    return list(
        visits_visible(user)
        .filter(plan=plan)
        .select_related("region", "shift__pattern")
        .order_by("kind", "planned_for", "pk")
    )


def visit_for_detail(user: User) -> QuerySet[SupervisionVisit]:
    return visits_visible(user).select_related(
        "region__parent", "plan", "shift__pattern", "shift__zone", "created_by", "recorded_by"
    )


def findings_of(visit: SupervisionVisit) -> list[SupervisionFinding]:
    """The visit's findings with their photos, organisations, people and tasks (4 queries)."""
    return list(
        SupervisionFinding.objects.filter(visit=visit)
        .select_related("organisation", "person")
        .defer(*PERSON_SECRETS)
        .prefetch_related(
            Prefetch("photos", queryset=FindingPhoto.objects.order_by("uploaded_at", "pk")),
            Prefetch("tasks", queryset=RectificationTask.objects.order_by("pk")),
        )
        .order_by("pk")
    )


def photo_visible(user: User) -> QuerySet[FindingPhoto]:
    visits = visits_visible(user)
    return FindingPhoto.objects.visible_to(user).filter(finding__visit__in=visits.values("pk"))


def finding_visible(user: User) -> QuerySet[SupervisionFinding]:
    visits = visits_visible(user)
    return (
        SupervisionFinding.objects.visible_to(user)
        .filter(visit__in=visits.values("pk"))
        .select_related("visit", "region")
    )


# ---- tasks ----------------------------------------------------------------------------------


def _tasks(user: User) -> QuerySet[RectificationTask]:
    return (
        RectificationTask.objects.visible_to(user)
        .select_related("region", "organisation", "person", "finding__visit")
        .defer(*PERSON_SECRETS)
    )


def task_list(
    user: User, *, village: Region | None = None, show: str = "", today: dt.date
) -> QuerySet[RectificationTask]:
    """The tasks the user sees: open ones first by deadline, or as `show` narrows them."""
    tasks = _tasks(user)
    if village is not None:
        tasks = tasks.filter(region=village)
    if show == "open":
        tasks = tasks.filter(status__in=OPEN_TASKS)
    elif show == "overdue":
        tasks = tasks.filter(status=TaskStatus.OPEN, deadline__lt=today)
    elif show == "reported":
        tasks = tasks.filter(status=TaskStatus.REPORTED)
    elif show == "verified":
        tasks = tasks.filter(status=TaskStatus.VERIFIED)
    elif show == "cancelled":
        tasks = tasks.filter(status=TaskStatus.CANCELLED)
    # the tasks still waiting (open, reported) before those settled, the longest overdue first
    settled = Case(
        When(status__in=[TaskStatus.VERIFIED, TaskStatus.CANCELLED], then=Value(1)),
        default=Value(0),
    )
    return tasks.order_by(settled, "deadline", "pk")


def task_for_detail(user: User) -> QuerySet[RectificationTask]:
    return _tasks(user).select_related("finding__visit__region", "created_by")


def is_overdue(task: RectificationTask, today: dt.date) -> bool:
    return task.status == TaskStatus.OPEN and task.deadline < today


# ---- panels ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    township_view: bool
    overdue: int
    open: int
    reported: int
    night_checks: int
    not_found: int
    planned: int


def panel(user: User) -> dict[str, Any]:
    """The home panel: the township's overdue tasks and this month's night checks; a village's
    tasks to put right. A handful of counts."""
    today = timezone.localdate()
    first = today.replace(day=1)
    tasks = RectificationTask.objects.visible_to(user)
    counts = tasks.aggregate(
        overdue=Count("pk", filter=Q(status=TaskStatus.OPEN, deadline__lt=today)),
        open=Count("pk", filter=Q(status=TaskStatus.OPEN)),
        reported=Count("pk", filter=Q(status=TaskStatus.REPORTED)),
    )
    township_view = supervises(user)
    night_checks = not_found = planned = 0
    if township_view:
        visits = SupervisionVisit.objects.visible_to(user)
        night = visits.aggregate(
            done=Count(
                "pk",
                filter=Q(kind=VisitKind.NIGHT, status=VisitStatus.DONE, planned_for__gte=first),
            ),
            planned=Count("pk", filter=Q(status=VisitStatus.PLANNED, planned_for__gte=today)),
        )
        night_checks, planned = night["done"], night["planned"]
        not_found = (
            SupervisionFinding.objects.visible_to(user)
            .filter(kind=FindingKind.NOT_FOUND, visit__planned_for__gte=first)
            .count()
        )
    return {
        "supervision": Panel(
            township_view=township_view,
            overdue=counts["overdue"],
            open=counts["open"],
            reported=counts["reported"],
            night_checks=night_checks,
            not_found=not_found,
            planned=planned,
        )
    }


# ---- the draw and the night check's people -------------------------------------------------
# (pure reads, shared by the services, the forms, the pages and the indicators)


def villages_of(township: Region) -> list[Region]:
    return list(
        Region.objects.filter(parent=township, kind=RegionKind.VILLAGE).order_by("path", "pk")
    )


def night_shifts_in(
    villages: Sequence[Region], first: dt.date, last: dt.date, *, after: dt.datetime | None = None
) -> list[Shift]:
    """The scheduled (published) night shifts of `villages`, their own or their joint zones',
    on the days `first`..`last` (and ending after `after`), in a fixed order."""
    ids = [v.pk for v in villages]
    shifts = Shift.objects.filter(
        Q(region__in=ids) | Q(zone__villages__in=ids),
        night=True,
        roster__status=RosterStatus.PUBLISHED,
        service_date__gte=first,
        service_date__lte=last,
    )
    if after is not None:
        shifts = shifts.filter(ends_at__gt=after)
    return list(shifts.distinct().select_related("zone").order_by("starts_at", "pk"))


def _zone_villages(shift: Shift) -> list[int]:
    if shift.zone_id is None:
        return [shift.region_id]
    return sorted(shift.zone.villages.values_list("pk", flat=True)) if shift.zone else []


def shift_in_village(shift: Shift, village: Region) -> bool:
    return shift.region_id == village.pk or village.pk in _zone_villages(shift)


@dataclass(frozen=True)
class Draw:
    villages: list[tuple[Region, dt.date]]  # a village drawn for a spot check, and its day
    shifts: list[tuple[Shift, Region]]  # a night shift drawn, and the village checked


def draw_of(plan: SupervisionPlan, seed: int, *, after: dt.datetime | None = None) -> Draw:
    """What `seed` draws for the plan from the records as they are: the same seed, the same
    villages and shifts. Villages are taken in tree order and shifts by start, then sampled; a
    joint zone's shift is checked in one of its villages, drawn too."""
    rng = random.Random(seed)  # noqa: S311 (a fair, repeatable draw, not a secret)
    villages = villages_of(plan.region)
    drawn = sorted(rng.sample(villages, min(plan.villages_to_draw, len(villages))), key=_path)
    days = (plan.ends_on - plan.starts_on).days + 1
    spots = [plan.starts_on + dt.timedelta(days=rng.randrange(days)) for _ in drawn]
    if after is not None:  # a spot check is not planned for a day gone by
        today = timezone.localdate(after)
        spots = [max(day, min(today, plan.ends_on)) for day in spots]
    by_id = {v.pk: v for v in villages}
    shifts = night_shifts_in(villages, plan.starts_on, plan.ends_on, after=after)
    picked = rng.sample(shifts, min(plan.night_checks_to_draw, len(shifts)))
    nights = []
    for shift in sorted(picked, key=lambda s: (s.starts_at, s.pk)):
        members = [pk for pk in _zone_villages(shift) if pk in by_id]
        nights.append((shift, by_id[rng.choice(members)]))
    return Draw(villages=list(zip(drawn, spots, strict=True)), shifts=nights)


def _path(region: Region) -> str:
    return region.path


@dataclass(frozen=True)
class Claimed:
    """A person on the shift who had checked in by the time the inspectors came."""

    person: Person
    at: dt.datetime
    point: str


def shift_people(shift: Shift) -> list[Assignment]:
    """The shift's people, in the order they were put on it."""
    return list(
        Assignment.objects.filter(shift=shift)
        .select_related("person")
        .defer("person__id_number", "person__phone")
        .order_by("pk")
    )


def check_ins_of(shift: Shift) -> dict[int, list[CheckIn]]:
    """person id -> the shift's accepted check-ins, in time order."""
    out: dict[int, list[CheckIn]] = {}
    rows = (
        CheckIn.objects.filter(assignment__shift=shift, accepted=True)
        .select_related("point", "assignment")
        .order_by("recorded_at", "pk")
    )
    for row in rows:
        out.setdefault(row.assignment.person_id, []).append(row)
    return out


def claimed_by(shift: Shift, visited_at: dt.datetime) -> list[Claimed]:
    """Who had checked in on the shift by the time of the visit (a little after counts): their
    last check-in by then."""
    people = {a.person_id: a.person for a in shift_people(shift)}
    out = []
    for person_id, rows in check_ins_of(shift).items():
        by_then = [
            r
            for r in rows
            if shift.starts_at - CHECK_IN_GRACE <= r.recorded_at <= visited_at + CHECK_IN_GRACE
        ]
        if by_then and person_id in people:
            last = by_then[-1]
            point = last.point.name if last.point is not None else last.get_kind_display()
            out.append(Claimed(people[person_id], last.recorded_at, str(point)))
    return sorted(out, key=lambda c: c.at)
