"""Safety inspections (安全检查) and rectification orders (整改通知): the writes (the reads are in
`casebook.selectors.inspections`).

An inspection of one place is planned for a day or made ad hoc, and its checklist (a default
per kind of place, plus the inspector's own items) is recorded item by item. A failed item can
become a hazard, with photos; each hazard gets one rectification order naming who must do what
by when. A re-inspection verifies the work, or finds it not done (the order stays open with a
new deadline), or escalates it into the case register. The lifecycles are transition tables:

    inspection  planned → done (checklist recorded) → closed (nothing left to rectify)
    order       open → reported done → verified | escalated;  open | reported done → open

An inspection closes by itself once every hazard's order is verified or escalated (or, when it
found nothing, as soon as it is recorded). Who acts: the village director (MANAGE_VILLAGE) and
the township officer on a spot inspection (SUPERVISE_VILLAGES), inside their own jurisdiction.
Refusals raise ValidationError with a translated message and change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.casebook.models import (
    Attachment,
    Case,
    CaseType,
    ChecklistItem,
    Hazard,
    Inspection,
    InspectionStatus,
    OrderStatus,
    PlaceKind,
    RectificationOrder,
    ReporterKind,
    Severity,
)
from qunfang.casebook.services.cases import register_case
from qunfang.core.lifecycle import Lifecycle
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.core.uploads import CheckedFile, check_upload

MAX_ITEMS = 40
MAX_PHOTOS = 6
HAZARD_CASE_TYPE = "hazard"

# ---- default checklists per kind of place ---------------------------------------------------
# English msgids (the translator gives the Chinese); the item texts are copied into the
# inspection in the language of the person who plans it, so the paper record stays as written.

CHECKLISTS: dict[str, list] = {
    PlaceKind.RENTAL: [
        gettext_lazy("Fire extinguisher present, charged and within its date"),
        gettext_lazy("Escape route and stairway clear, exit doors open from inside"),
        gettext_lazy("Electric wiring safe: no bare, aged or overloaded lines"),
        gettext_lazy("No electric bicycles parked or charged indoors or in corridors"),
        gettext_lazy("Smoke detector fitted and working"),
        gettext_lazy("Window bars leave an escape opening"),
        gettext_lazy("Gas cylinders and stoves kept out of bedrooms"),
        gettext_lazy("Rental registered with the village (出租房屋登记)"),
        gettext_lazy("Tenant registration up to date (流动人口登记)"),
        gettext_lazy("Landlord's safety responsibility letter signed"),
    ],
    PlaceKind.SHOP: [
        gettext_lazy("Business licence displayed"),
        gettext_lazy("Fire extinguisher present, charged and within its date"),
        gettext_lazy("Exits and aisles clear, not blocked by goods"),
        gettext_lazy("Wiring and sockets safe, no makeshift extension leads"),
        gettext_lazy("Nobody sleeps in the shop or its store (no 三合一 place)"),
        gettext_lazy("Gas cylinders secured and inspected"),
        gettext_lazy("Flammable goods stored away from heat and wiring"),
        gettext_lazy("No goods sold past their expiry date"),
    ],
    PlaceKind.SCHOOL: [
        gettext_lazy("Gate guarded at school hours and visitors recorded"),
        gettext_lazy("Guard equipment ready (steel fork, shield, baton)"),
        gettext_lazy("Surveillance cameras working and recording"),
        gettext_lazy("Fire extinguishers and emergency lights in order"),
        gettext_lazy("Escape routes and stairways clear"),
        gettext_lazy("School bus and driver checked"),
        gettext_lazy("Canteen food safety records kept"),
        gettext_lazy("Safety drill held this term"),
        gettext_lazy("Traffic kept safe at the gate at school times"),
    ],
    PlaceKind.POND: [
        gettext_lazy("Drowning warning signs in place and readable"),
        gettext_lazy("Guard rails or fences intact"),
        gettext_lazy("Rescue equipment at hand (life buoy, pole, rope)"),
        gettext_lazy("Banks stable, no collapse or undercutting"),
        gettext_lazy("Drowning-prevention watch arranged for the summer holidays"),
    ],
    PlaceKind.ELECTRICAL: [
        gettext_lazy("Distribution box closed and locked"),
        gettext_lazy("No bare or aged wires"),
        gettext_lazy("Earth-leakage protection switch fitted and tripping"),
        gettext_lazy("Lines clear of trees, roofs and scaffolding"),
        gettext_lazy("No private connections or makeshift lines (私拉乱接)"),
        gettext_lazy("Earthing in order"),
    ],
    PlaceKind.FIRE: [
        gettext_lazy("Fire extinguishers present, charged and within their date"),
        gettext_lazy("Fire hydrant and hose usable"),
        gettext_lazy("Fire lane clear for the fire engine"),
        gettext_lazy("No open burning of straw or rubbish"),
        gettext_lazy("Firewood, straw and fuel stored away from dwellings"),
        gettext_lazy("Water for firefighting at hand"),
    ],
    PlaceKind.WORKSHOP: [
        gettext_lazy("Workshop, store and living quarters kept apart (no 三合一 place)"),
        gettext_lazy("Fire extinguishers present, charged and within their date"),
        gettext_lazy("Exits and escape routes clear"),
        gettext_lazy("Machines guarded and workers trained to use them"),
        gettext_lazy("Hazardous chemicals stored safely and recorded"),
        gettext_lazy("Wiring safe, no overloaded lines"),
        gettext_lazy("Safety responsibility letter signed"),
    ],
    PlaceKind.OTHER: [
        gettext_lazy("Fire extinguisher present, charged and within its date"),
        gettext_lazy("Escape route clear"),
        gettext_lazy("Electric wiring safe"),
        gettext_lazy("Safety warnings posted where needed"),
    ],
}


def default_checklist(place_kind: str) -> list[str]:
    """The checklist of a kind of place, in the current language."""
    return [str(text) for text in CHECKLISTS.get(place_kind, CHECKLISTS[PlaceKind.OTHER])]


# ---- the transition tables ------------------------------------------------------------------

INSPECTION_MOVES: dict[str, frozenset[str]] = {
    InspectionStatus.PLANNED: frozenset({InspectionStatus.DONE}),
    InspectionStatus.DONE: frozenset({InspectionStatus.CLOSED}),
    InspectionStatus.CLOSED: frozenset(),
}
ORDER_MOVES: dict[str, frozenset[str]] = {
    OrderStatus.OPEN: frozenset(
        {OrderStatus.REPORTED_DONE, OrderStatus.VERIFIED, OrderStatus.OPEN, OrderStatus.ESCALATED}
    ),
    OrderStatus.REPORTED_DONE: frozenset(
        {OrderStatus.VERIFIED, OrderStatus.OPEN, OrderStatus.ESCALATED}
    ),
    OrderStatus.VERIFIED: frozenset(),
    OrderStatus.ESCALATED: frozenset(),
}
SETTLED = frozenset({OrderStatus.VERIFIED, OrderStatus.ESCALATED})


class Reinspection(TextChoices):
    """What a re-inspection finds."""

    VERIFIED = "verified", gettext_lazy("Rectified: close the order")
    NOT_FIXED = "not_fixed", gettext_lazy("Not rectified: set a new deadline")
    ESCALATED = "escalated", gettext_lazy("Not rectified: escalate to the case register")


REINSPECTION_TARGET = {
    Reinspection.VERIFIED: OrderStatus.VERIFIED,
    Reinspection.NOT_FIXED: OrderStatus.OPEN,
    Reinspection.ESCALATED: OrderStatus.ESCALATED,
}


# ---- who acts -------------------------------------------------------------------------------

# The village director and the township officer (the pages that plan and record ask for these).
ACT_PERMS = (Perm.MANAGE_VILLAGE, Perm.SUPERVISE_VILLAGES)


def can_act(user: User, region: Region | None = None) -> bool:
    """The village director and the township officer plan, record and follow up inspections,
    each inside their own jurisdiction (a system administrator anywhere)."""
    if not (user.is_active and any(user.can(p) for p in ACT_PERMS)):
        return False
    if region is None or user.is_system_admin:
        return True
    return user.works_in(region)


def _require(user: User, region: Region) -> None:
    if not can_act(user, region):
        raise PermissionDenied


def _today() -> dt.date:
    return timezone.localdate()


# An inspection's history rows are its line; an order keeps its own running record (`_log`).
INSPECTION_LIFECYCLE = Lifecycle(
    Inspection,
    InspectionStatus,
    INSPECTION_MOVES,
    may=lambda inspection, user, to: can_act(user, inspection.region),
    related=("region",),
)
ORDER_LIFECYCLE = Lifecycle(
    RectificationOrder,
    OrderStatus,
    ORDER_MOVES,
    may=lambda order, user, to: can_act(user, order.hazard.inspection.region),
    related=("hazard__inspection__region",),
)


def _log(order: RectificationOrder, line: str) -> None:
    """The order's running record of reports and re-inspections, one dated line each."""
    order.result = "\n".join(filter(None, [order.result.strip(), line.strip()]))


# ---- inspections ----------------------------------------------------------------------------


@transaction.atomic
def inspection_create(
    *,
    region: Region,
    place_name: str,
    place_kind: str,
    by: User,
    address: str = "",
    planned_for: dt.date | None = None,
    note: str = "",
    extra_items: Iterable[str] = (),
) -> Inspection:
    """Plan an inspection (`planned_for`), or open an ad hoc one to record now (no date)."""
    _require(by, region)
    if region.kind != RegionKind.VILLAGE:
        raise ValidationError(_("An inspection belongs to a village."))
    if not place_name.strip():
        raise ValidationError(_("Name the place to inspect."))
    if place_kind not in PlaceKind.values:
        raise ValidationError(_("Choose the kind of place."))
    if planned_for is not None and planned_for < _today():
        raise ValidationError(_("A planned inspection cannot be dated in the past."))
    texts: list[str] = []
    for text in [*default_checklist(place_kind), *extra_items]:
        text = " ".join(text.split())[:200]
        if text and text not in texts:
            texts.append(text)
    if len(texts) > MAX_ITEMS:
        raise ValidationError(_("A checklist has at most %(n)d items.") % {"n": MAX_ITEMS})
    inspection = Inspection.objects.create(
        region=region,
        place_name=place_name.strip(),
        place_kind=place_kind,
        address=address.strip(),
        planned_for=planned_for,
        note=note.strip(),
        created_by=by,
    )
    ChecklistItem.objects.bulk_create([ChecklistItem(inspection=inspection, text=t) for t in texts])
    return inspection


@transaction.atomic
def inspection_record(
    *,
    inspection: Inspection,
    results: dict[int, tuple[bool, str]],
    inspectors: str,
    inspected_on: dt.date,
    by: User,
    hazards_from: Iterable[int] = (),
) -> Inspection:
    """Record the checklist (every item passed or failed, with a note) and who inspected on
    which day. Failed items named in `hazards_from` become hazards of the inspection."""
    _require(by, inspection.region)
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=inspection.pk)
    )
    if inspection.status != InspectionStatus.PLANNED:
        raise ValidationError(_("This inspection has already been recorded."))
    if not inspectors.strip():
        raise ValidationError(_("Name the inspectors."))
    if inspected_on > _today():
        raise ValidationError(_("The inspection date lies in the future."))
    items = list(inspection.items.order_by("id"))
    if not items:
        raise ValidationError(_("The checklist is empty."))
    missing = [item for item in items if item.pk not in results]
    if missing:
        raise ValidationError(_("Mark every checklist item passed or failed."))
    hazards_from = set(hazards_from)
    if any(pk not in results or results[pk][0] for pk in hazards_from):
        raise ValidationError(_("Only a failed item can become a hazard."))
    for item in items:
        passed, item_note = results[item.pk]
        item.passed, item.note = bool(passed), item_note.strip()[:200]
    ChecklistItem.objects.bulk_update(items, ["passed", "note"])
    for item in items:
        if item.pk in hazards_from:
            description = f"{item.text}：{item.note}" if item.note else item.text
            Hazard.objects.create(
                inspection=inspection, description=description, severity=Severity.ORDINARY
            )
    inspectors = " ".join(inspectors.split())[:200]

    def apply(locked: Inspection) -> None:
        locked.inspectors, locked.inspected_on = inspectors, inspected_on

    inspection = INSPECTION_LIFECYCLE.move(inspection, InspectionStatus.DONE, by=by, apply=apply)
    return _settle(inspection, by)


def _settle(inspection: Inspection, by: User) -> Inspection:
    """Close a recorded inspection once nothing is left to rectify: every hazard's order is
    verified or escalated, or (with no hazard at all) no checklist item failed."""
    if inspection.status != InspectionStatus.DONE:
        return inspection
    hazards = list(inspection.hazards.select_related("order"))
    if hazards:
        settled = all(
            getattr(h, "order", None) is not None and h.order.status in SETTLED for h in hazards
        )
    else:
        settled = not inspection.items.filter(passed=False).exists()
    if settled:
        return INSPECTION_LIFECYCLE.move(inspection, InspectionStatus.CLOSED, by=by)
    return inspection


# ---- hazards --------------------------------------------------------------------------------


def _photo_name(hazard: Hazard, number: int, photo: CheckedFile) -> str:
    return f"hazard-{hazard.pk}-{number}.{photo.extension}"


def hazard_add(
    *,
    inspection: Inspection,
    description: str,
    by: User,
    severity: int = Severity.ORDINARY,
    photos: Sequence[UploadedFile | CheckedFile] = (),
) -> Hazard:
    """A hazard found on a recorded inspection, with photos. Every photo is checked (and
    cleaned of EXIF and GPS) before anything is written: one disguised or oversized file
    refuses the whole hazard. Photos a form has checked already pass through as they are."""
    _require(by, inspection.region)
    if inspection.status == InspectionStatus.PLANNED:
        raise ValidationError(_("Record the inspection before adding hazards."))
    if inspection.status == InspectionStatus.CLOSED:
        raise ValidationError(
            _("This inspection is closed; plan a new inspection for a new hazard.")
        )
    if not description.strip():
        raise ValidationError(_("Describe the hazard."))
    if severity not in Severity.values:
        raise ValidationError(_("Choose the severity."))
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS})
    checked = [check_upload(photo, allow_pdf=False) for photo in photos]
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
        if inspection.status != InspectionStatus.DONE:
            raise ValidationError(
                _("Someone changed this inspection meanwhile. Look again and retry.")
            )
        hazard = Hazard.objects.create(
            inspection=inspection, description=description.strip(), severity=severity
        )
        for number, info in enumerate(checked, start=1):
            attachment = Attachment(
                region_id=inspection.region_id,
                hazard=hazard,
                content_type=info.content_type,
                size=info.size,
                original_name=PurePosixPath(info.name.replace("\\", "/")).name[:200],
                uploaded_by=by,
            )
            attachment.file.save(_photo_name(hazard, number, info), info.file, save=False)
            attachment.save()
    return hazard


# ---- rectification orders (整改通知) -----------------------------------------------------------


@transaction.atomic
def order_issue(
    *, hazard: Hazard, responsible: str, measures: str, deadline: dt.date, by: User
) -> RectificationOrder:
    """The rectification notice for a hazard: who must do what, by when (today or later)."""
    inspection = hazard.inspection
    _require(by, inspection.region)
    hazard = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("inspection")
        .get(pk=hazard.pk)
    )
    if RectificationOrder.objects.filter(hazard=hazard).exists():
        raise ValidationError(_("This hazard already has a rectification order."))
    if hazard.inspection.status != InspectionStatus.DONE:
        raise ValidationError(
            _("Rectification is ordered on a recorded inspection that is not closed.")
        )
    if not responsible.strip():
        raise ValidationError(_("Name who must rectify the hazard."))
    if not measures.strip():
        raise ValidationError(_("Say what must be done."))
    if deadline < _today():
        raise ValidationError(_("The deadline cannot be in the past."))
    return RectificationOrder.objects.create(
        hazard=hazard, responsible=responsible.strip(), measures=measures.strip(), deadline=deadline
    )


@transaction.atomic
def order_report_done(*, order: RectificationOrder, by: User, note: str = "") -> RectificationOrder:
    """The responsible party says the work is done; a re-inspection still has to see it."""
    _require(by, order.hazard.inspection.region)
    line = _("%(date)s reported done by the responsible party") % {"date": f"{_today():%Y-%m-%d}"}

    def apply(locked: RectificationOrder) -> None:
        _log(locked, f"{line}：{note.strip()}" if note.strip() else line)

    return ORDER_LIFECYCLE.move(order, OrderStatus.REPORTED_DONE, by=by, note=note, apply=apply)


@transaction.atomic
def order_reinspect(
    *,
    order: RectificationOrder,
    outcome: str,
    on: dt.date,
    by: User,
    result: str = "",
    new_deadline: dt.date | None = None,
) -> RectificationOrder:
    """Re-inspect the hazard: verified (the order closes), not fixed (it stays open with a new
    deadline) or escalated (a hazard case is registered and linked to the order)."""
    _require(by, order.hazard.inspection.region)
    if outcome not in Reinspection.values:
        raise ValidationError(_("Choose what the re-inspection found."))
    to = REINSPECTION_TARGET[Reinspection(outcome)]
    result = result.strip()

    def check(locked: RectificationOrder) -> None:
        inspection = locked.hazard.inspection
        if on > _today():
            raise ValidationError(_("The re-inspection date lies in the future."))
        if inspection.inspected_on and on < inspection.inspected_on:
            raise ValidationError(_("The re-inspection cannot come before the inspection."))
        if outcome != Reinspection.VERIFIED and not result:
            raise ValidationError(_("Say what the re-inspection found."))
        if outcome == Reinspection.NOT_FIXED and (new_deadline is None or new_deadline < _today()):
            raise ValidationError(_("Set a new deadline, today or later."))

    def apply(locked: RectificationOrder) -> None:
        if outcome == Reinspection.NOT_FIXED:  # (with a new deadline: checked above)
            locked.deadline = new_deadline  # type: ignore[assignment]
        locked.reinspected_on = on
        line = _("%(date)s re-inspected: %(outcome)s") % {
            "date": f"{on:%Y-%m-%d}",
            "outcome": OrderStatus(to).label,
        }
        if outcome == Reinspection.NOT_FIXED:
            line += " · " + _("new deadline %(date)s") % {"date": f"{locked.deadline:%Y-%m-%d}"}
        _log(locked, f"{line}：{result}" if result else line)
        if outcome == Reinspection.ESCALATED:
            locked.escalated_case = _escalate(locked, by=by, finding=result)

    order = ORDER_LIFECYCLE.move(order, to, by=by, note=result, check=check, apply=apply)
    _settle(Inspection.objects.get(pk=order.hazard.inspection_id), by)
    return order


def _escalate(order: RectificationOrder, *, by: User, finding: str) -> Case:
    """Register the unrectified hazard in the case register (type hazard), owned by whoever
    escalates it; the escalation rules then decide what goes up and how fast."""
    hazard, inspection = order.hazard, order.hazard.inspection
    case_type = CaseType.objects.filter(code=HAZARD_CASE_TYPE).first()
    if case_type is None:
        raise ValidationError(
            _("The incident type for hazards is missing; ask the system administrator.")
        )
    title = _("Hazard not rectified: %(place)s") % {"place": inspection.place_name}
    description = "\n".join(
        [
            _("Hazard found on %(date)s: %(hazard)s")
            % {
                "date": f"{inspection.inspected_on:%Y-%m-%d}" if inspection.inspected_on else "—",
                "hazard": hazard.description,
            },
            _("Rectification ordered of %(who)s by %(deadline)s: %(measures)s")
            % {
                "who": order.responsible,
                "deadline": f"{order.deadline:%Y-%m-%d}",
                "measures": order.measures,
            },
            _("Re-inspection: %(finding)s") % {"finding": finding},
        ]
    )
    case = Case(
        region=inspection.region,
        case_type=case_type,
        severity=hazard.severity,
        title=title[:100],
        description=description,
        occurred_at=timezone.now(),
        address=(inspection.address or inspection.place_name)[:200],
        reporter_kind=ReporterKind.STAFF,
        reporter_name=str(by)[:50],
    )
    return register_case(case=case, by=by)
