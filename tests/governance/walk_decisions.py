"""How outsiders are answered on the governance decisions routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk)."""

import datetime as dt
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:decision_list": SCOPED,  # the user's villages, organisations and people only
    "governance:decision_add": FOREIGN_404,  # on a meeting of village 1
    "governance:decision_move": FOREIGN_404,
    # without a village: the user's own, or a choice of them; another's code answers 404
    "governance:minutes_register_print": SCOPED,
}
PK_OWNER: dict[str, str] = {
    "governance:decision_add": "meeting",
    "governance:decision_move": "decision",
}
SAMPLES: dict[str, object] = {}
MARKER_DECISION = "枫源村独有决议：修缮祠堂消防栓"
MARKERS: list[str] = [MARKER_DECISION, "枫源一月治保例会"]  # only village 1's decisions
WRITES: set[str] = {"governance:decision_add", "governance:decision_move"}


def records(world, base) -> SimpleNamespace:
    """Village 1's security committee held a meeting this week and took a decision owned by a
    villager, due next week (straight into the tables)."""
    from django.utils import timezone

    from qunfang.governance.models import Attendance, AttendanceStatus, Decision, Meeting

    held_at = timezone.now() - dt.timedelta(days=2)
    meeting = Meeting.objects.create(
        organisation=base.org,
        kind="deployment",
        title="枫源一月治保例会",
        scheduled_at=held_at,
        status="held",
        held_at=held_at,
        minutes="部署春节前安全大检查。",
    )
    Attendance.objects.create(meeting=meeting, person=base.person, status=AttendanceStatus.PRESENT)
    decision = Decision.objects.create(
        meeting=meeting,
        text=MARKER_DECISION,
        owner=base.person,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    return SimpleNamespace(meeting=meeting, decision=decision)
