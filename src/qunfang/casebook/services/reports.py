"""Situation reports (情况报告): each village reports for a day or a week, with the number of
cases by type taken from its own case register, or a nil return (零上报) when nothing
happened; the township sees which villages have reported, reported nothing, or are missing
(the roll-up, in `casebook.selectors.reports`).

A nil return is refused when the register holds cases for the period, and a village reports
once per period and start day.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.casebook.models import ReportPeriod, SituationReport
from qunfang.casebook.selectors.reports import case_counts
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm


def _check_period(period: str, starts_on: dt.date) -> None:
    if period not in ReportPeriod.values:
        raise ValidationError({"period": _("Choose a daily or a weekly report.")})
    if period == ReportPeriod.WEEKLY and starts_on.weekday() != 0:
        raise ValidationError({"starts_on": _("A weekly report starts on a Monday.")})
    if starts_on > timezone.localdate():
        raise ValidationError(
            {"starts_on": _("A report cannot be made for a period that has not begun.")}
        )


def _sent_twice(region: Region, period: str, starts_on: dt.date) -> ValidationError:
    return ValidationError(
        _(
            "%(village)s has already sent its %(period)s report for %(day)s; it cannot be sent "
            "twice."
        )
        % {
            "village": region.name,
            "period": ReportPeriod(period).label.lower(),
            "day": starts_on.isoformat(),
        }
    )


def submit_report(
    *, region: Region, period: str, starts_on: dt.date, nil_return: bool, summary: str, by: User
) -> SituationReport:
    """The village reports for one period. The counts are taken from the case register, never
    typed in; a nil return is refused when the register holds cases for the period."""
    if region.kind != RegionKind.VILLAGE:
        raise ValidationError({"region": _("A situation report is made by a village.")})
    if not (by.can(Perm.MANAGE_VILLAGE) and by.works_in(region)):
        raise ValidationError({"region": _("You cannot report for this village.")})
    _check_period(period, starts_on)
    summary = summary.strip()
    if SituationReport.objects.filter(region=region, period=period, starts_on=starts_on).exists():
        raise _sent_twice(region, period, starts_on)
    counts = case_counts(region=region, period=period, starts_on=starts_on)
    total = sum(counts.values())
    if nil_return and total:
        raise ValidationError(
            {
                "nil_return": _(
                    "The case register holds %(n)d case(s) for this period, so a nil return is "
                    "not possible."
                )
                % {"n": total}
            }
        )
    if not nil_return and not total and not summary:
        raise ValidationError(
            {
                "summary": _(
                    "No case was registered in this period: send a nil return, or say in the "
                    "summary what happened."
                )
            }
        )
    try:
        with transaction.atomic():
            return SituationReport.objects.create(
                region=region,
                period=period,
                starts_on=starts_on,
                nil_return=nil_return,
                summary=summary,
                counts=counts,
                submitted_by=by,
            )
    except IntegrityError:  # the same report sent twice at the same moment
        raise _sent_twice(region, period, starts_on) from None
