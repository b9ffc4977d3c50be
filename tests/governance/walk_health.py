"""How outsiders are answered on the health routes (tests/core/test_outsider_walk.py); see
walk_settlements.py for the shape."""

from types import SimpleNamespace

ROUTES: dict[str, str] = {}
PK_OWNER: dict[str, str] = {}
SAMPLES: dict[str, object] = {}
MARKERS: list[str] = []
WRITES: set[str] = set()


def records(world, base) -> SimpleNamespace:
    return SimpleNamespace()
