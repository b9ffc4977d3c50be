"""Reads of organisation health and the four in place: the latest readings of the subjects the
user sees (worst first), one subject's readings of the last 90 days, the home panel's flagged
subjects, and the villages' four. Every read starts from `visible_to(user)`; each costs the
same few queries however many organisations or villages it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Max, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise

from qunfang.core.models import Region, User
from qunfang.core.selectors import villages_visible
from qunfang.governance.fourinplace import ASPECTS, FourInPlace, four_in_place
from qunfang.governance.health import WORST_FIRST, reason_text
from qunfang.governance.models import HealthBand, HealthReading
from qunfang.governance.selectors.assessment import is_township_view

TREND_DAYS = 90
PANEL_ROWS = 5
GROUP_KIND = "group"  # the kind filter's value for ten-household groups


def _badness() -> Case:
    return Case(
        *[When(band=band, then=Value(i)) for i, band in enumerate(WORST_FIRST)],
        output_field=IntegerField(),
    )


def latest_day(user: User) -> dt.date | None:
    """The latest day read (today's, once the daily task has run)."""
    today = timezone.localdate()
    found = HealthReading.objects.visible_to(user).filter(on__lte=today).aggregate(Max("on"))
    day: dt.date | None = found["on__max"]
    return day


def overview(
    user: User,
    *,
    on: dt.date,
    band: str = "",
    village: Region | None = None,
    kind: str = "",
) -> QuerySet[HealthReading]:
    """The day's readings the user sees, worst first (band, then score, then village)."""
    queryset = (
        HealthReading.objects.visible_to(user)
        .filter(on=on)
        .select_related("region", "organisation", "group")
        .annotate(badness=_badness())
    )
    if band:
        queryset = queryset.filter(band=band)
    if village is not None:
        queryset = queryset.filter(region=village)
    if kind == GROUP_KIND:
        queryset = queryset.filter(group__isnull=False)
    elif kind:
        queryset = queryset.filter(organisation__kind=kind)
    return queryset.order_by("badness", "score", "region__path", "id")


def band_counts(user: User, *, on: dt.date) -> dict[str, int]:
    counts = dict.fromkeys(WORST_FIRST, 0)
    for reading_band in (
        HealthReading.objects.visible_to(user).filter(on=on).values_list("band", flat=True)
    ):
        counts[reading_band] += 1
    return counts


def trend(
    user: User, *, organisation_id: int | None = None, group_id: int | None = None
) -> list[HealthReading]:
    """The subject's readings of the last 90 days, oldest first."""
    since = timezone.localdate() - dt.timedelta(days=TREND_DAYS)
    queryset = HealthReading.objects.visible_to(user).filter(on__gte=since)
    if organisation_id is not None:
        queryset = queryset.filter(organisation_id=organisation_id)
    else:
        queryset = queryset.filter(group_id=group_id)
    return list(queryset.order_by("on"))


def reasons_of(reading: HealthReading) -> list[str | Promise]:
    return [reason_text(reason) for reason in reading.reasons or []]


def health_panel(user: User) -> dict[str, Any]:
    """The township's home panel: how many subjects are flagged on the latest day, the worst
    few (three queries). Nothing for a village's account."""
    if not is_township_view(user):
        return {"show": False}
    day = latest_day(user)
    if day is None:
        return {"show": True, "day": None, "rows": [], "flagged": 0}
    flagged = [HealthBand.PARALYSED, HealthBand.PAPER_ONLY]
    rows = list(overview(user, on=day).filter(band__in=flagged)[:PANEL_ROWS])
    count = HealthReading.objects.visible_to(user).filter(on=day, band__in=flagged).count()
    for row in rows:
        row.reason_texts = reasons_of(row)  # type: ignore[attr-defined]
    return {"show": True, "day": day, "rows": rows, "flagged": count}


# ---- the four in place ---------------------------------------------------------------------


@dataclass(frozen=True)
class VillageFour:
    village: Region
    four: FourInPlace


def four_table(
    user: User, *, on: dt.date, village: Region | None = None, missing: str = ""
) -> list[VillageFour]:
    """The villages the user sees with their four, those with fewest in place and most reasons
    first (`missing`: only those where that one is not in place; "any": where any is not)."""
    villages = [village] if village is not None else list(villages_visible(user=user))
    found = four_in_place(villages, on)
    rows = [VillageFour(village=v, four=found[v.pk]) for v in villages]
    rows.sort(
        key=lambda row: (
            row.four.count,
            -sum(len(aspect.reasons) for aspect in row.four.aspects),
            row.village.code,
        )
    )
    if missing == "any":
        rows = [row for row in rows if row.four.count < len(ASPECTS)]
    elif missing in ASPECTS:
        rows = [
            row
            for row in rows
            if not next(a for a in row.four.aspects if a.code == missing).in_place
        ]
    return rows
