"""Planning the patrols: shift patterns, rosters and their shifts, who is assigned to each,
members' patrol profiles and busy farming seasons."""

import datetime as dt
from typing import cast

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import Household, JointDefenceGroup, Person

from .choices import Outcome, Qualification, RosterStatus, ShiftKind
from .ground import JointZone, PatrolRoute


class ShiftPattern(RegionOwned):
    """When shifts happen and what each needs. A shift belongs to the day it starts, even when
    it ends after midnight. Weekly patterns run on the chosen weekdays; a rotating cycle runs on
    `cycle_on` of every `cycle_length` days counted from `valid_from`."""

    also_visible_via = ("zone__villages",)

    region = models.ForeignKey(
        Region,
        verbose_name=_("village or township"),
        on_delete=models.PROTECT,
        related_name="shift_patterns",
    )
    zone = models.ForeignKey(
        JointZone,
        verbose_name=_("joint zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patterns",
    )
    household_group = models.ForeignKey(
        JointDefenceGroup,
        verbose_name=_("ten-household group (rotation by household)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shift_patterns",
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ShiftKind.choices, default=ShiftKind.DAY
    )
    starts_at = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(
        _("length (minutes)"), validators=[MinValueValidator(30), MaxValueValidator(16 * 60)]
    )
    weekdays = models.CharField(
        _("weekdays"), max_length=7, default="1234567", help_text=_("1 = Monday … 7 = Sunday")
    )
    cycle_length = models.PositiveSmallIntegerField(
        _("cycle length (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(28)],
    )
    cycle_on = models.PositiveSmallIntegerField(
        _("days on per cycle"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    headcount = models.PositiveSmallIntegerField(
        _("people per shift"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    required_qualification = models.CharField(
        _("required qualification"), max_length=20, blank=True, choices=Qualification.choices
    )
    route = models.ForeignKey(
        PatrolRoute,
        verbose_name=_("route"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patterns",
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.1), MaxValueValidator(10)],
        help_text=_("How much full strength matters; the forecast raises it for hot hours."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")
        ordering = ["region__path", "starts_at", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cycle_length__isnull=True, cycle_on__isnull=True)
                | Q(
                    cycle_length__isnull=False,
                    cycle_on__isnull=False,
                    cycle_on__lt=models.F("cycle_length"),
                ),
                name="shift_pattern_cycle_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:pattern_list")

    @property
    def is_night(self) -> bool:
        """Night when it is a night kind or any part of it falls between 22:00 and 05:00."""
        if self.kind == ShiftKind.NIGHT:
            return True
        start = self.starts_at.hour * 60 + self.starts_at.minute
        end = start + self.duration_minutes
        return end > 22 * 60 or start < 5 * 60

    def runs_on(self, day: dt.date) -> bool:
        if (
            not self.active
            or day < self.valid_from
            or (self.valid_until and day > self.valid_until)
        ):
            return False
        if self.cycle_length:
            # cycle_on is set with cycle_length (a constraint)
            return (day - self.valid_from).days % self.cycle_length < cast(int, self.cycle_on)
        return str(day.isoweekday()) in self.weekdays


class Roster(RegionOwned):
    """The shifts of a village, a township or a joint zone over a period, with who serves them
    and how the solver did."""

    also_visible_via = ("zone__villages",)
    # a page's counts, set by selectors.planning.count_seats (not columns)
    seats: int
    filled: int
    unfilled: int

    region = models.ForeignKey(
        Region,
        verbose_name=_("village or township"),
        on_delete=models.PROTECT,
        related_name="rosters",
    )
    zone = models.ForeignKey(
        JointZone,
        verbose_name=_("joint zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rosters",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=12, choices=RosterStatus.choices, default=RosterStatus.DRAFT
    )
    solver_status = models.CharField(_("solver result"), max_length=12, blank=True)
    objective = models.FloatField(_("objective"), null=True, blank=True)
    bound = models.FloatField(_("bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    first_feasible_s = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)  # [{"code", "constraint", "day", ...}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["problems"])

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["region", "starts_on"], name="roster_region_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="roster_period_order"
            )
        ]

    def __str__(self) -> str:
        where = self.zone.name if self.zone is not None else self.region.name
        return f"{where} {self.starts_on:%Y-%m-%d}–{self.ends_on:%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("patrols:roster_detail", args=[self.pk])


class Shift(RegionOwned):
    """One slot: a pattern on one service day."""

    also_visible_via = ("zone__villages",)

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shifts")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        JointZone, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pattern = models.ForeignKey(ShiftPattern, on_delete=models.PROTECT, related_name="shifts")
    service_date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    night = models.BooleanField(_("night"), default=False)
    headcount = models.PositiveSmallIntegerField(_("people per shift"))
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["region", "starts_at"], name="shift_region_start"),
            models.Index(fields=["roster", "starts_at"], name="shift_roster_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "pattern", "service_date"], name="shift_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_date:%m-%d} {self.pattern.name}"


class Assignment(RegionOwned):
    """A person on a shift, and how it ended. For a ten-household shift, `household` owes the
    turn and any eligible member of it may stand in."""

    also_visible_via = ("zone__villages",)

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        JointZone, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="patrol_assignments",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household on duty"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrol_assignments",
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PLANNED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["shift__starts_at", "id"]
        indexes = [models.Index(fields=["person", "outcome"], name="assignment_person_outcome")]
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="assignment_once_per_shift")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.shift}"


class PatrolProfile(RegionOwned):
    """What the roster needs to know about a member beyond the registry."""

    region_lookup = "person__region"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="patrol_profile")
    experienced = models.BooleanField(_("experienced (may lead a night patrol)"), default=False)
    volunteer = models.BooleanField(_("volunteer (not paid)"), default=True)
    max_nights_per_week = models.PositiveSmallIntegerField(
        _("at most nights per week"), null=True, blank=True, validators=[MaxValueValidator(7)]
    )
    prefers = models.CharField(
        _("prefers"),
        max_length=10,
        blank=True,
        choices=[("day", _("Day shifts")), ("night", _("Night shifts"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol profile")
        verbose_name_plural = _("patrol profiles")


class BusySeason(RegionOwned):
    """A farming season (planting, harvest) when volunteers get fewer shifts. Set for a
    township it holds for all its villages."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("township or village"),
        on_delete=models.PROTECT,
        related_name="busy_seasons",
    )
    name = models.CharField(_("name"), max_length=60)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("busy farming season")
        verbose_name_plural = _("busy farming seasons")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="busy_season_order"
            )
        ]

    def __str__(self) -> str:
        return self.name
