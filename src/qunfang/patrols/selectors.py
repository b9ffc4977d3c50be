"""Scoped reads shared by more than one page: the home panel and "my" shifts."""

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    Finding,
    Outcome,
    RosterStatus,
    Shift,
    SwapRequest,
    SwapStatus,
)

SERVED = (Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL)


def patrol_summary(user) -> dict:
    """The home-page panel: who is out now, empty seats this week, this month's attendance,
    swaps waiting and what patrols found in the last week."""
    now = timezone.now()
    today = timezone.localdate(now)
    published = Shift.objects.visible_to(user).filter(roster__status=RosterStatus.PUBLISHED)
    on_duty = published.filter(starts_at__lte=now, ends_at__gt=now).aggregate(
        n=Count("assignments")
    )["n"]
    week = published.filter(service_date__gte=today, service_date__lt=today + dt.timedelta(days=7))
    week = week.annotate(n=Count("assignments")).filter(n__lt=F("headcount"))
    empty = week.aggregate(seats=Sum(F("headcount") - F("n")))["seats"] or 0
    month = Assignment.objects.visible_to(user).filter(
        shift__roster__status=RosterStatus.PUBLISHED, shift__service_date__gte=today.replace(day=1),
        shift__service_date__lte=today,
    ).exclude(outcome__in=[Outcome.PLANNED, Outcome.EXCUSED])  # fmt: skip
    counts = month.aggregate(due=Count("id"), served=Count("id", filter=Q(outcome__in=SERVED)))
    rate = round(100 * counts["served"] / counts["due"]) if counts["due"] else None
    return {
        "on_duty": on_duty,
        "empty_seats": empty,
        "attendance_rate": rate,
        "swaps_waiting": SwapRequest.objects.visible_to(user)
        .filter(status=SwapStatus.PENDING)
        .count(),
        "findings": CheckIn.objects.visible_to(user)
        .filter(accepted=True, recorded_at__gte=now - dt.timedelta(days=7))
        .exclude(finding=Finding.NOTHING)
        .count(),
    }
