"""选聘: candidates for a post, the three checks (政治关、素质关、年龄关) as vetting records them,
the village committee's decision, the township's approval where the post requires it, and the
appointment that writes the membership; dismissal with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import Membership, Person, Post


class CandidacyStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    COMMITTEE_APPROVED = "committee_approved", _("Approved by the village committee")
    TOWNSHIP_APPROVED = "township_approved", _("Approved by the township")
    APPOINTED = "appointed", _("Appointed")
    REJECTED = "rejected", _("Not appointed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_CANDIDACY = ("nominated", "committee_approved", "township_approved")


class NominatedBy(models.TextChoices):
    COMMITTEE = "committee", _("The village committee")
    ORGANISATION = "organisation", _("The organisation")
    VILLAGERS = "villagers", _("Villagers")
    SELF = "self", _("Self-nominated")


class Candidacy(RegionOwned):
    region_lookup = "post__organisation__region"

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="candidacies"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="candidacies"
    )
    nominated_by = models.CharField(_("nominated by"), max_length=20, choices=NominatedBy.choices)
    nominated_on = models.DateField(_("nominated on"))
    reason = models.TextField(_("why this candidate"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CandidacyStatus.choices,
        default=CandidacyStatus.NOMINATED,
    )
    committee_decided_on = models.DateField(
        _("village committee decided on"), null=True, blank=True
    )
    township_decided_on = models.DateField(_("township decided on"), null=True, blank=True)
    township_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="candidacy"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidacy")
        verbose_name_plural = _("candidacies")
        ordering = ["-nominated_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "person"],
                condition=Q(status__in=OPEN_CANDIDACY),
                name="candidacy_one_open_per_person_post",
            ),
            models.CheckConstraint(
                condition=~Q(status="appointed") | Q(membership__isnull=False),
                name="candidacy_appointed_has_membership",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("governance:candidacy_detail", args=[self.pk])

    def __str__(self) -> str:
        return f"{self.person} · {self.post}"


class Dismissal(RegionOwned):
    """The end of a membership by decision (免职/解聘), with its reason; a resignation or the end
    of a term stays a plain end of the membership."""

    region_lookup = "membership__post__organisation__region"

    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="dismissal"
    )
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dismissal")
        verbose_name_plural = _("dismissals")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return str(self.membership)
