"""What the patrol selectors and services share: who may change a patrol record
(`may_change`, `change_or_403`) — seeing a record is not changing it —, the query pieces the
pages build on, and the check-in window with the points a shift may check in at."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from qunfang.core.models import Region
from qunfang.core.permissions import NotYours
from qunfang.core.roles import Perm
from qunfang.patrols.models import (
    Absence,
    Assignment,
    JointZone,
    PatrolPoint,
    PatrolProfile,
    PatrolSettings,
    Roster,
    RosterStatus,
    ShiftPattern,
    ZoneVillage,
)

# ---- query pieces the pages share ----------------------------------------------------------

# No shift runs longer than a pattern may last: a shift running now started at most this long ago.
LONGEST_SHIFT = dt.timedelta(
    minutes=max(
        v.limit_value
        for v in ShiftPattern._meta.get_field("duration_minutes").validators
        if isinstance(v, MaxValueValidator)
    )
)


def on_published_roster(roster_field: str = "roster") -> Exists:
    """The row's roster is published, as EXISTS rather than a join: given a join, SQLite may
    start from the rosters (every roster in the database) instead of the row's own
    (region, start) index."""
    published = Roster.objects.filter(pk=OuterRef(roster_field), status=RosterStatus.PUBLISHED)
    return Exists(published)


def seated() -> Coalesce:
    """How many people the shift has, as a subquery: a join and GROUP BY over the shifts
    makes SQLite walk the whole shift table in id order."""
    return count_of(Assignment.objects.filter(shift=OuterRef("pk")), "shift")


def count_of(rows: QuerySet, outer: str) -> Coalesce:
    """How many of `rows` (filtered on an OuterRef through the field `outer`) each outer row
    has, as a correlated subquery that answers 0 for none."""
    counted = rows.order_by().values(outer).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class MinutesBetween(Func):
    """Whole minutes from `start` to `end` (two datetime fields), worked out by the database:
    Django subtracts datetimes on SQLite by calling back into Python for every row, which was
    a third of the attendance page's time."""

    output_field = IntegerField()
    template = "CAST(ROUND(EXTRACT(EPOCH FROM (%(expressions)s)) / 60) AS INTEGER)"
    arg_joiner = " - "

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s)) * 1440) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


# ---- the check-in window and where a shift checks in ----------------------------------------

EARLY = dt.timedelta(minutes=30)  # a patrol may start this long before its shift
GRACE = dt.timedelta(hours=2)  # ... and check in this long after it ends


def points_for(assignment: Assignment):
    """Where this shift may check in: its route's points, else every point of its village or
    of the zone's villages."""
    pattern = assignment.shift.pattern
    if pattern.route_id:
        return PatrolPoint.objects.filter(stops__route_id=pattern.route_id, active=True)
    if assignment.zone is not None:
        return PatrolPoint.objects.filter(region__in=assignment.zone.villages.all(), active=True)
    return PatrolPoint.objects.filter(region_id=assignment.region_id, active=True)


def positions_required(point: PatrolPoint) -> bool:
    """Whether a scan at `point` needs the phone's position: the rule of the point's own
    village (services/proof.py)."""
    return PatrolSettings.objects.filter(
        region_id=point.region_id, positions_required=True
    ).exists()


# ---- who may change what ----------------------------------------------------------------------
#
# Scoping decides who *sees* a record: a joint zone's records are seen by every member village.
# Changing is narrower. A record is changed by the patrol planners (MANAGE_PATROLS) of the region
# that owns it, and by those above them (the township over a village, the county, the system
# administrator); a joint zone and everything on it — its villages and members, patterns,
# rosters, shifts, assignments and swaps — is owned by whoever runs the zone, its township.
# Views answer 404 for what the user cannot see (`visible_or_404`) and 403 with `refusal()` for
# what they see but may not change; the services check the same rule, so neither the phone API
# nor a management command can go around it.


def zone_of(record) -> JointZone | None:
    """The joint zone a record belongs to, or None."""
    if isinstance(record, JointZone):
        return record
    if isinstance(record, ZoneVillage) or getattr(record, "zone_id", None):
        return record.zone
    return None


def owner_region(record) -> Region:
    """The region whose planners change `record`: the zone's township for a joint zone's
    records, the member's village for their absence or profile, else the record's region (a
    region is its own)."""
    if isinstance(record, Region):
        return record
    zone = zone_of(record)
    if zone is not None:
        return zone.region
    if isinstance(record, Absence | PatrolProfile):
        return record.person.region
    return record.region


def may_change(user, record) -> bool:
    """May `user` change `record` (a patrol record, a joint zone or a region)?"""
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.MANAGE_PATROLS):
        return False
    if user.is_system_admin:
        return True
    if user.region_id is None:
        return False
    return user.region.contains(owner_region(record))


def runs_zone(user, zone: JointZone) -> bool:
    """Whoever runs the zone: the planners of its township and above. Member villages see it."""
    return may_change(user, zone)


def zones_run_by(user):
    """The joint zones `user` runs: those a roster or a pattern may be made for."""
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.MANAGE_PATROLS):
        return JointZone.objects.none()
    zones = JointZone.objects.visible_to(user)
    if user.is_system_admin:
        return zones
    return (
        zones.filter(region__path__startswith=user.region.path) if user.region_id else zones.none()
    )


def refusal(record) -> str:
    """Why the user may not change `record`, naming who does, in the user's language."""
    zone = zone_of(record)
    if zone is not None:
        return _(
            "This belongs to the joint zone %(zone)s, which %(township)s runs: only its planners "
            "can change it. Member villages see the zone's records but do not change them."
        ) % {"zone": zone.name, "township": zone.region.name}
    return _("This belongs to %(place)s: only its own patrol planners can change it.") % {
        "place": owner_region(record).name
    }


def change_or_403(user, record) -> None:
    """Raise NotYours (403, with `refusal()`) unless `user` may change `record`. Fetch the record
    with `visible_or_404` first, so what the user cannot see stays a 404."""
    if not may_change(user, record):
        raise NotYours(refusal(record))
