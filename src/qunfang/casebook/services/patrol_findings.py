"""A patrol's finding opens a case (registered in patrols.services.hooks.FINDING_HANDLERS).

A hazard becomes a safety-hazard case, a dispute a dispute case, an incident an "other" case
for the director to sort. The case is owned by the village's security director; with no
director account, by the nearest township officer who can hold it. The patrol member is the
one who registered it. A finding that cannot become a case stays on the patrol log (where the
director sees it) and never breaks the check-in that carried it.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.casebook.models import Case, CaseType, ReporterKind, Severity
from qunfang.casebook.services.cases import _prefixes, can_hold, register_case
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm, Role

log = logging.getLogger(__name__)

TYPE_FOR_FINDING = {"hazard": "hazard", "dispute": "dispute", "incident": "other"}


def _village_of(check_in) -> Region | None:
    region = check_in.region
    if region.kind == RegionKind.VILLAGE:
        return region
    person_region = check_in.assignment.person.region
    return person_region if person_region.kind == RegionKind.VILLAGE else None


def _owner_for(case: Case, patroller: User) -> User | None:
    """The village's security director; else the patrol member if they may hold a case; else the
    nearest township officer; else anyone who can hold it."""
    directors = User.objects.filter(
        is_active=True, region=case.region, roles__role=Role.VILLAGE_DIRECTOR
    )
    director = directors.order_by("id").first()
    if director is not None:
        return director
    if can_hold(patroller, case):
        return patroller
    above = (
        User.objects.filter(is_active=True, region__path__in=_prefixes(case.region.path))
        .select_related("region")
        .prefetch_related("roles")
        .order_by("-region__path", "id")
    )
    holders = [u for u in above if can_hold(u, case)]
    # the township office before a mediator
    supervisors: list[User | None] = [u for u in holders if u.can(Perm.SUPERVISE_VILLAGES)]
    return (supervisors or holders or [None])[0]


def open_case_from_check_in(check_in) -> Case | None:
    """Register the case for a check-in's finding; once per check-in."""
    code = TYPE_FOR_FINDING.get(check_in.finding)
    if code is None or not check_in.accepted:
        return None
    existing = Case.objects.filter(source_check_in=check_in).first()
    if existing is not None:
        return existing
    village = _village_of(check_in)
    case_type = (
        CaseType.objects.filter(code=code).first() or CaseType.objects.filter(code="other").first()
    )
    if village is None or case_type is None:
        log.warning("patrol finding %s not registered: no village or no case type", check_in.pk)
        return None
    person = check_in.assignment.person
    point = check_in.point
    finding = check_in.get_finding_display()
    where = point.name if point is not None else ""
    case = Case(
        region=village,
        case_type=case_type,
        severity=Severity.ORDINARY,
        title=(
            _("Patrol finding: %(finding)s at %(place)s") % {"finding": finding, "place": where}
            if where
            else _("Patrol finding: %(finding)s") % {"finding": finding}
        )[:100],
        description=check_in.note or _("Reported by the patrol at check-in."),
        occurred_at=check_in.recorded_at,
        reported_at=check_in.recorded_at,
        address=where[:200],
        latitude=check_in.latitude
        if check_in.latitude is not None
        else getattr(point, "latitude", None),
        longitude=check_in.longitude
        if check_in.longitude is not None
        else getattr(point, "longitude", None),
        reporter_kind=ReporterKind.PATROL,
        reporter=person,
        reporter_name=person.name[:50],
        source_check_in=check_in,
    )
    owner = _owner_for(case, check_in.by)
    if owner is None:
        log.warning(
            "patrol finding %s not registered: nobody can hold a case of %s", check_in.pk, village
        )
        return None
    case.owner = owner
    try:
        with transaction.atomic():  # a savepoint: a refusal here leaves the check-in standing
            case = register_case(case=case, by=check_in.by)
    except ValidationError:
        log.warning("patrol finding %s not registered as a case", check_in.pk, exc_info=True)
        return None
    if owner.pk != check_in.by_id:
        notify(
            owner,
            "assignment",
            Phrase(gettext_noop("A patrol reported a finding: case %(case)s."), case=case),
            case.get_absolute_url(),
        )
    return case
