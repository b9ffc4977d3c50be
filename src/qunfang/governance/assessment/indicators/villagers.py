"""Assessment indicators from the villagers: their satisfaction with the village's work reports
(定期向群众汇报工作, 接受群众监督).

An answer counts in the period it was made in: villagers answer a month's report during the
next month, and a run computed on the 2nd of a month would otherwise find the reports of the
month it assesses barely published. Consecutive periods together count what their year counts.
Answers have no history: they are read as they are now, but only those made by the cut-off (an
answer is never changed once made)."""

from __future__ import annotations

from decimal import Decimal

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
from qunfang.governance.models import ReportStatus, Satisfaction, SatisfactionAnswer

# what one answer counts for: satisfied in full, fairly satisfied half, not satisfied nothing
WEIGHTS: dict[int, Decimal] = {
    Satisfaction.SATISFIED: ONE,
    Satisfaction.FAIRLY: Decimal("0.5"),
    Satisfaction.NOT: ZERO,
}

ref_page("work_report", "governance:report_detail")


def villager_satisfaction(ctx: Context) -> list[Item]:
    """One item per answer to a published report made in the assessed period, by the cut-off.
    One query."""
    rows = (
        SatisfactionAnswer.objects.filter(
            region__in=ctx.villages,
            report__status=ReportStatus.PUBLISHED,
            answered_at__gte=ctx.starts,
            answered_at__lt=ctx.period.ends,
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
    ]


indicator(
    Indicator(
        code="villager_satisfaction",
        label=_("Villagers' satisfaction with the work reports"),
        explanation=_(
            "The villagers' answers to the village's work reports made in the period: "
            "“satisfied” counts in full, “fairly satisfied” half, “not satisfied” nothing."
        ),
        unit=Unit.RATE,
        default_target=Decimal("80"),
        compute=villager_satisfaction,
    )
)
