"""通报: the township's numbered bulletins — prominent problems, good examples and the next
period's priorities (各个时期的工作重点) — drafted from a period's findings and results, approved
by a second officer and published to the villages they concern."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("bulletin", "Draft")
    APPROVED = "approved", pgettext_lazy("bulletin", "Approved")
    PUBLISHED = "published", pgettext_lazy("bulletin", "Published")


class Bulletin(RegionOwned):
    """One bulletin of a township's series. `number` is given at publication, the next of the
    year (〔2026〕3号), so the series has no gaps. A village sees the published bulletins that
    name it (`mentions`)."""

    also_visible_via = ("mentions__region",)

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    # "2026-11", "2026-Q4"
    period = models.CharField(pgettext_lazy("bulletin", "Period"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=120)
    problems = models.TextField(_("prominent problems"), blank=True)
    good_examples = models.TextField(_("good examples"), blank=True)
    priorities = models.TextField(_("priorities for the next period"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "number"],
                condition=Q(number__isnull=False),
                name="bulletin_number_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(number__isnull=False),
                name="bulletin_published_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:bulletin_detail", args=[self.pk])

    @property
    def number_label(self) -> str:
        """〔2026〕3号 once published; empty before."""
        if self.number is None:
            return ""
        return gettext("[%(year)s] No. %(number)s") % {"year": self.year, "number": self.number}


class MentionKind(models.TextChoices):
    PROBLEM = "problem", _("Criticised")
    GOOD = "good", _("Commended")
    NOTED = "noted", _("Concerned")


class BulletinMention(RegionOwned):
    """A village a bulletin concerns, and how."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="mentions")
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("how"), max_length=10, choices=MentionKind.choices, default=MentionKind.NOTED
    )

    class Meta:
        verbose_name = _("village concerned")
        verbose_name_plural = _("villages concerned")
        ordering = ["bulletin", "region"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "region"], name="bulletin_mention_once"),
        ]
