"""The demo's year of training on a reduced township (枫源村, 乐山村 and two more villages),
built by the real demo steps and checked for consistency: township courses and village
training meetings held, with attendance, passes and a few fails, numbered certificates and
exactly one training record per attendance; one course to come and one cancelled."""

import random
from collections import Counter

import pytest
from django.db.models import Count, F
from django.utils import timezone

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, step_accounts, step_regions
from qunfang.governance.demo.training import step as step_training
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Course,
    CourseStatus,
    Enrolment,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from qunfang.governance.services.training import add_months
from qunfang.registry.demo import step_registry
from qunfang.registry.models import TrainingKind, TrainingRecord
from tests.clock import MIDWEEK


@pytest.fixture
def demo(db, time_machine):
    time_machine.move_to(MIDWEEK, tick=True)  # the demo's year is made back from a known day
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261128))
    step_regions(context)
    step_accounts(context)
    others = sorted(v.code for v in context.villages if v.code not in (VILLAGE_1, VILLAGE_2))
    keep = {VILLAGE_1, VILLAGE_2, *others[:2]}
    context.villages = [v for v in context.villages if v.code in keep]
    step_registry(context)
    step_training(context)
    return context


def test_the_demo_year_of_training_is_consistent(demo):
    today = demo.today
    courses = Course.objects.all()
    township = courses.filter(region=demo.township)
    subjects = set(township.filter(status=CourseStatus.HELD).values_list("subject", flat=True))
    assert {
        TrainingKind.LAW,
        TrainingKind.POLITICAL,
        TrainingKind.MEDIATION,
        TrainingKind.FIRE_SAFETY,
        TrainingKind.FIRST_AID,
    } <= subjects
    assert township.filter(status=CourseStatus.PLANNED, starts_on__gt=today).count() == 1
    assert township.filter(status=CourseStatus.CANCELLED).count() == 1

    # every village holds training meetings (以会代训), without a schedule, with a roll call
    meetings = Meeting.objects.filter(kind=MeetingKind.TRAINING, schedule__isnull=True)
    held = meetings.filter(status=MeetingStatus.HELD)
    assert set(held.values_list("organisation__region", flat=True)) == {v.pk for v in demo.villages}
    assert not held.filter(course__isnull=True).exists()  # each holds its course
    assert not held.filter(scheduled_at__date__gt=today).exists()
    planned = meetings.filter(status=MeetingStatus.PLANNED).get()
    assert planned.course.status == CourseStatus.PLANNED
    assert planned.organisation.region.code == VILLAGE_1

    # a meeting's course: its roll call is the attendance
    for course in courses.filter(meeting__isnull=False, status=CourseStatus.HELD):
        roll = dict(
            Attendance.objects.filter(meeting=course.meeting).values_list("person", "status")
        )
        came = {
            p for p, s in roll.items() if s in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
        }
        assert set(course.enrolments.values_list("person", flat=True)) == set(roll)
        assert set(course.enrolments.filter(attended=True).values_list("person", flat=True)) == came
        assert course.starts_on == timezone.localdate(course.meeting.scheduled_at)

    # one record per attendance of a held course, and none other
    held_courses = Enrolment.objects.filter(course__status=CourseStatus.HELD)
    assert held_courses.filter(attended=True, record__isnull=True).count() == 0
    assert Enrolment.objects.exclude(attended=True).filter(record__isnull=False).count() == 0
    assert (
        Enrolment.objects.exclude(course__status=CourseStatus.HELD)
        .filter(record__isnull=False)
        .count()
        == 0
    )
    recorded = held_courses.filter(record__isnull=False)
    assert (
        recorded.filter(
            record__person=F("person"),
            record__kind=F("course__subject"),
            record__held_on=F("course__starts_on"),
            record__hours=F("course__hours"),
            record__course=F("course__title"),
        ).count()
        == recorded.count()
    )

    # passes and a few fails, only among those who attended; certificates numbered per course
    results = Counter(held_courses.filter(attended=True).values_list("passed", flat=True))
    assert results[True] > 4 * results[False] > 0  # a few fail
    assert not Enrolment.objects.filter(passed__isnull=False).exclude(attended=True).exists()
    for course in courses.filter(status=CourseStatus.HELD, certificate_months__isnull=False):
        numbers = sorted(
            course.enrolments.filter(passed=True).values_list("certificate_number", flat=True)
        )
        assert numbers == [
            f"{course.starts_on.year}-{course.pk}-{n:02d}" for n in range(1, len(numbers) + 1)
        ]
        expires = add_months(course.starts_on, course.certificate_months)
        records = TrainingRecord.objects.filter(enrolment_of_course(course), certificate_number="")
        assert not records.exclude(certificate_expires_on=None).exists()
        certified = TrainingRecord.objects.filter(enrolment_of_course(course)).exclude(
            certificate_number=""
        )
        assert set(certified.values_list("certificate_expires_on", flat=True)) == {expires}
    # the certificates are in the years' records the registry reads
    assert TrainingRecord.objects.filter(certificate_number__contains="-").exists()
    busy = Enrolment.objects.values("course").annotate(n=Count("id")).order_by("-n").first()
    assert busy["n"] > 5


def enrolment_of_course(course):
    from django.db.models import Q

    return Q(pk__in=course.enrolments.exclude(record=None).values("record"))
