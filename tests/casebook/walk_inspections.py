"""Outsider-walk classification of the safety inspection routes
(see tests/core/test_outsider_walk.py).

`records()` makes one of each inspection record in village 1: a planned inspection (its
checklist opens for recording), a recorded one with a hazard under an open order (with a
photo) and a hazard still without an order."""

import datetime as dt
import io
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from qunfang.casebook.models import PlaceKind
from qunfang.casebook.services import inspections

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "casebook:inspection_list": SCOPED,
    "casebook:inspection_create": SCOPED,  # the form offers the user's own villages only
    "casebook:inspection_register_print": SCOPED,  # without a village: asks for one of the user's
    "casebook:overdue_orders": SCOPED,
    "casebook:inspection_detail": FOREIGN_404,
    "casebook:inspection_record": FOREIGN_404,
    "casebook:hazard_add": FOREIGN_404,
    "casebook:inspection_print": FOREIGN_404,
    "casebook:hazard_photo": FOREIGN_404,
    "casebook:order_create": FOREIGN_404,
    "casebook:order_report_done": FOREIGN_404,  # POST only
    "casebook:order_reinspect": FOREIGN_404,  # POST only
}
PK_OWNER: dict[str, str] = {  # route name -> attribute of the namespace records() returns
    "casebook:inspection_detail": "inspection",
    "casebook:inspection_record": "planned",
    "casebook:hazard_add": "inspection",
    "casebook:inspection_print": "inspection",
    "casebook:hazard_photo": "photo",
    "casebook:order_create": "hazard_open",
    "casebook:order_report_done": "order",
    "casebook:order_reinspect": "order",
}
SAMPLES: dict[str, object] = {}  # other URL parameters -> value
MARKER_PLACE = "枫源村楼家出租屋"
MARKERS: list[str] = [
    MARKER_PLACE,
    "枫源村小卖部",
    "楼家房东",
]  # strings only village 1's records contain


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def records(world, base) -> SimpleNamespace:
    today = timezone.localdate()
    by = world.director1
    planned = inspections.inspection_create(
        region=world.village1,
        place_name="枫源村小卖部",
        place_kind=PlaceKind.SHOP,
        by=by,
        planned_for=today + dt.timedelta(days=3),
    )
    inspection = inspections.inspection_create(
        region=world.village1,
        place_name=MARKER_PLACE,
        place_kind=PlaceKind.RENTAL,
        address="枫源村1号",
        by=by,
    )
    items = list(inspection.items.order_by("id"))
    results = {
        item.pk: (item is not items[0], "灭火器过期" if item is items[0] else "") for item in items
    }
    inspection = inspections.inspection_record(
        inspection=inspection,
        results=results,
        inspectors="骆金法",
        inspected_on=today,
        by=by,
        hazards_from=[items[0].pk],
    )
    hazard = inspection.hazards.get()
    order = inspections.order_issue(
        hazard=hazard,
        responsible="楼家房东",
        measures="更换灭火器",
        deadline=today + dt.timedelta(days=7),
        by=by,
    )
    photo_upload = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    hazard_open = inspections.hazard_add(
        inspection=inspection, description="楼道堆放杂物", by=by, photos=[photo_upload]
    )
    return SimpleNamespace(
        planned=planned,
        inspection=inspection,
        hazard=hazard,
        order=order,
        hazard_open=hazard_open,
        photo=hazard_open.attachments.get(),
    )
