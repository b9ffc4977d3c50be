"""Assessment indicators from the villagers: their satisfaction with the village's work reports
(定期向群众汇报工作, 接受群众监督).

A report counts in the assessed period in which its own period ends (a quarter's report in the
month that closes the quarter), so consecutive periods together count what their year counts.
Answers have no history: they are read as they are now, but only those made by the cut-off (an
answer is never changed once made)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qunfang.governance.assessment.catalogue import (
    ONE,
    ZERO,
    Context,
    Indicator,
    Item,
    Unit,
    indicator,
    ref_page,
)
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import ReportStatus, Satisfaction, SatisfactionAnswer

# what one answer counts for: satisfied in full, fairly satisfied half, not satisfied nothing
WEIGHTS: dict[int, Decimal] = {
    Satisfaction.SATISFIED: ONE,
    Satisfaction.FAIRLY: Decimal("0.5"),
    Satisfaction.NOT: ZERO,
}

ref_page("work_report", "governance:report_detail")


def _ends_in(key: str, period: Period) -> bool:
    try:
        last = Period.parse(key).last
    except ValidationError:
        return False
    return period.first <= last <= period.last


def villager_satisfaction(ctx: Context) -> list[Item]:
    """One item per answer made by the cut-off to a published report whose period ends in the
    assessed one. One query."""
    rows = (
        SatisfactionAnswer.objects.filter(
            region__in=ctx.villages,
            report__status=ReportStatus.PUBLISHED,
            report__period__gte=f"{ctx.period.first:%Y}",
            report__period__lt=f"{ctx.period.last.year + 1}",
            answered_at__lte=ctx.cutoff,
        )
        .values_list("region_id", "rating", "report_id", "report__period")
        .order_by("report_id", "id")
    )
    return [
        Item(
            village=village,
            done=WEIGHTS.get(rating, ZERO),
            ref=("work_report", report, key),
        )
        for village, rating, report, key in rows
        if _ends_in(key, ctx.period)
    ]


indicator(
    Indicator(
        code="villager_satisfaction",
        label=_("Villagers' satisfaction with the work reports"),
        explanation=_(
            "The villagers' answers to the village's work reports of the period: “satisfied” "
            "counts in full, “fairly satisfied” half, “not satisfied” nothing."
        ),
        unit=Unit.RATE,
        default_target=Decimal("80"),
        compute=villager_satisfaction,
    )
)
