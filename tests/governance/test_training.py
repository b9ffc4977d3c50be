"""The training book's services (governance/services/training.py): planning a course, who may
be on it, the roll call and results, closing it as held — which writes each attendance's
training record once, so placements and rostering see the certificate — and every refusal
changing nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from qunfang.core.lifecycle import MoveRefused
from qunfang.core.permissions import NotYours
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Course,
    CourseStatus,
    Enrolment,
)
from qunfang.governance.selectors import training as sel
from qunfang.governance.services import training as service
from qunfang.governance.services.training import CourseDetails, Result
from qunfang.patrols.models import Qualification
from qunfang.patrols.selectors.people import qualifications
from qunfang.registry.models import Membership, Person, Post, TrainingKind, TrainingRecord
from qunfang.registry.services.organisations import placement_problems
from tests.clock import MIDWEEK
from tests.factories import course_for, meeting_for, organisation_for

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

DAY = dt.date(2028, 11, 6)  # a Monday before MIDWEEK (2029-01-10)


def details(**changes) -> CourseDetails:
    values = {
        "title": "消防安全培训班",
        "subject": TrainingKind.FIRE_SAFETY,
        "hours": Decimal("4"),
        "starts_on": DAY,
        "certificate_months": 24,
        "trainer": "枫桥镇消防站",
    }
    return CourseDetails(**{**values, **changes})


def tables() -> dict:
    """Every row the training book writes, to prove a refusal changed nothing."""
    return {
        model.__name__: list(model._base_manager.order_by("pk").values_list())
        for model in (Course, Enrolment, TrainingRecord, Course.history.model)
    }


@pytest.fixture
def org(world):
    return organisation_for(world.village1, members=3)


@pytest.fixture
def people(org):
    return list(Person.objects.filter(memberships__post__organisation=org).order_by("name", "pk"))


def _close_with(course, by, marks):
    """Mark the roll call (enrolment → (attended, passed)) and close the course."""
    results = {e.pk: Result(*marks[e.person]) for e in course.enrolments.select_related("person")}
    service.course_record_results(course=course, results=results, by=by)
    return service.course_close(course=course, by=by)


# ---- planning -----------------------------------------------------------------------------


def test_a_course_with_an_organisation_enrols_its_members(world, org, people):
    course = service.course_create(
        region=world.village1, details=details(organisation=org), by=world.director1
    )
    assert course.status == CourseStatus.PLANNED and course.created_by == world.director1
    assert {e.person for e in course.enrolments.all()} == set(people)
    assert course.history.first().history_change_reason


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"hours": Decimal("-2")}, "hours"),
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": None}, "hours"),
        ({"hours": Decimal("1.25")}, "hours"),
        ({"subject": "karate"}, "subject"),
        ({"title": "  "}, "title"),
        ({"certificate_months": 0}, "certificate_months"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(world, changes, field):
    before = tables()
    with pytest.raises(ValidationError) as refused:
        service.course_create(region=world.village1, details=details(**changes), by=world.director1)
    assert field in refused.value.message_dict
    assert tables() == before


def test_the_hours_refusal_reads_in_the_users_language(world):
    with pytest.raises(ValidationError) as refused:
        service.course_create(
            region=world.village1, details=details(hours=Decimal("-1")), by=world.director1
        )
    assert "学时" in refused.value.message_dict["hours"][0]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        service.course_create(
            region=world.village1, details=details(hours=Decimal("-1")), by=world.director1
        )
    assert "above zero" in refused.value.message_dict["hours"][0]


def test_changing_a_course_checks_the_same(world, org):
    course = course_for(world.village1)
    before = tables()
    with pytest.raises(ValidationError):
        service.course_update(
            course=course, details=details(hours=Decimal("-3")), by=world.director1
        )
    assert tables() == before
    service.course_update(
        course=course, details=details(title="改名后的培训班"), by=world.director1
    )
    course.refresh_from_db()
    assert course.title == "改名后的培训班" and course.hours == 4


def test_only_the_village_or_township_plans_its_courses(world):
    for stranger in (world.director2, world.township2_officer, world.police):
        with pytest.raises(NotYours):
            service.course_create(region=world.village1, details=details(), by=stranger)
    service.course_create(region=world.village1, details=details(), by=world.township_officer)
    service.course_create(region=world.township, details=details(), by=world.township_officer)
    with pytest.raises(NotYours):
        service.course_create(region=world.township, details=details(), by=world.director1)
    with pytest.raises(ValidationError):  # a villager group runs no course
        service.course_create(region=world.group1, details=details(), by=world.director1)


def test_an_organisation_of_another_village_is_refused(world):
    other = organisation_for(world.village2, members=1)
    with pytest.raises(ValidationError) as refused:
        service.course_create(
            region=world.village1, details=details(organisation=other), by=world.director1
        )
    assert "organisation" in refused.value.message_dict
    assert not Course.objects.exists()


# ---- who is on the course -------------------------------------------------------------------


def test_a_village_course_takes_only_its_own_people(world, people):
    course = course_for(world.village1)
    stranger = Person.objects.create(
        region=world.village2, name="乐山村村民", sex="M", birth_date=dt.date(1980, 1, 1)
    )
    before = tables()
    with pytest.raises(ValidationError) as refused:
        service.enrolment_add(course=course, person=stranger, by=world.director1)
    assert "乐山村" in refused.value.messages[0]
    assert tables() == before
    service.enrolment_add(course=course, person=people[0], by=world.director1)
    with pytest.raises(ValidationError):  # once
        service.enrolment_add(course=course, person=people[0], by=world.director1)
    assert course.enrolments.count() == 1


def test_a_township_course_takes_its_villages_people_but_not_another_townships(world, people):
    course = course_for(world.township)
    theirs = Person.objects.create(
        region=world.village2, name="乐山村队员", sex="M", birth_date=dt.date(1980, 1, 1)
    )
    far = Person.objects.create(
        region=world.village3, name="花明泉村村民", sex="M", birth_date=dt.date(1980, 1, 1)
    )
    officer = world.township_officer
    service.enrolment_add(course=course, person=people[0], by=officer)
    service.enrolment_add(course=course, person=theirs, by=officer)
    with pytest.raises(ValidationError):
        service.enrolment_add(course=course, person=far, by=officer)
    assert course.enrolments.count() == 2
    org2 = organisation_for(world.village2, members=2)
    added = service.course_enrol_organisation(course=course, organisation=org2, by=officer)
    assert len(added) == 2 and course.enrolments.count() == 4


def test_a_village_director_cannot_touch_a_township_course(world, people):
    course = course_for(world.township, people=people[:1])
    with pytest.raises(NotYours):
        service.enrolment_add(course=course, person=people[1], by=world.director1)
    with pytest.raises(NotYours):
        service.enrolment_remove(enrolment=course.enrolments.get(), by=world.director1)
    with pytest.raises(MoveRefused):
        service.course_cancel(course=course, by=world.director1)
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED and course.enrolments.count() == 1


# ---- roll call and results ------------------------------------------------------------------


def test_a_pass_needs_the_person_to_have_attended(world, people):
    course = course_for(world.village1, people=people)
    enrolment = course.enrolments.get(person=people[0])
    before = tables()
    for attended in (False, None):
        with pytest.raises(ValidationError) as refused:
            service.enrolment_mark(
                enrolment=enrolment, attended=attended, passed=True, by=world.director1
            )
        assert people[0].name in refused.value.messages[0]
    assert tables() == before
    marked = service.enrolment_mark(
        enrolment=enrolment, attended=True, passed=False, by=world.director1
    )
    assert (marked.attended, marked.passed) == (True, False)


def test_the_roll_call_waits_for_the_course_day(world, people):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    course = course_for(world.village1, people=people, starts_on=tomorrow)
    enrolment = course.enrolments.first()
    with pytest.raises(ValidationError):
        service.enrolment_mark(enrolment=enrolment, attended=True, passed=None, by=world.director1)
    with pytest.raises(ValidationError) as refused:
        service.course_close(course=course, by=world.director1)
    assert "to" in refused.value.message_dict


# ---- closing: the records, once --------------------------------------------------------------


def test_closing_writes_each_attendance_record_once_with_numbered_certificates(world, people):
    a, b, c = people
    course = course_for(world.village1, people=people, certificate_months=24, starts_on=DAY)
    _close_with(course, world.director1, {a: (True, True), b: (True, False), c: (False, None)})
    course.refresh_from_db()
    assert course.status == CourseStatus.HELD
    records = {r.person: r for r in TrainingRecord.objects.all()}
    assert set(records) == {a, b}  # every attendance, and only those
    passed = records[a]
    assert passed.kind == course.subject and passed.course == course.title
    assert passed.held_on == DAY and passed.hours == course.hours
    assert passed.certificate_number == f"2028-{course.pk}-01"
    assert passed.certificate_expires_on == dt.date(2030, 11, 6)
    assert records[b].certificate_number == "" and records[b].certificate_expires_on is None
    enrolments = {e.person: e for e in course.enrolments.all()}
    assert (
        enrolments[a].record == passed
        and enrolments[a].certificate_number == f"2028-{course.pk}-01"
    )
    assert enrolments[c].record is None and enrolments[c].attended is False

    before = tables()
    with pytest.raises(MoveRefused) as refused:  # closing twice
        service.course_close(course=course, by=world.director1)
    assert "只有计划中的培训" in refused.value.messages[0]
    with pytest.raises(ValidationError):  # and the roll call is closed with it
        service.enrolment_mark(
            enrolment=enrolments[c], attended=True, passed=None, by=world.director1
        )
    assert tables() == before


def test_placements_and_rostering_see_the_certificate(world, org, people):
    person = people[0]
    post = Post.objects.create(
        organisation=org, title="消防员", seats=1, required_training=TrainingKind.FIRE_SAFETY
    )
    today = timezone.localdate()
    wanted = "消防安全"
    assert any(wanted in p for p in placement_problems(person=person, post=post, on=today))
    assert Qualification.FIRE_SAFETY not in qualifications(person, today)
    course = course_for(world.village1, people=[person], certificate_months=12, starts_on=DAY)
    _close_with(course, world.director1, {person: (True, True)})
    person = Person.objects.prefetch_related("vetting_checks", "training_records").get(pk=person.pk)
    assert not any(wanted in p for p in placement_problems(person=person, post=post, on=today))
    assert Qualification.FIRE_SAFETY in qualifications(person, today)


def test_a_failed_attendance_counts_its_hours_but_qualifies_for_nothing(world, org, people):
    """A course without certificates still has an examination: a failed trainee's record keeps
    the hours but gives rostering no qualification (a record without an expiry date counts)."""
    passed, failed = people[:2]
    course = course_for(
        world.village1, people=[passed, failed], certificate_months=None, starts_on=DAY
    )
    _close_with(course, world.director1, {passed: (True, True), failed: (True, False)})
    today = timezone.localdate()
    records = {r.person_id: r for r in TrainingRecord.objects.all()}
    assert records[failed.pk].passed is False and records[failed.pk].hours == course.hours
    assert records[passed.pk].passed is True
    load = Person.objects.prefetch_related("vetting_checks", "training_records")
    assert Qualification.FIRE_SAFETY in qualifications(load.get(pk=passed.pk), today)
    assert Qualification.FIRE_SAFETY not in qualifications(load.get(pk=failed.pk), today)


def test_a_course_without_a_certificate_writes_records_without_one(world, people):
    course = course_for(world.village1, people=people, subject=TrainingKind.POLITICAL)
    _close_with(course, world.director1, dict.fromkeys(people, (True, None)))
    assert TrainingRecord.objects.filter(kind=TrainingKind.POLITICAL).count() == 3
    assert not TrainingRecord.objects.exclude(certificate_number="").exists()


@pytest.mark.parametrize("why", ["nobody came", "no result"])
def test_a_course_cannot_close_without_attendance_or_its_results(world, people, why):
    course = course_for(world.village1, people=people, certificate_months=24)
    marks = dict.fromkeys(people, (False, None))
    if why == "no result":
        marks[people[0]] = (True, None)
    results = {e.pk: Result(*marks[e.person]) for e in course.enrolments.select_related("person")}
    service.course_record_results(course=course, results=results, by=world.director1)
    before = tables()
    with pytest.raises(ValidationError) as refused:
        service.course_close(course=course, by=world.director1)
    assert refused.value.message_dict["to"]
    assert tables() == before


def test_a_cancelled_course_is_not_held(world, people):
    course = course_for(world.village1, people=people)
    service.course_cancel(course=course, by=world.director1, note="培训老师来不了")
    course.refresh_from_db()
    assert course.status == CourseStatus.CANCELLED
    assert course.history.first().history_change_reason == "培训老师来不了"
    with pytest.raises(MoveRefused):
        service.course_close(course=course, by=world.director1)
    assert service.LIFECYCLE.allowed(course, world.director1) == []
    assert not TrainingRecord.objects.exists()


def test_the_buttons_are_for_who_runs_the_course(world):
    course = course_for(world.village1)
    assert service.LIFECYCLE.allowed(course, world.director1) == ["held", "cancelled"]
    assert service.LIFECYCLE.allowed(course, world.township_officer) == ["held", "cancelled"]
    for reader in (world.police, world.auditor, world.director2, world.mediator1):
        assert service.LIFECYCLE.allowed(course, reader) == []


# ---- training meetings (以会代训) -------------------------------------------------------------


@pytest.fixture
def training_meeting(org):
    at = timezone.make_aware(dt.datetime.combine(DAY, dt.time(19, 0)))
    meeting = meeting_for(org, kind="training", status="held", scheduled_at=at, title="以会代训")
    rolls = list(Attendance.objects.filter(meeting=meeting).order_by("person__name", "pk"))
    for attendance, status in zip(rolls, ("present", "late", "absent"), strict=True):
        attendance.status = status
        attendance.save()
    return meeting


def test_a_training_meetings_roll_call_is_the_courses_attendance(world, training_meeting, people):
    a, b, c = people
    course = service.course_create(
        region=world.village1,
        details=details(certificate_months=None, subject=TrainingKind.LAW),
        meeting=training_meeting,
        by=world.director1,
    )
    assert course.organisation == training_meeting.organisation
    assert {e.person: e.attended for e in course.enrolments.all()} == {a: True, b: True, c: False}
    with pytest.raises(ValidationError):  # its roll is the meeting's
        service.enrolment_add(course=course, person=c, by=world.director1)
    # someone is marked present late in the day: closing takes the roll call again
    Attendance.objects.filter(meeting=training_meeting, person=c).update(
        status=AttendanceStatus.PRESENT
    )
    service.course_close(course=course, by=world.director1)
    assert set(TrainingRecord.objects.values_list("person", flat=True)) == {a.pk, b.pk, c.pk}


def test_a_training_meetings_course_needs_the_meeting_held(world, org, people):
    at = timezone.make_aware(dt.datetime.combine(DAY, dt.time(19, 0)))
    meeting = meeting_for(org, kind="training", status="planned", scheduled_at=at)
    course = service.course_create(
        region=world.village1, details=details(), meeting=meeting, by=world.director1
    )
    assert set(course.enrolments.values_list("attended", flat=True)) == {None}  # not marked yet
    with pytest.raises(ValidationError) as refused:
        service.course_close(course=course, by=world.director1)
    assert "会议" in refused.value.message_dict["to"][0]
    Attendance.objects.filter(meeting=meeting, person=people[0]).update(status="present")
    assert service.course_take_roll_call(course=course, by=world.director1) == 1
    assert course.enrolments.get(person=people[0]).attended is True


@pytest.mark.parametrize("problem", ["kind", "date", "twice", "village"])
def test_a_course_is_held_only_at_a_fitting_training_meeting(world, org, problem):
    at = timezone.make_aware(dt.datetime.combine(DAY, dt.time(19, 0)))
    kind = "study" if problem == "kind" else "training"
    where = organisation_for(world.village2, members=1) if problem == "village" else org
    meeting = meeting_for(where, kind=kind, status="held", scheduled_at=at)
    if problem == "twice":
        course_for(world.village1, meeting=meeting, starts_on=DAY)
    starts_on = DAY + dt.timedelta(days=1) if problem == "date" else DAY
    before = tables()
    with pytest.raises(ValidationError) as refused:
        service.course_create(
            region=world.village1,
            details=details(starts_on=starts_on),
            meeting=meeting,
            by=world.director1,
        )
    assert refused.value.message_dict
    assert tables() == before


def test_cancelling_a_meetings_course_lets_the_meeting_go(world, training_meeting):
    course = service.course_create(
        region=world.village1, details=details(), meeting=training_meeting, by=world.director1
    )
    service.course_cancel(course=course, by=world.director1)
    again = service.course_create(
        region=world.village1, details=details(), meeting=training_meeting, by=world.director1
    )
    assert again.meeting == training_meeting


# ---- reads --------------------------------------------------------------------------------------


def test_training_hours_per_person_and_year(world, people):
    a, b, _c = people
    TrainingRecord.objects.create(
        person=a, kind="law", course="法律", held_on=dt.date(2028, 3, 1), hours=Decimal("2.5")
    )
    TrainingRecord.objects.create(
        person=a, kind="law", course="法律", held_on=dt.date(2027, 3, 1), hours=Decimal("8")
    )
    course = course_for(world.village1, people=[a, b], starts_on=DAY, hours=Decimal("4"))
    _close_with(course, world.director1, {a: (True, None), b: (True, None)})
    hours = sel.training_hours(user=world.director1, year=2028)
    assert hours == {a.pk: Decimal("6.5"), b.pk: Decimal("4")}
    assert sel.training_hours(user=world.director2, year=2028) == {}
    assert sel.person_training_hours(person=a, year=2027) == Decimal("8")


def test_the_home_panel_names_who_lacks_a_required_training(world, org, people):
    post = Post.objects.create(
        organisation=org, title="消防员", seats=3, required_training=TrainingKind.FIRE_SAFETY
    )
    today = timezone.localdate()
    for person in people:
        Membership.objects.create(person=person, post=post, started_on=dt.date(2028, 1, 1))
    TrainingRecord.objects.create(  # valid for long: not due
        person=people[0],
        kind="fire_safety",
        course="消防",
        held_on=dt.date(2028, 1, 1),
        hours=4,
        certificate_expires_on=today + dt.timedelta(days=300),
    )
    TrainingRecord.objects.create(  # expires within 30 days: due
        person=people[1],
        kind="fire_safety",
        course="消防",
        held_on=dt.date(2027, 1, 1),
        hours=4,
        certificate_expires_on=today + dt.timedelta(days=20),
    )
    panel = sel.training_summary(world.township_officer)
    assert panel["people_due"] == 2
    assert panel["regions"] == [{"name": "枫源村", "code": world.village1.code, "people": 2}]
    assert {m.person for m in panel["first"]} == {people[1], people[2]}
    assert sel.training_summary(world.director2)["people_due"] == 0
