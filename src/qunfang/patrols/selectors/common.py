"""Scoped reads shared by more than one page: the home panel, "my" shifts, and who may change
a patrol record (`may_change`, `change_or_403`) — seeing a record is not changing it."""

import datetime as dt

from django.core.validators import MaxValueValidator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.models import Region
from qunfang.core.permissions import NotYours
from qunfang.core.roles import Perm
from qunfang.patrols.models import (
    Absence,
    Assignment,
    CheckIn,
    Finding,
    JointZone,
    Outcome,
    PatrolProfile,
    Roster,
    RosterStatus,
    Shift,
    ShiftPattern,
    SwapRequest,
    SwapStatus,
    ZoneVillage,
)

SERVED = (Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL)
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
    counted = (
        Assignment.objects.filter(shift=OuterRef("pk"))
        .order_by()
        .values("shift")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())


def patrol_summary(user) -> dict:
    """The home-page panel: who is out now, empty seats this week, this month's attendance,
    swaps waiting and what patrols found in the last week."""
    now = timezone.now()
    today = timezone.localdate(now)
    # Every count is bounded in time and read through the (region, start) index: a shift
    # belongs to the day it starts, so the days' shifts are those starting within them.
    published = Shift.objects.visible_to(user).filter(on_published_roster())
    running = published.filter(starts_at__gt=now - LONGEST_SHIFT, starts_at__lte=now)
    on_duty = running.filter(ends_at__gt=now).aggregate(n=Count("assignments"))["n"]
    week = published.filter(
        starts_at__gte=local_midnight(today), starts_at__lt=local_midnight(today + dt.timedelta(7))
    )
    week = week.annotate(n=seated()).filter(n__lt=F("headcount"))
    empty = week.aggregate(seats=Sum(F("headcount") - F("n")))["seats"] or 0
    this_month = published.filter(
        starts_at__gte=local_midnight(today.replace(day=1)),
        starts_at__lt=local_midnight(today + dt.timedelta(days=1)),
    )
    month = (
        Assignment.objects.visible_to(user)
        .filter(shift__in=this_month.values("pk"))
        .exclude(outcome__in=[Outcome.PLANNED, Outcome.EXCUSED])
    )
    counts = month.aggregate(due=Count("id"), served=Count("id", filter=Q(outcome__in=SERVED)))
    rate = round(100 * counts["served"] / counts["due"]) if counts["due"] else None
    return {
        "on_duty": on_duty,
        "empty_seats": empty,
        "attendance_rate": rate,
        "swaps_waiting": SwapRequest.objects.visible_to(user)
        .filter(status=SwapStatus.PENDING)
        .count(),
        "findings": CheckIn.objects.visible_to(user)
        .filter(accepted=True, recorded_at__gte=now - dt.timedelta(days=7))
        .exclude(finding=Finding.NOTHING)
        .count(),
    }


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
