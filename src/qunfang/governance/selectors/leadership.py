"""Reads of leaders' responsibility (领导责任制): villages × their leader in charge, the
township's committee, police guidance visits counted per village per month and quarter, a
village's page, and the leader's home panel. Every read starts from `visible_to(user)` (the
committee also from the user's township, which every village of it reads); lists cost the same
few queries however many rows they show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.scoping import scope_filter
from qunfang.core.selectors import villages_visible
from qunfang.governance.fourinplace import FourInPlace, four_in_place
from qunfang.governance.models import (
    CommitteeMember,
    GuidanceVisit,
    HealthBand,
    HealthReading,
    Level,
    RebuildingPlan,
    RebuildingStatus,
    RectificationTask,
    Score,
    TaskStatus,
    VillageClass,
    VillageLeader,
)

# worst first: the panel shows a village's worst organisation
BAND_ORDER: list[str] = [
    HealthBand.PARALYSED,
    HealthBand.PAPER_ONLY,
    HealthBand.WEAK,
    HealthBand.HEALTHY,
]


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _ancestor_townships(user: User) -> QuerySet[Region]:
    """The township above a village's account (none for others)."""
    region = user.region if user.is_active and user.region_id else None
    if region is None or region.kind != RegionKind.VILLAGE or region.parent_id is None:
        return Region.objects.none()
    return Region.objects.filter(pk=region.parent_id, kind=RegionKind.TOWNSHIP)


def committee_visible(user: User) -> QuerySet[CommitteeMember]:
    """The committees of the user's townships; a village's accounts read their township's."""
    above = Q(region__in=_ancestor_townships(user).values("pk"))
    return CommitteeMember.objects.filter(scope_filter(CommitteeMember, user) | above)


def committee(user: User, *, current: bool = True) -> list[CommitteeMember]:
    queryset = committee_visible(user).select_related("region")
    if current:
        queryset = queryset.filter(ends_on__isnull=True)
    order = ["director", "deputy", "office", "member"]
    return sorted(queryset, key=lambda m: (m.region.path, order.index(m.role), m.name))


def townships_led(user: User) -> list[Region]:
    """The townships whose committee the user may keep (their own, or below a county's)."""
    return list(Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path"))


@dataclass
class VillageRow:
    village: Region
    leader: VillageLeader | None = None
    klass: VillageClass | None = None
    visits_quarter: int = 0


def responsibility(user: User, today: dt.date) -> list[VillageRow]:
    """Each village the user sees with its leader in charge, class and guidance visits this
    quarter. Three queries."""
    villages = list(villages_visible(user=user).select_related("parent"))
    rows = {v.pk: VillageRow(v) for v in villages}
    leaders = VillageLeader.objects.visible_to(user).filter(ends_on__isnull=True)
    for leader in leaders.select_related("user"):
        if leader.region_id in rows:
            rows[leader.region_id].leader = leader
    for klass in VillageClass.objects.visible_to(user):
        if klass.region_id in rows:
            rows[klass.region_id].klass = klass
    counts = (
        GuidanceVisit.objects.visible_to(user)
        .filter(visited_on__gte=quarter_start(today), visited_on__lte=today)
        .values("region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counts:
        if row["region"] in rows:
            rows[row["region"]].visits_quarter = row["n"]
    return list(rows.values())


def leader_history(village: Region) -> list[VillageLeader]:
    return list(
        VillageLeader.objects.filter(region=village).select_related("user").order_by("-starts_on")
    )


def eligible_leaders(village: Region) -> QuerySet[User]:
    """The township officers of the village's township, for the choice of leader."""
    return (
        User.objects.filter(
            region_id=village.parent_id or 0, is_active=True, roles__role="township_officer"
        )
        .distinct()
        .order_by("full_name", "username")
    )


# ---- guidance visits --------------------------------------------------------------------------


def visits(user: User, *, village: Region | None = None, year: int) -> QuerySet[GuidanceVisit]:
    queryset = (
        GuidanceVisit.objects.visible_to(user)
        .filter(visited_on__year=year)
        .select_related("region", "recorded_by")
    )
    if village is not None:
        queryset = queryset.filter(region=village)
    return queryset.order_by("-visited_on", "-id")


@dataclass
class VisitCounts:
    village: Region
    months: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def quarters(self) -> list[int]:
        return [sum(self.months[q * 3 : q * 3 + 3]) for q in range(4)]

    @property
    def total(self) -> int:
        return sum(self.months)


def visit_counts(user: User, *, year: int, village: Region | None = None) -> list[VisitCounts]:
    """Visits per village per month of `year` (quarters summed from them). Two queries."""
    villages = villages_visible(user=user)
    if village is not None:
        villages = villages.filter(pk=village.pk)
    table = {v.pk: VisitCounts(v) for v in villages}
    counted = (
        GuidanceVisit.objects.visible_to(user)
        .filter(visited_on__year=year, region__in=list(table))
        .annotate(month=ExtractMonth("visited_on"))
        .values("region", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counted:
        table[row["region"]].months[row["month"] - 1] = row["n"]
    return list(table.values())


# ---- the leader's home panel ------------------------------------------------------------------


@dataclass
class LedVillage:
    village: Region
    klass: VillageClass | None = None
    score: Score | None = None
    four: FourInPlace | None = None
    worst_band: str = ""
    worst_band_label: str = ""
    tasks_open: int = 0
    tasks_overdue: int = 0
    plan: RebuildingPlan | None = None
    plan_overdue: int = 0
    visits_quarter: int = 0

    @property
    def standing(self) -> str:
        return self.klass.standing if self.klass else ""


def _latest_scores(ids: list[int]) -> dict[int, Score]:
    # the latest month's result (not a provisional look, not a quarter's or a year's)
    village_scores = Score.objects.filter(
        run__level=Level.VILLAGE,
        run__is_provisional=False,
        run__period__regex=r"^\d{4}-\d{2}$",
        organisation__isnull=True,
        person__isnull=True,
    )
    latest = village_scores.filter(region=OuterRef("region")).order_by(
        "-run__period", "-run__computed_at", "-pk"
    )
    found = (
        village_scores.filter(region__in=ids)
        .annotate(latest=Subquery(latest.values("pk")[:1]))
        .filter(pk=F("latest"))
        .select_related("run")
    )
    return {s.region_id: s for s in found}


def _worst_bands(ids: list[int]) -> dict[int, str]:
    last_day = (
        HealthReading.objects.filter(region=OuterRef("region")).order_by("-on").values("on")[:1]
    )
    readings = (
        HealthReading.objects.filter(region__in=ids)
        .annotate(last=Subquery(last_day))
        .filter(on=F("last"))
        .values_list("region", "band")
    )
    worst: dict[int, str] = {}
    for region, band in readings:
        if band in BAND_ORDER and (
            region not in worst or BAND_ORDER.index(band) < BAND_ORDER.index(worst[region])
        ):
            worst[region] = band
    return worst


def leader_panel(user: User) -> dict[str, Any]:
    """The home panel of a leader in charge of villages: each village's standing, latest
    score and rank, four in place, worst organisation health, open rectification tasks,
    rebuilding plan and guidance visits this quarter. Fixed queries whatever the villages."""
    today = timezone.localdate()
    charges = (
        VillageLeader.objects.visible_to(user)
        .filter(user=user, ends_on__isnull=True)
        .select_related("region")
        .order_by("region__path")
    )
    villages = [c.region for c in charges]
    if not villages:
        return {"led": []}
    ids = [v.pk for v in villages]
    rows = {v.pk: LedVillage(v) for v in villages}
    for klass in VillageClass.objects.filter(region__in=ids):
        rows[klass.region_id].klass = klass
    for region_id, score in _latest_scores(ids).items():
        rows[region_id].score = score
    for region_id, four in four_in_place(villages, today).items():
        if region_id in rows:
            rows[region_id].four = four
    labels = dict(HealthBand.choices)
    for region_id, band in _worst_bands(ids).items():
        rows[region_id].worst_band, rows[region_id].worst_band_label = band, str(labels[band])
    tasks = (
        RectificationTask.objects.filter(region__in=ids)
        .exclude(status__in=[TaskStatus.VERIFIED, TaskStatus.CANCELLED])
        .values("region")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
        .order_by()
    )
    for row in tasks:
        rows[row["region"]].tasks_open = row["n"]
        rows[row["region"]].tasks_overdue = row["late"]
    plans = RebuildingPlan.objects.filter(region__in=ids, status=RebuildingStatus.OPEN).annotate(
        late=Count("steps", filter=Q(steps__done_on__isnull=True, steps__due_on__lt=today))
    )
    for plan in plans:
        rows[plan.region_id].plan, rows[plan.region_id].plan_overdue = plan, plan.late
    visits_by = (
        GuidanceVisit.objects.filter(
            region__in=ids, visited_on__gte=quarter_start(today), visited_on__lte=today
        )
        .values("region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in visits_by:
        rows[row["region"]].visits_quarter = row["n"]
    return {"led": list(rows.values())}


def village_visits_summary(village: Region, today: dt.date) -> tuple[int, int, list[Any]]:
    """This quarter's and this year's visits to a village, and the latest five. Three queries."""
    base = GuidanceVisit.objects.filter(region=village)
    quarter = base.filter(visited_on__gte=quarter_start(today), visited_on__lte=today).count()
    year = base.filter(visited_on__year=today.year).count()
    latest = list(base.order_by("-visited_on", "-id")[:5])
    return quarter, year, latest
