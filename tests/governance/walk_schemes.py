"""How outsiders are answered on the assessment schemes and responsibility letters routes
(tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk).

A scheme is the township's, and every village of the township reads the schemes in use (they
are what it is assessed by): the next village's director rightly opens village 1's township's
scheme — read-only, nothing of village 1 on it, every write refused — while another township's
officer gets 404. Such routes are TOWNSHIP_404. A letter is village 1's own: FOREIGN_404."""

from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"
TOWNSHIP_404 = "township-404"

_SCHEME_POSTS = (
    "indicator",
    "indicator_remove",
    "grade",
    "grade_remove",
    "veto",
    "veto_remove",
    "activate",
    "retire",
    "copy",
)

ROUTES: dict[str, str] = {
    "governance:scheme_list": SCOPED,  # the user's township's schemes
    "governance:scheme_create": SCOPED,  # the township's office only (403 for a village)
    "governance:scheme_defaults": SCOPED,  # POST only; the posted township must be the user's
    "governance:scheme_detail": TOWNSHIP_404,
    "governance:scheme_edit": TOWNSHIP_404,  # a village that reads it is told why not
    **{f"governance:scheme_{v}": TOWNSHIP_404 for v in _SCHEME_POSTS},  # POST only
    "governance:letter_list": SCOPED,  # the user's villages' letters
    "governance:letter_create": SCOPED,  # the township's office; its own villages offered
    "governance:letter_detail": FOREIGN_404,
    "governance:letter_edit": FOREIGN_404,  # the village reads it and is told why not
    "governance:letter_print": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {
    "governance:scheme_detail": "scheme",
    "governance:scheme_edit": "scheme",
    **{f"governance:scheme_{v}": "scheme" for v in _SCHEME_POSTS},
    **{f"governance:letter_{v}": "letter" for v in ("detail", "edit", "print")},
}
SAMPLES: dict[str, object] = {}
LETTER_COMMITMENT = "枫源村承诺春节前完成消防通道整治LTR1"
LETTER_SIGNATORY = "枫源村签字人LTS1"
MARKERS: list[str] = [LETTER_COMMITMENT, LETTER_SIGNATORY]  # only village 1's letter has them
WRITES: set[str] = {
    "governance:scheme_create",
    "governance:scheme_defaults",
    "governance:scheme_edit",
    *(f"governance:scheme_{v}" for v in _SCHEME_POSTS),
    "governance:letter_create",
    "governance:letter_edit",
}


def records(world, base) -> SimpleNamespace:
    """The township's villages' scheme in use (shift attendance, weight 100) and village 1's
    letter for this year with its own target and commitments."""
    from decimal import Decimal

    from django.utils import timezone

    from qunfang.governance.services import schemes as service

    officer = world.township_officer
    scheme = service.scheme_create(
        township=world.township,
        name="枫桥镇村级考核办法",
        level="village",
        appeal_days=7,
        by=officer,
    )
    service.scheme_indicator_set(
        scheme=scheme, code="shift_attendance", weight=Decimal(100), by=officer
    )
    service.scheme_grade_add(scheme=scheme, label="合格", min_score=Decimal(60), by=officer)
    service.scheme_grade_add(scheme=scheme, label="不合格", min_score=Decimal(0), by=officer)
    service.scheme_activate(scheme=scheme, by=officer)
    letter = service.letter_create(
        village=world.village1,
        year=timezone.localdate().year,
        details=service.LetterDetails(
            village_signatory=LETTER_SIGNATORY,
            township_signatory="陈建国",
            commitments=LETTER_COMMITMENT,
            targets={"shift_attendance": Decimal(98)},
        ),
        by=officer,
    )
    return SimpleNamespace(scheme=scheme, letter=letter)
