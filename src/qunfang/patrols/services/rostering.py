"""A roster's life: made, published, withdrawn.

Making it: shift patterns become shifts, the registry becomes the solver's people, CP-SAT
fills the patrol shifts, and the ten-household rotation (rotation.py) fills the household
shifts. The solver never sees Django; this module is the only translation between the two.
Who may be rostered at all (the pool, qualifications): selectors/people.py.

Publishing and withdrawing go through the roster's lifecycle: the duty ledger follows the
roster, and everyone on a published roster is told.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from simple_history.utils import bulk_create_with_history

from qunfang.core.lifecycle import Lifecycle, Move, Notice
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.phrases import Phrase
from qunfang.patrols import solver
from qunfang.patrols.models import (
    Absence,
    Assignment,
    BusySeason,
    CheckIn,
    DutyLedgerEntry,
    JointZone,
    LedgerKind,
    Outcome,
    Roster,
    RosterStatus,
    Shift,
    ShiftPattern,
)
from qunfang.patrols.selectors.common import change_or_403, may_change
from qunfang.patrols.selectors.people import pool, qualifications
from qunfang.patrols.services.rotation import fill_household_shifts
from qunfang.registry.models import Person

EXPERIENCED_AFTER = 10  # served shifts after which a member counts as experienced
MAX_ROSTER_DAYS = 62


@dataclass
class RosterRequest:
    region: Region  # a village or a township; the township of a zone
    starts_on: dt.date
    ends_on: dt.date
    zone: JointZone | None = None
    min_rest_hours: float = 8.0
    max_nights_per_week: int = 2
    time_limit_s: float | None = None


def period_problems(starts_on: dt.date, ends_on: dt.date) -> list[str]:
    if ends_on < starts_on:
        return [_("The period ends before it starts.")]
    if (ends_on - starts_on).days + 1 > MAX_ROSTER_DAYS:
        return [_("A roster covers at most %(days)d days.") % {"days": MAX_ROSTER_DAYS}]
    return []


def patterns_for(req: RosterRequest):
    qs = ShiftPattern.objects.filter(active=True).select_related("region", "household_group")
    if req.zone is not None:
        return qs.filter(zone=req.zone)
    return qs.filter(zone__isnull=True, region__path__startswith=req.region.path)


def shift_times(pattern: ShiftPattern, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, pattern.starts_at, tzinfo=tz)
    return start, start + dt.timedelta(minutes=pattern.duration_minutes)


def build_shifts(req: RosterRequest, roster: Roster | None = None) -> list[Shift]:
    shifts = []
    days = [
        req.starts_on + dt.timedelta(days=k) for k in range((req.ends_on - req.starts_on).days + 1)
    ]
    for pattern in patterns_for(req):
        for day in days:
            if pattern.runs_on(day):
                start, end = shift_times(pattern, day)
                shifts.append(
                    Shift(
                        roster=roster,
                        region=pattern.region,
                        zone=req.zone,
                        pattern=pattern,
                        service_date=day,
                        starts_at=start,
                        ends_at=end,
                        night=pattern.is_night,
                        headcount=pattern.headcount,
                        weight=pattern.weight,
                    )
                )
    return shifts


def group_key(req: RosterRequest, region: Region) -> str:
    return f"zone:{req.zone.pk}" if req.zone is not None else region.code


def solver_people(req: RosterRequest, people: list[Person]) -> list[solver.Person]:
    ids = [p.pk for p in people]
    absences = defaultdict(list)
    for a in Absence.objects.filter(
        person_id__in=ids, ends_on__gte=req.starts_on, starts_on__lte=req.ends_on
    ):
        absences[a.person_id].append((a.starts_on, a.ends_on))
    served = dict(
        Assignment.objects.filter(person_id__in=ids, outcome__in=[Outcome.SERVED, Outcome.LATE])
        .values_list("person_id")
        .annotate(n=Count("id"))
    )
    out = []
    for p in people:
        profile = getattr(p, "patrol_profile", None)
        prefers = profile.prefers if profile else ""
        out.append(
            solver.Person(
                id=str(p.pk),
                group=group_key(req, p.region if req.zone is None else req.region),
                qualifications=qualifications(p, req.starts_on),
                experienced=bool(profile and profile.experienced)
                or served.get(p.pk, 0) >= EXPERIENCED_AFTER,
                unavailable=absences.get(p.pk, []),
                max_nights_per_week=profile.max_nights_per_week if profile else None,
                preferences={prefers: 1.0, ("day" if prefers == "night" else "night"): -1.0}
                if prefers
                else None,
                volunteer=profile.volunteer if profile else True,
            )
        )
    return out


def solver_slots(req: RosterRequest, shifts: list[Shift]) -> list[solver.Slot]:
    return [
        solver.Slot(
            id=str(k),
            group=group_key(req, s.region),
            start=s.starts_at,
            end=s.ends_at,
            night=s.night,
            headcount=s.headcount,
            required_qualification=s.pattern.required_qualification or None,
            weight=float(s.weight),
            place=s.pattern.name,
        )
        for k, s in enumerate(shifts)
    ]


def busy_days(req: RosterRequest) -> frozenset[dt.date]:
    days = set()
    seasons = BusySeason.objects.filter(
        Q(region__path__startswith=req.region.path) | Q(region__path__in=ancestors(req.region)),
        ends_on__gte=req.starts_on,
        starts_on__lte=req.ends_on,
    )
    for s in seasons:
        d = max(s.starts_on, req.starts_on)
        while d <= min(s.ends_on, req.ends_on):
            days.add(d)
            d += dt.timedelta(days=1)
    return frozenset(days)


def ancestors(region: Region) -> list[str]:
    parts = region.path.strip("/").split("/")
    return ["/" + "/".join(parts[: k + 1]) + "/" for k in range(len(parts))]


def problem_record(problem: solver.Problem, slots_by_id: dict[str, Shift]) -> dict:
    shift = slots_by_id.get(problem.slot or "")
    return {
        "code": problem.code,
        "constraint": problem.constraint,
        "day": problem.day.isoformat() if problem.day else None,
        "shift": shift.pattern.name if shift else None,
        "village": shift.region.name if shift else None,
        "needed": problem.needed,
        "available": problem.available,
        "short": problem.short,
        "proven": problem.proven,
        "params": json.loads(
            json.dumps(problem.params, default=str)
        ),  # JSON as it is, dates as text
    }


@dataclass
class RosterPlan:
    """A roster computed and not yet saved: unsaved shifts and assignments and the figures."""

    req: RosterRequest
    by: User
    shifts: list[Shift]
    assignments: list[Assignment]
    figures: dict


def check_roster_request(req: RosterRequest, *, by) -> list[Shift]:
    """Whatever can be refused at once, refused before any work starts: the planner's right,
    the period, patterns that run in it. Returns the shifts the roster will have (unsaved)."""
    change_or_403(by, req.zone if req.zone is not None else req.region)
    errors = period_problems(req.starts_on, req.ends_on)
    if req.zone is None and req.region.kind not in (RegionKind.VILLAGE, RegionKind.TOWNSHIP):
        errors.append(_("Rosters are made for a village, a township or a joint zone."))
    if errors:
        raise ValidationError(errors)
    shifts = build_shifts(req)
    if not shifts:
        raise ValidationError(_("No shift pattern runs in this period. Add shift patterns first."))
    return shifts


def plan_roster(req: RosterRequest, *, by, progress=None) -> RosterPlan:
    """Compute the roster outside any transaction: it only reads, so check-ins, logins and the
    security log keep writing while CP-SAT searches. `progress(percent, step)` hears how far."""
    report = progress or (lambda percent, step: None)
    shifts = check_roster_request(req, by=by)
    report(10, _("Reading the shift patterns and who may serve"))
    patrol_shifts = [s for s in shifts if s.pattern.household_group_id is None]
    household_shifts = [s for s in shifts if s.pattern.household_group_id is not None]
    people = list(pool(req))
    by_id = {str(p.pk): p for p in people}
    rules = solver.Rules(
        min_rest_hours=req.min_rest_hours,
        max_nights_per_week=req.max_nights_per_week,
        busy_season_days=busy_days(req),
        tz=timezone.get_default_timezone(),
    )
    figures: dict = {"solver_status": "optimal", "problems": []}
    assignments: list[Assignment] = []
    if patrol_shifts:
        limit = req.time_limit_s or settings.QUNFANG_ROSTER_SECONDS
        report(
            20,
            _("Searching for the best roster (at most %(seconds)d seconds)") % {"seconds": limit},
        )
        slots = solver_slots(req, patrol_shifts)
        result = solver.solve(
            solver_people(req, people), slots, rules, time_limit_s=limit, workers=2
        )
        shift_of = {str(k): s for k, s in enumerate(patrol_shifts)}
        for slot_id, person_ids in result.assignments.items():
            shift = shift_of[slot_id]
            for pid in person_ids:
                assignments.append(
                    Assignment(shift=shift, region=shift.region, zone=req.zone, person=by_id[pid])
                )
        figures = {
            "solver_status": result.status,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "first_feasible_s": result.first_feasible_s,
            "seconds": result.seconds,
            "problems": [problem_record(p, shift_of) for p in result.problems],
        }
    report(80, _("Filling the ten-household rotation"))
    busy = defaultdict(list)
    for a in assignments:
        busy[a.person_id].append((a.shift.starts_at, a.shift.ends_at))
    household_assignments, household_problems = fill_household_shifts(household_shifts, busy, rules)
    assignments += household_assignments
    figures["problems"] += household_problems
    if household_problems and figures["solver_status"] in ("optimal", "feasible"):
        figures["solver_status"] = "infeasible"
    return RosterPlan(req=req, by=by, shifts=shifts, assignments=assignments, figures=figures)


@transaction.atomic
def save_roster(plan: RosterPlan) -> Roster:
    """Write the computed roster in one short transaction: the roster, its shifts, its
    assignments (with history rows, so a later swap or stand-in still shows who was rostered
    first)."""
    req = plan.req
    change_or_403(plan.by, req.zone if req.zone is not None else req.region)  # still theirs
    roster = Roster.objects.create(
        region=req.region,
        zone=req.zone,
        starts_on=req.starts_on,
        ends_on=req.ends_on,
        created_by=plan.by,
        **plan.figures,
    )
    for shift in plan.shifts:
        shift.roster = roster
    Shift.objects.bulk_create(plan.shifts)
    bulk_create_with_history(
        plan.assignments, Assignment, default_user=plan.by, default_change_reason="rostered"
    )
    return roster


def generate_roster(req: RosterRequest, *, by, progress=None) -> Roster:
    """Build a draft roster. Always saves one (a partial one when people are short) and records
    in plain words why any seat stayed empty. Only the planners of the village or township, or
    whoever runs the joint zone, make its roster. The solver runs outside any transaction; the
    result is written in one short one."""
    plan = plan_roster(req, by=by, progress=progress)
    if progress:
        progress(90, _("Saving the roster"))
    return save_roster(plan)


def published_overlapping(roster: Roster):
    return Roster.objects.filter(
        region=roster.region,
        zone=roster.zone,
        status=RosterStatus.PUBLISHED,
        starts_on__lte=roster.ends_on,
        ends_on__gte=roster.starts_on,
    ).exclude(pk=roster.pk)


# ---- publishing and withdrawing -------------------------------------------------------------

ROSTER_MOVES: dict[str, frozenset[str]] = {
    RosterStatus.DRAFT: frozenset({RosterStatus.PUBLISHED, RosterStatus.WITHDRAWN}),
    RosterStatus.PUBLISHED: frozenset({RosterStatus.WITHDRAWN}),
    RosterStatus.WITHDRAWN: frozenset(),
}


def _roster_ledger(move: Move[Roster]) -> None:
    """The duty ledger follows the roster: publishing makes each household turn owed; withdrawing
    a published roster cancels them, an excuse line each. (The history rows keep the moves.)"""
    roster, by = move.obj, move.by
    if move.to == RosterStatus.PUBLISHED:
        kind, note = LedgerKind.OWED, ""
    elif move.before.status == RosterStatus.PUBLISHED:
        kind, note = LedgerKind.EXCUSED, _("roster withdrawn")
    else:
        return
    turns = Assignment.objects.filter(shift__roster=roster, household__isnull=False)
    DutyLedgerEntry.objects.bulk_create(
        DutyLedgerEntry.of_turn(a, kind, by=by, note=note)
        for a in turns.select_related("shift__pattern")
    )


def _tell_rostered(move: Move[Roster]) -> list[Notice]:
    """Everyone with an account on a published roster hears once, however many shifts they have."""
    if move.to != RosterStatus.PUBLISHED:
        return []
    roster = move.obj
    on_roster = Person.objects.filter(patrol_assignments__shift__roster=roster).values("account_id")
    message = Phrase(gettext_noop("A new roster is out: %(roster)s."), roster=str(roster))
    readers = User.objects.filter(pk__in=on_roster).select_related("notification_preference")
    return [Notice(r, "roster", message, roster.get_absolute_url()) for r in readers.order_by("pk")]


ROSTER_LIFECYCLE = Lifecycle(
    Roster,
    RosterStatus,
    ROSTER_MOVES,
    may=lambda roster, user, to: may_change(user, roster),
    refusals={RosterStatus.PUBLISHED: gettext_lazy("Only a draft roster can be published.")},
    record=_roster_ledger,
    notices=_tell_rostered,
)


@transaction.atomic
def publish_roster(*, roster: Roster, by) -> Roster:
    change_or_403(by, roster)

    def check(locked: Roster) -> None:
        clash = published_overlapping(locked).first()
        if clash is not None:
            raise ValidationError(
                _("The published roster %(other)s covers part of this period. Withdraw it first.")
                % {"other": clash}
            )

    def apply(locked: Roster) -> None:
        locked.published_by, locked.published_at = by, timezone.now()

    return ROSTER_LIFECYCLE.move(roster, RosterStatus.PUBLISHED, by=by, check=check, apply=apply)


@transaction.atomic
def withdraw_roster(*, roster: Roster, by) -> Roster:
    change_or_403(by, roster)

    def check(locked: Roster) -> None:
        settled = Assignment.objects.filter(shift__roster=locked).exclude(outcome=Outcome.PLANNED)
        if CheckIn.objects.filter(assignment__shift__roster=locked).exists() or settled.exists():
            raise ValidationError(
                _("Patrols have already been recorded on this roster; it stays as the record.")
            )

    return ROSTER_LIFECYCLE.move(roster, RosterStatus.WITHDRAWN, by=by, check=check)
