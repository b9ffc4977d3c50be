"""Forms for patrol planning: points, routes, shift patterns, busy seasons, joint zones and the
roster request. Every choice of a related record is limited to what the signed-in user may
see, so a forged id from another village fails validation like a typo; cross-record rules
(a route's points, a pattern's route and group in the same village) get a sentence each."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT
from qunfang.core.models import Region, RegionKind
from qunfang.core.selectors import villages_visible
from qunfang.patrols.models import (
    BusySeason,
    JointZone,
    PatrolPoint,
    PatrolRoute,
    RouteStop,
    ShiftKind,
    ShiftPattern,
    ZoneVillage,
)
from qunfang.patrols.selectors.common import zones_run_by
from qunfang.patrols.selectors.people import PATROL_ORG_KINDS
from qunfang.registry.models import JointDefenceGroup, Person

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]
MAX_SEASON_DAYS = 366


def visible_townships(user):
    return Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP)


class PlanningForm(forms.ModelForm):
    """`region` is chosen when a record is made and fixed afterwards (its points, routes and
    shifts hang on it); the choice is limited to the user's villages."""

    region_kinds: tuple[str, ...] = (RegionKind.VILLAGE,)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "region" in self.fields:
            if self.instance.pk:
                del self.fields["region"]
            else:
                self.fields["region"].queryset = Region.objects.visible_to(user).filter(
                    kind__in=self.region_kinds
                )
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE_INPUT

    def region_value(self) -> Region | None:
        if "region" in self.fields:
            return self.cleaned_data.get("region")
        return self.instance.region


class RowFields(forms.BaseForm):
    """One optional field per row of another table (a route's points, a zone's villages): the
    form knows each field's row, and a field left blank leaves its row out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_of: dict[str, Any] = {}

    def add_row_fields(
        self,
        prefix: str,
        rows: Iterable[Any],
        field: Callable[[Any], forms.Field],
        values: dict[int, Any],
    ) -> list[str]:
        """A field `<prefix>_<pk>` for each row, made by `field(row)`, with the row's value
        from `values` (by pk); the names, in the rows' order."""
        names = []
        for row in rows:
            name = f"{prefix}_{row.pk}"
            self.fields[name] = field(row)
            self.row_of[name] = row
            if row.pk in values:
                self.initial[name] = values[row.pk]
            names.append(name)
        return names

    def row_groups(self, names: list[str], heading: Callable[[Any], str]) -> list[tuple[str, list]]:
        """The fields under the heading of their row, for the template."""
        groups: dict[str, list] = {}
        for name in names:
            groups.setdefault(heading(self.row_of[name]), []).append(self[name])
        return list(groups.items())

    def filled_rows(self, data: dict[str, Any], names: list[str]) -> Iterator[tuple[str, Any, Any]]:
        """(name, value, row) of each field given a value."""
        for name in names:
            if data.get(name) is not None:
                yield name, data[name], self.row_of[name]


# ---- points ------------------------------------------------------------------------------


class PointForm(PlanningForm):
    class Meta:
        model = PatrolPoint
        fields = [
            "region",
            "name",
            "description",
            "latitude",
            "longitude",
            "radius_m",
            "sign_period",
            "active",
        ]
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }
        help_texts = {
            "latitude": _(
                "Decimal degrees, north positive, e.g. 29.712345. Leave both blank if unknown."
            ),
            "longitude": _("Decimal degrees, east positive, e.g. 120.241234."),
            "radius_m": _("A check-in farther than this from the point is marked as far away."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # our own messages for the range (clean_latitude/longitude) instead of the generic ones;
        # extra decimals from a phone are rounded, not refused
        for name in ("latitude", "longitude"):
            self.fields[name].validators = []
            self.fields[name].error_messages["invalid"] = _(
                "Write it as a number of degrees, e.g. 29.712345."
            )

    def _clean_degrees(self, name: str, limit: int, words: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        if not -limit <= value <= limit:
            raise forms.ValidationError(words, code="range")
        return value.quantize(Decimal("0.000001"))

    def clean_latitude(self):
        return self._clean_degrees(
            "latitude",
            90,
            _("The latitude must lie between -90 and 90 degrees, e.g. 29.712345."),
        )

    def clean_longitude(self):
        return self._clean_degrees(
            "longitude",
            180,
            _("The longitude must lie between -180 and 180 degrees, e.g. 120.241234."),
        )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return data
        if (lat is None) != (lon is None):
            missing = "longitude" if lon is None else "latitude"
            self.add_error(missing, _("Give both the latitude and the longitude, or neither."))
        elif lat is not None and lat == 0 and lon == 0:
            self.add_error(
                "latitude",
                _(
                    "0, 0 is in the Atlantic Ocean: the phone had no position. "
                    "Leave both blank instead."
                ),
            )
        return data


# ---- routes ------------------------------------------------------------------------------


class RouteForm(RowFields, PlanningForm):
    """A route and its stops: one order number per point (blank = not on the route)."""

    class Meta:
        model = PatrolRoute
        fields = ["region", "name", "description", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        points = PatrolPoint.objects.visible_to(self.user).select_related("region")
        if self.instance.pk:
            points = points.filter(
                Q(region=self.instance.region) | Q(stops__route=self.instance)
            ).distinct()
            orders = dict(self.instance.stops.values_list("point_id", "order"))
        else:
            points = points.filter(active=True)
            orders = {}
        # the route's stops first, in their order, then the other points
        self.points = sorted(
            points, key=lambda p: (p.pk not in orders, orders.get(p.pk, 0), p.region.path, p.name)
        )
        several = len({p.region_id for p in self.points}) > 1

        def stop(point):
            return forms.IntegerField(
                label=f"{point.region.name} · {point.name}" if several else point.name,
                required=False,
                min_value=1,
                max_value=999,
                widget=forms.NumberInput(attrs={"class": "stop-order", "inputmode": "numeric"}),
            )

        self.stop_fields = self.add_row_fields("stop", self.points, stop, orders)

    def stop_groups(self):
        """Order fields grouped by village, for the template."""
        return self.row_groups(self.stop_fields, lambda point: point.region.name)

    def clean(self):
        data = super().clean()
        region = self.region_value()
        chosen = []
        for name, number, point in self.filled_rows(data, self.stop_fields):
            if region is not None and point.region_id != region.pk:
                self.add_error(
                    name,
                    _(
                        "%(point)s belongs to %(village)s, not to the route's village "
                        "%(route_village)s."
                    )
                    % {
                        "point": point.name,
                        "village": point.region.name,
                        "route_village": region.name,
                    },
                )
            chosen.append((number, point))
        numbers = [n for n, _p in chosen]
        for number in sorted({n for n in numbers if numbers.count(n) > 1}):
            self.add_error(
                None,
                _("Two points have the number %(n)d; give each point its own number.")
                % {"n": number},
            )
        self.ordered_points = [p for _n, p in sorted(chosen, key=lambda item: item[0])]
        return data

    @transaction.atomic
    def save(self, commit=True):
        route = super().save()
        route.stops.all().delete()
        RouteStop.objects.bulk_create(
            RouteStop(route=route, point=point, order=k)
            for k, point in enumerate(self.ordered_points, start=1)
        )
        return route


# ---- shift patterns ----------------------------------------------------------------------


class PatternForm(PlanningForm):
    region_kinds = (RegionKind.VILLAGE, RegionKind.TOWNSHIP)
    field_order = [
        "region",
        "name",
        "kind",
        "starts_at",
        "hours",
        "days",
        "cycle_length",
        "cycle_on",
        "headcount",
        "required_qualification",
        "route",
        "household_group",
        "zone",
        "weight",
        "valid_from",
        "valid_until",
        "active",
    ]

    hours = forms.DecimalField(
        label=_("Length (hours)"),
        min_value=Decimal("0.5"),
        max_value=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        help_text=_("A shift that ends after midnight belongs to the day it starts."),
    )
    days = forms.MultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For day and night shifts. A rotating cycle ignores them."),
    )

    class Meta:
        model = ShiftPattern
        fields = [
            "region",
            "zone",
            "name",
            "kind",
            "starts_at",
            "cycle_length",
            "cycle_on",
            "headcount",
            "required_qualification",
            "route",
            "household_group",
            "weight",
            "valid_from",
            "valid_until",
            "active",
        ]
        widgets = {"starts_at": TIME, "valid_from": DATE_INPUT, "valid_until": DATE_INPUT}
        help_texts = {
            "zone": _("Only for a township pattern that a joint zone patrols."),
            "cycle_length": _("Rotating cycle only: e.g. 4 days on of every 6."),
            "household_group": _(
                "Filled by the ten-household rotation instead of the patrol team."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        self.fields["route"].queryset = PatrolRoute.objects.visible_to(user).select_related(
            "region"
        )
        self.fields["route"].label_from_instance = lambda r: f"{r.region.name} · {r.name}"
        self.fields["household_group"].queryset = JointDefenceGroup.objects.visible_to(
            user
        ).select_related("region")
        self.fields["household_group"].label_from_instance = lambda g: f"{g.region.name} · {g.name}"
        # member villages see a zone's patterns; only whoever runs the zone adds to them
        self.fields["zone"].queryset = zones_run_by(user).select_related("region")
        self.fields["weight"].widget.attrs.update({"step": "0.1"})
        pattern = self.instance
        if pattern.pk:
            self.initial["hours"] = Decimal(pattern.duration_minutes) / 60
            self.initial["days"] = list(pattern.weekdays)
        else:
            self.initial.setdefault("days", [d for d, _label in WEEKDAYS])

    def clean(self):
        data = super().clean()
        region = self.region_value()
        kind, cycle_length, cycle_on = (
            data.get("kind"),
            data.get("cycle_length"),
            data.get("cycle_on"),
        )
        if kind == ShiftKind.ROTATING:
            if cycle_length is None:
                self.add_error("cycle_length", _("A rotating pattern needs the cycle length."))
            if cycle_on is None:
                self.add_error("cycle_on", _("A rotating pattern needs the days on per cycle."))
            if cycle_length and cycle_on and cycle_on >= cycle_length:
                self.add_error("cycle_on", _("The days on must be fewer than the cycle length."))
        elif cycle_length is not None or cycle_on is not None:
            self.add_error(
                "cycle_length",
                _(
                    "Only a rotating pattern has a cycle: "
                    "choose the rotating kind or leave the cycle blank."
                ),
            )
        elif not data.get("days"):
            self.add_error("days", _("Choose at least one weekday."))
        starts, until = data.get("valid_from"), data.get("valid_until")
        if starts and until and until < starts:
            self.add_error("valid_until", _("The pattern ends before it starts."))
        if region is not None:
            self._check_same_place(data, region)
        return data

    def _check_same_place(self, data, region: Region) -> None:
        route, group, zone = data.get("route"), data.get("household_group"), data.get("zone")
        if route and route.region_id != region.pk:
            self.add_error(
                "route",
                _("The route %(route)s belongs to %(village)s, not to %(region)s.")
                % {"route": route.name, "village": route.region.name, "region": region.name},
            )
        if group and group.region_id != region.pk:
            self.add_error(
                "household_group",
                _("The group %(group)s belongs to %(village)s, not to %(region)s.")
                % {"group": group.name, "village": group.region.name, "region": region.name},
            )
        if zone:
            if region.kind != RegionKind.TOWNSHIP:
                self.add_error(
                    "zone",
                    _(
                        "A joint zone's pattern belongs to the township: "
                        "choose the township as its place."
                    ),
                )
            elif zone.region_id != region.pk:
                self.add_error(
                    "zone",
                    _("The zone %(zone)s belongs to %(township)s, not to %(region)s.")
                    % {"zone": zone.name, "township": zone.region.name, "region": region.name},
                )
            if group:
                self.add_error(
                    "household_group",
                    _(
                        "A joint zone's pattern is patrolled by the zone's members, "
                        "not by a ten-household group."
                    ),
                )

    def save(self, commit=True):
        pattern = self.instance
        pattern.duration_minutes = int(self.cleaned_data["hours"] * 60)
        if pattern.kind == ShiftKind.ROTATING:
            pattern.weekdays = "1234567"
        else:
            pattern.weekdays = "".join(sorted(self.cleaned_data["days"]))
        return super().save(commit)

    def _post_clean(self):
        # the model validates duration_minutes, which the form fills from `hours`
        if self.cleaned_data.get("hours") is not None:
            self.instance.duration_minutes = int(self.cleaned_data["hours"] * 60)
        super()._post_clean()


# ---- busy seasons ------------------------------------------------------------------------


class SeasonForm(PlanningForm):
    region_kinds = (RegionKind.VILLAGE, RegionKind.TOWNSHIP)

    class Meta:
        model = BusySeason
        fields = ["region", "name", "starts_on", "ends_on"]
        help_texts = {"region": _("Set for a township, the season holds for all its villages.")}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends:
            if ends < starts:
                self.add_error("ends_on", _("The season ends before it starts."))
            elif (ends - starts).days + 1 > MAX_SEASON_DAYS:
                self.add_error("ends_on", _("A busy season lasts at most a year."))
        return data


# ---- joint zones -------------------------------------------------------------------------


class ZoneForm(RowFields, PlanningForm):
    """The zone, its villages with their cost shares (one field per village: blank = not in the
    zone) and its members, chosen from the patrol teams of the villages."""

    region_kinds = (RegionKind.TOWNSHIP,)

    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the patrol teams of the zone's villages."),
    )

    class Meta:
        model = JointZone
        fields = ["region", "name", "description", "active", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.instance
        villages = villages_visible(user=self.user).select_related("parent")
        if zone.pk:
            villages = villages.filter(parent=zone.region)
            shares = dict(zone.shares.values_list("village_id", "cost_share"))
        else:
            shares = {}
        self.villages = list(villages)

        def share(village):
            return forms.DecimalField(
                label=village.name,
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={"class": "share", "step": "0.01", "inputmode": "decimal"}
                ),
            )

        self.share_fields = self.add_row_fields("share", self.villages, share, shares)
        candidates = Person.objects.visible_to(self.user).filter(
            region__in=[v.pk for v in self.villages],
            memberships__ended_on__isnull=True,
            memberships__post__organisation__kind__in=PATROL_ORG_KINDS,
        )
        if zone.pk:
            candidates = Person.objects.visible_to(self.user).filter(
                Q(pk__in=candidates.values("pk")) | Q(joint_zones=zone)
            )
        self.fields["members"].queryset = (
            candidates.distinct().select_related("region").order_by("region__code", "name", "pk")
        )
        self.fields["members"].label_from_instance = lambda p: f"{p.name}（{p.region.name}）"

    def share_groups(self):
        """Share fields grouped by township, for the template."""
        return self.row_groups(self.share_fields, lambda village: village.parent.name)

    def clean(self):
        data = super().clean()
        township = self.region_value()
        chosen = {}
        for name, share, village in self.filled_rows(data, self.share_fields):
            if township is not None and village.parent_id != township.pk:
                self.add_error(
                    name,
                    _("%(village)s is not a village of %(township)s.")
                    % {"village": village.name, "township": township.name},
                )
            chosen[village] = share
        if any(name in self.errors for name in self.share_fields):
            return data
        if len(chosen) < 2:
            self.add_error(
                None,
                _(
                    "A joint zone needs at least two villages: "
                    "give each village in it a cost share."
                ),
            )
        else:
            total = sum(chosen.values(), Decimal(0))
            if total != 100:
                self.add_error(
                    None,
                    _("The cost shares add up to %(total)s %%; they must add up to exactly 100 %%.")
                    % {"total": f"{total.normalize():f}"},
                )
        villages = {v.pk for v in chosen}
        for person in data.get("members") or []:
            if person.region_id not in villages:
                self.add_error(
                    "members",
                    _("%(name)s is from %(village)s, which is not in the zone.")
                    % {"name": person.name, "village": person.region.name},
                )
        self.chosen_shares = chosen
        return data

    @transaction.atomic
    def save(self, commit=True):
        zone = super().save()
        zone.shares.exclude(village__in=list(self.chosen_shares)).delete()
        for village, share in self.chosen_shares.items():
            ZoneVillage.objects.update_or_create(
                zone=zone, village=village, defaults={"cost_share": share}
            )
        return zone


# ---- rosters -----------------------------------------------------------------------------

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> dt.date | None:
    """'2027-03' -> 2027-03-01; None when it is not a month."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return dt.date(year, month, 1)


def month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


class RosterForm(forms.Form):
    PERIODS = [
        ("week", _("A week from a date")),
        ("month", _("A calendar month")),
        ("days", _("From a date to a date")),
    ]

    scope = forms.ChoiceField(label=_("For"))
    period = forms.ChoiceField(
        label=_("Period"), choices=PERIODS, initial="week", widget=forms.RadioSelect
    )
    starts_on = forms.DateField(
        label=_("First day"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("For a week, or from a date to a date."),
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2027-03"}),
        help_text=_("For a calendar month: YYYY-MM."),
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Only for from a date to a date."),
    )
    min_rest_hours = forms.DecimalField(
        label=_("Minimum rest between shifts (hours)"),
        min_value=0,
        max_value=48,
        decimal_places=1,
        initial=8,
    )
    max_nights_per_week = forms.IntegerField(
        label=_("At most night shifts per person per week"), min_value=0, max_value=7, initial=2
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        villages = list(villages_visible(user=user).select_related("parent"))
        townships = list(visible_townships(user))
        # a member village sees the zone's rosters; only whoever runs the zone makes them
        zones = list(zones_run_by(user).filter(active=True).select_related("region"))
        self.targets: dict[str, tuple[Region, JointZone | None]] = {}
        groups = []
        if villages:
            groups.append((_("Village"), [(f"village:{v.pk}", v.name) for v in villages]))
            self.targets.update({f"village:{v.pk}": (v, None) for v in villages})
        if townships:
            groups.append(
                (
                    _("Township (all its villages)"),
                    [(f"township:{t.pk}", t.name) for t in townships],
                )
            )
            self.targets.update({f"township:{t.pk}": (t, None) for t in townships})
        if zones:
            groups.append((_("Joint zone"), [(f"zone:{z.pk}", z.name) for z in zones]))
            self.targets.update({f"zone:{z.pk}": (z.region, z) for z in zones})
        self.fields["scope"].choices = [("", "—"), *groups]
        if len(villages) == 1 and not townships:  # a village director: their own village
            self.initial.setdefault("scope", f"village:{villages[0].pk}")
        today = timezone.localdate()
        self.initial.setdefault(
            "starts_on", today + dt.timedelta(days=7 - today.weekday())
        )  # next Monday

    def clean_month(self):
        value = self.cleaned_data.get("month", "")
        if not value:
            return None
        first = parse_month(value)
        if first is None:
            raise forms.ValidationError(
                _("Write the month as YYYY-MM, e.g. 2027-03."), code="invalid"
            )
        return first

    def clean(self):
        data = super().clean()
        period = data.get("period")
        starts, ends, first = data.get("starts_on"), data.get("ends_on"), data.get("month")
        if period == "week":
            if starts is None and "starts_on" not in self.errors:
                self.add_error("starts_on", _("Give the first day of the week."))
            elif starts:
                data["period_start"], data["period_end"] = starts, starts + dt.timedelta(days=6)
        elif period == "month":
            if first is None and "month" not in self.errors:
                self.add_error("month", _("Give the month."))
            elif first:
                data["period_start"], data["period_end"] = first, month_end(first)
        elif period == "days":
            if starts is None and "starts_on" not in self.errors:
                self.add_error("starts_on", _("Give the first day."))
            if ends is None and "ends_on" not in self.errors:
                self.add_error("ends_on", _("Give the last day."))
            if starts and ends:
                data["period_start"], data["period_end"] = starts, ends
        return data

    def target(self) -> tuple[Region, JointZone | None]:
        return self.targets[self.cleaned_data["scope"]]
