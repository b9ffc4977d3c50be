"""Reads of the decisions of meetings and of the minutes book (会议记录簿): the list with its
filters, the overdue decisions per village, the home panel, the meetings of a village's minutes
book. Every read starts from `visible_to(user)`; lists cost the same few queries however many
rows they show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from qunfang.core.models import Region, User
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    Meeting,
    MeetingStatus,
)
from qunfang.governance.services.decisions import REMIND_DAYS_BEFORE
from qunfang.registry.models import Organisation, Person

PANEL_ROWS = 5
PRESENT = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
# the owner's name is all a list shows: not their encrypted numbers (decrypting costs)
OWNER_SECRETS = ("owner__id_number", "owner__phone")


def overdue_q(today: dt.date) -> Q:
    """Open and past its due date."""
    return Q(status=DecisionStatus.OPEN, due_on__lt=today)


def _decisions(user: User) -> QuerySet[Decision]:
    return (
        Decision.objects.visible_to(user)
        .select_related("meeting__organisation__region", "owner")
        .defer(*OWNER_SECRETS)
    )


def decision_list(
    user: User,
    *,
    village: Region | None = None,
    status: str = "",
    overdue: bool = False,
    due_soon: bool = False,
    organisation: Organisation | None = None,
    owner: Person | None = None,
    today: dt.date | None = None,
) -> QuerySet[Decision]:
    """The decisions the user sees: the open ones first, the soonest due first, then the
    others, the latest due first (the overdue ones by village when only those are asked for)."""
    today = today or timezone.localdate()
    queryset = _decisions(user)
    if village is not None:
        queryset = queryset.filter(meeting__organisation__region=village)
    if organisation is not None:
        queryset = queryset.filter(meeting__organisation=organisation)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    if status:
        queryset = queryset.filter(status=status)
    if due_soon:  # the home panel's "due within N days": the ones their owners were reminded of
        horizon = today + dt.timedelta(days=REMIND_DAYS_BEFORE)
        return queryset.filter(
            status=DecisionStatus.OPEN, due_on__gte=today, due_on__lte=horizon
        ).order_by("due_on", "id")
    if overdue:
        return queryset.filter(overdue_q(today)).order_by(
            "meeting__organisation__region__path", "due_on", "id"
        )
    is_open = Q(status=DecisionStatus.OPEN)
    return queryset.annotate(
        closed=Case(When(is_open, then=Value(0)), default=Value(1)),
        open_due=Case(When(is_open, then=F("due_on"))),
        closed_due=Case(When(~is_open, then=F("due_on"))),
    ).order_by(
        "closed", F("open_due").asc(nulls_last=True), F("closed_due").desc(nulls_last=True), "id"
    )


@dataclass(frozen=True)
class VillageCount:
    """A village's open and overdue decisions, for the list's overview."""

    village: Region
    open: int
    overdue: int


def overdue_by_village(user: User, *, today: dt.date | None = None) -> list[VillageCount]:
    """Each visible village with open decisions: how many, how many overdue (most overdue
    first). Two queries."""
    today = today or timezone.localdate()
    rows = (
        Decision.objects.visible_to(user)
        .filter(status=DecisionStatus.OPEN)
        .values("meeting__organisation__region")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
        .order_by()
    )
    counts = {row["meeting__organisation__region"]: row for row in rows}
    villages = Region.objects.visible_to(user).filter(pk__in=list(counts)).order_by("path")
    found = [VillageCount(v, counts[v.pk]["open"], counts[v.pk]["overdue"]) for v in villages]
    return sorted(found, key=lambda c: -c.overdue)


def organisations_with_decisions(
    user: User, *, village: Region | None = None
) -> QuerySet[Organisation]:
    """The organisations the filter offers: those whose meetings took decisions."""
    meetings = Meeting.objects.filter(organisation=OuterRef("pk"), decisions__isnull=False)
    queryset = Organisation.objects.visible_to(user).filter(Exists(meetings))
    if village is not None:
        queryset = queryset.filter(region=village)
    return queryset.select_related("region").order_by("region__path", "name")


def owners_of_decisions(user: User, *, village: Region | None = None) -> QuerySet[Person]:
    """The people the owner filter offers: those who own a decision."""
    owning = Decision.objects.filter(owner=OuterRef("pk"))
    queryset = Person.objects.visible_to(user).filter(Exists(owning))
    if village is not None:
        queryset = queryset.filter(region=village)
    return queryset.only("pk", "name", "region_id").order_by("name", "pk")


def decision_for_move(user: User) -> QuerySet[Decision]:
    return _decisions(user).select_related("meeting__organisation__region__parent")


def meeting_for_decisions(user: User) -> QuerySet[Meeting]:
    """A meeting as the decision form needs it."""
    return Meeting.objects.visible_to(user).select_related("organisation__region", "chair")


def owner_choices(user: User, meeting: Meeting) -> QuerySet[Person]:
    """Who may own a decision of the meeting: the people of its village, those on the
    meeting's roll first."""
    on_roll = Attendance.objects.filter(meeting=meeting, person=OuterRef("pk"))
    return (
        Person.objects.visible_to(user)
        .filter(region=meeting.organisation.region)
        .annotate(on_roll=Exists(on_roll))
        .only("pk", "name", "region_id")
        .order_by("-on_roll", "name", "pk")
    )


def meeting_decisions(user: User, meeting: Meeting) -> QuerySet[Decision]:
    """A meeting's decisions, in the order they were taken."""
    return _decisions(user).filter(meeting=meeting).order_by("id")


# ---- the home panel -------------------------------------------------------------------------


def decision_summary(user: User) -> dict[str, Any]:
    """The home panel: open decisions, those due within the reminder days, the overdue ones
    and the longest overdue few. Two queries."""
    today = timezone.localdate()
    counts = (
        Decision.objects.visible_to(user)
        .filter(status=DecisionStatus.OPEN)
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            soon=Count(
                "pk",
                filter=Q(
                    due_on__gte=today, due_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE)
                ),
            ),
        )
    )
    oldest = list(_decisions(user).filter(overdue_q(today)).order_by("due_on", "id")[:PANEL_ROWS])
    for decision in oldest:
        decision.days_overdue = (today - decision.due_on).days  # type: ignore[attr-defined]
    return {
        "open": counts["open"],
        "overdue": counts["overdue"],
        "due_soon": counts["soon"],
        "days": REMIND_DAYS_BEFORE,
        "oldest": oldest,
        "today": today,
    }


# ---- the minutes book -----------------------------------------------------------------------


def register_meetings(
    user: User, *, village: Region, first: dt.date, last: dt.date
) -> QuerySet[Meeting]:
    """The meetings of the village held in the period, in the order they were held, with their
    attendance (present, invited) and decisions. Three queries."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    decisions = Decision.objects.select_related("owner").defer(*OWNER_SECRETS).order_by("id")
    return (
        Meeting.objects.visible_to(user)
        .filter(
            organisation__region=village,
            status=MeetingStatus.HELD,
            held_at__gte=start,
            held_at__lt=end,
        )
        .select_related("organisation", "chair")
        .defer("chair__id_number", "chair__phone")
        .annotate(
            invited=Count("attendances", distinct=True),
            present=Count("attendances", filter=Q(attendances__status__in=PRESENT), distinct=True),
        )
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("held_at", "id")
    )
