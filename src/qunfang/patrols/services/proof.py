"""A village's rule for check-in proof: do scans at its points need the phone's position?

The rule belongs to the village where the point stands. A joint zone's patrol scans points of
its member villages, so each scan follows the rule of the point's own village, not the zone's
township: whether phones get a fix there is a fact of the place, and the township sets the
rule for each of its villages anyway (it may change any of them). Only scans at a point are
held to it: the start and the end of a patrol prove no place.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from qunfang.core.models import Region, RegionKind
from qunfang.patrols.models import PatrolPoint, PatrolSettings
from qunfang.patrols.selectors import change_or_403, may_change


def positions_required(point: PatrolPoint) -> bool:
    return PatrolSettings.objects.filter(
        region_id=point.region_id, positions_required=True
    ).exists()


def village_rules(user) -> list[Region]:
    """The user's villages, each with `positions_required` and whether the user may change it
    (`may_set`): one query."""
    required = PatrolSettings.objects.filter(region=OuterRef("pk"), positions_required=True)
    villages = (
        Region.objects.visible_to(user)
        .filter(kind=RegionKind.VILLAGE)
        .annotate(positions_required=Exists(required))
        .select_related("parent")
        .order_by("path")
    )
    rows = list(villages)
    for village in rows:
        village.may_set = may_change(user, village)
    return rows


@transaction.atomic
def patrol_settings_set(*, village: Region, positions_required: bool, by) -> PatrolSettings:
    """Set whether scans at the village's points need a position (a history row records who)."""
    change_or_403(by, village)
    if village.kind != RegionKind.VILLAGE:
        raise ValidationError(_("Only a village has check-in settings."))
    row = PatrolSettings.objects.select_for_update().filter(region=village).first()
    row = row or PatrolSettings(region=village)
    if row.pk is None or row.positions_required != positions_required:
        row.positions_required = positions_required
        row._history_user = by
        row.save()
    return row
