"""Check-in on patrol with proof of presence, and how a shift ends (served, late, partial,
missed, excused).

A phone sends each scan with its own `client_id`; sending it again (a flaky connection)
returns the first answer and records nothing new. Scans with a wrong or stale code, or made
far from the point, are kept as refused so that the trace survives. So is a scan at a point
without the phone's position when the point's village requires one (proof.py); where it does
not, such a check-in is accepted and marked "no position" on the log, attendance and the
register. How long a sign's code is accepted: signs.py. When a shift is open for check-in
(`EARLY`, `GRACE`) and at which points (`points_for`): selectors/common.py.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    DutyLedgerEntry,
    Finding,
    LedgerKind,
    Outcome,
    PatrolPoint,
)
from qunfang.patrols.selectors.common import EARLY, GRACE, points_for, positions_required
from qunfang.patrols.services import hooks
from qunfang.patrols.services.signs import CodeCheck, check_code

EARTH_RADIUS_M = 6_371_000
Degrees = TypeVar("Degrees", Decimal, float)  # the four of a distance, all of one kind


class Refusal:
    WRONG_CODE = "wrong_code"
    STALE_CODE = "stale_code"
    FAR = "far_from_point"
    NO_POSITION = "no_position"


REFUSAL_MESSAGES = {
    Refusal.WRONG_CODE: gettext_lazy(
        "This code is not the code of this patrol point. Scan the sign again."
    ),
    Refusal.STALE_CODE: gettext_lazy(
        "This code has expired: it is from an old sign or a photo. Scan the sign at the point."
    ),
    Refusal.FAR: gettext_lazy(
        "You are %(distance)d m from the point, more than the %(radius)d m allowed. "
        "Check in at the point."
    ),
    Refusal.NO_POSITION: gettext_lazy(
        "This village needs your phone's position for a check-in, and the phone gave none. "
        "Allow this site to use your location (and turn on location), then scan the sign again."
    ),
}


def refusal_message(check_in: CheckIn) -> str:
    message = str(REFUSAL_MESSAGES[check_in.refusal])
    if check_in.refusal == Refusal.FAR:
        point = cast(PatrolPoint, check_in.point)  # a refusal for distance is at a point
        return message % {"distance": check_in.distance_m or 0, "radius": point.radius_m}
    return message


def distance_m(lat1: Degrees, lon1: Degrees, lat2: Degrees, lon2: Degrees) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass
class Scan:
    client_id: uuid.UUID
    kind: str
    point: PatrolPoint | None = None
    code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: int | None = None
    finding: str = Finding.NOTHING
    note: str = ""
    photo: object | None = None


def _validate(assignment: Assignment, scan: Scan, user, now: dt.datetime) -> None:
    person = getattr(user, "person", None)
    if person is None or person.pk != assignment.person_id:
        raise ValidationError(
            _("This shift is not yours: only the member on duty checks in for it.")
        )
    if assignment.outcome == Outcome.EXCUSED:
        raise ValidationError(_("You were excused from this shift."))
    shift = assignment.shift
    if not (shift.starts_at - EARLY <= now <= shift.ends_at + GRACE):
        raise ValidationError(
            _(
                "Check-in is open from 30 minutes before the shift until 2 hours after it ends "
                "(%(start)s–%(end)s)."
            )
            % {
                "start": timezone.localtime(shift.starts_at).strftime("%m-%d %H:%M"),
                "end": timezone.localtime(shift.ends_at).strftime("%m-%d %H:%M"),
            }
        )
    if scan.kind not in CheckInKind.values:
        raise ValidationError(_("Unknown kind of check-in."))
    if scan.finding not in Finding.values:
        raise ValidationError(_("Unknown finding."))
    if scan.kind == CheckInKind.POINT:
        if scan.point is None:
            raise ValidationError(_("Scan the sign of a patrol point."))
        if not points_for(assignment).filter(pk=scan.point.pk).exists():
            raise ValidationError(
                _("%(point)s is not on this shift's round.") % {"point": scan.point.name}
            )
    if (scan.latitude is None) != (scan.longitude is None):
        raise ValidationError(_("A position needs both latitude and longitude."))
    if (
        scan.latitude is not None
        and scan.longitude is not None  # (both or neither: checked above)
        and not (-90 <= scan.latitude <= 90 and -180 <= scan.longitude <= 180)
    ):
        raise ValidationError(_("The position is not a valid latitude and longitude."))


def check_in(
    *, assignment: Assignment, scan: Scan, user, now: dt.datetime | None = None
) -> tuple[CheckIn, bool]:
    """Record one scan. Returns (check-in, created); a resend returns the first one, unchanged."""
    now = now or timezone.now()
    existing = CheckIn.objects.filter(client_id=scan.client_id).select_related("point").first()
    if existing is not None:
        if existing.assignment_id != assignment.pk or existing.by_id != user.pk:
            raise ValidationError(_("This check-in id was already used for another check-in."))
        return existing, False
    _validate(assignment, scan, user, now)
    record = CheckIn(
        client_id=scan.client_id,
        assignment=assignment,
        region_id=assignment.region_id,
        zone_id=assignment.zone_id,
        kind=scan.kind,
        point=scan.point,
        recorded_at=now,
        latitude=scan.latitude,
        longitude=scan.longitude,
        accuracy_m=scan.accuracy_m,
        finding=scan.finding,
        note=scan.note.strip(),
        by=user,
    )
    if scan.photo:
        record.photo = scan.photo
    if scan.point is not None:
        verdict = check_code(scan.point, scan.code, now)
        if verdict is CodeCheck.STALE:
            record.accepted, record.refusal = False, Refusal.STALE_CODE
        elif verdict is CodeCheck.WRONG:
            record.accepted, record.refusal = False, Refusal.WRONG_CODE
        if (
            scan.latitude is not None
            and scan.longitude is not None  # (both or neither: checked above)
            and scan.point.latitude is not None  # the point's has_position
            and scan.point.longitude is not None
        ):
            far = distance_m(
                scan.latitude, scan.longitude, scan.point.latitude, scan.point.longitude
            )
            record.distance_m = round(far)
            slack = min(
                scan.accuracy_m or 0, 500
            )  # a coarse fix gets the benefit of the doubt, within reason
            record.far_from_point = far - slack > scan.point.radius_m
            if record.far_from_point and record.accepted:
                record.accepted, record.refusal = False, Refusal.FAR
        if scan.latitude is None and record.accepted and positions_required(scan.point):
            record.accepted, record.refusal = False, Refusal.NO_POSITION
    try:
        with transaction.atomic():
            record.save()
            if record.accepted and record.finding != Finding.NOTHING:
                hooks.finding_reported(record)
            if record.accepted and record.kind == CheckInKind.END:
                close_assignment(assignment, now=now)
    except IntegrityError:  # the same client_id raced in from a second request
        return CheckIn.objects.get(client_id=scan.client_id), False
    return record, True


# ---- how a shift ends ------------------------------------------------------------------------


def expected_points(assignment: Assignment) -> int:
    pattern = assignment.shift.pattern
    return pattern.route.stops.count() if pattern.route is not None else 1


def outcome_from_check_ins(assignment: Assignment, check_ins: list[CheckIn]) -> str:
    accepted = [c for c in check_ins if c.accepted]
    if not accepted:
        return Outcome.MISSED
    visited = {c.point_id for c in accepted if c.point_id}
    ended = any(c.kind == CheckInKind.END for c in accepted)
    if len(visited) < expected_points(assignment) or not ended:
        return Outcome.PARTIAL
    late = dt.timedelta(minutes=settings.QUNFANG_LATE_MINUTES)
    if min(c.recorded_at for c in accepted) > assignment.shift.starts_at + late:
        return Outcome.LATE
    return Outcome.SERVED


LEDGER_FOR_OUTCOME: dict[str, str] = {
    Outcome.SERVED: LedgerKind.SERVED,
    Outcome.LATE: LedgerKind.SERVED,
    Outcome.PARTIAL: LedgerKind.SERVED,
    Outcome.MISSED: LedgerKind.MISSED,
    Outcome.EXCUSED: LedgerKind.EXCUSED,
}


@transaction.atomic
def close_assignment(
    assignment: Assignment,
    *,
    now: dt.datetime | None = None,
    outcome: str | None = None,
    by=None,
    note: str = "",
) -> Assignment:
    """Settle how the shift ended (from the check-ins unless `outcome` is given) and, for a
    household's turn, write it to the duty ledger once."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__pattern")
        .get(pk=assignment.pk)
    )
    if outcome is None:
        if assignment.outcome != Outcome.PLANNED:
            return assignment
        outcome = outcome_from_check_ins(assignment, list(assignment.check_ins.all()))
    first_close = assignment.closed_at is None
    assignment.outcome = outcome
    assignment.closed_at = assignment.closed_at or now or timezone.now()
    if note:
        assignment.note = note
    assignment.save()
    if assignment.household_id and assignment.shift.pattern.household_group_id:
        kind = LEDGER_FOR_OUTCOME[outcome]
        last = (
            DutyLedgerEntry.objects.filter(assignment=assignment)
            .exclude(kind=LedgerKind.OWED)
            .order_by("-id")
            .first()
        )
        if first_close or last is None or last.kind != kind:
            DutyLedgerEntry.of_turn(
                assignment,
                kind,
                by=by or assignment_recorder(assignment),
                note=note if not first_close or by else "",
            ).save()
    return assignment


def assignment_recorder(assignment: Assignment):
    """Closing by the clock is recorded in the name of whoever published the roster."""
    roster = assignment.shift.roster
    return roster.published_by or roster.created_by


def close_due(now: dt.datetime | None = None, region=None) -> int:
    """Close every shift that ended more than the grace period ago. Idempotent."""
    now = now or timezone.now()
    due = Assignment.objects.filter(
        outcome=Outcome.PLANNED, shift__ends_at__lt=now - GRACE, shift__roster__status="published"
    )
    if region is not None:
        due = due.filter(region__path__startswith=region.path)
    closed = 0
    for assignment in due.select_related("shift__roster").iterator(chunk_size=500):
        close_assignment(assignment, now=now)
        closed += 1
    return closed
