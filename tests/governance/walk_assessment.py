"""How outsiders are answered on the assessment routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk).

A run belongs to its township; a village reaches it only through its own scores in it. A run at
the village level scores every village of the township, so the next village's director (an
outsider of the walk) rightly opens it (with their own scores only): no such run can be walked
as FOREIGN_404. The run routes are walked with a run at the organisation level in which only
village 1's security committee was scored (straight into the tables), so village 1's director
reaches it and the next village's does not. That the next village's director sees a village-level
run with their own score and nothing of village 1 is tested in
tests/governance/test_assessment_screens.py."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    # a township's runs; a village's own scores across periods
    "governance:run_list": SCOPED,
    # POST only: the township's officers of their own township (a village: 403)
    "governance:run_assess": SCOPED,
    "governance:run_detail": FOREIGN_404,
    "governance:run_print": FOREIGN_404,
    "governance:run_close": FOREIGN_404,  # POST only; the township's officers
    "governance:score_detail": FOREIGN_404,
    "governance:adjustment_propose": FOREIGN_404,  # POST only; the township's officers
    "governance:adjustment_decide": FOREIGN_404,  # POST only; another township officer
    "governance:appeal_lodge": FOREIGN_404,  # POST only; the village whose score it is
    "governance:appeal_list": SCOPED,  # the appeals of the user's villages
    "governance:appeal_detail": FOREIGN_404,
    "governance:appeal_decide": FOREIGN_404,  # POST only; the township's officers
}
PK_OWNER: dict[str, str] = {
    "governance:run_detail": "run",
    "governance:run_print": "run",
    "governance:run_close": "run",
    "governance:score_detail": "score",
    "governance:adjustment_propose": "score",
    "governance:adjustment_decide": "adjustment",
    "governance:appeal_lodge": "score",
    "governance:appeal_detail": "appeal",
    "governance:appeal_decide": "appeal",
}
SAMPLES: dict[str, object] = {}
MARKER_REASON = "枫源村治保会考核调整理由ASW1"
MARKER_GROUNDS = "枫源村申诉：十二月两次夜班漏记ASW2"
MARKERS: list[str] = [MARKER_REASON, MARKER_GROUNDS]  # only village 1's records
WRITES: set[str] = {
    "governance:run_assess",
    "governance:run_close",
    "governance:adjustment_propose",
    "governance:adjustment_decide",
    "governance:appeal_lodge",
    "governance:appeal_decide",
}


def records(world, base) -> SimpleNamespace:
    """The township's December assessment of organisations, open, in which village 1's
    security committee alone was scored; an adjustment waiting for approval and an appeal of
    village 1's director waiting for a decision."""
    from django.utils import timezone

    from qunfang.governance.models import (
        Adjustment,
        Appeal,
        AssessmentRun,
        Level,
        Scheme,
        SchemeStatus,
        Score,
        ScoreLine,
    )

    now = timezone.now()
    scheme = Scheme.objects.create(
        region=world.township,
        name="组织考核办法（旧）",
        level=Level.ORGANISATION,
        status=SchemeStatus.RETIRED,  # in use elsewhere in the walk or not: a run keeps its own
        created_by=world.township_officer,
    )
    spec = {
        "scheme": scheme.pk,
        "name": scheme.name,
        "level": Level.ORGANISATION,
        "appeal_days": 7,
        "indicators": [
            {"code": "shift_attendance", "weight": "100", "target": "100", "within_days": None}
        ],
        "grades": [{"label": "合格", "min_score": "60"}, {"label": "不合格", "min_score": "0"}],
        "vetoes": [],
        "targets": {},
    }
    run = AssessmentRun.objects.create(
        region=world.township,
        scheme=scheme,
        period="2028-12",
        level=Level.ORGANISATION,
        scheme_spec=spec,
        cutoff=now - dt.timedelta(days=1),
        computed_at=now - dt.timedelta(days=1),
        computed_by=world.township_officer,
        appeals_until=now + dt.timedelta(days=6),
    )
    score = Score.objects.create(
        run=run,
        region=world.village1,
        organisation=base.org,
        computed=Decimal("75.00"),
        final=Decimal("75.00"),
        grade="合格",
        rank=1,
    )
    ScoreLine.objects.create(
        score=score,
        indicator="shift_attendance",
        done=Decimal(3),
        due=Decimal(4),
        target=Decimal(100),
        weight=Decimal(100),
        points=Decimal("75.00"),
    )
    adjustment = Adjustment.objects.create(
        score=score, points=Decimal(2), reason=MARKER_REASON, proposed_by=world.township_officer
    )
    appeal = Appeal.objects.create(
        score=score, grounds=MARKER_GROUNDS, lodged_by=world.director1, lodged_at=now
    )
    return SimpleNamespace(run=run, score=score, adjustment=adjustment, appeal=appeal)
