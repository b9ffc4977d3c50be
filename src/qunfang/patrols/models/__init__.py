"""Patrol operations: points and routes, joint zones, shift patterns, rosters and their shifts,
assignments, declared absences, swaps, check-ins and the ten-household duty ledger.

Every record that belongs to a roster carries the `region` (the village, or the township for a
joint zone) and the `zone` it belongs to, so that scoping is one indexed prefix match plus, for
joint zones, a subquery over the zone's villages.

One module per part: `choices` (kinds and statuses), `ground` (points, display links, routes, joint
zones), `planning` (patterns, rosters, shifts, assignments, profiles, busy seasons) and `records`
(absences, swaps, check-ins, the duty ledger). Every model is imported here, where Django and the
rest of the code find them.
"""

from .choices import (
    CheckInKind,
    Finding,
    LedgerKind,
    Outcome,
    Qualification,
    RosterStatus,
    ShiftKind,
    SignPeriod,
    SwapStatus,
)
from .ground import (
    JointZone,
    PatrolPoint,
    PatrolRoute,
    PatrolSettings,
    PointDisplay,
    RouteStop,
    ZoneVillage,
)
from .ground import _new_secret as _new_secret  # migration 0001's default for PatrolPoint.secret
from .planning import Assignment, BusySeason, PatrolProfile, Roster, Shift, ShiftPattern
from .records import Absence, CheckIn, DutyLedgerEntry, SwapRequest

__all__ = [
    "Absence",
    "Assignment",
    "BusySeason",
    "CheckIn",
    "CheckInKind",
    "DutyLedgerEntry",
    "Finding",
    "JointZone",
    "LedgerKind",
    "Outcome",
    "PatrolPoint",
    "PatrolProfile",
    "PatrolRoute",
    "PatrolSettings",
    "PointDisplay",
    "Qualification",
    "Roster",
    "RosterStatus",
    "RouteStop",
    "Shift",
    "ShiftKind",
    "ShiftPattern",
    "SignPeriod",
    "SwapRequest",
    "SwapStatus",
    "ZoneVillage",
]
