"""Patrol roster solver (OR-Tools CP-SAT): pure Python, no Django models.

``solve`` builds a roster, ``check_roster`` re-verifies one independently, and
``naive_roster`` is the round-robin baseline the benchmark compares against.
"""

from .baseline import naive_roster
from .checker import check_roster, load_spread
from .domain import (
    SHANGHAI,
    Absence,
    Person,
    Problem,
    RosterResult,
    Rules,
    Slot,
    Violation,
    service_day,
)
from .model import solve

__all__ = [
    "SHANGHAI",
    "Absence",
    "Person",
    "Problem",
    "RosterResult",
    "Rules",
    "Slot",
    "Violation",
    "check_roster",
    "load_spread",
    "naive_roster",
    "service_day",
    "solve",
]
