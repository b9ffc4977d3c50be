"""How outsiders are answered on the contract settlement routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk)."""

import datetime as dt
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:settlement_list": SCOPED,  # the user's villages' settlements and waiting contracts
    "governance:settlement_compute": FOREIGN_404,  # on a contract of village 1
    "governance:settlement_detail": FOREIGN_404,
    "governance:settlement_approve": FOREIGN_404,  # POST only; the township
    "governance:settlement_print": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {
    "governance:settlement_compute": "unsettled",
    "governance:settlement_detail": "settlement",
    "governance:settlement_approve": "settlement",
    "governance:settlement_print": "settlement",
}
SAMPLES: dict[str, object] = {}
SETTLED_TITLE = "枫源村夜间巡逻承包STW1"
WAITING_TITLE = "枫源村祠堂看护承包STW2"
MARKERS: list[str] = [SETTLED_TITLE, WAITING_TITLE]  # only village 1's contracts
WRITES: set[str] = {"governance:settlement_compute", "governance:settlement_approve"}


def records(world, base) -> SimpleNamespace:
    """Two contracts of village 1 in force whose term ended last month: one computed by its
    director and waiting for the township's approval, one not yet settled."""
    from django.utils import timezone

    from qunfang.governance.services.settlements import settlement_compute
    from tests.factories import contract_for

    today = timezone.localdate()
    term = {
        "status": "active",
        "starts_on": today - dt.timedelta(days=400),
        "ends_on": today - dt.timedelta(days=30),
    }
    settled = contract_for(world.village1, title=SETTLED_TITLE, **term)
    unsettled = contract_for(world.village1, title=WAITING_TITLE, **term)
    settlement = settlement_compute(contract=settled, by=world.director1)
    return SimpleNamespace(settled=settled, unsettled=unsettled, settlement=settlement)
