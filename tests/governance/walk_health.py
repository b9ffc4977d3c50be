"""How outsiders are answered on the organisation-health and four-in-place routes
(tests/core/test_outsider_walk.py); see walk_settlements.py for the shape."""

from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:health_overview": SCOPED,  # the readings of the user's villages
    "governance:health_subject": FOREIGN_404,  # an organisation of village 1
    "governance:four_overview": SCOPED,  # the user's villages × the four
    "governance:four_village": FOREIGN_404,  # village 1's four (its code in the URL)
}
PK_OWNER: dict[str, str] = {"governance:health_subject": "org"}
SAMPLES: dict[str, object] = {"health_kind": "organisation"}
ORG_NAME = "枫源村治保会HW1"
MARKERS: list[str] = [ORG_NAME]
WRITES: set[str] = set()


def records(world, base) -> SimpleNamespace:
    """A security committee of village 1 with nobody in post and no meeting: read today."""
    from qunfang.governance.services.health import record_readings
    from tests.factories import organisation_for

    org = organisation_for(world.village1, kind="security_committee", name=ORG_NAME, members=0)
    record_readings(villages=[world.village1])
    return SimpleNamespace(org=org)
