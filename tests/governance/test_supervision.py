"""Township supervision (督导检查): plans and their seeded draw, visits planned by hand, the
night check compared with its shift's check-ins, findings with photos, rectification tasks and
their re-check, the overdue reminder — every refusal changing nothing — and unannounced visits
kept from the villages until they are done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from qunfang.core.models import Notification
from qunfang.core.permissions import NotYours
from qunfang.governance.models import (
    FindingKind,
    FindingPhoto,
    PlanStatus,
    RectificationTask,
    SupervisionFinding,
    SupervisionPlan,
    SupervisionVisit,
    TaskStatus,
    VisitKind,
    VisitStatus,
)
from qunfang.governance.selectors import supervision as sel
from qunfang.governance.services import supervision as svc
from qunfang.patrols.models import RosterStatus
from qunfang.registry.models import Organisation
from tests.clock import MIDWEEK
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
TODAY = dt.date(2029, 1, 10)  # MIDWEEK in Shanghai
NEXT_WEEK = TODAY + dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _english():
    """The refusals are read in English here (the Chinese one is checked where it matters)."""
    with translation.override("en"):
        yield


def details(**kw) -> svc.PlanDetails:
    values = {
        "title": "2029年一季度督导",
        "starts_on": TODAY,
        "ends_on": dt.date(2029, 3, 31),
        "villages_to_draw": 1,
        "night_checks_to_draw": 1,
    }
    return svc.PlanDetails(**{**values, **kw})


def refused(call, *, field=None, contains=""):
    with pytest.raises(ValidationError) as caught:
        call()
    if field:
        assert field in caught.value.message_dict, caught.value
    text = " ".join(caught.value.messages)
    assert contains in text, text
    return text


def counts():
    return (
        SupervisionPlan.objects.count(),
        SupervisionVisit.objects.count(),
        SupervisionFinding.objects.count(),
        RectificationTask.objects.count(),
        FindingPhoto.objects.count(),
    )


# ---- plans and the draw ---------------------------------------------------------------------


def test_the_township_plans_and_a_village_may_not(world):
    plan = svc.plan_create(township=world.township, details=details(), by=world.township_officer)
    assert plan.status == PlanStatus.DRAFT and plan.history.count() == 1
    with pytest.raises(NotYours):
        svc.plan_create(township=world.township, details=details(), by=world.director1)
    with pytest.raises(NotYours):
        svc.plan_create(township=world.township, details=details(), by=world.township2_officer)
    assert SupervisionPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": TODAY - dt.timedelta(days=1)}, "ends_on"),
        # a plan for days gone by: nothing could be drawn
        (
            {"starts_on": TODAY - dt.timedelta(days=30), "ends_on": TODAY - dt.timedelta(days=1)},
            "ends_on",
        ),
        ({"ends_on": TODAY + dt.timedelta(days=400)}, "ends_on"),
        ({"villages_to_draw": 3}, "villages_to_draw"),  # the township has 2 villages
        ({"villages_to_draw": 0, "night_checks_to_draw": 0}, "villages_to_draw"),
        ({"night_checks_to_draw": 51}, "night_checks_to_draw"),
        ({"title": "  "}, "title"),
    ],
)
def test_a_plan_with_bad_dates_or_numbers_is_refused(world, changes, field):
    refused(
        lambda: svc.plan_create(
            township=world.township, details=details(**changes), by=world.township_officer
        ),
        field=field,
    )
    assert SupervisionPlan.objects.count() == 0


def test_only_a_plan_not_drawn_is_changed(world):
    officer = world.township_officer
    plan = svc.plan_create(township=world.township, details=details(), by=officer)
    svc.plan_update(plan=plan, details=details(title="新标题", villages_to_draw=2), by=officer)
    plan.refresh_from_db()
    assert (plan.title, plan.villages_to_draw) == ("新标题", 2)
    svc.plan_draw(plan=plan, by=officer, seed=7)
    refused(lambda: svc.plan_update(plan=plan, details=details(), by=officer), contains="drawn")


def _night_shifts(world):
    """Published night shifts in the plan's days, and shifts the draw must leave alone."""
    good = [night_shift(world, world.village1, TODAY + dt.timedelta(days=d)) for d in (1, 2, 3)]
    good += [night_shift(world, world.village2, TODAY + dt.timedelta(days=d)) for d in (1, 4)]
    left_alone = [
        night_shift(world, world.village1, TODAY + dt.timedelta(days=5), status=RosterStatus.DRAFT),
        night_shift(world, world.village2, TODAY + dt.timedelta(days=6), night=False, hour=8),
        night_shift(world, world.village1, TODAY - dt.timedelta(days=3)),  # over
        night_shift(world, world.village3, TODAY + dt.timedelta(days=2)),  # another township
    ]
    return good, left_alone


def test_the_draw_takes_villages_and_scheduled_night_shifts_and_keeps_its_seed(world):
    officer = world.township_officer
    good, left_alone = _night_shifts(world)
    plan = svc.plan_create(
        township=world.township,
        details=details(villages_to_draw=2, night_checks_to_draw=5),
        by=officer,
    )
    visits = svc.plan_draw(plan=plan, by=officer)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN and plan.drawn_at is not None
    spots = [v for v in visits if v.kind == VisitKind.SPOT]
    nights = [v for v in visits if v.kind == VisitKind.NIGHT]
    assert {v.region_id for v in spots} == {world.village1.pk, world.village2.pk}
    assert all(plan.starts_on <= v.planned_for <= plan.ends_on for v in spots)
    assert {v.shift_id for v in nights} == {s.pk for s in good}
    for visit in nights:
        assert visit.region_id == visit.shift.region_id
        assert visit.planned_for == visit.shift.service_date
    assert not {v.shift_id for v in nights} & {s.pk for s in left_alone}
    # a plan is drawn once
    refused(lambda: svc.plan_draw(plan=plan, by=officer), contains="once")
    assert SupervisionVisit.objects.count() == len(visits)


def test_the_same_seed_draws_the_same(world):
    officer = world.township_officer
    _night_shifts(world)
    plan = svc.plan_create(
        township=world.township,
        details=details(villages_to_draw=1, night_checks_to_draw=2),
        by=officer,
    )
    visits = svc.plan_draw(plan=plan, by=officer)
    plan.refresh_from_db()
    drawn = sorted((v.kind, v.region_id, v.shift_id, v.planned_for) for v in visits)
    now = timezone.now()
    for _ in range(3):  # the stored seed gives the draw again, exactly
        again = sel.draw_of(plan, plan.seed, after=now)
        shown = sorted(
            [("spot", v.pk, None, day) for v, day in again.villages]
            + [("night", v.pk, s.pk, s.service_date) for s, v in again.shifts]
        )
        assert shown == drawn
    others = {
        tuple(sorted((s.pk for s, _ in sel.draw_of(plan, seed, after=now).shifts)))
        for seed in range(20)
    }
    assert len(others) > 1  # and another seed, another draw


def test_a_draw_of_another_township_or_by_a_village_is_refused(world):
    plan = svc.plan_create(township=world.township, details=details(), by=world.township_officer)
    for outsider in (world.director1, world.township2_officer):
        with pytest.raises(NotYours):
            svc.plan_draw(plan=plan, by=outsider)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and SupervisionVisit.objects.count() == 0


# ---- visits by hand ---------------------------------------------------------------------------


def test_a_routine_visit_is_announced_and_a_spot_check_is_not(world):
    officer = world.township_officer
    svc.visit_create(village=world.village1, kind="routine", planned_for=NEXT_WEEK, by=officer)
    told = Notification.objects.filter(user=world.director1)
    assert told.count() == 1
    svc.visit_create(village=world.village1, kind="spot", planned_for=NEXT_WEEK, by=officer)
    shift = night_shift(world, world.village1, NEXT_WEEK)
    svc.visit_create(
        village=world.village1, kind="night", planned_for=None, shift=shift, by=officer
    )
    assert told.count() == 1


def test_a_visit_to_a_village_outside_the_township_is_refused_by_name(world):
    before = counts()
    text = refused(
        lambda: svc.visit_create(
            village=world.village3, kind="spot", planned_for=NEXT_WEEK, by=world.township_officer
        ),
        field="region",
    )
    assert world.village3.name in text and "township" in text
    with translation.override("zh-hans"):
        text = refused(
            lambda: svc.visit_create(
                village=world.village3,
                kind="spot",
                planned_for=NEXT_WEEK,
                by=world.township_officer,
            )
        )
    assert world.village3.name in text and "township" not in text
    assert counts() == before


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (
            lambda w: night_shift(w, w.village1, NEXT_WEEK, status=RosterStatus.DRAFT),
            "not scheduled",
        ),
        (lambda w: night_shift(w, w.village1, NEXT_WEEK, night=False, hour=8), "not a night shift"),
        (lambda w: night_shift(w, w.village2, NEXT_WEEK), "is not one of"),
        (lambda w: night_shift(w, w.village1, TODAY - dt.timedelta(days=2)), "is over"),
        (lambda w: None, "names the night shift"),
    ],
)
def test_a_night_check_of_a_shift_not_scheduled_or_not_the_villages_is_refused(world, make, says):
    shift = make(world)
    before = counts()
    refused(
        lambda: svc.visit_create(
            village=world.village1,
            kind="night",
            planned_for=None,
            shift=shift,
            by=world.township_officer,
        ),
        field="shift",
        contains=says,
    )
    assert counts() == before


def test_a_shift_is_night_checked_once_and_other_visits_name_no_shift(world):
    officer = world.township_officer
    shift = night_shift(world, world.village1, NEXT_WEEK)
    svc.visit_create(
        village=world.village1, kind="night", planned_for=None, shift=shift, by=officer
    )
    refused(
        lambda: svc.visit_create(
            village=world.village1, kind="night", planned_for=None, shift=shift, by=officer
        ),
        contains="already",
    )
    refused(
        lambda: svc.visit_create(
            village=world.village1, kind="spot", planned_for=NEXT_WEEK, shift=shift, by=officer
        ),
        field="shift",
    )
    refused(
        lambda: svc.visit_create(
            village=world.village1,
            kind="spot",
            planned_for=TODAY - dt.timedelta(days=1),
            by=officer,
        ),
        field="planned_for",
    )
    with pytest.raises(NotYours):
        svc.visit_create(
            village=world.village1, kind="spot", planned_for=NEXT_WEEK, by=world.director1
        )
    assert SupervisionVisit.objects.count() == 1


# ---- the night check ------------------------------------------------------------------------


def test_a_night_shift_under_way_is_checked_after_midnight(world):
    """00:30: last evening's shift still runs; its night check is of yesterday's date."""
    yesterday = TODAY - dt.timedelta(days=1)
    shift = night_shift(world, world.village1, yesterday)  # 20:00 to 04:00
    visit = svc.visit_create(
        village=world.village1,
        kind="night",
        planned_for=None,
        shift=shift,
        by=world.township_officer,
        now=local(TODAY, 0, 30),
    )
    assert visit.planned_for == yesterday
    # a spot check is still planned for today or later
    refused(
        lambda: svc.visit_create(
            village=world.village1,
            kind="spot",
            planned_for=yesterday,
            by=world.township_officer,
            now=local(TODAY, 0, 30),
        ),
        field="planned_for",
    )


@pytest.fixture
def night(world):
    """Last night's shift in village 1: 甲 and 乙 checked in, 丙 did not."""
    day = TODAY - dt.timedelta(days=1)
    shift = night_shift(world, world.village1, day)
    bridge, hall = point_in(world.village1), point_in(world.village1, "文化礼堂")
    people = [person_in(world.village1, n) for n in ("巡逻甲", "巡逻乙", "巡逻丙")]
    a, b, _c = (on_shift(shift, p) for p in people)
    check_in(world, a, local(day, 20, 5))
    check_in(world, a, local(day, 22, 41), point=bridge)
    check_in(world, b, local(day, 21, 10), point=hall)
    check_in(world, b, local(day, 23, 59), point=bridge)  # after the visit: not what counts
    check_in(world, b, local(day, 22, 50), point=bridge, accepted=False)  # refused: not counted
    visit = svc.visit_create(
        village=world.village1,
        kind="night",
        planned_for=None,
        shift=shift,
        by=world.township_officer,
        now=local(day, 9),
    )
    return visit, shift, people, day


def test_a_night_check_writes_a_finding_for_who_checked_in_but_was_not_found(world, night):
    visit, _shift, (a, b, c), day = night
    done = svc.visit_record(
        visit=visit,
        visited_at=local(day, 23, 0),
        inspectors="陈建国",
        score="70",
        summary="",
        found_people=[b],
        by=world.township_officer,
        now=local(day, 23, 30),
    )
    assert done.status == VisitStatus.DONE and done.found_on_duty == 1
    findings = list(done.findings.all())
    assert [(f.kind, f.person_id) for f in findings] == [(FindingKind.NOT_FOUND, a.pk)]
    assert (
        "22:41" in findings[0].text
        and "村口桥头" in findings[0].text
        and "巡逻甲" in findings[0].text
    )
    # 丙 never checked in: no claim to be out, no finding (the roll call counts the missed shift)
    assert not SupervisionFinding.objects.filter(person=c).exists()
    # history dated when it happened
    assert done.history.first().history_date == local(day, 23, 30)


def test_a_night_check_with_everyone_found_writes_no_finding(world, night):
    visit, _shift, (a, b, _c), day = night
    done = svc.visit_record(
        visit=visit,
        visited_at=local(day, 23, 0),
        inspectors="陈建国",
        score="95",
        summary="",
        found_people=[a, b],
        by=world.township_officer,
        now=local(day, 23, 30),
    )
    assert done.found_on_duty == 2 and not done.findings.exists()


def test_a_night_check_out_of_its_shift_or_finding_strangers_is_refused(world, night):
    visit, _shift, (a, _b, _c), day = night
    stranger = person_in(world.village1, "路人")
    record = {
        "visit": visit,
        "inspectors": "陈建国",
        "score": "80",
        "summary": "",
        "by": world.township_officer,
        "now": local(day + dt.timedelta(days=1), 9),
    }
    refused(
        lambda: svc.visit_record(visited_at=local(day, 15), found_people=[a], **record),
        field="visited_at",
    )
    refused(
        lambda: svc.visit_record(visited_at=local(day, 23), found_people=[stranger], **record),
        field="found_people",
    )
    refused(
        lambda: svc.visit_record(
            visited_at=local(day, 23),
            score="101",
            found_people=[],
            **{k: v for k, v in record.items() if k != "score"},
        ),
        field="score",
    )
    refused(
        lambda: svc.visit_record(
            visited_at=TODAY and timezone.now() + dt.timedelta(hours=1), found_people=[], **record
        ),
        field="visited_at",
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED and not SupervisionFinding.objects.exists()
    with pytest.raises(ValidationError):  # a village may not record the township's visit
        svc.visit_record(
            visited_at=local(day, 23), found_people=[], **{**record, "by": world.director1}
        )


def test_a_visit_is_recorded_once_and_cancelled_only_while_planned(world):
    visit = visit_done(world, world.village1)
    refused(
        lambda: svc.visit_record(
            visit=visit,
            visited_at=timezone.now(),
            inspectors="x",
            score="1",
            summary="",
            by=world.township_officer,
        ),
        contains="planned",
    )
    refused(lambda: svc.visit_cancel(visit=visit, reason="下雨", by=world.township_officer))
    other = svc.visit_create(
        village=world.village2, kind="spot", planned_for=NEXT_WEEK, by=world.township_officer
    )
    refused(
        lambda: svc.visit_cancel(visit=other, reason=" ", by=world.township_officer), field="reason"
    )
    assert (
        svc.visit_cancel(visit=other, reason="防汛", by=world.township_officer).status
        == "cancelled"
    )


def test_a_plan_is_done_once_every_visit_is_done_or_cancelled(world):
    officer = world.township_officer
    plan = svc.plan_create(
        township=world.township,
        details=details(villages_to_draw=2, night_checks_to_draw=0),
        by=officer,
    )
    first, second = svc.plan_draw(plan=plan, by=officer, seed=1)
    svc.visit_cancel(visit=first, reason="改期", by=officer)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    svc.visit_record(
        visit=second,
        visited_at=timezone.now(),
        inspectors="陈建国",
        score="88",
        summary="",
        by=officer,
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE


# ---- unannounced visits stay unannounced ------------------------------------------------------


def test_a_village_does_not_see_an_unannounced_visit_nor_the_draw_before_it_is_done(world, night):
    night_visit, _shift, (a, b, _c), day = night
    officer = world.township_officer
    spot = svc.visit_create(village=world.village1, kind="spot", planned_for=NEXT_WEEK, by=officer)
    routine = svc.visit_create(
        village=world.village1, kind="routine", planned_for=NEXT_WEEK, by=officer
    )
    plan = svc.plan_create(
        township=world.township,
        details=details(villages_to_draw=2, night_checks_to_draw=0),
        by=officer,
    )
    drawn = svc.plan_draw(plan=plan, by=officer, seed=3)
    village_sees = set(sel.visits_visible(world.director1).values_list("pk", flat=True))
    assert village_sees == {routine.pk}
    assert not sel.visits_of_plan(plan, world.director1)
    assert {v.pk for v in sel.visits_of_plan(plan, officer)} == {v.pk for v in drawn}
    for user in (world.police, world.auditor, world.mediator1):  # nor anyone who does not supervise
        assert spot.pk not in set(sel.visits_visible(user).values_list("pk", flat=True))
    # a cancelled unannounced visit was never announced
    svc.visit_cancel(visit=spot, reason="改期", by=officer)
    assert spot.pk not in set(sel.visits_visible(world.director1).values_list("pk", flat=True))
    # once done, the village sees it and what was found
    svc.visit_record(
        visit=night_visit,
        visited_at=local(day, 23),
        inspectors="陈建国",
        score="60",
        summary="",
        found_people=[b],
        by=officer,
        now=local(day, 23, 30),
    )
    assert night_visit.pk in set(sel.visits_visible(world.director1).values_list("pk", flat=True))
    assert sel.finding_visible(world.director1).filter(person=a).exists()
    # the village reads the drawn plan, never a draft
    draft = svc.plan_create(township=world.township, details=details(title="草稿"), by=officer)
    assert set(sel.plans_visible(world.director1)) == {plan}
    assert draft in set(sel.plans_visible(officer))
    assert not sel.plans_visible(world.director2).filter(pk=draft.pk).exists()
    assert not sel.plans_visible(world.township2_officer).exists()


# ---- findings and photos ------------------------------------------------------------------------


def test_findings_with_photos_of_the_village_visited(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = visit_done(world, world.village1)
    org = Organisation.objects.create(
        region=world.village1, name="枫源村治保会", kind="security_committee"
    )
    person = person_in(world.village1, "李某")
    upload = SimpleUploadedFile("现场.jpg", phone_photo(), content_type="image/jpeg")
    finding = problem(
        world, visit, organisation=org, person=person, photos=[upload], severity="serious"
    )
    photo = finding.photos.get()
    assert photo.content_type == "image/jpeg" and photo.original_name == "现场.jpg"
    assert photo.region_id == world.village1.pk
    svc.photo_add(
        finding=finding,
        upload=SimpleUploadedFile("b.png", phone_photo("PNG"), content_type="image/png"),
        by=world.township_officer,
    )
    assert finding.photos.count() == 2
    good = svc.finding_add(visit=visit, kind="good", text="台账规范", by=world.township_officer)
    assert good.kind == FindingKind.GOOD


def test_bad_findings_are_refused_and_change_nothing(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = visit_done(world, world.village1)
    planned = svc.visit_create(
        village=world.village1, kind="routine", planned_for=NEXT_WEEK, by=world.township_officer
    )
    elsewhere_org = Organisation.objects.create(
        region=world.village2, name="乐山村治保会", kind="security_committee"
    )
    elsewhere = person_in(world.village2, "外村人")
    before = counts()
    refused(lambda: problem(world, planned), contains="Record the visit first")
    refused(lambda: problem(world, visit, organisation=elsewhere_org), field="organisation")
    refused(lambda: problem(world, visit, person=elsewhere), field="person")
    refused(lambda: problem(world, visit, text=""), field="text")
    refused(
        lambda: svc.finding_add(visit=visit, kind="not_found", text="x", by=world.township_officer),
        field="kind",
    )
    fake = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    refused(lambda: problem(world, visit, photos=[fake]), field="photo")
    with pytest.raises(NotYours):
        problem(world, visit, by_director=None) if False else svc.finding_add(
            visit=visit, kind="problem", text="x", by=world.director1
        )
    assert counts() == before


# ---- rectification tasks ----------------------------------------------------------------------


@pytest.fixture
def finding(world):
    return problem(world, visit_done(world, world.village1))


def test_a_task_is_set_reported_and_verified(world, finding, django_capture_on_commit_callbacks):
    officer = world.township_officer
    task = svc.task_create(finding=finding, text="清理消防通道", deadline=NEXT_WEEK, by=officer)
    url = f"/supervision/tasks/{task.pk}/"
    assert Notification.objects.filter(user=world.director1, url__endswith=url).exists()
    with django_capture_on_commit_callbacks(execute=True):
        task = svc.task_report(task=task, report="已清理，拍照留存", by=world.director1)
    assert task.status == TaskStatus.REPORTED and task.reported_on == TODAY
    assert Notification.objects.filter(user=officer, url__endswith=url).exists()
    task = svc.task_recheck(task=task, passed=True, note="现场复查合格", by=officer)
    assert task.status == TaskStatus.VERIFIED and task.rechecked_on == TODAY


def test_a_failed_recheck_opens_the_task_again_with_a_new_deadline(
    world, finding, django_capture_on_commit_callbacks
):
    officer = world.township_officer
    task = svc.task_create(finding=finding, text="清理消防通道", deadline=NEXT_WEEK, by=officer)
    task = svc.task_report(task=task, report="已清理", by=world.director1)
    refused(
        lambda: svc.task_recheck(task=task, passed=False, note="", by=officer), field="recheck_note"
    )
    refused(
        lambda: svc.task_recheck(task=task, passed=False, note="仍有杂物", by=officer),
        field="deadline",
    )
    later = NEXT_WEEK + dt.timedelta(days=7)
    told = Notification.objects.filter(user=world.director1)
    before = told.count()
    with django_capture_on_commit_callbacks(execute=True):
        task = svc.task_recheck(
            task=task, passed=False, note="仍有杂物", new_deadline=later, by=officer
        )
    assert (task.status, task.deadline, task.rechecks) == (TaskStatus.OPEN, later, 1)
    assert told.count() == before + 1  # the village hears of the new deadline
    # a re-check of a task not reported done is refused
    refused(lambda: svc.task_recheck(task=task, passed=True, note="ok", by=officer))


def test_bad_tasks_are_refused_and_change_nothing(world, finding):
    officer = world.township_officer
    good = svc.finding_add(visit=finding.visit, kind="good", text="好", by=officer)
    other_org = Organisation.objects.create(
        region=world.village2, name="乐山村治保会", kind="security_committee"
    )
    before = counts()
    refused(
        lambda: svc.task_create(finding=good, text="x", deadline=NEXT_WEEK, by=officer),
        contains="good practice",
    )
    refused(
        lambda: svc.task_create(
            finding=finding, text="x", deadline=TODAY - dt.timedelta(days=1), by=officer
        ),
        field="deadline",
    )
    refused(
        lambda: svc.task_create(finding=finding, text=" ", deadline=NEXT_WEEK, by=officer),
        field="text",
    )
    refused(
        lambda: svc.task_create(
            finding=finding, text="x", deadline=NEXT_WEEK, organisation=other_org, by=officer
        ),
        field="organisation",
    )
    with pytest.raises(NotYours):
        svc.task_create(finding=finding, text="x", deadline=NEXT_WEEK, by=world.director1)
    assert counts() == before


def test_who_reports_and_who_rechecks(world, finding):
    officer = world.township_officer
    task = svc.task_create(finding=finding, text="清理", deadline=NEXT_WEEK, by=officer)
    for wrong in (world.director2, world.township2_officer, world.patrol1):
        refused(lambda: svc.task_report(task=task, report="done", by=wrong))  # noqa: B023
    refused(lambda: svc.task_report(task=task, report="", by=world.director1), field="report")
    svc.task_report(task=task, report="已做", by=world.director1)
    refused(lambda: svc.task_recheck(task=task, passed=True, note="ok", by=world.director1))
    refused(lambda: svc.task_cancel(task=task, reason="", by=officer), field="reason")
    task = svc.task_cancel(task=task, reason="重复", by=officer)
    assert task.status == TaskStatus.CANCELLED
    # the township records a report the village made on paper
    other = svc.task_create(finding=finding, text="补台账", deadline=NEXT_WEEK, by=officer)
    assert svc.task_report(task=other, report="村书面报告已补齐", by=officer).status == "reported"
    refused(lambda: svc.task_report(task=task, report="x", by=world.director1))


def test_an_overdue_task_is_reminded_once(world, finding, time_machine):
    officer = world.township_officer
    task = svc.task_create(finding=finding, text="清理", deadline=TODAY, by=officer)
    assert svc.send_overdue_reminders() == 0
    time_machine.move_to(MIDWEEK + dt.timedelta(days=1))
    assert svc.send_overdue_reminders() == 1
    assert svc.send_overdue_reminders() == 0
    assert Notification.objects.filter(user=world.director1, kind="overdue").count() == 1
    assert sel.is_overdue(RectificationTask.objects.get(pk=task.pk), TODAY + dt.timedelta(days=1))
