"""Who may serve: the people a roster draws from and the qualifications they hold on a day,
who may stand a household's turn, and who may take a shift over (and why someone may not).
Read by the roster's making (services/rostering.py, services/rotation.py), by swaps and
stand-ins (services/swaps.py, services/shifts.py) and by the swap page."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.models import Region
from qunfang.patrols import solver
from qunfang.patrols.models import (
    Absence,
    Assignment,
    JointZone,
    Outcome,
    Qualification,
    RosterStatus,
)
from qunfang.registry.models import (
    Household,
    OrgKind,
    OrgStatus,
    Person,
    TrainingKind,
    VettingKind,
)

if TYPE_CHECKING:
    from qunfang.patrols.services.rostering import RosterRequest

PATROL_ORG_KINDS = (OrgKind.PATROL_TEAM, OrgKind.VILLAGE_GUARD, OrgKind.SECURITY_COMMITTEE)
TRAINING_QUALIFICATIONS = {
    Qualification.PATROL_TRAINING: TrainingKind.PATROL,
    Qualification.FIRST_AID: TrainingKind.FIRST_AID,
    Qualification.FIRE_SAFETY: TrainingKind.FIRE_SAFETY,
}
MIN_AGE, MAX_AGE = 18, 65  # who may stand a household's turn
CANDIDATES_SHOWN = 80


# ---- who may be rostered --------------------------------------------------------------------


def pool(req: RosterRequest):
    """The people who may be rostered for the request: see `patrol_members`."""
    return patrol_members(region=req.region, zone=req.zone)


def patrol_members(*, region: Region, zone: JointZone | None = None):
    """The people who may be rostered: members of a zone, or serving members of the patrol
    organisations in the region."""
    if zone is not None:
        qs = zone.members.all()
    else:
        qs = Person.objects.filter(
            region__path__startswith=region.path,
            memberships__ended_on__isnull=True,
            memberships__post__organisation__kind__in=PATROL_ORG_KINDS,
            memberships__post__organisation__status=OrgStatus.ACTIVE,
        ).distinct()
    return qs.select_related("region", "patrol_profile").prefetch_related(
        "vetting_checks", "training_records"
    )


def qualifications(person: Person, on: dt.date) -> frozenset[str]:
    held = set()
    checks = [c for c in person.vetting_checks.all() if c.counts_on(on)]
    if {c.kind for c in checks} >= set(VettingKind.values):
        held.add(Qualification.VETTED.value)
    for qual, kind in TRAINING_QUALIFICATIONS.items():
        if any(
            t.kind == kind
            and t.held_on <= on
            and t.passed is not False
            and (t.certificate_expires_on is None or t.certificate_expires_on >= on)
            for t in person.training_records.all()
        ):
            held.add(qual.value)
    return frozenset(held)


def eligible_members(
    household: Household, day: dt.date, absent: set[tuple[int, dt.date]]
) -> list[Person]:
    """The household's members who may stand its turn on `day`: able, of age, not away."""
    return [
        p
        for p in household.members.all()
        if p.may_serve and MIN_AGE <= p.age_on(day) <= MAX_AGE and (p.pk, day) not in absent
    ]


# ---- who may take a shift over --------------------------------------------------------------


def swap_candidates(assignment: Assignment) -> list[Person]:
    """Who could take the shift over: for a household's turn, the members of the group's
    households; for a joint zone, its members; otherwise the village's patrol members."""
    shift = assignment.shift
    group_id = shift.pattern.household_group_id if assignment.household_id else None
    if group_id:
        day = shift.service_date
        members = (
            Person.objects.filter(
                household__group_memberships__group_id=group_id,
                household__group_memberships__left_on__isnull=True,
                may_serve=True,
            )
            .exclude(pk=assignment.person_id)
            .select_related("household", "region")
            .prefetch_related("vetting_checks", "training_records")
            .distinct()
        )
        # (each has a household: the query reaches them through it)
        people = [
            p
            for p in members
            if not p.household.exempt_from_duty  # type: ignore[union-attr]
            and MIN_AGE <= p.age_on(day) <= MAX_AGE
        ]
        # the household's own members first: any of them may stand in
        people.sort(
            key=lambda p: (
                p.household_id != assignment.household_id,
                p.household.number,  # type: ignore[union-attr]
                p.name,
            )
        )
        return people[:CANDIDATES_SHOWN]
    people = patrol_members(region=shift.region, zone=shift.zone)
    people = people.exclude(pk=assignment.person_id).order_by("name", "id")
    return list(people[:CANDIDATES_SHOWN])


def _as_solver_slot(a: Assignment) -> solver.Slot:
    s = a.shift
    return solver.Slot(
        id=str(a.pk),
        group="",
        start=s.starts_at,
        end=s.ends_at,
        night=s.night,
        place=s.pattern.name,
    )


def replacement_problems(assignment: Assignment, replacement: Person) -> list[str]:
    """Why `replacement` cannot take the shift (empty when they can), checked by the same
    independent checker that verifies rosters."""
    shift = assignment.shift
    problems = []
    if replacement.pk == assignment.person_id:
        return [_("Choose someone else to take over the shift.")]
    if Assignment.objects.filter(shift=shift, person=replacement).exists():
        problems.append(_("%(name)s is already on this shift.") % {"name": replacement.name})
    if assignment.household_id and replacement.household_id is None:
        problems.append(_("A household's turn can only pass to a member of a household."))
    need = shift.pattern.required_qualification
    if need and need not in qualifications(replacement, shift.service_date):
        problems.append(
            _("%(name)s lacks the required qualification: %(qual)s.")
            % {"name": replacement.name, "qual": shift.pattern.get_required_qualification_display()}
        )
    if Absence.objects.filter(
        person=replacement, starts_on__lte=shift.service_date, ends_on__gte=shift.service_date
    ).exists():
        problems.append(
            _("%(name)s has declared an absence that day.") % {"name": replacement.name}
        )
    window = dt.timedelta(days=7)
    theirs = list(
        Assignment.objects.filter(
            person=replacement,
            shift__starts_at__gte=shift.starts_at - window,
            shift__starts_at__lte=shift.starts_at + window,
        )
        .exclude(outcome=Outcome.EXCUSED)
        .exclude(shift__roster__status=RosterStatus.WITHDRAWN)
        .select_related("shift__pattern")
    )
    mine = _as_solver_slot(assignment)
    rules = solver.Rules(
        min_rest_hours=8, max_nights_per_week=2, tz=timezone.get_default_timezone()
    )
    person = solver.Person(id=str(replacement.pk), group="")
    before = {
        (v.code, v.day)
        for v in solver.checker.person_breaks(person, [_as_solver_slot(a) for a in theirs], rules)
    }
    after = solver.checker.person_breaks(
        person, [_as_solver_slot(a) for a in theirs] + [mine], rules
    )
    words = {
        "overlap": _("%(name)s is already on a shift at that time."),
        "rest": _("%(name)s would not get the minimum rest between shifts."),
        "night_limit": _("%(name)s would exceed the night shifts allowed in a week."),
        "weekly_limit": _("%(name)s would exceed the shifts allowed in a week."),
    }
    for code in {v.code for v in after if (v.code, v.day) not in before}:
        problems.append(words.get(code, code) % {"name": replacement.name})
    return problems
