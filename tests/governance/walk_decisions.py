"""How outsiders are answered on the governance decisions routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk)."""

from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {}
PK_OWNER: dict[str, str] = {}
SAMPLES: dict[str, object] = {}
MARKERS: list[str] = []  # strings only village 1's decisions contain
WRITES: set[str] = set()


def records(world, base) -> SimpleNamespace:
    """Village 1's meetings."""
    return SimpleNamespace()
