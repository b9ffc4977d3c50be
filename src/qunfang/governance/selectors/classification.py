"""Reads of 分类指导 and rebuilding: the township's villages grouped by security situation ×
economic condition and by organisation form, model villages marked; a village's class with its
history; rebuilding plans with their steps, overdue ones flagged. Every read starts from
`visible_to(user)`; lists cost the same few queries however many rows they show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise

from qunfang.core.models import Region, User
from qunfang.core.selectors import villages_visible
from qunfang.governance.models import (
    Economy,
    RebuildingPlan,
    RebuildingStatus,
    RebuildingStep,
    SecuritySituation,
    Standing,
    VillageClass,
)
from qunfang.registry.models import OrgForm


@dataclass(frozen=True)
class Filters:
    situation: str = ""
    economy: str = ""
    org_form: str = ""
    standing: str = ""

    @classmethod
    def read(cls, data: Any) -> Filters:
        def pick(name: str, allowed: list[str]) -> str:
            value = str(data.get(name, ""))
            return value if value in allowed else ""

        return cls(
            situation=pick("situation", SecuritySituation.values),
            economy=pick("economy", Economy.values),
            org_form=pick("org_form", OrgForm.values),
            standing=pick("standing", Standing.values),
        )

    def keep(self, klass: VillageClass | None) -> bool:
        if not any((self.situation, self.economy, self.org_form, self.standing)):
            return True
        if klass is None:
            return False
        return (
            (not self.situation or klass.situation == self.situation)
            and (not self.economy or klass.economy == self.economy)
            and (not self.org_form or klass.org_form == self.org_form)
            and (not self.standing or klass.standing == self.standing)
        )


@dataclass
class Cell:
    situation: str
    economy: str
    villages: list[tuple[Region, VillageClass]] = field(default_factory=list)


@dataclass
class Overview:
    grid: Sequence[tuple[str | Promise, list[Cell]]]  # one row per situation, a cell per economy
    by_form: Sequence[tuple[str | Promise, list[tuple[Region, VillageClass]]]]
    models: list[tuple[Region, VillageClass]]
    unclassified: list[Region]
    counts: Sequence[tuple[str, str | Promise, int]]  # standing, its label, how many


def overview(user: User, filters: Filters) -> Overview:
    """The villages the user sees, grouped; two queries."""
    villages = list(villages_visible(user=user))
    classes = {
        c.region_id: c
        for c in VillageClass.objects.visible_to(user).select_related("classified_by")
    }
    kept = [(v, classes.get(v.pk)) for v in villages if filters.keep(classes.get(v.pk))]
    classified = [(v, c) for v, c in kept if c is not None]
    grid = []
    for situation, s_label in SecuritySituation.choices:
        cells = [Cell(situation, economy) for economy in Economy.values]
        for cell in cells:
            cell.villages = [
                (v, c)
                for v, c in classified
                if c.situation == situation and c.economy == cell.economy
            ]
        grid.append((s_label, cells))
    by_form = []
    for form, f_label in OrgForm.choices:
        members = [(v, c) for v, c in classified if c.org_form == form]
        if members:
            by_form.append((f_label, members))
    counts = [
        (s, label, sum(1 for _, c in classified if c.standing == s))
        for s, label in Standing.choices
    ]
    return Overview(
        grid=grid,
        by_form=by_form,
        models=[(v, c) for v, c in classified if c.standing == Standing.MODEL],
        unclassified=[v for v, c in kept if c is None],
        counts=counts,
    )


def class_of(village: Region) -> VillageClass | None:
    return VillageClass.objects.filter(region=village).select_related("classified_by").first()


def class_history(klass: VillageClass | None) -> list[Any]:
    """The classification's earlier states, newest first (one query)."""
    if klass is None:
        return []
    return list(klass.history.select_related("history_user").order_by("-history_date", "-pk"))


def model_villages(user: User) -> list[VillageClass]:
    """The model villages the user sees, with what others can learn from them."""
    return list(
        VillageClass.objects.visible_to(user)
        .filter(standing=Standing.MODEL)
        .select_related("region")
        .order_by("region__path")
    )


# ---- rebuilding plans -------------------------------------------------------------------------


def plans(
    user: User, *, today: dt.date, village: Region | None = None, status: str = ""
) -> QuerySet[RebuildingPlan]:
    """Plans with their step counts (done, overdue), those under way first."""
    queryset = (
        RebuildingPlan.objects.visible_to(user)
        .select_related("region")
        .annotate(
            step_count=Count("steps"),
            done_count=Count("steps", filter=Q(steps__done_on__isnull=False)),
            overdue_count=Count(
                "steps", filter=Q(steps__done_on__isnull=True, steps__due_on__lt=today)
            ),
        )
    )
    if village is not None:
        queryset = queryset.filter(region=village)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-status", "-starts_on", "-id")  # "open" sorts after the others


def plan_for_detail(user: User) -> QuerySet[RebuildingPlan]:
    return RebuildingPlan.objects.visible_to(user).select_related("region__parent", "created_by")


def plan_steps(plan: RebuildingPlan, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for step in RebuildingStep.objects.filter(plan=plan).order_by("due_on", "id"):
        overdue = (
            plan.status == RebuildingStatus.OPEN and step.done_on is None and step.due_on < today
        )
        rows.append({"step": step, "overdue": overdue})
    return rows


def plans_of(village: Region) -> list[RebuildingPlan]:
    return list(RebuildingPlan.objects.filter(region=village).order_by("-starts_on", "-id"))
