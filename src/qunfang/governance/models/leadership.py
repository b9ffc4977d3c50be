"""领导责任制: the township leader in charge of each village (包村领导), the members of the
township's coordinating body (综治委 / 安全委员会) and their roles, and the police station's
guidance visits to villages (公安机关指导)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned


class VillageLeader(RegionOwned):
    """A township leader's charge of one village from `starts_on` (to `ends_on`, if it ended).
    `user` is the leader's account, for their home page; `name` is kept as printed."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="villages_in_charge",
    )
    name = models.CharField(_("leader"), max_length=50)
    title = models.CharField(_("post in the township"), max_length=60, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leader in charge of a village")
        verbose_name_plural = _("leaders in charge of villages")
        ordering = ["region", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(ends_on__isnull=True), name="one_leader_per_village"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="village_leader_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeRole(models.TextChoices):
    DIRECTOR = "director", _("Director")
    DEPUTY = "deputy", _("Deputy director")
    MEMBER = "member", _("Member")
    OFFICE = "office", _("Head of the office")


class CommitteeMember(RegionOwned):
    """A member of the township's coordinating body (综治委/安全委员会), with the unit they come
    from (派出所, 司法所, …) and what they answer for."""

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=10, choices=CommitteeRole.choices)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    duties = models.CharField(_("answers for"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["region", "role", "name"]

    def __str__(self) -> str:
        return self.name


class GuidanceVisit(RegionOwned):
    """公安机关指导: a police officer's guidance visit to a village's security organisations."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visited on"))
    officer = models.CharField(_("officer"), max_length=50)
    unit = models.CharField(_("police station"), max_length=60)
    topics = models.CharField(_("guidance on"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("police guidance visit")
        verbose_name_plural = _("police guidance visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["region", "visited_on"], name="guidance_region_day")]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.officer}"
