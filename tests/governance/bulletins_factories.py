"""Hand-built records a bulletin is drafted from: supervision visits with findings, rectification
tasks, and a village-level assessment run with its scores and lines (straight into the tables,
as the walks do: the bulletins read them, they do not compute them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qunfang.core.days import local_midnight
from qunfang.core.models import Region, User
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.models import (
    AssessmentRun,
    Level,
    RunStatus,
    Scheme,
    SchemeStatus,
    Score,
    ScoreLine,
)
from qunfang.governance.models.supervision import (
    FindingKind,
    RectificationTask,
    Severity,
    SupervisionFinding,
    SupervisionVisit,
    TaskStatus,
    VisitKind,
    VisitStatus,
)
from tests.factories import TEST_PASSWORD


def officer2(world) -> User:
    """The township's second officer: approves what the first drafts."""
    return user_create(
        username="township_b",
        password=TEST_PASSWORD,
        region=world.township,
        roles={Role.TOWNSHIP_OFFICER},
        full_name="钱海波",
    )


def finding(
    world,
    village: Region,
    day: dt.date,
    text: str,
    *,
    kind: str = FindingKind.PROBLEM,
    severity: str = Severity.SERIOUS,
    visit_kind: str = VisitKind.SPOT,
    done: bool = True,
) -> SupervisionFinding:
    visit = SupervisionVisit.objects.create(
        region=village,
        kind=visit_kind,
        planned_for=day,
        status=VisitStatus.DONE if done else VisitStatus.PLANNED,
        visited_at=local_midnight(day) + dt.timedelta(hours=21) if done else None,
        created_by=world.township_officer,
    )
    return SupervisionFinding.objects.create(
        visit=visit, region=village, kind=kind, severity=severity, text=text
    )


def task(
    world, found: SupervisionFinding, text: str, deadline: dt.date, **extra
) -> RectificationTask:
    return RectificationTask.objects.create(
        finding=found,
        region=found.region,
        text=text,
        deadline=deadline,
        status=extra.pop("status", TaskStatus.OPEN),
        created_by=world.township_officer,
        **extra,
    )


def village_run(
    world,
    period: str,
    scores: dict[Region, tuple[str, int, bool]],
    *,
    township: Region | None = None,
    closed: bool = True,
    lines: dict[str, tuple[str, str]] | None = None,
) -> AssessmentRun:
    """A village-level run of `period`: each village's (final score, rank, vetoed), and for
    each indicator (points, weight) on every village's score."""
    township = township or world.township
    scheme, _ = Scheme.objects.get_or_create(
        region=township,
        level=Level.VILLAGE,
        name="村级考核办法",
        defaults={"status": SchemeStatus.RETIRED, "created_by": world.township_officer},
    )
    now = local_midnight(dt.date(2029, 1, 2))
    run = AssessmentRun.objects.create(
        region=township,
        scheme=scheme,
        period=period,
        level=Level.VILLAGE,
        scheme_spec={"indicators": [], "grades": [], "vetoes": [], "appeal_days": 7},
        cutoff=now,
        computed_at=now,
        appeals_until=now + dt.timedelta(days=7),
        status=RunStatus.CLOSED if closed else RunStatus.OPEN,
    )
    for village, (final, rank, vetoed) in scores.items():
        score = Score.objects.create(
            run=run,
            region=village,
            computed=Decimal(final),
            final=Decimal(final),
            vetoed=vetoed,
            rank=rank,
        )
        for code, (points, weight) in (lines or {}).items():
            ScoreLine.objects.create(
                score=score,
                indicator=code,
                done=Decimal(0),
                weight=Decimal(weight),
                points=Decimal(points),
            )
    return run
