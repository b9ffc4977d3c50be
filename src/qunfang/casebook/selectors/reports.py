"""Situation reports (情况报告), the reads: the periods, the cases a village's register holds for
one, and the township's roll-up of which villages have reported, sent a nil return (零上报) or are
missing. The report itself is written by `casebook.services.reports`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qunfang.casebook.models import Case, CaseType, ReportPeriod, SituationReport
from qunfang.core.models import Region, User
from qunfang.core.selectors import villages_visible

SUBMITTED, NIL, MISSING = "submitted", "nil", "missing"
STATE_LABELS = {
    SUBMITTED: gettext_lazy("Reported"),
    NIL: gettext_lazy("Nil return (零上报)"),
    MISSING: gettext_lazy("Missing"),
}


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the period that holds `day` (a week starts on Monday)."""
    return day - dt.timedelta(days=day.weekday()) if period == ReportPeriod.WEEKLY else day


def period_end(period: str, starts_on: dt.date) -> dt.date:
    """The day after the period (exclusive end)."""
    return starts_on + dt.timedelta(days=7 if period == ReportPeriod.WEEKLY else 1)


def _bounds(period: str, starts_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(starts_on, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period_end(period, starts_on), dt.time.min, tzinfo=tz),
    )


def _cases_in(period: str, starts_on: dt.date) -> QuerySet[Case]:
    since, until = _bounds(period, starts_on)
    return Case.objects.filter(reported_at__gte=since, reported_at__lt=until)


def case_counts(*, region: Region, period: str, starts_on: dt.date) -> dict[str, int]:
    """Cases reported in the village in the period, by type code (types with none left out)."""
    rows = (
        _cases_in(period, starts_on)
        .filter(region=region)
        .values("case_type__code")
        .annotate(n=Count("id"))
        .order_by("case_type__code")
    )
    return {row["case_type__code"]: row["n"] for row in rows}


@dataclass
class RollupRow:
    village: Region
    report: SituationReport | None
    registered: int  # cases in the register for the period now (may differ from what was reported)
    cells: list[tuple[CaseType, int]] = field(
        default_factory=list
    )  # reported count per type column

    @property
    def state(self) -> str:
        if self.report is None:
            return MISSING
        return NIL if self.report.nil_return else SUBMITTED

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def reported_total(self) -> int:
        return sum(self.report.counts.values()) if self.report else 0


@dataclass
class Rollup:
    period: str
    starts_on: dt.date
    ends_on: dt.date  # last day, included
    types: list[CaseType]
    rows: list[RollupRow]

    @property
    def tally(self) -> dict[str, int]:
        counter = Counter(row.state for row in self.rows)
        return {SUBMITTED: counter[SUBMITTED], NIL: counter[NIL], MISSING: counter[MISSING]}


def rollup(
    user: User,
    *,
    period: str,
    starts_on: dt.date,
    villages: Iterable[Region] | None = None,
) -> Rollup:
    """The township's view of one period: every village the user sees, with its report (or
    none) and the counts by type. Four queries, however many villages."""
    villages = list(villages if villages is not None else villages_visible(user=user))  # 1
    reports = {
        r.region_id: r
        for r in SituationReport.objects.visible_to(user)
        .filter(period=period, starts_on=starts_on, region__in=villages)
        .select_related("submitted_by")
    }  # 2
    registered = dict(
        _cases_in(period, starts_on)
        .filter(region__in=villages)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .order_by()
    )  # 3
    codes = {code for r in reports.values() for code in r.counts}
    types = [t for t in CaseType.objects.all() if t.code in codes]  # 4
    rows = []
    for village in villages:
        report = reports.get(village.pk)
        counts = report.counts if report else {}
        rows.append(
            RollupRow(
                village=village,
                report=report,
                registered=registered.get(village.pk, 0),
                cells=[(t, counts.get(t.code, 0)) for t in types],
            )
        )
    return Rollup(
        period=period,
        starts_on=starts_on,
        ends_on=period_end(period, starts_on) - dt.timedelta(days=1),
        types=types,
        rows=rows,
    )
