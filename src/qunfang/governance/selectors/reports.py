"""Reads of the work reports to villagers: the staff list with each report's satisfaction
results, a report's answers, the public pages (published reports only, found by village code or
public key) and the home panels. Staff reads start from `visible_to(user)`; lists cost the same
few queries however many rows they show."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.selectors import villages_visible
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import (
    Action,
    ReportStatus,
    Satisfaction,
    SatisfactionAnswer,
    WorkReport,
)
from qunfang.governance.selectors.assessment import is_township_view

PANEL_MONTHS = 3


def _with_results(queryset: QuerySet[WorkReport]) -> QuerySet[WorkReport]:
    return queryset.annotate(
        answers_count=Count("answers"),
        satisfied=Count("answers", filter=Q(answers__rating=Satisfaction.SATISFIED)),
        fairly=Count("answers", filter=Q(answers__rating=Satisfaction.FAIRLY)),
        unsatisfied=Count("answers", filter=Q(answers__rating=Satisfaction.NOT)),
    )


def report_list(
    user: User, *, village: Region | None = None, period: str = "", status: str = ""
) -> QuerySet[WorkReport]:
    """The reports the user sees with their satisfaction counts, the latest period first."""
    queryset = WorkReport.objects.visible_to(user).select_related("region", "published_by")
    if village is not None:
        queryset = queryset.filter(region=village)
    if period:
        queryset = queryset.filter(period=period)
    if status:
        queryset = queryset.filter(status=status)
    return _with_results(queryset).order_by("-period", "region__path", "pk")


def report_for_detail(user: User) -> QuerySet[WorkReport]:
    return _with_results(
        WorkReport.objects.visible_to(user).select_related("region__parent", "published_by")
    )


def comments(report: WorkReport, *, limit: int = 200) -> list[SatisfactionAnswer]:
    """The villagers' comments to a report, newest first (staff only)."""
    return list(SatisfactionAnswer.objects.filter(report=report).exclude(comment="")[:limit])


def share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def satisfied_share(report: WorkReport) -> int | None:
    """The share of "satisfied" and "fairly satisfied" answers of a report read through
    `report_list` or `report_for_detail` (which count them)."""
    counted = getattr(report, "answers_count", 0)
    return share(getattr(report, "satisfied", 0) + getattr(report, "fairly", 0), counted)


# ---- public pages -----------------------------------------------------------------------------


def public_village(code: str) -> Region | None:
    if not re.fullmatch(r"[0-9]{12}", code or ""):
        return None
    return (
        Region.objects.filter(kind=RegionKind.VILLAGE, code=code).select_related("parent").first()
    )


def public_reports(village: Region) -> QuerySet[WorkReport]:
    """The village's published reports, the latest first: nothing of a draft."""
    return WorkReport.objects.filter(region=village, status=ReportStatus.PUBLISHED).order_by(
        "-period", "-pk"
    )


def public_report(key: str) -> WorkReport | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{6,20}", key or ""):
        return None
    return (
        WorkReport.objects.filter(public_key=key, status=ReportStatus.PUBLISHED)
        .select_related("region__parent")
        .first()
    )


def answer_of(report: WorkReport, client: str) -> SatisfactionAnswer | None:
    return SatisfactionAnswer.objects.filter(report=report, client=client).first()


# ---- figures as the pages show them -----------------------------------------------------------


@dataclass(frozen=True)
class SanctionCount:
    label: Any
    count: int


def type_name(row: dict[str, Any]) -> str:
    """A case type's name in the reader's language (the report keeps both)."""
    english = not (get_language() or "zh-hans").startswith("zh")
    name: str = (row.get("name_en") if english else "") or row.get("name") or row.get("type", "")
    return name


def sanction_counts(figures: dict[str, Any]) -> list[SanctionCount]:
    labels = dict(Action.choices)
    by_action = (figures.get("sanctions") or {}).get("by_action") or {}
    return [SanctionCount(labels.get(a, a), n) for a, n in by_action.items()]


# ---- home panels ------------------------------------------------------------------------------


def last_month(today: dt.date) -> Period:
    return Period.month_of(today.replace(day=1) - dt.timedelta(days=1))


def reports_summary(user: User) -> dict[str, Any]:
    """The home panel. A village's: whether last month's report is published (two queries). A
    township's: each village's satisfaction over the last PANEL_MONTHS months (two queries)."""
    today = timezone.localdate()
    month = last_month(today)
    if is_township_view(user):
        first = Period.month_of(today.replace(day=1) - dt.timedelta(days=28 * PANEL_MONTHS))
        rows = (
            SatisfactionAnswer.objects.visible_to(user)
            .filter(report__period__gte=first.key)
            .values("region_id")
            .annotate(
                n=Count("id"),
                satisfied=Count("id", filter=Q(rating=Satisfaction.SATISFIED)),
                fairly=Count("id", filter=Q(rating=Satisfaction.FAIRLY)),
            )
            .order_by()
        )
        counts = {row["region_id"]: row for row in rows}
        # the villages villagers answered, the least satisfied first; the others as a count
        answered: list[tuple[int, dict[str, Any]]] = []
        unanswered = 0
        for village in villages_visible(user=user):
            row = counts.get(village.pk)
            satisfied = share(row["satisfied"] + row["fairly"], row["n"]) if row else None
            if row is None or satisfied is None:
                unanswered += 1
                continue
            answered.append(
                (satisfied, {"village": village, "answers": row["n"], "satisfied": satisfied})
            )
        answered.sort(key=lambda pair: pair[0])
        return {
            "township_view": True,
            "villages": [entry for _share, entry in answered],
            "unanswered": unanswered,
            "since": first.key,
        }
    published = dict(
        WorkReport.objects.visible_to(user)
        .filter(period=month.key)
        .values_list("region_id", "status")
    )
    waiting = [
        village
        for village in villages_visible(user=user)
        if published.get(village.pk) != ReportStatus.PUBLISHED
    ]
    return {"township_view": False, "month": month.key, "waiting": waiting}
