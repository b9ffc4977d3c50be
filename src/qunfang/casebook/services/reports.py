"""Situation reports (情况报告): each village reports for a day or a week, with the number of
cases by type taken from its own case register, or a nil return (零上报) when nothing
happened; the township sees which villages have reported, reported nothing, or are missing.

A nil return is refused when the register holds cases for the period, and a village reports
once per period and start day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.casebook.models import Case, CaseType, ReportPeriod, SituationReport
from qunfang.casebook.selectors_cases import visible_villages
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm

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


def _cases_in(period: str, starts_on: dt.date):
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


def _check_period(period: str, starts_on: dt.date) -> None:
    if period not in ReportPeriod.values:
        raise ValidationError({"period": _("Choose a daily or a weekly report.")})
    if period == ReportPeriod.WEEKLY and starts_on.weekday() != 0:
        raise ValidationError({"starts_on": _("A weekly report starts on a Monday.")})
    if starts_on > timezone.localdate():
        raise ValidationError(
            {"starts_on": _("A report cannot be made for a period that has not begun.")}
        )


def submit_report(
    *, region: Region, period: str, starts_on: dt.date, nil_return: bool, summary: str, by: User
) -> SituationReport:
    """The village reports for one period. The counts are taken from the case register, never
    typed in; a nil return is refused when the register holds cases for the period."""
    if region.kind != RegionKind.VILLAGE:
        raise ValidationError({"region": _("A situation report is made by a village.")})
    if not (
        by.can(Perm.MANAGE_VILLAGE) and by.region_id and region.path.startswith(by.region.path)
    ):
        raise ValidationError({"region": _("You cannot report for this village.")})
    _check_period(period, starts_on)
    summary = summary.strip()
    label = ReportPeriod(period).label.lower()
    if SituationReport.objects.filter(region=region, period=period, starts_on=starts_on).exists():
        raise ValidationError(
            _(
                "%(village)s has already sent its %(period)s report for %(day)s; it cannot be sent twice."
            )
            % {"village": region.name, "period": label, "day": starts_on.isoformat()}
        )
    counts = case_counts(region=region, period=period, starts_on=starts_on)
    total = sum(counts.values())
    if nil_return and total:
        raise ValidationError({
            "nil_return": _("The case register holds %(n)d case(s) for this period, so a nil return is not possible.")
            % {"n": total}
        })  # fmt: skip
    if not nil_return and not total and not summary:
        raise ValidationError({
            "summary": _("No case was registered in this period: send a nil return, or say in the summary what happened.")
        })  # fmt: skip
    try:
        with transaction.atomic():
            return SituationReport.objects.create(
                region=region, period=period, starts_on=starts_on, nil_return=nil_return, summary=summary,
                counts=counts, submitted_by=by,
            )  # fmt: skip
    except IntegrityError:  # the same report sent twice at the same moment
        raise ValidationError(
            _(
                "%(village)s has already sent its %(period)s report for %(day)s; it cannot be sent twice."
            )
            % {"village": region.name, "period": label, "day": starts_on.isoformat()}
        ) from None


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


def rollup(user, *, period: str, starts_on: dt.date, villages=None) -> Rollup:
    """The township's view of one period: every village the user sees, with its report (or
    none) and the counts by type. Four queries, however many villages."""
    villages = list(villages if villages is not None else visible_villages(user))  # 1
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
        rows.append(RollupRow(village=village, report=report, registered=registered.get(village.pk, 0),
                              cells=[(t, counts.get(t.code, 0)) for t in types]))  # fmt: skip
    return Rollup(period=period, starts_on=starts_on, ends_on=period_end(period, starts_on) - dt.timedelta(days=1),
                  types=types, rows=rows)  # fmt: skip
