"""Mandates and division of work (职责分工): what each kind of organisation is for and which case
and dispute types it owns, set by the township for its villages."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.casebook.models import CaseType, DisputeType
from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import OrgKind


class Mandate(RegionOwned):
    """The mandate of one kind of organisation in a township's villages, and the rules each such
    organisation must have in force (`required_rules`: a list of `RuleKind` values)."""

    # the township's villages read their township's mandates (they are set above them)
    also_visible_via = ("region__children",)

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    org_kind = models.CharField(_("organisation"), max_length=30, choices=OrgKind.choices)
    text = models.TextField(_("mandate"))
    required_rules = models.JSONField(_("rules it must have in force"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["region", "org_kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "org_kind"], name="mandate_once_per_kind"),
        ]

    def __str__(self) -> str:
        return self.get_org_kind_display()


class Ownership(RegionOwned):
    """Which kind of organisation owns a case type or a dispute type in a township's villages:
    new cases and mediations of it are offered to that organisation's people first."""

    also_visible_via = ("region__children",)  # read by the township's villages, as mandates

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    org_kind = models.CharField(_("owned by"), max_length=30, choices=OrgKind.choices)
    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("incident type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    dispute_type = models.CharField(
        _("dispute"), max_length=30, choices=DisputeType.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        ordering = ["region", "org_kind"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case_type__isnull=False) & Q(dispute_type=""))
                | (Q(case_type__isnull=True) & ~Q(dispute_type="")),
                name="ownership_of_one_type",
            ),
            models.UniqueConstraint(
                fields=["region", "case_type"],
                condition=Q(case_type__isnull=False),
                name="ownership_case_type_once",
            ),
            models.UniqueConstraint(
                fields=["region", "dispute_type"],
                condition=~Q(dispute_type=""),
                name="ownership_dispute_type_once",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_org_kind_display()} · {self.case_type or self.get_dispute_type_display()}"
        )
