"""Reads of the meetings book: the list with its filters, one meeting with its roll and
evidence, the schedules, the missed meetings per village and the home-page panel. Every read
starts from `visible_to(user)`; the QR scan page also reaches a meeting its user is invited to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qunfang.core.days import local_midnight
from qunfang.core.models import Region, RegionKind, User
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingEvidence,
    MeetingSchedule,
    MeetingStatus,
)
from qunfang.governance.services.meetings import HERE, occurrences
from qunfang.registry.models import Organisation, OrgStatus, Person

MISSED_LOOKBACK = dt.timedelta(days=90)  # how far back a missed meeting is still shown
COMING = dt.timedelta(days=7)  # the panel's "coming up"
PANEL_ROWS = 5


def _roll_counts(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Each meeting's invited and present, counted per row of the page: a join grouped over
    every meeting the township ever had took 80 ms before the page was cut."""
    roll = Attendance.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting")

    def counted(rows: QuerySet[Attendance, Any]) -> Coalesce:
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), Value(0))

    return queryset.annotate(
        invited_count=counted(roll), here_count=counted(roll.filter(status__in=HERE))
    )


def meeting_list(
    user: User,
    *,
    village: Region | None = None,
    organisation: Organisation | None = None,
    kind: str = "",
    status: str = "",
) -> QuerySet[Meeting]:
    """The book, newest first, with how many were invited and came: one query a page."""
    queryset = Meeting.objects.visible_to(user).select_related("organisation__region", "chair")
    if village is not None:
        queryset = queryset.filter(organisation__region=village)
    if organisation is not None:
        queryset = queryset.filter(organisation=organisation)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    return _roll_counts(queryset).order_by("-scheduled_at", "-id")


def organisations_visible(user: User) -> QuerySet[Organisation]:
    """The organisations whose meetings the user sees: the list's filter, the forms' choice."""
    return (
        Organisation.objects.visible_to(user)
        .exclude(status=OrgStatus.DISSOLVED)
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )


def _roll() -> Prefetch[str]:
    return Prefetch(
        "attendances",
        queryset=Attendance.objects.select_related("person", "marked_by").order_by(
            "person__name", "person_id"
        ),
    )


def meeting_for_detail(user: User) -> QuerySet[Meeting]:
    """One meeting with its roll and its evidence (three queries)."""
    return (
        Meeting.objects.visible_to(user)
        .select_related("organisation__region", "chair", "schedule", "recorded_by")
        .prefetch_related(
            _roll(),
            Prefetch("evidence", queryset=MeetingEvidence.objects.select_related("uploaded_by")),
        )
    )


def meeting_for_roll_call(user: User) -> QuerySet[Meeting]:
    """The meetings whose roll the user may open: those they see, and those they chair."""
    seen = Meeting.objects.visible_to(user).values("pk")
    return (
        Meeting.objects.filter(Q(pk__in=seen) | Q(chair__account=user))
        .select_related("organisation__region", "chair")
        .prefetch_related(_roll())
    )


def meeting_for_scan(user: User) -> QuerySet[Meeting]:
    """The meetings whose scan page answers this user: those they see, and those they are
    invited to (a member's account may sit in a villager group). Any other: 404."""
    seen = Meeting.objects.visible_to(user).values("pk")
    return Meeting.objects.filter(
        Q(pk__in=seen) | Q(attendances__person__account=user)
    ).select_related("organisation__region")


def person_of(user: User) -> Person | None:
    """The registry person linked to this sign-in, or None."""
    return Person.objects.filter(account=user).first()


def attendance_of(meeting: Meeting, person: Person | None) -> Attendance | None:
    if person is None:
        return None
    return Attendance.objects.filter(meeting=meeting, person=person).first()


def roll_tally(attendances: list[Attendance]) -> dict[str, int]:
    """How many are marked each way (from a roll already read)."""
    tally = dict.fromkeys(AttendanceStatus.values, 0)
    for attendance in attendances:
        tally[attendance.status] += 1
    tally["here"] = tally[AttendanceStatus.PRESENT] + tally[AttendanceStatus.LATE]
    tally["all"] = len(attendances)
    return tally


def here_count(meeting: Meeting) -> tuple[int, int]:
    """(came, invited), one query: the screen's running count."""
    counts = meeting.attendances.aggregate(
        here=Count("id", filter=Q(status__in=HERE)), all=Count("id")
    )
    return counts["here"], counts["all"]


def people_to_invite(user: User, meeting: Meeting) -> QuerySet[Person]:
    """The people of the meeting's village not yet on its roll."""
    region = meeting.organisation.region
    return (
        Person.objects.visible_to(user)
        .filter(region__path__startswith=region.path)
        .exclude(pk__in=meeting.attendances.values("person_id"))
        .select_related("region")
        .order_by("name", "id")
    )


def schedule_list(user: User, *, village: Region | None = None) -> QuerySet[MeetingSchedule]:
    queryset = MeetingSchedule.objects.visible_to(user).select_related("organisation__region")
    if village is not None:
        queryset = queryset.filter(organisation__region=village)
    return queryset.order_by("organisation__region__path", "organisation__name", "title", "id")


# ---- missed meetings ------------------------------------------------------------------------


@dataclass(frozen=True)
class MissedMeeting:
    """An occurrence past its day that was not held: a planned meeting left so (`meeting`), or
    an occurrence of a schedule never put in the book (`meeting` None)."""

    organisation: Organisation
    title: str
    due_at: dt.datetime
    kind: str
    schedule_id: int | None
    meeting: Meeting | None

    @property
    def village(self) -> Region:
        return self.organisation.region


def missed_meetings(
    user: User,
    *,
    today: dt.date | None = None,
    since: dt.date | None = None,
    village: Region | None = None,
    organisation: Organisation | None = None,
    kind: str = "",
) -> list[MissedMeeting]:
    """The meetings that fell due from `since` (default: MISSED_LOOKBACK ago) until yesterday,
    Shanghai time, and were not held: planned and past, or never put in the book. A cancelled
    one is not missed (it was called off, with a reason). Newest first; two queries."""
    today = today or timezone.localdate()
    since = since or today - MISSED_LOOKBACK
    yesterday = today - dt.timedelta(days=1)
    meetings = Meeting.objects.visible_to(user).filter(
        scheduled_at__gte=local_midnight(since), scheduled_at__lt=local_midnight(today)
    )
    schedules = (
        MeetingSchedule.objects.visible_to(user)
        .filter(starts_on__lte=yesterday)
        .exclude(ends_on__lt=since)
        .exclude(organisation__status=OrgStatus.DISSOLVED)
    )
    if village is not None:
        meetings = meetings.filter(organisation__region=village)
        schedules = schedules.filter(organisation__region=village)
    if organisation is not None:
        meetings = meetings.filter(organisation=organisation)
        schedules = schedules.filter(organisation=organisation)
    if kind:
        meetings = meetings.filter(kind=kind)
        schedules = schedules.filter(kind=kind)
    missed: list[MissedMeeting] = []
    covered: set[tuple[int, dt.datetime]] = set()
    for meeting in meetings.select_related("organisation__region"):
        if meeting.schedule_id is not None:
            covered.add((meeting.schedule_id, meeting.scheduled_at))
        if meeting.status == MeetingStatus.PLANNED:
            missed.append(_missed(meeting.organisation, meeting, meeting.scheduled_at))
    for schedule in schedules.select_related("organisation__region"):
        for at in occurrences(schedule, since, yesterday):
            if (schedule.pk, at) not in covered:
                missed.append(
                    MissedMeeting(
                        organisation=schedule.organisation,
                        title=schedule.title,
                        due_at=at,
                        kind=schedule.kind,
                        schedule_id=schedule.pk,
                        meeting=None,
                    )
                )
    missed.sort(key=lambda m: (m.due_at, m.organisation.pk, m.title), reverse=True)
    return missed


def _missed(organisation: Organisation, meeting: Meeting, at: dt.datetime) -> MissedMeeting:
    return MissedMeeting(
        organisation=organisation,
        title=meeting.title,
        due_at=at,
        kind=meeting.kind,
        schedule_id=meeting.schedule_id,
        meeting=meeting,
    )


@dataclass(frozen=True)
class VillageMissed:
    village: Region
    missed: list[MissedMeeting]

    @property
    def count(self) -> int:
        return len(self.missed)

    @property
    def latest(self) -> MissedMeeting:
        return self.missed[0]


def missed_by_village(missed: list[MissedMeeting]) -> list[VillageMissed]:
    """The missed meetings grouped by village, the villages in tree order."""
    ordered = sorted(missed, key=lambda m: (m.village.path, -m.due_at.timestamp()))
    return [
        VillageMissed(village=village, missed=list(rows))
        for village, rows in groupby(ordered, key=lambda m: m.village)
    ]


def meetings_summary(user: User) -> dict[str, object]:
    """The home-page panel: the meetings of the coming week, and the missed ones per village
    (a village's director sees its list; the township a line per village). Three queries."""
    now = timezone.now()
    today = timezone.localdate(now)
    coming = (
        Meeting.objects.visible_to(user)
        .filter(
            status=MeetingStatus.PLANNED,
            scheduled_at__gte=local_midnight(today),
            scheduled_at__lt=local_midnight(today + COMING),
        )
        .select_related("organisation__region")
        .order_by("scheduled_at", "id")
    )
    coming_rows = list(coming[: PANEL_ROWS + 1])
    missed = missed_meetings(user, today=today)
    villages = missed_by_village(missed)
    return {
        "coming": coming_rows[:PANEL_ROWS],
        "more_coming": len(coming_rows) > PANEL_ROWS,
        "missed": missed[:PANEL_ROWS],
        "missed_count": len(missed),
        "villages": villages,
        "per_village": len(villages) > 1
        or user.region is None
        or user.region.kind != RegionKind.VILLAGE,
        "since": today - MISSED_LOOKBACK,
        "today": today,
    }
