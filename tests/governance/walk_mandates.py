"""How outsiders are answered on the governance mandates routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk).

Mandates belong to the township, not to a village, and no route names a record: the township is
the user's own (a county's accounts choose one with `?township=`, another answers 404). So every
route is SCOPED. Village 2's director is of the same township: the list shows them its mandates
(read-only) and flags only village 2, never village 1 (whose security committee has nobody with
an account, so a leak would name 枫源村); the writes answer them 403. Another township's officer
is shown and writes their own township, never village 1's."""

from types import SimpleNamespace

from qunfang.governance.services.mandates import mandates_from_defaults

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:mandates_list": SCOPED,  # the user's township; only the user's villages flagged
    "governance:mandates_edit": SCOPED,  # the township's officers only; the kind is a field
    "governance:mandates_division": SCOPED,  # the township's officers only
    "governance:mandates_defaults": SCOPED,  # POST only; the posted township must be the user's
}
PK_OWNER: dict[str, str] = {}
SAMPLES: dict[str, object] = {}
# Nothing of the mandates is village 1's alone (its township's villages all read them); a leak
# of village 1's flag is caught by the walk's own markers (the village's name).
MARKERS: list[str] = []
WRITES: set[str] = {
    "governance:mandates_edit",
    "governance:mandates_division",
    "governance:mandates_defaults",
}


def records(world, base) -> SimpleNamespace:
    """The township has set its division of work; village 1's security committee (`base.org`)
    has a member without an account, so village 1 is flagged."""
    mandates_from_defaults(township=world.township, by=world.township_officer)
    return SimpleNamespace(org=base.org)
