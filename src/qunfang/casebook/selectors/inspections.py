"""Safety inspections: the reads. Every queryset starts from `visible_to(user)`; lists fetch
their counts as subqueries so a page costs the same few queries however many rows it shows."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from qunfang.casebook.models import (
    Attachment,
    ChecklistItem,
    Hazard,
    Inspection,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
)
from qunfang.core.models import Region

OVERDUE = "overdue"  # the list's extra status filter: inspections with an overdue order
PENDING = (OrderStatus.OPEN, OrderStatus.REPORTED_DONE)  # orders still waiting for the work


def _count(queryset, link: str, only: Q | None = None) -> Coalesce:
    """A correlated COUNT over `queryset` rows whose `link` is the outer inspection (of those
    rows, the ones matching `only`)."""
    counted = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk", filter=only))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def inspection_list(
    user,
    *,
    village: Region | None = None,
    kind: str = "",
    status: str = "",
    today: dt.date | None = None,
) -> QuerySet[Inspection]:
    """Planned inspections first (soonest first), then the recorded ones, newest first; each
    with its number of items, failed items, hazards, pending and overdue orders."""
    today = today or timezone.localdate()
    orders = RectificationOrder.objects.filter(status__in=PENDING)
    qs = (
        Inspection.objects.visible_to(user)
        .select_related("region")
        .annotate(
            item_count=_count(ChecklistItem.objects.all(), "inspection"),
            failed_count=_count(ChecklistItem.objects.filter(passed=False), "inspection"),
            hazard_count=_count(Hazard.objects.all(), "inspection"),
            pending_orders=_count(orders, "hazard__inspection"),
            # a filtered count per inspection, not a WHERE on the orders' status and deadline
            overdue_orders=_count(
                orders, "hazard__inspection", Q(status=OrderStatus.OPEN, deadline__lt=today)
            ),
        )
    )
    if village is not None:
        qs = qs.filter(region=village)
    if kind:
        qs = qs.filter(place_kind=kind)
    if status == OVERDUE:
        qs = qs.filter(overdue_orders__gt=0)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by(
        F("inspected_on").desc(nulls_first=True), F("planned_for").asc(nulls_last=True), "-id"
    )


def inspection_for_detail(user) -> QuerySet[Inspection]:
    """One inspection with its checklist, hazards, their orders (and escalated cases) and photos."""
    hazards = Hazard.objects.select_related("order__escalated_case").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    return (
        Inspection.objects.visible_to(user)
        .select_related("region__parent", "created_by")
        .prefetch_related(
            Prefetch("items", queryset=ChecklistItem.objects.order_by("id")),
            Prefetch("hazards", queryset=hazards.order_by("id")),
        )
    )


def _orders(user, village: Region | None) -> QuerySet[RectificationOrder]:
    qs = RectificationOrder.objects.visible_to(user).select_related("hazard__inspection__region")
    if village is not None:
        qs = qs.filter(region=village)
    return qs


def overdue_orders(user, *, village: Region | None = None, today: dt.date | None = None):
    """Open rectification orders past their deadline, the longest overdue first."""
    today = today or timezone.localdate()
    return (
        _orders(user, village)
        .filter(status=OrderStatus.OPEN, deadline__lt=today)
        .order_by("deadline", "id")
    )


def awaiting_reinspection(user, *, village: Region | None = None):
    """Orders the responsible party reported done: the village owes a re-inspection."""
    return (
        _orders(user, village).filter(status=OrderStatus.REPORTED_DONE).order_by("deadline", "id")
    )


def week_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def inspection_summary(user) -> dict:
    """The home-page panel: overdue rectifications, re-inspections owed, and inspections
    planned this week (Monday to Sunday) that are not yet recorded. Two queries."""
    today = timezone.localdate()
    orders = RectificationOrder.objects.visible_to(user).aggregate(
        overdue=Count("pk", filter=Q(status=OrderStatus.OPEN, deadline__lt=today)),
        awaiting=Count("pk", filter=Q(status=OrderStatus.REPORTED_DONE)),
    )
    monday, sunday = week_bounds(today)
    planned = (
        Inspection.objects.visible_to(user)
        .filter(status=InspectionStatus.PLANNED)
        .aggregate(
            week=Count("pk", filter=Q(planned_for__gte=monday, planned_for__lte=sunday)),
            late=Count("pk", filter=Q(planned_for__lt=today)),
        )
    )
    return {
        "overdue_orders": orders["overdue"],
        "awaiting_reinspection": orders["awaiting"],
        "planned_this_week": planned["week"],
        "planned_late": planned["late"],
    }


def register_inspections(
    user, *, village: Region, first: dt.date, last: dt.date
) -> QuerySet[Inspection]:
    """The inspections of a village recorded in the period, in the order they were made."""
    return (
        Inspection.objects.visible_to(user)
        .filter(region=village, inspected_on__gte=first, inspected_on__lte=last)
        .select_related("region")
        .prefetch_related(
            Prefetch("items", queryset=ChecklistItem.objects.order_by("id")),
            Prefetch(
                "hazards",
                queryset=Hazard.objects.select_related("order__escalated_case").order_by("id"),
            ),
        )
        .order_by("inspected_on", "id")
    )


def hazard_photo(user, pk: int) -> QuerySet[Attachment]:
    return Attachment.objects.visible_to(user).filter(hazard__isnull=False, pk=pk)
