"""What happened on duty: declared absences, swap requests, check-ins and the ten-household
duty ledger."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.models import AppendOnly, Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import Household, JointDefenceGroup, Person

from .choices import CheckInKind, Finding, LedgerKind, SwapStatus
from .ground import JointZone, PatrolPoint
from .planning import Assignment


class Absence(RegionOwned):
    """Days a member has declared they cannot serve (inclusive)."""

    region_lookup = "person__region"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="patrol_absences")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declared absence")
        verbose_name_plural = _("declared absences")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="absence_period_order"
            )
        ]


class SwapRequest(RegionOwned):
    """A member asks to hand a shift to someone else; the director decides."""

    also_visible_via = ("zone__villages",)

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="swap_requests"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        JointZone, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replacement = models.ForeignKey(
        Person,
        verbose_name=_("who takes over"),
        on_delete=models.PROTECT,
        related_name="swaps_taken",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="one_pending_swap_per_assignment",
            )
        ]


class CheckIn(RegionOwned):
    """One scan on patrol. Every attempt is kept, refused ones too (with the reason), so a
    forged or stale code leaves a trace. `client_id` makes a resend from a flaky phone a no-op."""

    also_visible_via = ("zone__villages",)

    client_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="check_ins")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        JointZone, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CheckInKind.choices)
    point = models.ForeignKey(
        PatrolPoint,
        verbose_name=_("patrol point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins",
    )
    recorded_at = models.DateTimeField(_("recorded"))
    accepted = models.BooleanField(_("accepted"), default=True)
    refusal = models.CharField(_("refused because"), max_length=30, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("distance from the point (m)"), null=True, blank=True
    )
    far_from_point = models.BooleanField(_("far from the point"), default=False)
    finding = models.CharField(
        _("found"), max_length=10, choices=Finding.choices, default=Finding.NOTHING
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="patrol-photos/%Y/%m/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["assignment", "recorded_at"], name="checkin_assignment_time"),
            # the home page's findings of the last week, read for the user's villages only
            models.Index(fields=["region", "recorded_at"], name="checkin_region_time"),
        ]

    @property
    def has_position(self) -> bool:
        """Did the phone send where it was (no fix, or location refused, leaves it empty)?"""
        return self.latitude is not None and self.longitude is not None


class DutyLedgerEntry(AppendOnly):
    """The ten-household duty ledger, one append-only line per event, one hash chain per
    village. A turn is owed when a roster is published and settled by serving, an excuse, a
    swap or a payment."""

    book = "duty"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="duty_ledger")
    group = models.ForeignKey(
        JointDefenceGroup, on_delete=models.PROTECT, related_name="duty_ledger"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("entry"), max_length=12, choices=LedgerKind.choices)
    on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # set when the line is made, not at the insert (auto_now_add): the line's hash covers it
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(AppendOnly.Meta):
        verbose_name = _("duty ledger entry")
        verbose_name_plural = _("duty ledger entries")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["group", "household", "on"], name="ledger_group_household")]
        constraints = [
            *AppendOnly.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind="bought_out", amount__gt=0)
                | (~Q(kind="bought_out") & Q(amount__isnull=True)),
                name="ledger_amount_only_for_buyout",
            ),
        ]

    def chain_region_id(self) -> int | None:
        return self.region_id

    @classmethod
    def of_turn(
        cls, assignment: Assignment, kind: str, *, by: Any, **fields: Any
    ) -> "DutyLedgerEntry":
        """A line, not yet written, about a household's turn of duty: the turn's village,
        household, group and day, unless `fields` say otherwise (the household a turn passes
        to)."""
        line = {
            "region_id": assignment.region_id,
            "household_id": assignment.household_id,
            "group_id": assignment.shift.pattern.household_group_id,
            "assignment": assignment,
            "kind": kind,
            "on": assignment.shift.service_date,
            "recorded_by": by,
        }
        return cls(**{**line, **fields})
