"""Reads for self-service and check-in: a member's own shifts, the shifts open for check-in,
who is on duty now, pending swaps, and the shifts a new absence clashes with (who may take a
shift over: people.py). Every list is scoped with `visible_to` and fetched in a fixed number
of queries, however many rows it has."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from qunfang.patrols.models import (
    Absence,
    Assignment,
    CheckIn,
    Outcome,
    PatrolPoint,
    RosterStatus,
    Shift,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.selectors.common import (
    EARLY,
    GRACE,
    LONGEST_SHIFT,
    on_published_roster,
    points_for,
)
from qunfang.registry.models import Person

UPCOMING_SHOWN = 30


def person_of(user) -> Person | None:
    """The registry person linked to this sign-in, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(account=user).select_related("region", "household").first()


def _with_last_check_in(queryset):
    last = CheckIn.objects.filter(assignment=OuterRef("pk"), accepted=True).order_by(
        "-recorded_at", "-id"
    )
    return queryset.annotate(
        last_check_in_at=Subquery(last.values("recorded_at")[:1]),
        last_check_in_point=Subquery(last.values("point__name")[:1]),
    )


def _partners():
    """The people on each shift, for "who is with me" and "who is on duty"."""
    return Prefetch(
        "shift__assignments",
        queryset=_with_last_check_in(Assignment.objects.select_related("person")).order_by(
            "person__name", "id"
        ),
    )


def my_assignments(user, person: Person, now: dt.datetime | None = None):
    """The member's shifts of published rosters that are running, open for check-in or still
    to come (soonest first)."""
    now = now or timezone.now()
    return (
        Assignment.objects.visible_to(user)
        .filter(
            person=person,
            shift__roster__status=RosterStatus.PUBLISHED,
            shift__ends_at__gte=now - GRACE,
        )
        .exclude(outcome=Outcome.EXCUSED, shift__ends_at__lt=now)
        .select_related("shift__pattern__route", "shift__zone", "shift__region", "region")
        .prefetch_related(
            _partners(),
            Prefetch(
                "swap_requests", queryset=SwapRequest.objects.filter(status=SwapStatus.PENDING)
            ),
        )
        .order_by("shift__starts_at", "id")[:UPCOMING_SHOWN]
    )


def is_open(assignment: Assignment, now: dt.datetime) -> bool:
    shift = assignment.shift
    return (
        assignment.outcome == Outcome.PLANNED
        and shift.starts_at - EARLY <= now <= shift.ends_at + GRACE
    )


def open_assignments(person: Person | None, now: dt.datetime | None = None):
    """The member's shifts open for check-in now: from 30 minutes before the start until 2 hours
    after the end, not yet closed."""
    if person is None:
        return Assignment.objects.none()
    now = now or timezone.now()
    return (
        Assignment.objects.filter(
            person=person,
            outcome=Outcome.PLANNED,
            shift__roster__status=RosterStatus.PUBLISHED,
            shift__starts_at__lte=now + EARLY,
            shift__ends_at__gte=now - GRACE,
        )
        .select_related("shift__pattern__route", "shift__zone", "region")
        .order_by("shift__starts_at", "id")
    )


def assignment_for_point(person: Person | None, point: PatrolPoint, now: dt.datetime | None = None):
    """(the open shift whose round includes `point`, all open shifts)."""
    shifts = list(open_assignments(person, now))
    for assignment in shifts:
        if points_for(assignment).filter(pk=point.pk).exists():
            return assignment, shifts
    return None, shifts


def scannable_point(
    user, person: Person | None, pk, now: dt.datetime | None = None
) -> PatrolPoint | None:
    """A point the user may open: one of their jurisdiction, or one on the round of a shift
    they are serving now (a joint patrol crosses into the next village)."""
    point = PatrolPoint.objects.visible_to(user).filter(pk=pk).select_related("region").first()
    if point is not None or person is None:
        return point
    for assignment in open_assignments(person, now):
        point = points_for(assignment).filter(pk=pk).select_related("region").first()
        if point is not None:
            return point
    return None


def round_progress(assignment: Assignment) -> list[dict]:
    """The points of the shift's round in order, each with whether it has been checked in."""
    pattern = assignment.shift.pattern
    if pattern.route_id:
        points = list(
            PatrolPoint.objects.filter(stops__route_id=pattern.route_id, active=True).order_by(
                "stops__order"
            )
        )
    else:
        points = list(points_for(assignment).order_by("name")[:30])
    done = set(
        assignment.check_ins.filter(accepted=True, point__isnull=False).values_list(
            "point_id", flat=True
        )
    )
    return [{"point": p, "done": p.pk in done} for p in points]


def my_absences(user, person: Person):
    return (
        Absence.objects.visible_to(user)
        .filter(person=person, ends_on__gte=timezone.localdate())
        .order_by("starts_on")
    )


def clashing_assignments(absence: Absence):
    """Published shifts that the absence now clashes with: the director should find a swap."""
    return Assignment.objects.filter(
        person=absence.person,
        outcome=Outcome.PLANNED,
        shift__roster__status=RosterStatus.PUBLISHED,
        shift__service_date__gte=absence.starts_on,
        shift__service_date__lte=absence.ends_on,
    ).select_related("shift__pattern")


def my_swaps(user, person: Person):
    """Swaps the member asked for or is asked to take over, latest first."""
    return (
        SwapRequest.objects.visible_to(user)
        .filter(Q(assignment__person=person) | Q(requested_by=user) | Q(replacement=person))
        .select_related("assignment__shift__pattern", "assignment__person", "replacement")
        .order_by("-requested_at", "-id")[:20]
    )


def on_duty(user, now: dt.datetime | None = None):
    """Shifts of published rosters running now in the user's jurisdiction, with who is on them
    and where each last checked in."""
    now = now or timezone.now()
    return (
        Shift.objects.visible_to(user)
        .filter(on_published_roster(), starts_at__gt=now - LONGEST_SHIFT, starts_at__lte=now)
        .filter(ends_at__gt=now)
        .select_related("pattern__route", "zone", "region")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=_with_last_check_in(Assignment.objects.select_related("person")).order_by(
                    "person__name", "id"
                ),
            )
        )
        .order_by("region__path", "starts_at", "id")
    )


def pending_swaps(user):
    return (
        SwapRequest.objects.visible_to(user)
        .filter(status=SwapStatus.PENDING)
        .select_related(
            "assignment__shift__pattern",
            "assignment__shift__region",
            "assignment__person",
            "replacement",
            "requested_by",
            "region",
            "zone__region",
        )
        .order_by("assignment__shift__starts_at", "id")
    )


def decided_swaps(user, limit: int = 20):
    return (
        SwapRequest.objects.visible_to(user)
        .exclude(status=SwapStatus.PENDING)
        .select_related(
            "assignment__shift__pattern", "assignment__person", "replacement", "decided_by"
        )
        .order_by("-decided_at", "-id")[:limit]
    )
