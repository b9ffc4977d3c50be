"""制度: each organisation's adopted written rules with their revisions, and the model texts a
township publishes for its villages to adopt and adapt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.governance.models.meetings import Meeting
from qunfang.registry.models import Organisation


class RuleKind(models.TextChoices):
    MEETINGS = "meetings", _("Regular meetings (例会制度)")
    ASSESSMENT = "assessment", _("Assessment (考核制度)")
    REGISTRATION = "registration", _("Registration books (登记制度)")
    REPORTING = "reporting", _("Reporting and requests (汇报请示制度)")
    REWARDS = "rewards", _("Rewards and punishments (奖惩制度)")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality (保密制度)")
    PATROL = "patrol", _("Patrol duty (巡逻值班制度)")
    MEDIATION = "mediation", _("Mediation work (调解工作制度)")
    OTHER = "other", _("Other")


class ModelText(RegionOwned):
    """A model text of a rule published by a township (示范文本)."""

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("rule"), max_length=20, choices=RuleKind.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    published_on = models.DateField(_("published on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("model text")
        verbose_name_plural = _("model texts")
        ordering = ["kind", "-published_on"]

    def get_absolute_url(self) -> str:
        return reverse("governance:model_text_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.title


class Rule(RegionOwned):
    """A rule an organisation has adopted; its text is its latest revision. In force from its
    first adoption until repealed."""

    region_lookup = "organisation__region"

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("rule"), max_length=20, choices=RuleKind.choices)
    title = models.CharField(_("title"), max_length=100)
    model_text = models.ForeignKey(
        ModelText,
        verbose_name=_("adapted from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
    )
    adopted_on = models.DateField(_("adopted on"))
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    repeal_reason = models.CharField(_("reason for repeal"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["organisation", "kind", "-adopted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                condition=Q(repealed_on__isnull=True) & ~Q(kind="other"),
                name="rule_one_in_force_per_kind",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("governance:rule_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.title


class RuleRevision(RegionOwned):
    """One text of a rule as adopted; revision 1 is the first adoption. Never changed."""

    region_lookup = "rule__organisation__region"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    text = models.TextField(_("text"))
    adopted_on = models.DateField(_("adopted on"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("adopted at the meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    change_note = models.CharField(_("what changed"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rule revision")
        verbose_name_plural = _("rule revisions")
        ordering = ["rule", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="rule_revision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.number})"
