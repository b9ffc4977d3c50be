"""Outsider-walk classification of the mediation routes (see tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from qunfang.casebook.models import MediationCase, MediationStatus
from qunfang.casebook.services import mediation as service

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "casebook:mediation_list": SCOPED,
    "casebook:mediation_create": SCOPED,  # lists only the user's villages, mediators and people
    # a village's own register, or a choice of one's villages
    "casebook:mediation_register_print": SCOPED,
    "casebook:mediation_detail": FOREIGN_404,
    "casebook:mediation_session_add": FOREIGN_404,
    "casebook:mediation_move": FOREIGN_404,
    "casebook:mediation_follow_up": FOREIGN_404,
    "casebook:mediation_print": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {
    "casebook:mediation_detail": "mediation",
    "casebook:mediation_session_add": "mediation",
    "casebook:mediation_move": "mediation",
    "casebook:mediation_follow_up": "mediation",
    "casebook:mediation_print": "mediation",
}
SAMPLES: dict[str, object] = {}
MARKER_PARTY = "枫源村调解申请人"
MARKERS: list[str] = [MARKER_PARTY]  # strings only village 1's mediation contains


def records(world, base) -> SimpleNamespace:
    """A mediation of village 1 under way, with both parties (one from the registry), a
    mediator and one session."""
    today = timezone.localdate()
    mediation = service.open_mediation(
        mediation=MediationCase(
            region=world.village1,
            dispute_type=service.DisputeType.NEIGHBOURS,
            summary="枫源村邻里排水沟纠纷",
            applied_on=today - dt.timedelta(days=3),
        ),
        parties=[
            service.PartyData(side="A", name=MARKER_PARTY, address="枫源村2号"),
            service.PartyData(side="B", person=base.person),
        ],
        mediators=[world.mediator1],
        by=world.director1,
    )
    service.move(mediation=mediation, to=MediationStatus.IN_MEDIATION, by=world.mediator1)
    service.add_session(
        mediation=mediation,
        held_on=today - dt.timedelta(days=1),
        place="枫源村调解室",
        notes="双方陈述各自意见。",
        by=world.mediator1,
    )
    mediation.refresh_from_db()
    return SimpleNamespace(mediation=mediation)
