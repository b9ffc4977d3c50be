"""Organisation health: a daily reading of every organisation's and villager group's records
(`governance.health`), kept so the township sees the trend and is told when one turns
paper-only or paralysed before anyone has to notice."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import JointDefenceGroup, Organisation


class HealthBand(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    WEAK = "weak", _("Weak")
    PAPER_ONLY = "paper_only", _("On paper only")
    PARALYSED = "paralysed", _("Paralysed")


class HealthReading(RegionOwned):
    """One day's reading of one organisation or one ten-household group: a score out of 100,
    its band and the reasons (`reasons`: a list of {"code", "params"} rendered in the reader's
    language)."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        JointDefenceGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    on = models.DateField(_("day"))
    score = models.PositiveSmallIntegerField(_("score"))
    band = models.CharField(_("health"), max_length=12, choices=HealthBand.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("health reading")
        verbose_name_plural = _("health readings")
        ordering = ["-on", "region", "id"]
        indexes = [models.Index(fields=["region", "on"], name="health_region_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, group__isnull=True)
                | Q(organisation__isnull=True, group__isnull=False),
                name="health_of_one_subject",
            ),
            models.UniqueConstraint(
                fields=["organisation", "on"],
                condition=Q(organisation__isnull=False),
                name="health_org_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["group", "on"],
                condition=Q(group__isnull=False),
                name="health_group_once_a_day",
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="health_score_0_100"),
        ]
