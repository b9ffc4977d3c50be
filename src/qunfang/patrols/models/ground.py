"""The ground a patrol covers: points with their rotating signs and display links, a
village's check-in rules, routes through the points, and joint zones of villages."""

import pyotp
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import Person

from .choices import SignPeriod


def _new_secret() -> str:
    return pyotp.random_base32(32)


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
