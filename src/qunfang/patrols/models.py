"""Patrol operations: points and routes, joint zones, shift patterns, rosters and their shifts,
assignments, declared absences, swaps, check-ins and the ten-household duty ledger.

Every record that belongs to a roster carries the `region` (the village, or the township for a
joint zone) and the `zone` it belongs to, so that scoping is one indexed prefix match plus, for
joint zones, a subquery over the zone's villages.
"""

import datetime as dt
import uuid
from typing import cast

import pyotp
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.models import AppendOnly, Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import Household, JointDefenceGroup, Person


def _new_secret() -> str:
    return pyotp.random_base32(32)


class SignPeriod(models.IntegerChoices):
    """How often a point's code changes. A printed sign is reprinted each period; a screen at
    the point (an old phone) can show a code that changes every minute. A week is the longest
    period: a code is accepted in its period and the next one, so a printed code is never
    good for more than 14 days (see services/signs.py)."""

    MINUTE = 60, _("every minute (screen at the point)")
    HOUR = 3600, _("every hour (screen at the point)")
    DAY = 86400, _("every day (printed sign)")
    WEEK = 7 * 86400, _("every week (printed sign)")


class PatrolPoint(RegionOwned):
    """A place on the patrol round with a QR sign whose code rotates."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="patrol_points"
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    radius_m = models.PositiveIntegerField(
        _("check-in radius (metres)"),
        default=150,
        validators=[MinValueValidator(10), MaxValueValidator(5000)],
    )
    sign_period = models.PositiveIntegerField(
        _("code changes"), choices=SignPeriod.choices, default=SignPeriod.WEEK
    )
    secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("patrol point")
        verbose_name_plural = _("patrol points")
        ordering = ["region__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="patrol_point_name_unique"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="patrol_point_both_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:point_detail", args=[self.pk])

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PatrolSettings(RegionOwned):
    """A village's rules for check-in proof, changed by its director or its township. A village
    without a row keeps the defaults (a check-in without a position is accepted and marked)."""

    region = models.OneToOneField(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="patrol_settings"
    )
    positions_required = models.BooleanField(
        _("check-ins need a position"),
        default=False,
        help_text=_(
            "A scan at a point without the phone's position is refused (and kept on the log)."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol settings of a village")
        verbose_name_plural = _("patrol settings of villages")

    def __str__(self) -> str:
        return self.region.name


class PointDisplay(RegionOwned):
    """A display link: the address a screen at the point opens to show the point's rotating
    QR code without anyone signed in. Only a hash of its random token is kept; revoking sets
    `revoked_at`, and the screen then gets a "withdrawn" page."""

    region_lookup = "point__region"

    point = models.ForeignKey(
        PatrolPoint,
        verbose_name=_("patrol point"),
        on_delete=models.PROTECT,
        related_name="displays",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("link created"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("link revoked"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("display link")
        verbose_name_plural = _("display links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="point_display_revoked_by_whom",
            ),
            # one screen link per point: a new link replaces (revokes) the old one
            models.UniqueConstraint(
                fields=["point"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_display_per_point",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PatrolRoute(RegionOwned):
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="patrol_routes"
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    points: "models.ManyToManyField[PatrolPoint, RouteStop]" = models.ManyToManyField(
        PatrolPoint, through="RouteStop", related_name="routes", verbose_name=_("points")
    )
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["region__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="patrol_route_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:route_detail", args=[self.pk])


class RouteStop(RegionOwned):
    region_lookup = "route__region"

    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="stops")
    point = models.ForeignKey(PatrolPoint, on_delete=models.PROTECT, related_name="stops")
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["route", "order"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="route_stop_order_unique")
        ]


class JointZone(RegionOwned):
    """联勤互防: villages that patrol together under one roster. Owned by the township; each
    member village sees it."""

    also_visible_via = ("villages",)

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="joint_zones"
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    villages: "models.ManyToManyField[Region, ZoneVillage]" = models.ManyToManyField(
        Region, through="ZoneVillage", related_name="member_of_zones", verbose_name=_("villages")
    )
    members = models.ManyToManyField(
        Person, blank=True, related_name="joint_zones", verbose_name=_("members")
    )
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("joint patrol zone")
        verbose_name_plural = _("joint patrol zones")
        ordering = ["region__path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:zone_detail", args=[self.pk])


class ZoneVillage(RegionOwned):
    """A village in a joint zone with the share of the zone's costs it carries (percent)."""

    region_lookup = "zone__region"
    also_visible_via = ("village",)

    zone = models.ForeignKey(JointZone, on_delete=models.CASCADE, related_name="shares")
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    cost_share = models.DecimalField(
        _("cost share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["zone", "village__code"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "village"], name="zone_village_unique")
        ]


class ShiftKind(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift (夜班)")
    ROTATING = "rotating", _("Rotating cycle (轮班)")


class Qualification(models.TextChoices):
    VETTED = "vetted", _("Vetted (all three checks)")
    PATROL_TRAINING = "patrol", _("Patrol skills training")
    FIRST_AID = "first_aid", _("First aid training")
    FIRE_SAFETY = "fire_safety", _("Fire safety training")


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


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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


class Outcome(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SERVED = "served", _("Served")
    LATE = "late", _("Late")
    PARTIAL = "partial", _("Partial")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")


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


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the director")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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


class CheckInKind(models.TextChoices):
    START = "start", _("Start of patrol")
    POINT = "point", _("At a patrol point")
    END = "end", _("End of patrol")


class Finding(models.TextChoices):
    NOTHING = "nothing", _("Nothing to report")
    HAZARD = "hazard", _("Hazard")
    INCIDENT = "incident", _("Incident")
    DISPUTE = "dispute", _("Dispute")


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


class LedgerKind(models.TextChoices):
    OWED = "owed", _("Turn owed")
    SERVED = "served", _("Served")
    EXCUSED = "excused", _("Excused")
    SWAPPED = "swapped", _("Swapped to another household")
    BOUGHT_OUT = "bought_out", _("Bought out (payment)")
    MISSED = "missed", _("Missed")


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
