"""定期向群众汇报工作: a village's monthly or quarterly work report to its villagers, compiled from
the records (no personal data, places coarsened), published as a public page and a printable
notice with a QR code, and the villagers' satisfaction answers to it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("work report", "Draft")
    PUBLISHED = "published", pgettext_lazy("work report", "Published")


def _public_key() -> str:
    return secrets.token_urlsafe(9)


class WorkReport(RegionOwned):
    """One period's report of a village. `figures` is what was compiled from the records (plain
    numbers and coarsened places, frozen at publication so the notice on the board and the page
    say the same); `remarks` is the village's own word to its villagers. The public page is
    reached by `public_key`, printed as a QR code on the notice."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(pgettext_lazy("work report", "Period"), max_length=10)  # "2026-11"
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    remarks = models.TextField(_("the village's word to villagers"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    public_key = models.CharField(max_length=20, unique=True, default=_public_key, editable=False)
    compiled_at = models.DateTimeField(_("compiled at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work report to villagers")
        verbose_name_plural = _("work reports to villagers")
        ordering = ["-period", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="work_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period}"


class Satisfaction(models.IntegerChoices):
    SATISFIED = 3, _("Satisfied")
    FAIRLY = 2, _("Fairly satisfied")
    NOT = 1, _("Not satisfied")


class SatisfactionAnswer(RegionOwned):
    """A villager's answer to a published report. No name or number is kept: `client` is a keyed
    hash of the answering phone (its cookie, else its address), so one phone answers once."""

    report = models.ForeignKey(WorkReport, on_delete=models.PROTECT, related_name="answers")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("satisfaction"), choices=Satisfaction.choices)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    client = models.CharField(max_length=64)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "client"], name="satisfaction_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=3), name="satisfaction_rating_range"
            ),
        ]
