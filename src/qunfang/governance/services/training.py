"""培训: training courses and training meetings (以会代训), their roll call and results, and
the training records a course writes when it is closed as held.

    planned → held        (closing writes each attendee's registry.TrainingRecord, once)
            ↘ cancelled

A course is run by a village (its own people attend) or by the township (its villages' people
attend). A training meeting is a course held at a `Meeting` of kind TRAINING: the meeting's
roll call (present or late) is who attended. Every write is checked here; the village or
township running the course acts (`RUN_GOVERNANCE` and `user.works_in(course.region)`), and a
refusal raises a translated ValidationError (or `NotYours`) and changes nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.lifecycle import Lifecycle, Move
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.permissions import NotYours
from qunfang.core.roles import Perm
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
from qunfang.registry.models import Membership, Organisation, Person, TrainingKind, TrainingRecord

S = CourseStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset(),
    S.CANCELLED: frozenset(),
}
RUN_BY = (RegionKind.VILLAGE, RegionKind.TOWNSHIP)
PRESENT = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)  # the roll call's "attended"
MAX_HOURS = Decimal("999.9")  # what the column holds; more is a typing error
MAX_CERTIFICATE_MONTHS = 120


@dataclass(frozen=True)
class CourseDetails:
    """What the form gives for a course (the region and the meeting are fixed at creation)."""

    title: str
    subject: str
    hours: Decimal | None
    starts_on: dt.date
    organisation: Organisation | None = None
    place: str = ""
    trainer: str = ""
    outline: str = ""
    certificate_months: int | None = None


@dataclass(frozen=True)
class Result:
    """One person's line of the roll call: attended (None: as the meeting's roll call says) and
    passed (True, False, or None: no result)."""

    attended: bool | None
    passed: bool | None


# ---- who acts -------------------------------------------------------------------------------


def may_run(user: User, region: Region) -> bool:
    """The village or township running the course (or above it) holds and changes it."""
    return user.can(Perm.RUN_GOVERNANCE) and user.works_in(region)


def _require(user: User, course: Course) -> None:
    if not may_run(user, course.region):
        raise NotYours(
            _("Only the village or township running this course may change it (%(region)s).")
            % {"region": course.region.name}
        )


def _locked(course: Course, by: User) -> Course:
    """The course, locked for a write, by someone who runs it, while it is still planned."""
    _require(by, course)
    locked = (
        Course.objects.select_for_update(of=("self",))
        .select_related("region", "meeting")
        .get(pk=course.pk)
    )
    if locked.status != S.PLANNED:
        raise ValidationError(
            _("This course is “%(status)s”: its roll call and results can no longer change.")
            % {"status": locked.get_status_display()}
        )
    return locked


# ---- checks ---------------------------------------------------------------------------------


def meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localdate(meeting.held_at or meeting.scheduled_at)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st becomes the month's last day where it has none."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def hours_problem(hours: Decimal | None) -> str:
    """Why these are not a course's hours ("" when they are); the form asks the same."""
    if hours is None or not hours.is_finite() or hours <= 0:
        return _("Give the course's hours as a number above zero, such as 4 or 1.5.")
    if hours > MAX_HOURS:
        return _("At most %(max)s hours: more is a typing error.") % {"max": MAX_HOURS}
    if hours != hours.quantize(Decimal("0.1")):
        return _("Give the hours with at most one decimal place, such as 1.5.")
    return ""


def months_problem(months: int | None) -> str:
    if months is not None and not 1 <= months <= MAX_CERTIFICATE_MONTHS:
        return _(
            "A certificate is valid for 1 to %(max)s months; leave it empty when the course "
            "gives none."
        ) % {"max": MAX_CERTIFICATE_MONTHS}
    return ""


def _details_problems(region: Region, details: CourseDetails) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not details.title.strip():
        problems["title"] = _("Give the course a title.")
    if details.subject not in TrainingKind.values:
        problems["subject"] = _("Choose the subject from the list.")
    if problem := hours_problem(details.hours):
        problems["hours"] = problem
    if problem := months_problem(details.certificate_months):
        problems["certificate_months"] = problem
    org = details.organisation
    if org is not None and not region.contains(org.region):
        problems["organisation"] = _("%(org)s is not an organisation of %(region)s.") % {
            "org": org.name,
            "region": region.name,
        }
    return problems


def _meeting_problems(region: Region, meeting: Meeting, starts_on: dt.date) -> dict[str, str]:
    if meeting.kind != MeetingKind.TRAINING:
        return {
            "meeting": _(
                "Only a training session (以会代训) holds a course; this meeting is “%(kind)s”."
            )
            % {"kind": meeting.get_kind_display()}
        }
    if meeting.status == MeetingStatus.CANCELLED:
        return {"meeting": _("This meeting was cancelled.")}
    held = Course.objects.filter(meeting=meeting).first()
    if held is not None:
        return {
            "meeting": _("This meeting already holds the course “%(title)s”.")
            % {"title": held.title}
        }
    if not region.contains(meeting.organisation.region):
        return {"meeting": _("This meeting is not held in %(region)s.") % {"region": region.name}}
    day = meeting_day(meeting)
    if starts_on != day:
        return {
            "starts_on": _("The course is held at the meeting: give its date, %(day)s.")
            % {"day": day.isoformat()}
        }
    return {}


def enrol_problem(course: Course, person: Person) -> str:
    """Why this person cannot be on the course ("" when they can)."""
    if course.region.contains(person.region):
        return ""
    if course.region.kind == RegionKind.VILLAGE:
        return _(
            "%(name)s is registered in %(village)s: a village's course takes its own people."
        ) % {"name": person.name, "village": person.region.name}
    return _("%(name)s does not live in a village of %(region)s.") % {
        "name": person.name,
        "region": course.region.name,
    }


# ---- courses --------------------------------------------------------------------------------


def _apply(course: Course, details: CourseDetails) -> None:
    course.title = details.title.strip()
    course.subject = details.subject
    course.hours = details.hours if details.hours is not None else Decimal(0)
    course.starts_on = details.starts_on
    course.organisation = details.organisation
    course.place = details.place.strip()
    course.trainer = details.trainer.strip()
    course.outline = details.outline.strip()
    course.certificate_months = details.certificate_months


@transaction.atomic
def course_create(
    *, region: Region, details: CourseDetails, by: User, meeting: Meeting | None = None
) -> Course:
    """A planned course run by `region` (a village or the township). A course with an
    organisation enrols its current members; one held at a training meeting takes the
    meeting's roll (its organisation, if none is given)."""
    if region.kind not in RUN_BY:
        raise ValidationError({"region": _("A course is run by a village or a township.")})
    if not may_run(by, region):
        raise NotYours(
            _("Only the village or township itself may plan its courses (%(region)s).")
            % {"region": region.name}
        )
    problems = _details_problems(region, details)
    if meeting is not None:
        Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting.pk).first()
        problems |= _meeting_problems(region, meeting, details.starts_on)
    if problems:
        raise ValidationError(problems)
    course = Course(region=region, meeting=meeting, status=S.PLANNED, created_by=by)
    _apply(course, details)
    if meeting is not None and course.organisation is None:
        course.organisation = meeting.organisation
    course._change_reason = _("Course planned")
    course.save()
    if meeting is not None:
        _roll_call(course, by)
    elif course.organisation is not None:
        _enrol(course, members(course.organisation), by)
    return course


@transaction.atomic
def course_update(*, course: Course, details: CourseDetails, by: User) -> Course:
    """Change a planned course. A training meeting's course stays on the meeting's day."""
    locked = _locked(course, by)
    problems = _details_problems(locked.region, details)
    if locked.meeting is not None and details.starts_on != meeting_day(locked.meeting):
        problems["starts_on"] = _("The course is held at the meeting: give its date, %(day)s.") % {
            "day": meeting_day(locked.meeting).isoformat()
        }
    if problems:
        raise ValidationError(problems)
    _apply(locked, details)
    locked._change_reason = _("Course changed")
    locked.save()
    return locked


# ---- who is on the course -------------------------------------------------------------------


def members(organisation: Organisation) -> list[Person]:
    """The organisation's people holding a post now."""
    current = Membership.objects.filter(post__organisation=organisation, ended_on__isnull=True)
    people = Person.objects.filter(pk__in=current.values("person_id")).select_related("region")
    return list(people.order_by("name", "id"))


def _not_at_a_meeting(course: Course) -> None:
    if course.meeting_id is not None:
        raise ValidationError(
            _(
                "This course is held at a meeting: who takes part is the meeting's roll. "
                "Invite people to the meeting instead."
            )
        )


def _enrol(course: Course, people: Iterable[Person], by: User) -> list[Enrolment]:
    on = set(course.enrolments.values_list("person_id", flat=True))
    added = []
    for person in people:
        if person.pk in on:
            continue
        if problem := enrol_problem(course, person):
            raise ValidationError({"person": problem})
        enrolment = Enrolment(course=course, person=person)
        enrolment._history_user = by
        enrolment.save()
        on.add(person.pk)
        added.append(enrolment)
    return added


@transaction.atomic
def enrolment_add(*, course: Course, person: Person, by: User) -> Enrolment:
    """Put one person on the course (people of the course's village, or of the township's
    villages)."""
    locked = _locked(course, by)
    _not_at_a_meeting(locked)
    if locked.enrolments.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(name)s is already on this course.") % {"name": person.name}}
        )
    return _enrol(locked, [person], by)[0]


@transaction.atomic
def course_enrol_organisation(
    *, course: Course, organisation: Organisation, by: User
) -> list[Enrolment]:
    """Put the organisation's current members on the course (those not on it yet)."""
    locked = _locked(course, by)
    _not_at_a_meeting(locked)
    if not locked.region.contains(organisation.region):
        raise ValidationError(
            {
                "organisation": _("%(org)s is not an organisation of %(region)s.")
                % {"org": organisation.name, "region": locked.region.name}
            }
        )
    return _enrol(locked, members(organisation), by)


@transaction.atomic
def enrolment_remove(*, enrolment: Enrolment, by: User) -> None:
    locked = _locked(enrolment.course, by)
    _not_at_a_meeting(locked)
    Enrolment.objects.filter(pk=enrolment.pk, course=locked).delete()


# ---- roll call and results ------------------------------------------------------------------


def _roll(course: Course) -> dict[int, bool | None]:
    """A training meeting's roll call: each invited person, and whether they came (None: not
    marked yet)."""
    if course.meeting_id is None:
        return {}
    rows = Attendance.objects.filter(meeting_id=course.meeting_id).values_list("person", "status")
    return {
        person: None if status == AttendanceStatus.INVITED else status in PRESENT
        for person, status in rows
    }


def _roll_call(course: Course, by: User | None) -> int:
    """Make the enrolments the meeting's roll: add the invited, drop the rest, mark who came
    (a result stays only for those who did). Returns how many came."""
    roll = _roll(course)
    course.enrolments.exclude(person_id__in=roll).delete()
    current = {e.person_id: e for e in course.enrolments.all()}
    for person_id, came in roll.items():
        enrolment = current.get(person_id) or Enrolment(course=course, person_id=person_id)
        passed = enrolment.passed if came else None
        if enrolment.pk is None or (enrolment.attended, enrolment.passed) != (came, passed):
            enrolment.attended, enrolment.passed = came, passed
            enrolment._history_user = by
            enrolment.save()
    return sum(1 for came in roll.values() if came)


@transaction.atomic
def course_take_roll_call(*, course: Course, by: User) -> int:
    """Copy the training meeting's roll call onto the course now (closing does it again)."""
    locked = _locked(course, by)
    if locked.meeting_id is None:
        raise ValidationError(
            _("This course is not held at a meeting: mark who attended on its roll call.")
        )
    return _roll_call(locked, by)


def _result_problem(enrolment: Enrolment, attended: bool | None, passed: bool | None) -> str:
    if passed is not None and attended is not True:
        return _("%(name)s did not attend: only those who attended pass or fail.") % {
            "name": enrolment.person.name
        }
    return ""


@transaction.atomic
def course_record_results(*, course: Course, results: Mapping[int, Result], by: User) -> Course:
    """The roll call and the results, by enrolment id: who attended (a training meeting's roll
    call is the meeting's: give None) and who passed or failed (only those who attended)."""
    locked = _locked(course, by)
    today = timezone.localdate()
    if locked.starts_on > today:
        raise ValidationError(
            _("The course is on %(day)s: mark the roll call once it has been held.")
            % {"day": locked.starts_on.isoformat()}
        )
    enrolments = {
        e.pk: e for e in locked.enrolments.select_related("person").select_for_update(of=("self",))
    }
    unknown = set(results) - set(enrolments)
    if unknown:
        raise ValidationError(_("Someone in the results is not on this course."))
    at_meeting = locked.meeting_id is not None
    problems: list[str] = []
    changed: list[Enrolment] = []
    for pk, result in results.items():
        enrolment = enrolments[pk]
        if at_meeting and result.attended is not None and result.attended != enrolment.attended:
            raise ValidationError(_("The meeting's roll call marks who attended this course."))
        attended = enrolment.attended if at_meeting else result.attended
        if problem := _result_problem(enrolment, attended, result.passed):
            problems.append(problem)
        elif (enrolment.attended, enrolment.passed) != (attended, result.passed):
            enrolment.attended, enrolment.passed = attended, result.passed
            changed.append(enrolment)
    if problems:
        raise ValidationError(problems)
    for enrolment in changed:
        enrolment._history_user = by
        enrolment.save(update_fields=["attended", "passed"])
    return locked


def enrolment_mark(
    *, enrolment: Enrolment, attended: bool | None, passed: bool | None, by: User
) -> Enrolment:
    """One person's line of the roll call (see `course_record_results`)."""
    course_record_results(
        course=enrolment.course, results={enrolment.pk: Result(attended, passed)}, by=by
    )
    enrolment.refresh_from_db()
    return enrolment


# ---- closing: the training records ----------------------------------------------------------


def close_problems(course: Course, today: dt.date) -> list[str]:
    """What stops a planned course being closed as held (empty: it may be)."""
    if course.starts_on > today:
        return [
            _("The course is on %(day)s: it can be closed once it has been held.")
            % {"day": course.starts_on.isoformat()}
        ]
    if course.meeting is not None:
        if course.meeting.status != MeetingStatus.HELD:
            return [_("Hold the meeting first: its roll call says who attended the course.")]
        came = {p for p, present in _roll(course).items() if present}
        results = {e.person_id: e.passed for e in course.enrolments.all()}
    else:
        attended = course.enrolments.filter(attended=True)
        came = set(attended.values_list("person_id", flat=True))
        results = dict(attended.values_list("person_id", "passed"))
    if not came:
        return [_("Nobody attended: mark who did, or cancel the course.")]
    if course.certificate_months is not None:
        missing = [p for p in came if results.get(p) is None]
        if missing:
            return [
                _(
                    "The course gives a certificate: mark a pass or fail for everyone who "
                    "attended (%(count)s without a result)."
                )
                % {"count": len(missing)}
            ]
    return []


def certificate_number(course: Course, n: int) -> str:
    """`<year>-<course id>-<n>`, numbered per course."""
    return f"{course.starts_on.year}-{course.pk}-{n:02d}"


def _write_records(course: Course, by: User | None) -> int:
    """Each attendance's training record, once (an enrolment with its record keeps it); the
    passed get the course's numbered certificate where the course gives one."""
    if course.meeting_id is not None:
        _roll_call(course, by)
    for unmarked in course.enrolments.filter(attended__isnull=True):
        unmarked.attended = False
        unmarked._history_user = by
        unmarked.save(update_fields=["attended"])
    certifies = course.certificate_months is not None
    expires = add_months(course.starts_on, course.certificate_months or 0) if certifies else None
    attended = list(
        course.enrolments.filter(attended=True, record__isnull=True)
        .select_related("person")
        .order_by("person__name", "person_id")
    )
    n = 0
    for enrolment in attended:
        certified = certifies and enrolment.passed is True
        if certified:
            n += 1
            enrolment.certificate_number = certificate_number(course, n)
        record = TrainingRecord(
            person=enrolment.person,
            kind=course.subject,
            course=course.title,
            held_on=course.starts_on,
            hours=course.hours,
            certificate_number=enrolment.certificate_number,
            certificate_expires_on=expires if certified else None,
            passed=enrolment.passed,
        )
        record._history_user = by
        record._change_reason = _("Attended the course “%(title)s”") % {"title": course.title}
        record.save()
        enrolment.record = record
        enrolment._history_user = by
        enrolment.save(update_fields=["certificate_number", "record"])
    return len(attended)


def _record_move(move: Move[Course]) -> None:
    if move.to == S.HELD:
        _write_records(move.obj, move.by)


LIFECYCLE = Lifecycle(
    Course,
    CourseStatus,
    TRANSITIONS,
    thing=gettext_lazy("course"),
    may=lambda course, user, to: may_run(user, course.region),
    refused_by_who=gettext_lazy("Only the village or township running this course may change it."),
    refusals={
        S.HELD: gettext_lazy(
            "Only a planned course can be closed as held; this one is “%(current)s”."
        ),
        S.CANCELLED: gettext_lazy(
            "Only a planned course can be cancelled; this one is “%(current)s”."
        ),
    },
    refusal_field="to",
    record=_record_move,
    related=("region", "meeting"),
)


def course_close(*, course: Course, by: User, note: str = "") -> Course:
    """Close the course as held: a training meeting's roll call is taken once more, the
    unmarked count as absent, and every attendance writes the person's training record."""

    def check(locked: Course) -> None:
        problems = close_problems(locked, timezone.localdate())
        if problems:
            raise ValidationError({"to": problems})

    def apply(locked: Course) -> None:
        locked._change_reason = note.strip()[:100] or _("Closed as held")

    return LIFECYCLE.move(course, S.HELD, by=by, note=note, check=check, apply=apply)


def course_cancel(*, course: Course, by: User, note: str = "") -> Course:
    """Cancel a planned course; a training meeting's course lets the meeting go (another
    course may be held at it)."""

    def apply(locked: Course) -> None:
        locked.meeting = None
        locked._change_reason = note.strip()[:100] or _("Cancelled")

    return LIFECYCLE.move(course, S.CANCELLED, by=by, note=note, apply=apply)


def course_move(*, course: Course, to: str, by: User, note: str = "") -> Course:
    if to == S.HELD:
        return course_close(course=course, by=by, note=note)
    if to == S.CANCELLED:
        return course_cancel(course=course, by=by, note=note)
    raise LIFECYCLE.refusal(course, to)
