"""Reads of the training book: the course list with its filters, one course with its roll, what
the forms offer, the paper register, training hours per person and year (for assessment) and
the home panel. Every read starts from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from qunfang.core.models import Region, User
from qunfang.governance.models import Course, CourseStatus, Enrolment, Meeting, MeetingKind
from qunfang.governance.services.training import RUN_BY, may_run
from qunfang.registry.models import Membership, Organisation, Person, TrainingRecord
from qunfang.registry.selectors import training_due

DUE_WITHIN_DAYS = 30  # certificates expiring this soon show on the home panel
PANEL_PEOPLE = 8  # the most urgent people the panel names


def _counts(queryset: QuerySet[Course]) -> QuerySet[Course]:
    """Each course with how many are enrolled, attended and passed (one query with the rows)."""
    return queryset.annotate(
        enrolled=Count("enrolments"),
        attended_count=Count("enrolments", filter=Q(enrolments__attended=True)),
        passed_count=Count("enrolments", filter=Q(enrolments__passed=True)),
    )


def course_regions(*, user: User) -> QuerySet[Region]:
    """The villages and townships whose courses the user sees (the list's filter)."""
    return Region.objects.visible_to(user).filter(kind__in=RUN_BY).order_by("path")


def regions_to_run(*, user: User) -> list[Region]:
    """The villages and townships the user may plan courses for."""
    return [r for r in course_regions(user=user).select_related("parent") if may_run(user, r)]


def course_list(
    *,
    user: User,
    region: Region | None = None,
    subject: str = "",
    status: str = "",
    year: int | None = None,
) -> QuerySet[Course]:
    """Newest first, with the counts of the roll: one query for the page (and its count)."""
    queryset = Course.objects.visible_to(user).select_related("region", "organisation", "meeting")
    if region is not None:
        queryset = queryset.filter(region=region)
    if subject:
        queryset = queryset.filter(subject=subject)
    if status:
        queryset = queryset.filter(status=status)
    if year is not None:
        queryset = queryset.filter(starts_on__year=year)
    return _counts(queryset).order_by("-starts_on", "-id")  # a count's GROUP BY drops Meta's


def course_for_detail(*, user: User) -> QuerySet[Course]:
    return Course.objects.visible_to(user).select_related(
        "region__parent", "organisation", "meeting__organisation", "created_by"
    )


def enrolments_of(course: Course) -> list[Enrolment]:
    return list(
        course.enrolments.select_related("person__region", "record").order_by(
            "person__name", "person_id"
        )
    )


def training_meetings_free(*, user: User) -> QuerySet[Meeting]:
    """Training sessions (以会代训) the user may hold a course at: not cancelled, no course yet."""
    regions = [r.pk for r in regions_to_run(user=user)]
    return (
        Meeting.objects.visible_to(user)
        .filter(kind=MeetingKind.TRAINING, course__isnull=True)
        .exclude(status="cancelled")
        .filter(Q(organisation__region__in=regions) | Q(organisation__region__parent__in=regions))
        .select_related("organisation__region")
        .order_by("-scheduled_at", "-id")
    )


def organisations_for(*, user: User, region: Region | None = None) -> QuerySet[Organisation]:
    """Working organisations the user sees (of `region` and its villages, when given)."""
    queryset = (
        Organisation.objects.visible_to(user).exclude(status="dissolved").select_related("region")
    )
    if region is not None:
        queryset = queryset.filter(region__path__startswith=region.path)
    return queryset.order_by("region__path", "kind", "name")


def people_to_enrol(*, user: User, course: Course) -> QuerySet[Person]:
    """Who may still be put on the course: the village's people for a village's course; for
    the township's, the people holding a post in one of its villages (a township has
    thousands of people: the rest come in by their organisation)."""
    queryset = (
        Person.objects.visible_to(user)
        .filter(region__path__startswith=course.region.path)
        .exclude(pk__in=course.enrolments.values("person_id"))
        .select_related("region")
    )
    if course.region.kind != "village":
        serving = Membership.objects.filter(ended_on__isnull=True).values("person_id")
        queryset = queryset.filter(pk__in=serving)
    return queryset.order_by("region__path", "name", "id")


def certificate_for(*, user: User) -> QuerySet[Enrolment]:
    """Enrolments with a certificate, for its printable page."""
    return (
        Enrolment.objects.visible_to(user)
        .filter(course__status=CourseStatus.HELD, passed=True)
        .exclude(certificate_number="")
        .select_related("course__region__parent", "person__region", "record")
    )


def register_rows(*, user: User, region: Region, first: dt.date, last: dt.date) -> list[Course]:
    """The courses the region held in the period, in date order, with their counts."""
    held = Course.objects.visible_to(user).filter(
        region=region, status=CourseStatus.HELD, starts_on__gte=first, starts_on__lte=last
    )
    return list(_counts(held.select_related("meeting")).order_by("starts_on", "id"))


# ---- for assessment: hours per person and year -------------------------------------------------


def training_hours(*, user: User, year: int, region: Region | None = None) -> dict[int, Decimal]:
    """Hours of training each person had in `year` (every training record: courses closed
    here and records entered in the registry), by person id; one query."""
    records = TrainingRecord.objects.visible_to(user).filter(held_on__year=year)
    if region is not None:
        records = records.filter(person__region__path__startswith=region.path)
    totals = records.values("person_id").annotate(total=Sum("hours")).order_by()
    return {row["person_id"]: row["total"] for row in totals}


def person_training_hours(*, person: Person, year: int) -> Decimal:
    total = TrainingRecord.objects.filter(person=person, held_on__year=year).aggregate(
        total=Sum("hours")
    )["total"]
    return total if total is not None else Decimal(0)


# ---- the home panel ---------------------------------------------------------------------------


def training_summary(user: User) -> dict[str, Any]:
    """People whose post requires a training they lack, or whose certificate expires within
    30 days, by village (or township), the most urgent named; and the courses coming up.
    Three queries."""
    today = timezone.localdate()
    due = training_due(user=user, within_days=DUE_WITHIN_DAYS)
    by_region = list(
        due.order_by()
        .values("post__organisation__region__name", "post__organisation__region__code")
        .annotate(people=Count("person", distinct=True))
        .order_by("post__organisation__region__code")
    )
    first = list(due[:PANEL_PEOPLE])
    upcoming = (
        Course.objects.visible_to(user)
        .filter(
            status=CourseStatus.PLANNED,
            starts_on__gte=today,
            starts_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
        )
        .count()
    )
    return {
        "regions": [
            {
                "name": row["post__organisation__region__name"],
                "code": row["post__organisation__region__code"],
                "people": row["people"],
            }
            for row in by_region
        ],
        "people_due": sum(row["people"] for row in by_region),
        "first": first,
        "upcoming": upcoming,
        "today": today,
    }
