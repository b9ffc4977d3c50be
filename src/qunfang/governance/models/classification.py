"""分类指导 and rebuilding: each village classified by its security situation, economic condition
and organisation form, so the township guides each kind differently; model villages (以点带面);
and rebuilding plans for backward and paralysed villages, with steps, owners and dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import OrgForm


class SecuritySituation(models.TextChoices):
    GOOD = "good", _("Good order")
    FAIR = "fair", _("Some problems")
    POOR = "poor", _("Serious problems")


class Economy(models.TextChoices):
    STRONG = "strong", _("Strong collective economy")
    MIDDLE = "middle", _("Middling")
    WEAK = "weak", _("Weak collective economy")


class Standing(models.TextChoices):
    MODEL = "model", _("Model village")
    ORDINARY = "ordinary", _("Ordinary")
    BACKWARD = "backward", _("Backward")
    PARALYSED = "paralysed", _("Paralysed")


class VillageClass(RegionOwned):
    """A village's classification as the township last set it (its history keeps the earlier
    ones). `org_form` is the village's main patrol form (§2.2)."""

    region = models.OneToOneField(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    situation = models.CharField(
        _("security situation"), max_length=10, choices=SecuritySituation.choices
    )
    economy = models.CharField(_("economic condition"), max_length=10, choices=Economy.choices)
    org_form = models.CharField(_("organisation form"), max_length=20, choices=OrgForm.choices)
    standing = models.CharField(
        _("standing"), max_length=10, choices=Standing.choices, default=Standing.ORDINARY
    )
    guidance = models.TextField(_("how the township guides it"), blank=True)
    classified_on = models.DateField(_("classified on"))
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village classification")
        verbose_name_plural = _("village classifications")
        ordering = ["region"]

    def __str__(self) -> str:
        return f"{self.get_situation_display()} · {self.get_economy_display()}"


class RebuildingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rebuilding plan", "Under way")
    COMPLETED = "completed", pgettext_lazy("rebuilding plan", "Completed")
    ABANDONED = "abandoned", pgettext_lazy("rebuilding plan", "Abandoned")


class RebuildingPlan(RegionOwned):
    """整顿重建: a backward or paralysed village's plan, tracked to the end."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    reason = models.TextField(_("why"))
    starts_on = models.DateField(_("from"))
    target_on = models.DateField(_("to be done by"))
    status = models.CharField(
        _("status"), max_length=10, choices=RebuildingStatus.choices, default=RebuildingStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    leader = models.CharField(_("township leader responsible"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rebuilding plan")
        verbose_name_plural = _("rebuilding plans")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(status="open"), name="one_open_rebuilding_plan"
            ),
            models.CheckConstraint(
                condition=Q(target_on__gte=models.F("starts_on")), name="rebuilding_plan_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RebuildingStep(RegionOwned):
    """One step of a rebuilding plan: what, who answers for it, by when, and when it was done."""

    region_lookup = "plan__region"

    plan = models.ForeignKey(RebuildingPlan, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(_("step"), max_length=200)
    owner = models.CharField(_("owner"), max_length=50)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rebuilding step")
        verbose_name_plural = _("rebuilding steps")
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return self.text
