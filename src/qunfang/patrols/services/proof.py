"""A village's rule for check-in proof: do scans at its points need the phone's position?

The rule belongs to the village where the point stands. A joint zone's patrol scans points of
its member villages, so each scan follows the rule of the point's own village, not the zone's
township: whether phones get a fix there is a fact of the place, and the township sets the
rule for each of its villages anyway (it may change any of them). Only scans at a point are
held to it: the start and the end of a patrol prove no place.

Reading the rule: `selectors.common.positions_required` (a scan) and
`selectors.planning.village_rules` (the points page).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qunfang.core.models import Region, RegionKind
from qunfang.patrols.models import PatrolSettings
from qunfang.patrols.selectors.common import change_or_403


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
