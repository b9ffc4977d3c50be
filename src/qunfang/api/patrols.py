"""The patrol member's phone API: own shifts, who is on duty, check-ins, absences and swaps.

Same session sign-in and the same scoping as the pages; the same services decide. Writes need
the PATROL permission (checked before the body is read, so an outsider learns nothing from a
malformed request). Bad input answers 400 with {"detail": ...}; a record of another village
answers 404 like a missing one; a check-in refused for a stale or forged code or for being far
from the point is kept on the patrol log and answers 422 with its refusal code.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import SessionAuth
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from qunfang.core.http import SignedInRequest
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.patrols.models import Assignment, CheckIn, CheckInKind, PatrolPoint
from qunfang.patrols.selectors import self as selectors_self
from qunfang.patrols.selectors.common import points_for
from qunfang.patrols.services import checkin, shifts, swaps
from qunfang.registry.models import Person

router = Router(tags=["patrols"])


class PatrolAuth(SessionAuth):
    """Signed in (401 otherwise) and serving on patrol (403 otherwise)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and not user.can(Perm.PATROL):
            raise PermissionDenied
        return user


patrol_auth = PatrolAuth()


class Detail(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str] = []


# ---- reading ----------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str


class LastCheckIn(Schema):
    at: dt.datetime | None
    point: str | None


class ShiftOut(Schema):
    assignment: int
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    night: bool
    shift: str
    route: str | None
    village: str
    zone: str | None
    outcome: str
    open_for_check_in: bool
    partners: list[PersonOut]
    swap_pending: bool


class MyShiftsOut(Schema):
    person: PersonOut | None
    shifts: list[ShiftOut]


class OnDutyPerson(Schema):
    assignment: int
    name: str
    last_check_in: LastCheckIn


class OnDutyOut(Schema):
    shift: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    shift_name: str
    route: str | None
    village: str
    zone: str | None
    people: list[OnDutyPerson]


def _shift_out(a: Assignment, now: dt.datetime) -> dict:
    s = a.shift
    return {
        "assignment": a.pk,
        "date": s.service_date,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "night": s.night,
        "shift": s.pattern.name,
        "route": s.pattern.route.name if s.pattern.route is not None else None,
        "village": s.region.name,
        "zone": s.zone.name if s.zone is not None else None,
        "outcome": a.outcome,
        "open_for_check_in": selectors_self.is_open(a, now),
        "partners": [
            {"id": p.person_id, "name": p.person.name}
            for p in s.assignments.all()
            if p.person_id != a.person_id
        ],
        "swap_pending": bool(a.swap_requests.all()),
    }


@router.get(
    "/my-shifts",
    response=MyShiftsOut,
    url_name="patrols_my_shifts",
    summary="My current and upcoming shifts",
)
def my_shifts(request: SignedInRequest):
    person = selectors_self.person_of(request.user)
    if person is None:
        return {"person": None, "shifts": []}
    now = timezone.now()
    shifts = [_shift_out(a, now) for a in selectors_self.my_assignments(request.user, person, now)]
    return {"person": {"id": person.pk, "name": person.name}, "shifts": shifts}


@router.get(
    "/on-duty",
    response=list[OnDutyOut],
    url_name="patrols_on_duty",
    summary="Who is on duty now in your jurisdiction",
)
def on_duty(request: SignedInRequest):
    if not (request.user.can(Perm.PATROL) or request.user.can(Perm.VIEW_PATROLS)):
        raise PermissionDenied
    return [
        {
            "shift": s.pk,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "shift_name": s.pattern.name,
            "route": s.pattern.route.name if s.pattern.route is not None else None,
            "village": s.region.name,
            "zone": s.zone.name if s.zone is not None else None,
            "people": [
                {
                    "assignment": a.pk,
                    "name": a.person.name,
                    "last_check_in": {"at": a.last_check_in_at, "point": a.last_check_in_point},
                }
                for a in s.assignments.all()
            ],
        }
        for s in selectors_self.on_duty(request.user)[:200]
    ]


# ---- writing ----------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CheckInIn(_In):
    client_id: uuid.UUID = Field(
        description="Made by the phone once per check-in; a resend reuses it."
    )
    assignment: int
    kind: Literal["start", "point", "end"] = "point"
    point: int | None = None
    code: str = Field("", max_length=20)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0)
    finding: Literal["nothing", "hazard", "incident", "dispute"] = "nothing"
    note: str = Field("", max_length=500)


class CheckInOut(Schema):
    id: int
    client_id: uuid.UUID
    assignment: int
    kind: str
    point: int | None
    recorded_at: dt.datetime
    accepted: bool
    refusal: str
    detail: str
    distance_m: int | None
    far_from_point: bool
    outcome: str


class AbsenceIn(_In):
    starts_on: dt.date
    ends_on: dt.date
    reason: str = Field("", max_length=100)


class ClashOut(Schema):
    assignment: int
    date: dt.date
    shift: str
    starts_at: dt.datetime


class AbsenceOut(Schema):
    id: int
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    clashes: list[ClashOut]


class SwapIn(_In):
    assignment: int
    replacement: int
    reason: str = Field("", max_length=200)


class SwapOut(Schema):
    id: int
    assignment: int
    replacement: PersonOut
    status: str
    reason: str


class BadInput(Exception):
    """Input this API cannot read; answered 400 with {"detail", "problems"} (api.py)."""

    def __init__(self, detail: str, problems: list[str] | None = None):
        self.detail, self.problems = detail, problems or []


def _body(request: SignedInRequest, schema: type[BaseModel]):
    """Parse and check the JSON body here rather than in ninja, so that bad input answers 400
    with a readable detail (ninja's own answer would be 422, which this API keeps for a
    recorded refusal)."""
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadInput(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadInput(_("The request body must be a JSON object."))
    try:
        return schema.model_validate(data)
    except SchemaError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        ]
        raise BadInput(_("Some fields are missing or not valid."), problems) from None


def _write(schema: type[BaseModel]) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


def _refused(exc: ValidationError, status: int = 400) -> Status:
    messages = [str(m) for m in exc.messages]
    return Status(status, {"detail": " ".join(messages), "problems": messages})


def _own_person(request: SignedInRequest) -> Person:
    person = selectors_self.person_of(request.user)
    if person is None:
        raise BadInput(_("Your account is not linked to a person in the village registry."))
    return person


def _check_in_out(c: CheckIn, outcome: str) -> dict:
    return {
        "id": c.pk,
        "client_id": c.client_id,
        "assignment": c.assignment_id,
        "kind": c.kind,
        "point": c.point_id,
        "recorded_at": c.recorded_at,
        "accepted": c.accepted,
        "refusal": c.refusal,
        "detail": checkin.refusal_message(c) if not c.accepted else _("Checked in."),
        "distance_m": c.distance_m,
        "far_from_point": c.far_from_point,
        "outcome": outcome,
    }


@router.post(
    "/check-ins",
    auth=patrol_auth,
    url_name="patrols_check_in",
    response={200: CheckInOut, 201: CheckInOut, 400: Problems, 422: CheckInOut},
    openapi_extra=_write(CheckInIn),
    summary="Check in on patrol (a resend of the same client_id is answered once)",
)
def check_in(request: SignedInRequest):
    body = _body(request, CheckInIn)
    assignment = visible_or_404(
        Assignment.objects.select_related("shift__pattern", "zone"),
        request.user,
        pk=body.assignment,
    )
    point = None
    if body.point is not None:
        reachable = PatrolPoint.objects.filter(
            Q(pk__in=PatrolPoint.objects.visible_to(request.user).values("pk"))
            | Q(pk__in=points_for(assignment).values("pk"))
        )
        point = reachable.filter(pk=body.point).first()
        if point is None:
            raise Http404
    elif body.kind == CheckInKind.POINT:
        raise BadInput(_("Scan the sign of a patrol point."))
    accuracy = min(round(body.accuracy_m), 100_000) if body.accuracy_m is not None else None
    scan = checkin.Scan(
        client_id=body.client_id,
        kind=body.kind,
        point=point,
        code=body.code,
        latitude=body.latitude.quantize(Decimal("0.000001")) if body.latitude is not None else None,
        longitude=body.longitude.quantize(Decimal("0.000001"))
        if body.longitude is not None
        else None,
        accuracy_m=accuracy,
        finding=body.finding,
        note=body.note,
    )
    try:
        record, created = checkin.check_in(assignment=assignment, scan=scan, user=request.user)
    except ValidationError as exc:
        return _refused(exc)
    assignment.refresh_from_db(fields=["outcome"])
    out = _check_in_out(record, assignment.outcome)
    if not record.accepted:
        return Status(422, out)
    return Status(201 if created else 200, out)


@router.post(
    "/absences",
    auth=patrol_auth,
    url_name="patrols_absence_create",
    response={201: AbsenceOut, 400: Problems},
    openapi_extra=_write(AbsenceIn),
    summary="Declare an absence; answers with the published shifts it clashes with",
)
def absence_create(request: SignedInRequest):
    body = _body(request, AbsenceIn)
    person = _own_person(request)
    try:
        absence = shifts.declare_absence(
            person=person,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            reason=body.reason,
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(exc)
    clashes = [
        {
            "assignment": a.pk,
            "date": a.shift.service_date,
            "shift": a.shift.pattern.name,
            "starts_at": a.shift.starts_at,
        }
        for a in selectors_self.clashing_assignments(absence)
    ]
    return Status(
        201,
        {
            "id": absence.pk,
            "starts_on": absence.starts_on,
            "ends_on": absence.ends_on,
            "reason": absence.reason,
            "clashes": clashes,
        },
    )


@router.post(
    "/swaps",
    auth=patrol_auth,
    url_name="patrols_swap_create",
    response={201: SwapOut, 400: Problems, 403: Detail},
    openapi_extra=_write(SwapIn),
    summary="Ask the director to let someone take over one of my shifts",
)
def swap_create(request: SignedInRequest):
    body = _body(request, SwapIn)
    assignment = visible_or_404(
        Assignment.objects.select_related("shift__pattern", "person"),
        request.user,
        pk=body.assignment,
    )
    if assignment.person.account_id != request.user.pk:
        return Status(403, {"detail": _("This shift is not yours.")})
    people = Person.objects.filter(pk=body.replacement).prefetch_related(
        "vetting_checks", "training_records"
    )
    reachable = Q(pk__in=Person.objects.visible_to(request.user).values("pk"))
    if assignment.zone_id:  # a joint patrol's members come from several villages
        reachable |= Q(joint_zones=assignment.zone_id)
    replacement = people.filter(reachable).distinct().first()
    if replacement is None:
        raise Http404
    try:
        swap = swaps.request_swap(
            assignment=assignment, replacement=replacement, reason=body.reason, by=request.user
        )
    except ValidationError as exc:
        return _refused(exc)
    return Status(
        201,
        {
            "id": swap.pk,
            "assignment": assignment.pk,
            "status": swap.status,
            "reason": swap.reason,
            "replacement": {"id": replacement.pk, "name": replacement.name},
        },
    )
