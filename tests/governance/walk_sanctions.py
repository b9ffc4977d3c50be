"""How outsiders are answered on the rewards and punishments routes
(tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk).

The rules belong to the township and every village of it reads them, so they are walked without
a record in the URL (`?rule=` names one): the next village's director reads 枫桥镇's rules and
changes none. "Propose from the results" takes an assessment run: a run at the person level in
which only a person of village 1 was scored, so village 1's director reaches it (and is told the
township proposes) and the next village's does not (as walk_assessment.py explains). The public
board is walked with the next village's code (the walk's shared sample): nothing of village 1
shows there."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"
PUBLIC = "public"

ROUTES: dict[str, str] = {
    "governance:sanction_board": PUBLIC,  # no sign-in; <village_code> = the next village's
    "governance:sanction_list": SCOPED,
    "governance:sanction_create": SCOPED,  # offers only the user's own people and organisations
    "governance:sanction_notice": SCOPED,  # ?village= of another village answers 404
    "governance:payment_list": SCOPED,
    "governance:sanction_rule_list": SCOPED,  # the user's township's rules
    "governance:sanction_rule_form": SCOPED,  # the township's office; ?rule= of another: 404
    "governance:sanction_rule_defaults": SCOPED,  # POST only; the user's own township
    "governance:sanction_detail": FOREIGN_404,
    "governance:sanction_decide": FOREIGN_404,  # POST only; the township's office
    # POST only; the township's office: the ids posted are looked up among the user's own, so
    # another's id decides nothing (a director is refused outright)
    "governance:sanction_decide_many": SCOPED,
    "governance:sanction_publish": FOREIGN_404,  # POST only; the township or the director
    "governance:sanctions_propose": FOREIGN_404,  # an assessment run; the township's office
}
PK_OWNER: dict[str, str] = {
    "governance:sanction_detail": "sanction",
    "governance:sanction_decide": "sanction",
    "governance:sanction_publish": "sanction",
    "governance:sanctions_propose": "run",
}
SAMPLES: dict[str, object] = {}
MARKER_REASON = "枫源村夜巡发现柴房起火及时扑灭SAW1"
MARKER_PUBLISHED = "枫源村治保会连续漏巡SAW2"
MARKERS: list[str] = [MARKER_REASON, MARKER_PUBLISHED]  # only village 1's records
WRITES: set[str] = {
    "governance:sanction_create",
    "governance:sanction_rule_form",
    "governance:sanction_rule_defaults",
    "governance:sanction_decide",
    "governance:sanction_decide_many",
    "governance:sanction_publish",
    "governance:sanctions_propose",
}


def records(world, base) -> SimpleNamespace:
    """The township's closed December assessment of people, in which only a person of village
    1 was scored; an approved bonus for that person (its payment request waiting as "to be
    paid") and a warning to village 1's security committee published on its board."""
    from django.utils import timezone

    from qunfang.governance.models import (
        Action,
        AssessmentRun,
        Level,
        PaymentRequest,
        Sanction,
        SanctionStatus,
        Scheme,
        SchemeStatus,
        Score,
    )

    now = timezone.now()
    scheme = Scheme.objects.create(
        region=world.township,
        name="个人考核办法（旧）",
        level=Level.PERSON,
        status=SchemeStatus.RETIRED,
        created_by=world.township_officer,
    )
    run = AssessmentRun.objects.create(
        region=world.township,
        scheme=scheme,
        period="2028-12",
        level=Level.PERSON,
        scheme_spec={"indicators": [], "grades": [], "vetoes": [], "appeal_days": 7},
        cutoff=now - dt.timedelta(days=10),
        computed_at=now - dt.timedelta(days=10),
        appeals_until=now - dt.timedelta(days=3),
        status="closed",
        closed_at=now - dt.timedelta(days=2),
        closed_by=world.township_officer,
    )
    Score.objects.create(
        run=run,
        region=world.village1,
        person=base.person,
        computed=Decimal("96.00"),
        final=Decimal("96.00"),
        grade="优秀",
        rank=1,
    )
    sanction = Sanction.objects.create(
        region=world.village1,
        person=base.person,
        action=Action.BONUS,
        amount=Decimal("200.00"),
        reason=MARKER_REASON,
        status=SanctionStatus.APPROVED,
        proposed_by=world.director1,
        proposed_at=now - dt.timedelta(days=1),
        decided_by=world.township_officer,
        decided_at=now,
    )
    PaymentRequest.objects.create(
        region=world.village1,
        payee_person=base.person,
        amount=Decimal("200.00"),
        purpose=f"奖金：{MARKER_REASON}",
        sanction=sanction,
        requested_at=now,
    )
    published = Sanction.objects.create(
        region=world.village1,
        organisation=base.org,
        action=Action.WARNING,
        reason=MARKER_PUBLISHED,
        status=SanctionStatus.PUBLISHED,
        proposed_by=world.township_officer,
        proposed_at=now - dt.timedelta(days=3),
        decided_by=world.township_officer,
        decided_at=now - dt.timedelta(days=2),
        published_at=now - dt.timedelta(days=1),
    )
    return SimpleNamespace(run=run, sanction=sanction, published=published)
