"""Safety inspections (安全检查) and rectification orders (整改通知): the lifecycles through the
services and the screens, refused input, photos, escalation into the case register, the
overdue list, scoping, query counts and the paper."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.casebook.models import (
    Attachment,
    Case,
    CaseEvent,
    Hazard,
    Inspection,
    InspectionStatus,
    OrderStatus,
    PlaceKind,
    RectificationOrder,
    Severity,
)
from qunfang.casebook.selectors import inspections as sel
from qunfang.casebook.services import inspections as svc
from tests.casebook import walk_inspections as walk
from tests.clock import AWKWARD, MIDWEEK, WEEK_END
from tests.images import bomb_png, metadata_left, phone_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def today():
    return timezone.localdate()


def planned(world, *, village=None, by=None, kind=PlaceKind.RENTAL, name="楼家出租屋", days=2):
    return svc.inspection_create(
        region=village or world.village1,
        place_name=name,
        place_kind=kind,
        by=by or world.director1,
        planned_for=today() + dt.timedelta(days=days),
    )


def record(inspection, by, *, failed=(), hazards=()):
    """Record every item passed except the `failed` positions; `hazards` positions become
    hazards."""
    items = list(inspection.items.order_by("id"))
    results = {
        item.pk: (n not in failed, "问题" if n in failed else "") for n, item in enumerate(items)
    }
    return svc.inspection_record(
        inspection=inspection,
        results=results,
        inspectors="骆金法、何小军",
        inspected_on=today(),
        by=by,
        hazards_from=[items[n].pk for n in hazards],
    )


def with_order(world, *, days=7):
    inspection = record(planned(world), world.director1, failed=[0], hazards=[0])
    hazard = inspection.hazards.get()
    order = svc.order_issue(
        hazard=hazard,
        responsible="楼家房东",
        measures="更换灭火器",
        deadline=today() + dt.timedelta(days=days),
        by=world.director1,
    )
    return inspection, hazard, order


def png(name="photo.png"):
    return SimpleUploadedFile(name, walk.png_bytes(), content_type="image/png")


# ---- checklists ---------------------------------------------------------------------------------


def test_every_kind_of_place_has_a_default_checklist():
    for kind in PlaceKind.values:
        assert len(svc.default_checklist(kind)) >= 4, kind
    rental = " ".join(svc.default_checklist(PlaceKind.RENTAL))
    assert "extinguisher" in rental or "灭火器" in rental
    assert "流动人口登记" in rental  # tenant registration


def test_a_new_inspection_gets_the_default_checklist_plus_its_own_items(world):
    inspection = svc.inspection_create(
        region=world.village1,
        place_name="小学",
        place_kind=PlaceKind.SCHOOL,
        by=world.director1,
        planned_for=today(),
        extra_items=["  校门口减速带完好 ", "校门口减速带完好", ""],
    )
    texts = list(inspection.items.values_list("text", flat=True))
    assert texts[: len(svc.default_checklist(PlaceKind.SCHOOL))] == svc.default_checklist(
        PlaceKind.SCHOOL
    )
    assert texts[-1] == "校门口减速带完好" and texts.count("校门口减速带完好") == 1
    assert inspection.status == InspectionStatus.PLANNED


# ---- the inspection lifecycle -------------------------------------------------------------------


def test_lifecycle_planned_done_closed_through_the_services(world):
    inspection = planned(world)
    assert inspection.status == InspectionStatus.PLANNED
    inspection = record(inspection, world.director1, failed=[0, 2], hazards=[0, 2])
    assert inspection.status == InspectionStatus.DONE
    assert inspection.inspected_on == today() and inspection.inspectors == "骆金法、何小军"
    first, second = inspection.hazards.order_by("id")
    assert first.description.endswith("问题")
    a = svc.order_issue(
        hazard=first, responsible="房东", measures="整改", deadline=today(), by=world.director1
    )
    b = svc.order_issue(
        hazard=second, responsible="房东", measures="整改", deadline=today(), by=world.director1
    )
    a = svc.order_report_done(order=a, note="已更换", by=world.director1)
    assert a.status == OrderStatus.REPORTED_DONE and "已更换" in a.result
    svc.order_reinspect(order=a, outcome=svc.Reinspection.VERIFIED, on=today(), by=world.director1)
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.DONE  # b still open
    b = svc.order_reinspect(
        order=b, outcome=svc.Reinspection.VERIFIED, on=today(), by=world.township_officer
    )
    assert b.status == OrderStatus.VERIFIED and b.reinspected_on == today()
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.CLOSED


def test_an_inspection_that_found_nothing_closes_when_recorded(world):
    assert record(planned(world), world.director1).status == InspectionStatus.CLOSED


def test_failed_items_without_a_hazard_keep_the_inspection_open(world):
    inspection = record(planned(world), world.director1, failed=[1])
    assert inspection.status == InspectionStatus.DONE and not inspection.hazards.exists()


def test_a_hazard_without_an_order_keeps_it_open_and_a_closed_inspection_takes_no_more(world):
    inspection, _hazard, order = with_order(world)
    extra = svc.hazard_add(inspection=inspection, description="楼道堆物", by=world.director1)
    svc.order_reinspect(order=order, outcome="verified", on=today(), by=world.director1)
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.DONE
    other = svc.order_issue(
        hazard=extra, responsible="房东", measures="清理", deadline=today(), by=world.director1
    )
    svc.order_reinspect(
        order=other, outcome="escalated", on=today(), result="未清理", by=world.director1
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED  # verified or escalated: settled
    with pytest.raises(ValidationError):
        svc.hazard_add(inspection=inspection, description="新隐患", by=world.director1)
    with pytest.raises(ValidationError):
        svc.order_reinspect(order=other, outcome="verified", on=today(), by=world.director1)


def test_an_inspection_is_recorded_once_and_completely(world):
    inspection = planned(world)
    items = list(inspection.items.order_by("id"))
    partial = {items[0].pk: (True, "")}
    with pytest.raises(ValidationError, match=r"every checklist item|每"):
        svc.inspection_record(
            inspection=inspection,
            results=partial,
            inspectors="甲",
            inspected_on=today(),
            by=world.director1,
        )
    all_passed = {item.pk: (True, "") for item in items}
    with pytest.raises(ValidationError):  # a passed item is no hazard
        svc.inspection_record(
            inspection=inspection,
            results=all_passed,
            inspectors="甲",
            inspected_on=today(),
            by=world.director1,
            hazards_from=[items[0].pk],
        )
    with pytest.raises(ValidationError):  # not in the future
        svc.inspection_record(
            inspection=inspection,
            results=all_passed,
            inspectors="甲",
            inspected_on=today() + dt.timedelta(days=1),
            by=world.director1,
        )
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.PLANNED
    assert not Hazard.objects.exists()
    record(inspection, world.director1)
    with pytest.raises(ValidationError, match="already"):
        record(inspection, world.director1)


def test_a_planned_date_in_the_past_is_refused(world):
    with pytest.raises(ValidationError):
        planned(world, days=-1)
    assert not Inspection.objects.exists()


def test_only_the_director_and_the_township_officer_act_and_only_in_their_jurisdiction(world):
    with pytest.raises(PermissionDenied):
        planned(world, by=world.police)
    with pytest.raises(PermissionDenied):
        planned(world, by=world.director2)  # village 1 is not theirs
    with pytest.raises(PermissionDenied):
        planned(world, by=world.township2_officer)
    spot = planned(world, village=world.village2, by=world.township_officer)  # a spot inspection
    assert spot.region == world.village2
    with pytest.raises(PermissionDenied):
        record(spot, world.director1)


# ---- the order lifecycle ------------------------------------------------------------------------


def test_a_deadline_in_the_past_is_refused_and_nothing_is_saved(world, client):
    inspection = record(planned(world), world.director1, failed=[0], hazards=[0])
    hazard = inspection.hazards.get()
    with pytest.raises(ValidationError, match=r"past|过去"):
        svc.order_issue(
            hazard=hazard,
            responsible="房东",
            measures="整改",
            deadline=today() - dt.timedelta(days=1),
            by=world.director1,
        )
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:order_create", args=[hazard.pk]),
        {
            "responsible": "房东",
            "measures": "整改",
            "deadline": f"{today() - dt.timedelta(days=1):%Y-%m-%d}",
        },
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not RectificationOrder.objects.exists()


def test_one_order_per_hazard(world):
    _inspection, hazard, _order = with_order(world)
    with pytest.raises(ValidationError):
        svc.order_issue(
            hazard=hazard, responsible="另一人", measures="x", deadline=today(), by=world.director1
        )
    assert RectificationOrder.objects.count() == 1


def test_not_fixed_stays_open_with_a_new_deadline(world):
    _inspection, _hazard, order = with_order(world)
    svc.order_report_done(order=order, by=world.director1)
    with pytest.raises(ValidationError, match=r"deadline|期限"):
        svc.order_reinspect(
            order=order, outcome="not_fixed", on=today(), result="仍未更换", by=world.director1
        )
    with pytest.raises(ValidationError):
        svc.order_reinspect(
            order=order,
            outcome="not_fixed",
            on=today(),
            result="仍未更换",
            new_deadline=today() - dt.timedelta(days=1),
            by=world.director1,
        )
    with pytest.raises(ValidationError):  # what was seen is required unless verified
        svc.order_reinspect(
            order=order, outcome="not_fixed", on=today(), new_deadline=today(), by=world.director1
        )
    assert RectificationOrder.objects.get(pk=order.pk).status == OrderStatus.REPORTED_DONE
    new = today() + dt.timedelta(days=10)
    order = svc.order_reinspect(
        order=order,
        outcome="not_fixed",
        on=today(),
        result="仍未更换",
        new_deadline=new,
        by=world.director1,
    )
    assert (
        order.status == OrderStatus.OPEN
        and order.deadline == new
        and order.reinspected_on == today()
    )
    assert "仍未更换" in order.result
    svc.order_report_done(order=order, by=world.director1)  # open again: may be reported again


def test_reported_done_only_from_open(world):
    _inspection, _hazard, order = with_order(world)
    svc.order_report_done(order=order, by=world.director1)
    with pytest.raises(ValidationError):
        svc.order_report_done(order=order, by=world.director1)


def test_escalation_registers_exactly_one_hazard_case_linked_to_the_order(world):
    inspection, hazard, order = with_order(world)
    order = svc.order_reinspect(
        order=order, outcome="escalated", on=today(), result="房东拒不整改", by=world.director1
    )
    assert order.status == OrderStatus.ESCALATED
    case = Case.objects.get()
    assert order.escalated_case == case
    assert case.case_type.code == "hazard" and case.region == world.village1
    assert case.owner == world.director1 and case.severity == hazard.severity
    assert inspection.place_name in case.title and "房东拒不整改" in case.description
    assert CaseEvent.objects.filter(case=case, kind="registered").count() == 1
    with pytest.raises(ValidationError):
        svc.order_reinspect(
            order=order, outcome="escalated", on=today(), result="again", by=world.director1
        )
    assert Case.objects.count() == 1
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.CLOSED


def test_escalating_twice_through_the_screen_makes_one_case(world, client):
    _inspection, _hazard, order = with_order(world)
    client.force_login(world.director1)
    url = reverse("casebook:order_reinspect", args=[order.pk])
    data = {"outcome": "escalated", "reinspected_on": f"{today():%Y-%m-%d}", "result": "拒不整改"}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 200 and 'role="alert"' in second.content.decode()
    assert Case.objects.count() == 1


# ---- photos -------------------------------------------------------------------------------------


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "upload",
    [
        ("photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "image/jpeg"),
        (
            "photo.jpg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/jpeg",
        ),
        (
            "photo.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
            "image/svg+xml",
        ),
    ],
    ids=["html-named-jpg", "svg-named-jpg", "svg"],
)
def test_a_disguised_photo_is_refused_and_nothing_is_saved(world, client, _media, upload):
    inspection = record(planned(world), world.director1, failed=[0])
    client.force_login(world.director1)
    name, content, content_type = upload
    response = client.post(
        reverse("casebook:hazard_add", args=[inspection.pk]),
        {
            "description": "电线老化",
            "severity": "2",
            "photos": [
                png("good.png"),
                SimpleUploadedFile(name, content, content_type=content_type),
            ],
        },
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Hazard.objects.exists() and not Attachment.objects.exists()
    assert _files(_media) == []
    with pytest.raises(ValidationError):  # the service refuses it too
        svc.hazard_add(
            inspection=inspection,
            description="电线老化",
            by=world.director1,
            photos=[SimpleUploadedFile(name, content, content_type=content_type)],
        )
    assert not Hazard.objects.exists() and _files(_media) == []


def test_a_real_photo_is_stored_with_the_hazard_and_served_only_inside_the_jurisdiction(
    world, client, _media
):
    inspection = record(planned(world), world.director1, failed=[0])
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:hazard_add", args=[inspection.pk]),
        {
            "description": "电线老化",
            "severity": str(Severity.MAJOR),
            "photos": [png("现场 1.png"), png("b.png")],
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "casebook:order_create", args=[hazard.pk]
    )
    photos = list(hazard.attachments.order_by("id"))
    assert [p.content_type for p in photos] == ["image/png", "image/png"]
    assert photos[0].region == world.village1 and photos[0].original_name == "现场 1.png"
    assert photos[0].file.name.endswith(f"hazard-{hazard.pk}-1.png")
    shown = client.get(reverse("casebook:hazard_photo", args=[photos[0].pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    detail = client.get(
        reverse("casebook:inspection_detail", args=[inspection.pk])
    ).content.decode()
    assert reverse("casebook:hazard_photo", args=[photos[1].pk]) in detail
    client.force_login(world.director2)
    assert client.get(reverse("casebook:hazard_photo", args=[photos[0].pk])).status_code == 404


def test_a_hazard_photo_is_stored_without_its_gps_and_a_bomb_is_refused(world, client, _media):
    inspection = record(planned(world), world.director1, failed=[0])
    client.force_login(world.director1)
    url = reverse("casebook:hazard_add", args=[inspection.pk])
    bomb = SimpleUploadedFile("bomb.png", bomb_png(20000, 20000), content_type="image/png")
    response = client.post(
        url, {"description": "电线老化", "severity": "2", "photos": [png(), bomb]}
    )
    assert response.status_code == 200
    assert "too large to process: 400 megapixels, at most 40" in response.content.decode()
    assert not Hazard.objects.exists() and _files(_media) == []
    photo = SimpleUploadedFile("IMG_1.jpg", phone_photo("JPEG"), content_type="image/jpeg")
    response = client.post(url, {"description": "电线老化", "severity": "2", "photos": [photo]})
    assert response.status_code == 302
    with Attachment.objects.get().file.open("rb") as handle:
        assert metadata_left(handle.read()) == []


def test_too_many_photos_are_refused(world):
    inspection = record(planned(world), world.director1, failed=[0])
    with pytest.raises(ValidationError):
        svc.hazard_add(
            inspection=inspection,
            description="x",
            by=world.director1,
            photos=[png(f"{n}.png") for n in range(svc.MAX_PHOTOS + 1)],
        )
    assert not Hazard.objects.exists()


# ---- the screens: the whole way through ---------------------------------------------------------


def test_the_whole_lifecycle_through_the_screens(world, client):
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:inspection_create"),
        {
            "region": world.village1.pk,
            "place_name": "楼家出租屋",
            "place_kind": PlaceKind.RENTAL,
            "address": "1号",
            "when": "planned",
            "planned_for": f"{today() + dt.timedelta(days=1):%Y-%m-%d}",
            "extra_items": "天台门可开启",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    assert inspection.items.filter(text="天台门可开启").exists()
    page = client.get(reverse("casebook:inspection_record", args=[inspection.pk]))
    assert page.status_code == 200
    items = list(inspection.items.order_by("id"))
    data = {"inspectors": "骆金法", "inspected_on": f"{today():%Y-%m-%d}"}
    for n, item in enumerate(items):
        data[f"result_{item.pk}"] = "fail" if n == 0 else "pass"
    data[f"note_{items[0].pk}"] = "灭火器过期"
    data[f"hazard_{items[0].pk}"] = "on"
    assert (
        client.post(reverse("casebook:inspection_record", args=[inspection.pk]), data).status_code
        == 302
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DONE
    hazard = inspection.hazards.get()
    assert "灭火器过期" in hazard.description
    response = client.post(
        reverse("casebook:order_create", args=[hazard.pk]),
        {
            "responsible": "楼家房东",
            "measures": "更换灭火器",
            "deadline": f"{today() + dt.timedelta(days=5):%Y-%m-%d}",
        },
    )
    assert response.status_code == 302
    order = RectificationOrder.objects.get()
    detail = client.get(inspection.get_absolute_url()).content.decode()
    assert "楼家房东" in detail and reverse("casebook:order_reinspect", args=[order.pk]) in detail
    assert (
        client.post(
            reverse("casebook:order_report_done", args=[order.pk]), {"note": "已换"}
        ).status_code
        == 302
    )
    assert RectificationOrder.objects.get().status == OrderStatus.REPORTED_DONE
    response = client.post(
        reverse("casebook:order_reinspect", args=[order.pk]),
        {"outcome": "verified", "reinspected_on": f"{today():%Y-%m-%d}"},
    )
    assert response.status_code == 302
    assert RectificationOrder.objects.get().status == OrderStatus.VERIFIED
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED


def test_an_ad_hoc_inspection_goes_straight_to_its_checklist(world, client):
    client.force_login(world.township_officer)
    response = client.post(
        reverse("casebook:inspection_create"),
        {
            "region": world.village2.pk,
            "place_name": "乐山村鱼塘",
            "place_kind": PlaceKind.POND,
            "when": "now",
        },
    )
    inspection = Inspection.objects.get()
    assert inspection.planned_for is None and inspection.region == world.village2
    assert response["Location"] == reverse("casebook:inspection_record", args=[inspection.pk])


def test_the_create_form_refuses_a_past_date_and_another_village(world, client):
    client.force_login(world.director1)
    url = reverse("casebook:inspection_create")
    base = {"place_name": "店", "place_kind": PlaceKind.SHOP, "when": "planned"}
    past = client.post(
        url,
        {
            **base,
            "region": world.village1.pk,
            "planned_for": f"{today() - dt.timedelta(days=1):%Y-%m-%d}",
        },
    )
    assert past.status_code == 200 and 'role="alert"' in past.content.decode()
    foreign = client.post(
        url, {**base, "region": world.village2.pk, "planned_for": f"{today():%Y-%m-%d}"}
    )
    assert foreign.status_code == 200
    missing_day = client.post(url, {**base, "region": world.village1.pk})
    assert missing_day.status_code == 200
    assert not Inspection.objects.exists()


def test_the_record_form_needs_every_item_and_refuses_a_hazard_on_a_passed_item(world, client):
    inspection = planned(world)
    client.force_login(world.director1)
    url = reverse("casebook:inspection_record", args=[inspection.pk])
    items = list(inspection.items.order_by("id"))
    data = {
        "inspectors": "骆金法",
        "inspected_on": f"{today():%Y-%m-%d}",
        f"result_{items[0].pk}": "pass",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    data = {**data, **{f"result_{i.pk}": "pass" for i in items}, f"hazard_{items[0].pk}": "on"}
    assert client.post(url, data).status_code == 200
    assert (
        Inspection.objects.get().status == InspectionStatus.PLANNED and not Hazard.objects.exists()
    )


def test_a_refused_reinspection_shows_its_errors_on_the_detail_page(world, client):
    inspection, _hazard, order = with_order(world)
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:order_reinspect", args=[order.pk]),
        {"outcome": "not_fixed", "reinspected_on": f"{today():%Y-%m-%d}"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        inspection.place_name in body
        and 'role="alert"' in body
        and '<details class="insp-reinspect" open' in body
    )
    assert RectificationOrder.objects.get().status == OrderStatus.OPEN


def test_a_failed_item_can_become_a_hazard_later(world, client):
    inspection = record(planned(world), world.director1, failed=[0, 1], hazards=[0])
    first, second = inspection.items.order_by("id")[:2]
    client.force_login(world.director1)
    detail = client.get(inspection.get_absolute_url()).content.decode()
    assert (
        f"?item={second.pk}" in detail and f"?item={first.pk}" not in detail
    )  # the first is a hazard already
    page = client.get(reverse("casebook:hazard_add", args=[inspection.pk]) + f"?item={second.pk}")
    assert page.status_code == 200 and second.text in page.content.decode()
    assert (
        client.get(reverse("casebook:hazard_add", args=[inspection.pk]) + "?item=x").status_code
        == 200
    )


# ---- who sees and who acts ----------------------------------------------------------------------


@pytest.fixture
def book(world, records):
    return walk.records(world, records)


def _foreign_urls(book):
    return [reverse(name, args=[getattr(book, attr).pk]) for name, attr in walk.PK_OWNER.items()]


@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
def test_outsiders_get_404_on_every_village1_record(world, book, client, outsider):
    client.force_login(getattr(world, outsider))
    for url in _foreign_urls(book):
        assert client.post(url).status_code == 404, url
        assert client.get(url).status_code in (404, 405), url
    for name in (
        "inspection_list",
        "overdue_orders",
        "inspection_create",
        "inspection_register_print",
    ):
        body = client.get(reverse(f"casebook:{name}")).content.decode()
        for marker in walk.MARKERS:
            assert marker not in body, (name, marker)
    assert (
        client.get(
            reverse("casebook:inspection_register_print") + f"?village={world.village1.code}"
        ).status_code
        == 404
    )
    assert set(book.order.__class__.objects.visible_to(getattr(world, outsider))) == set()


def test_village1_director_reaches_every_record(world, book, client):
    client.force_login(world.director1)
    for name, attr in walk.PK_OWNER.items():
        url = reverse(name, args=[getattr(book, attr).pk])
        status = client.get(url).status_code
        assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302)), url


def test_viewers_see_but_do_not_act(world, book, client):
    client.force_login(world.police)  # VIEW_REGISTRY, neither director nor township officer
    assert walk.MARKER_PLACE in client.get(reverse("casebook:inspection_list")).content.decode()
    assert (
        client.get(reverse("casebook:inspection_detail", args=[book.inspection.pk])).status_code
        == 200
    )
    assert client.get(reverse("casebook:inspection_create")).status_code == 403
    assert (
        client.get(reverse("casebook:inspection_record", args=[book.planned.pk])).status_code == 403
    )
    assert client.get(reverse("casebook:hazard_add", args=[book.inspection.pk])).status_code == 403
    assert (
        client.get(reverse("casebook:order_create", args=[book.hazard_open.pk])).status_code == 403
    )
    assert (
        client.post(reverse("casebook:order_report_done", args=[book.order.pk])).status_code == 403
    )
    assert (
        client.post(
            reverse("casebook:order_reinspect", args=[book.order.pk]),
            {"outcome": "verified", "reinspected_on": f"{today():%Y-%m-%d}"},
        ).status_code
        == 403
    )
    assert RectificationOrder.objects.get(pk=book.order.pk).status == OrderStatus.OPEN
    client.force_login(world.patrol1)
    assert client.get(reverse("casebook:inspection_list")).status_code == 403


def test_the_township_officer_inspects_any_village_of_the_township(world, book, client):
    client.force_login(world.township_officer)
    body = client.get(reverse("casebook:inspection_create")).content.decode()
    assert (
        world.village1.name in body
        and world.village2.name in body
        and world.village3.name not in body
    )
    assert (
        client.get(reverse("casebook:inspection_record", args=[book.planned.pk])).status_code == 200
    )


# ---- the list, the overdue list and the panel ---------------------------------------------------


def _make_overdue(order, days=3):
    RectificationOrder.objects.filter(pk=order.pk).update(
        deadline=today() - dt.timedelta(days=days)
    )


def test_overdue_orders_are_listed_and_highlighted(world, client):
    _inspection, _hazard, late = with_order(world)
    _make_overdue(late)
    with_order(world)  # on time: not listed
    spot = record(
        planned(world, village=world.village2, by=world.township_officer, name="乐山村店"),
        world.township_officer,
        failed=[0],
        hazards=[0],
    )
    elsewhere = svc.order_issue(
        hazard=spot.hazards.get(),
        responsible="乐山村店主",
        measures="x",
        deadline=today(),
        by=world.township_officer,
    )
    _make_overdue(elsewhere, days=1)
    assert list(sel.overdue_orders(world.director1)) == [late]
    assert list(sel.overdue_orders(world.township_officer)) == [late, elsewhere]
    assert list(sel.overdue_orders(world.township_officer, village=world.village2)) == [elsewhere]
    client.force_login(world.director1)
    body = client.get(reverse("casebook:overdue_orders")).content.decode()
    assert (
        body.count('data-testid="overdue-row"') == 1
        and "楼家房东" in body
        and "乐山村店主" not in body
    )
    listing = client.get(reverse("casebook:inspection_list")).content.decode()
    assert listing.count('class="insp-overdue"') == 1
    only = client.get(reverse("casebook:inspection_list") + "?status=overdue").content.decode()
    assert only.count('data-testid="inspection-row"') == 1
    svc.order_report_done(order=late, by=world.director1)  # reported done: waiting, not overdue
    body = client.get(reverse("casebook:overdue_orders")).content.decode()
    assert (
        body.count('data-testid="overdue-row"') == 0
        and body.count('data-testid="awaiting-row"') == 1
    )


def test_the_list_filters_by_village_kind_and_status(world, client):
    planned(world, kind=PlaceKind.SHOP, name="枫源村店")
    record(planned(world, kind=PlaceKind.POND, name="枫源村塘"), world.director1)
    planned(
        world,
        village=world.village2,
        by=world.township_officer,
        kind=PlaceKind.SHOP,
        name="乐山村店",
    )
    client.force_login(world.township_officer)
    url = reverse("casebook:inspection_list")

    def rows(query):
        return client.get(url + query).content.decode().count('data-testid="inspection-row"')

    assert rows("") == 3
    assert rows(f"?village={world.village2.code}") == 1
    assert rows("?kind=shop") == 2
    assert rows("?status=closed") == 1
    assert rows("?status=bogus&kind=bogus") == 3
    assert client.get(url + f"?village={world.village3.code}").status_code == 404


@pytest.mark.parametrize(
    ("instant", "monday", "this_week"),
    [
        # Monday 2029-01-01 00:30 in Shanghai, still Sunday in UTC: a new week (and year) begins
        (AWKWARD, dt.date(2029, 1, 1), ["today", "sunday"]),
        # Sunday 23:30: the week's last half hour (today is its Sunday; yesterday is in it)
        (WEEK_END, dt.date(2028, 12, 25), ["today", "sunday", "yesterday"]),
        (MIDWEEK, dt.date(2029, 1, 8), ["today", "sunday", "yesterday"]),
    ],
    ids=["monday-0030-shanghai", "sunday-2330-shanghai", "wednesday-noon"],
)
def test_the_panel_counts_overdue_orders_and_this_weeks_inspections(
    world, time_machine, instant, monday, this_week
):
    """This week is Monday to Sunday in Shanghai, whatever the date is in UTC (it failed on a
    Monday at 03:40 in Shanghai, 19:40 on Sunday in UTC)."""
    time_machine.move_to(instant, tick=False)
    assert sel.week_bounds(today()) == (monday, monday + dt.timedelta(days=6))
    _i, _h, order = with_order(world)  # its inspection is recorded: no longer planned
    _make_overdue(order)
    days = {
        "today": today(),
        "sunday": monday + dt.timedelta(days=6),
        "next monday": monday + dt.timedelta(days=7),
        "yesterday": today(),  # moved to yesterday below: planned, not done, late
    }
    for name, day in days.items():
        inspection = svc.inspection_create(
            region=world.village1,
            place_name=name,
            place_kind=PlaceKind.FIRE,
            by=world.director1,
            planned_for=day,
        )
    Inspection.objects.filter(pk=inspection.pk).update(planned_for=today() - dt.timedelta(days=1))
    summary = sel.inspection_summary(world.director1)
    assert summary["overdue_orders"] == 1
    assert summary["planned_this_week"] == len(this_week)
    assert summary["planned_late"] == 1
    assert sel.inspection_summary(world.director2)["overdue_orders"] == 0
    html = render_to_string("casebook/inspections/_panel.html", {"panel": summary})
    assert reverse("casebook:overdue_orders") in html and "tile-warn" in html


# ---- query counts -------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_inspection_list_costs_the_same_queries_for_1_or_12_rows(world, client):
    client.force_login(world.township_officer)
    url = reverse("casebook:inspection_list")
    inspection, _h, order = with_order(world)
    _make_overdue(order)
    one = _queries(client, url)
    for n in range(11):
        _i, _h, o = with_order(world)
        if n % 2:
            _make_overdue(o)
    assert Inspection.objects.count() == 12
    assert _queries(client, url) == one
    assert inspection.pk


def test_the_overdue_list_costs_the_same_queries_for_1_or_10_orders(world, client):
    client.force_login(world.director1)
    url = reverse("casebook:overdue_orders")
    _i, _h, order = with_order(world)
    _make_overdue(order)
    _i, _h, waiting = with_order(world)
    svc.order_report_done(order=waiting, by=world.director1)
    one = _queries(client, url)
    for _n in range(9):
        _i, _h, o = with_order(world)
        _make_overdue(o)
        _i, _h, w = with_order(world)
        svc.order_report_done(order=w, by=world.director1)
    assert _queries(client, url) == one


def test_the_detail_and_the_register_stay_flat_as_hazards_grow(world, client):
    client.force_login(world.director1)
    inspection, _h, _o = with_order(world)
    detail = reverse("casebook:inspection_detail", args=[inspection.pk])
    register = reverse("casebook:inspection_register_print")
    one, one_register = _queries(client, detail), _queries(client, register)
    for n in range(4):
        hazard = svc.hazard_add(
            inspection=inspection, description=f"隐患{n}", by=world.director1, photos=[png()]
        )
        svc.order_issue(
            hazard=hazard, responsible="x", measures="y", deadline=today(), by=world.director1
        )
        with_order(world)
    assert _queries(client, detail) == one
    assert _queries(client, register) == one_register


# ---- paper --------------------------------------------------------------------------------------


def test_the_printed_record_has_the_checklist_the_notice_and_signature_lines(world, client):
    inspection, _hazard, _order = with_order(world)
    client.force_login(world.director1)
    body = client.get(reverse("casebook:inspection_print", args=[inspection.pk])).content.decode()
    assert body.count('data-testid="print-item"') == inspection.items.count()
    assert 'data-testid="notice"' in body and "楼家房东" in body and "更换灭火器" in body
    assert (
        "检查人签字" in body
        and "被检查单位负责人签字" in body
        and "签收人" in body
        and "复查人签字" in body
    )
    assert 'class="insp-stamp"' in body
    assert 'href="/static/qunfang/print.css"' in body or "print.css" in body
    blank = client.get(
        reverse("casebook:inspection_print", args=[planned(world).pk])
    ).content.decode()
    assert "☐" in blank and 'data-testid="notice"' not in blank and "检查人签字" in blank


def test_the_register_prints_numbered_rows_on_signed_sheets_for_a_village_and_period(world, client):
    for n in range(10):
        record(
            planned(world, name=f"出租屋{n}"),
            world.director1,
            failed=[0] if n % 3 == 0 else [],
            hazards=[0] if n % 3 == 0 else [],
        )
    record(
        planned(world, village=world.village2, by=world.township_officer, name="乐山村屋"),
        world.township_officer,
    )
    client.force_login(world.director1)  # one village: no need to choose
    body = client.get(reverse("casebook:inspection_register_print")).content.decode()
    assert body.count('data-testid="register-row"') == 10 and "乐山村屋" not in body
    assert (
        body.count('data-testid="register-sheet"') == 2 and body.count('data-testid="signoff"') == 2
    )
    assert "治保主任审核" in body and "记录人签字" in body
    assert body.count('data-testid="stamp-box"') == 2
    assert "<td>10</td>" in body  # running numbers continue across sheets
    client.force_login(world.township_officer)  # several villages: choose one
    choose = client.get(reverse("casebook:inspection_register_print"))
    assert 'data-testid="village-required"' in choose.content.decode()
    url = reverse("casebook:inspection_register_print") + f"?village={world.village2.code}"
    assert client.get(url).content.decode().count('data-testid="register-row"') == 1
    later = today() + dt.timedelta(days=1)
    empty = client.get(url + f"&from={later:%Y-%m-%d}&to={later:%Y-%m-%d}").content.decode()
    assert (
        empty.count('data-testid="register-row"') == 0 and 'data-testid="register-sheet"' in empty
    )
    bad = client.get(url + "&from=2027-13-01").content.decode()
    assert 'class="msg-error"' in bad and bad.count('data-testid="register-row"') == 1
    backwards = client.get(url + "&from=2027-03-05&to=2027-03-01").content.decode()
    assert 'class="msg-error"' in backwards


def test_an_order_carries_its_inspection_s_village_and_is_scoped_by_it(world):
    inspection, _hazard, order = with_order(world)
    assert order.region_id == inspection.region_id == world.village1.pk
    assert order in RectificationOrder.objects.visible_to(world.township_officer)
    assert order not in RectificationOrder.objects.visible_to(world.director2)
