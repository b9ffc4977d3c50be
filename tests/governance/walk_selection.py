"""How outsiders are answered on the governance selection routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from qunfang.governance.services import selection as service

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:selection_list": SCOPED,
    "governance:candidacy_create": SCOPED,  # offers only the user's own posts and people
    "governance:candidacy_detail": FOREIGN_404,
    "governance:candidacy_move": FOREIGN_404,
    "governance:membership_dismiss": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {
    "governance:candidacy_detail": "candidacy",
    "governance:candidacy_move": "candidacy",
    "governance:membership_dismiss": "membership",
}
SAMPLES: dict[str, object] = {}
MARKER_CANDIDATE = "楼选聘"
MARKER_REASON = "枫源村治保委员推荐理由"
MARKERS: list[str] = [MARKER_CANDIDATE, MARKER_REASON]  # only village 1's selection has these
WRITES: set[str] = {
    "governance:candidacy_create",
    "governance:candidacy_move",
    "governance:membership_dismiss",
}


def records(world, base) -> SimpleNamespace:
    """Village 1's selection: a candidate nominated for the security committee's member post
    (which `base.membership` holds a seat of), through the service."""
    from qunfang.registry.models import Person

    person = Person.objects.create(
        region=world.village1, name=MARKER_CANDIDATE, sex="F", birth_date=dt.date(1988, 6, 1)
    )
    candidacy = service.candidacy_nominate(
        post=base.post,
        person=person,
        nominated_by="organisation",
        nominated_on=timezone.localdate() - dt.timedelta(days=2),
        reason=MARKER_REASON,
        by=world.director1,
    )
    return SimpleNamespace(candidacy=candidacy, membership=base.membership)
