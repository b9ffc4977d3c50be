"""The supervision screens: plans and their draw, the visit list and its filters, a night check
recorded against its shift's people, findings with photos, tasks reported and re-checked, the
printable record; unannounced visits hidden from the village; both languages; bad input shown
on the form with nothing written; the lists' query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models import (
    FindingKind,
    RectificationTask,
    SupervisionFinding,
    SupervisionPlan,
    SupervisionVisit,
    TaskStatus,
)
from qunfang.governance.services import supervision as svc
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.governance.supervision_factories import (
    check_in,
    local,
    night_shift,
    on_shift,
    person_in,
    point_in,
    problem,
    visit_done,
)
from tests.images import phone_photo

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
TODAY = dt.date(2029, 1, 10)
NEXT_WEEK = TODAY + dt.timedelta(days=7)
P = "governance:supervision_"


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


@pytest.fixture
def tonight(world):
    """Tonight's night shift in village 1 (20:00–04:00) with two people who checked in, and an
    unannounced night check of it."""
    shift = night_shift(world, world.village1, TODAY)
    bridge = point_in(world.village1)
    a, b = person_in(world.village1, "巡逻甲"), person_in(world.village1, "巡逻乙")
    check_in(world, on_shift(shift, a), local(TODAY, 20, 5), point=bridge)
    check_in(world, on_shift(shift, b), local(TODAY, 20, 41), point=bridge)
    visit = svc.visit_create(
        village=world.village1,
        kind="night",
        planned_for=None,
        shift=shift,
        by=world.township_officer,
        now=local(TODAY, 9),
    )
    return visit, a, b


def test_a_night_check_is_recorded_against_the_shifts_people(world, client, tonight, time_machine):
    visit, a, b = tonight
    time_machine.move_to(local(TODAY, 23, 30))
    client.force_login(world.township_officer)
    url = reverse(P + "visit_detail", args=[visit.pk])
    body = _body(client.get(url))
    assert 'data-testid="shift-people"' in body and "巡逻甲" in body and "20:41" in body
    assert f'value="{a.pk}"' in body and 'type="checkbox"' in body
    response = client.post(
        reverse(P + "visit_record", args=[visit.pk]),
        {
            "visited_at": "2029-01-10T23:00",
            "inspectors": "陈建国",
            "score": "75",
            "summary": "乙不在岗",
            "found": [a.pk],
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "done" and visit.found_on_duty == 1
    missing = SupervisionFinding.objects.get(visit=visit)
    assert missing.kind == FindingKind.NOT_FOUND and missing.person == b
    body = _body(client.get(url))
    assert "巡逻乙" in body and "20:41" in body


def test_a_record_out_of_the_shift_is_shown_on_the_form_and_changes_nothing(
    world, client, tonight, time_machine
):
    visit, _a, _b = tonight
    time_machine.move_to(local(TODAY, 23, 30))
    client.force_login(world.township_officer)
    _english(client)
    body = _body(
        client.post(
            reverse(P + "visit_record", args=[visit.pk]),
            {"visited_at": "2029-01-10T15:00", "inspectors": "陈建国", "score": "75"},
        )
    )
    assert "A night check is made during its shift" in body
    visit.refresh_from_db()
    assert visit.status == "planned" and not SupervisionFinding.objects.exists()


def test_the_village_does_not_see_the_night_check_until_it_is_done(world, client, tonight):
    visit, _a, _b = tonight
    client.force_login(world.director1)
    assert client.get(reverse(P + "visit_detail", args=[visit.pk])).status_code == 404
    assert client.post(reverse(P + "visit_record", args=[visit.pk])).status_code == 404
    body = _body(client.get(reverse(P + "visit_list")))
    assert reverse(P + "visit_detail", args=[visit.pk]) not in body
    body = _body(client.get(reverse("home")))
    assert 'data-testid="supervision-panel"' in body and 'data-testid="panel-night"' not in body


def test_the_village_reads_a_drawn_plan_without_its_draw(world, client):
    officer = world.township_officer
    plan = svc.plan_create(
        township=world.township,
        details=svc.PlanDetails("一季度督导", TODAY, dt.date(2029, 3, 31), villages_to_draw=2),
        by=officer,
    )
    client.force_login(officer)
    body = _body(client.get(reverse(P + "plan_detail", args=[plan.pk])))
    assert 'data-testid="draw"' in body
    assert client.post(reverse(P + "plan_draw", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    body = _body(client.get(reverse(P + "plan_detail", args=[plan.pk])))
    assert f"{plan.seed}" in body and 'data-testid="plan-seed"' in body
    assert "枫源村" in body and "乐山村" in body
    client.force_login(world.director1)
    body = _body(client.get(reverse(P + "plan_detail", args=[plan.pk])))
    assert 'data-testid="plan-seed"' not in body and "乐山村" not in body
    response = client.post(reverse(P + "plan_draw", args=[plan.pk]))
    assert response.status_code == 302 and SupervisionVisit.objects.count() == 2


def test_a_plan_and_a_visit_are_made_on_their_forms(world, client):
    client.force_login(world.township_officer)
    assert _body(client.get(reverse(P + "plan_create")))
    response = client.post(
        reverse(P + "plan_create"),
        {
            "township": world.township.pk,
            "title": "二月督导",
            "starts_on": "2029-02-01",
            "ends_on": "2029-02-28",
            "villages_to_draw": "1",
            "night_checks_to_draw": "0",
        },
    )
    plan = SupervisionPlan.objects.get()
    assert response["Location"] == reverse(P + "plan_detail", args=[plan.pk])
    response = client.post(
        reverse(P + "plan_edit", args=[plan.pk]),
        {
            "township": world.township.pk,
            "title": "二月督导",
            "starts_on": "2029-02-10",
            "ends_on": "2029-02-01",
            "villages_to_draw": "1",
            "night_checks_to_draw": "0",
        },
    )
    assert (
        "The plan cannot end before it starts." in _body(response)
        or "不能" in response.content.decode()
    )
    shift = night_shift(world, world.village2, NEXT_WEEK)
    assert _body(client.get(reverse(P + "visit_create")))
    response = client.post(
        reverse(P + "visit_create"),
        {"village": world.village2.code, "kind": "night", "shift": shift.pk},
    )
    visit = SupervisionVisit.objects.get()
    assert response["Location"] == reverse(P + "visit_detail", args=[visit.pk])
    assert visit.shift == shift and visit.planned_for == NEXT_WEEK


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_visit_to_another_township_or_an_unscheduled_shift_is_refused_on_the_form(
    world, client, language
):
    client.force_login(world.township_officer)
    if language == "en":
        _english(client)
    draft = night_shift(world, world.village1, NEXT_WEEK, status="draft")
    for data in (
        {"village": world.village3.code, "kind": "spot", "planned_for": "2029-01-20"},
        {"village": world.village1.code, "kind": "night", "shift": draft.pk},
    ):
        body = _body(client.post(reverse(P + "visit_create"), data))
        assert 'class="error"' in body or "errorlist" in body
    if language == "en":
        assert "not scheduled" in body
    assert not SupervisionVisit.objects.exists()
    client.force_login(world.director1)
    assert client.get(reverse(P + "visit_create")).status_code == 403


def test_findings_with_photos_and_a_task_through_the_pages(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = visit_done(world, world.village1)
    client.force_login(world.township_officer)
    photo = SimpleUploadedFile("a.jpg", phone_photo(), content_type="image/jpeg")
    response = client.post(
        reverse(P + "finding_add", args=[visit.pk]),
        {"kind": "problem", "severity": "serious", "text": "消防通道堵塞", "photo": photo},
    )
    assert response.status_code == 302
    finding = SupervisionFinding.objects.get()
    shot = finding.photos.get()
    body = _body(client.get(reverse(P + "visit_detail", args=[visit.pk])))
    assert 'data-testid="thumb"' in body and reverse(P + "photo", args=[shot.pk]) in body
    assert client.get(reverse(P + "photo", args=[shot.pk]))["Content-Type"] == "image/jpeg"
    fake = SimpleUploadedFile("b.jpg", b"<svg/>", content_type="image/jpeg")
    response = client.post(reverse(P + "photo_add", args=[finding.pk]), {"photo": fake})
    assert response.status_code == 302 and finding.photos.count() == 1
    response = client.post(
        reverse(P + "task_create", args=[finding.pk]),
        {"text": "清理", "deadline": "2029-01-01"},
    )
    assert _body(response) and not RectificationTask.objects.exists()
    response = client.post(
        reverse(P + "task_create", args=[finding.pk]),
        {"text": "清理消防通道", "deadline": "2029-01-20"},
    )
    task = RectificationTask.objects.get()
    assert response["Location"] == reverse(P + "task_detail", args=[task.pk])
    # the village reports, the township re-checks
    client.force_login(world.director1)
    body = _body(client.get(reverse(P + "task_detail", args=[task.pk])))
    assert 'data-testid="report"' in body and 'data-testid="recheck"' not in body
    body = _body(client.post(reverse(P + "task_report", args=[task.pk]), {"report": ""}))
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    client.post(reverse(P + "task_report", args=[task.pk]), {"report": "已清理"})
    client.force_login(world.township_officer)
    body = _body(
        client.post(reverse(P + "task_recheck", args=[task.pk]), {"result": "fail", "note": "仍堵"})
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED
    client.post(
        reverse(P + "task_recheck", args=[task.pk]),
        {"result": "fail", "note": "仍堵", "new_deadline": "2029-01-25"},
    )
    task.refresh_from_db()
    assert (task.status, task.rechecks) == (TaskStatus.OPEN, 1)
    body = _body(client.get(reverse(P + "task_list") + "?show=open"))
    assert "清理消防通道" in body


def test_the_pages_read_in_both_languages(world, client):
    visit = visit_done(world, world.village1, score="88")
    finding = problem(world, visit)
    svc.task_create(finding=finding, text="清理通道", deadline=NEXT_WEEK, by=world.township_officer)
    pages = [
        (reverse(P + "visit_list"), "Supervision and inspection", "督导检查"),
        (reverse(P + "visit_detail", args=[visit.pk]), "Findings", "发现"),
        (reverse(P + "task_list"), "Rectification tasks", "整改"),
        (reverse(P + "plan_list"), "Supervision plans", "督导"),
        (reverse(P + "visit_print", args=[visit.pk]), "Supervision and inspection record", "记录"),
    ]
    for user in (world.township_officer, world.director1):
        client.force_login(user)
        for url, _en, zh in pages:
            assert zh in _body(client.get(url)), url
        _english(client)
        for url, en, _zh in pages:
            assert en in _body(client.get(url)), url
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    body = _body(client.get(reverse("home")))
    assert 'data-testid="panel-to-put-right"' in body  # the village's panel
    client.force_login(world.township_officer)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="panel-night"' in body and 'data-testid="panel-to-put-right"' not in body


def test_the_list_filters_by_village_kind_status_and_month(world, client):
    visit_done(world, world.village1, day=dt.date(2028, 12, 5))
    visit_done(world, world.village2, day=TODAY - dt.timedelta(days=1))
    client.force_login(world.township_officer)
    url = reverse(P + "visit_list")
    rows = lambda q: _body(client.get(url + q)).count('data-testid="visit-row"')  # noqa: E731
    assert rows("") == 2
    assert rows(f"?village={world.village1.code}") == 1
    assert rows("?month=2028-12") == 1 and rows("?month=2029-01") == 1 and rows("?month=x") == 2
    assert rows("?kind=night") == 0 and rows("?status=done") == 2


@renders
def test_the_record_prints_and_downloads_as_a_pdf(world, client, tmp_path):
    visit = visit_done(world, world.village1)
    problem(world, visit)
    client.force_login(world.director1)
    url = reverse(P + "visit_print", args=[visit.pk])
    body = _body(client.get(url))
    assert 'data-testid="print-title"' in body and "print.css" in body
    text = "".join(_assert_chinese_pdf(client.get(url, {"format": "pdf"}), tmp_path).split())
    assert "枫源村" in text


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["visit_list", "task_list", "plan_list"])
def test_the_lists_cost_the_same_queries_however_many_rows(world, client, page):
    def add(n):
        for i in range(n):
            visit = visit_done(world, world.village1 if i % 2 else world.village2)
            svc.task_create(
                finding=problem(world, visit),
                text="清理",
                deadline=NEXT_WEEK,
                by=world.township_officer,
            )
            svc.plan_create(
                township=world.township,
                details=svc.PlanDetails(f"计划{i}", TODAY, NEXT_WEEK, villages_to_draw=1),
                by=world.township_officer,
            )

    client.force_login(world.township_officer)
    url = reverse(P + page)
    add(1)
    few = _queries(client, url)
    add(4)
    assert _queries(client, url) == few
    # session, user, roles, the menu's panels aside: the page's own reads stay a handful
    assert few <= 16


def test_the_task_list_opens_on_what_still_waits_longest_overdue_first(world, client):
    from qunfang.governance.models import TaskStatus
    from tests.governance.bulletins_factories import finding, task

    found = finding(world, world.village1, TODAY - dt.timedelta(days=40), "消防通道堵塞")
    task(world, found, "任务丁早已核实", TODAY - dt.timedelta(days=30), status=TaskStatus.VERIFIED)
    task(world, found, "任务丙下周到期", TODAY + dt.timedelta(days=7))
    task(world, found, "任务甲逾期十天", TODAY - dt.timedelta(days=10))
    task(world, found, "任务乙报告改好", TODAY - dt.timedelta(days=2), status=TaskStatus.REPORTED)
    client.force_login(world.township_officer)
    body = client.get(reverse("governance:supervision_task_list")).content.decode()
    order = [
        body.index(text)
        for text in ("任务甲逾期十天", "任务乙报告改好", "任务丙下周到期", "任务丁早已核实")
    ]
    assert order == sorted(order)
