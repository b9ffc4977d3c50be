"""The leader's home panel: for a township officer in charge of villages, each village's
standing, latest score and rank, the four in place, the worst organisation health, open and
overdue rectification tasks, the rebuilding plan and this quarter's guidance visits — in a fixed
number of queries however many villages; nothing for anyone else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.core.days import local_midnight
from qunfang.core.models import Region, RegionKind
from qunfang.governance.models import (
    AssessmentRun,
    HealthReading,
    Level,
    RunStatus,
    Scheme,
    SchemeStatus,
    Score,
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
from qunfang.governance.selectors.leadership import leader_panel
from qunfang.governance.services import leadership as lead
from tests.clock import MIDWEEK
from tests.factories import organisation_for
from tests.governance.test_classification import classify, open_plan

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


def _english(client, url) -> str:
    """The page as a reader who switched to English sees it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        return _body(client.get(url))
    finally:
        del client.cookies[settings.LANGUAGE_COOKIE_NAME]


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _today() -> dt.date:
    return timezone.localdate()


def _run(world, period: str) -> AssessmentRun:
    scheme, _ = Scheme.objects.get_or_create(
        region=world.township,
        level=Level.VILLAGE,
        name="村级考核办法",
        defaults={"status": SchemeStatus.RETIRED, "created_by": world.township_officer},
    )
    now = local_midnight(dt.date(2029, 1, 2))
    return AssessmentRun.objects.create(
        region=world.township,
        scheme=scheme,
        period=period,
        level=Level.VILLAGE,
        scheme_spec={"indicators": [], "grades": [], "vetoes": [], "appeal_days": 7},
        cutoff=now,
        computed_at=now,
        appeals_until=now + dt.timedelta(days=7),
        status=RunStatus.CLOSED,
    )


def _task(world, village: Region, deadline: dt.date, status=TaskStatus.OPEN):
    visit = SupervisionVisit.objects.create(
        region=village,
        kind=VisitKind.SPOT,
        planned_for=_today(),
        status=VisitStatus.DONE,
        visited_at=timezone.now(),
        created_by=world.township_officer,
    )
    found = SupervisionFinding.objects.create(
        visit=visit,
        region=village,
        kind=FindingKind.PROBLEM,
        severity=Severity.SERIOUS,
        text="巡逻未签到",
    )
    return RectificationTask.objects.create(
        finding=found,
        region=village,
        text="补齐签到",
        deadline=deadline,
        status=status,
        created_by=world.township_officer,
    )


def _village_state(world, village: Region, runs: list[AssessmentRun], rank: int) -> None:
    """Everything the panel reads, for one village."""
    lead.leader_assign(village=village, by=world.township_officer, account=world.township_officer)
    classify(world, village=village, standing="paralysed")
    open_plan(world, village=village, starts_on=_today() - dt.timedelta(days=30))
    for run in runs:
        Score.objects.create(
            run=run,
            region=village,
            computed=Decimal(70 + rank),
            final=Decimal(70 + rank),
            rank=rank,
        )
    org = organisation_for(village)
    HealthReading.objects.create(
        region=village,
        organisation=org,
        on=_today() - dt.timedelta(days=1),
        score=90,
        band="healthy",
    )
    HealthReading.objects.create(
        region=village,
        organisation=org,
        on=_today() - dt.timedelta(days=5),
        score=10,
        band="paralysed",
    )
    weak = organisation_for(village, kind="patrol_team", name=f"{village.name}巡逻队")
    HealthReading.objects.create(
        region=village,
        organisation=weak,
        on=_today() - dt.timedelta(days=1),
        score=40,
        band="paper_only",
    )
    _task(world, village, _today() - dt.timedelta(days=2))
    _task(world, village, _today() + dt.timedelta(days=2))
    _task(world, village, _today() - dt.timedelta(days=9), status=TaskStatus.VERIFIED)
    lead.visit_log(
        village=village,
        by=world.police,
        visited_on=_today(),
        officer="王志强",
        unit="枫桥派出所",
        topics="巡逻",
    )


def test_the_panel_shows_each_village_in_charge(world, client):
    runs = [_run(world, "2028-11"), _run(world, "2028-12")]
    _village_state(world, world.village1, runs, rank=2)
    panel = leader_panel(world.township_officer)
    (row,) = panel["led"]
    assert row.village == world.village1 and row.standing == "paralysed"
    assert row.score.run.period == "2028-12" and row.score.rank == 2
    assert row.four is not None and 0 <= row.four.count <= 4
    assert row.worst_band == "paper_only"  # the latest day's readings; yesterday's worst
    assert (row.tasks_open, row.tasks_overdue) == (2, 1)
    assert row.plan is not None and row.visits_quarter == 1
    client.force_login(world.township_officer)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="leader-panel"' in body and "枫源村" in body and "实施中" in body
    body = _english(client, reverse("home"))
    assert "The villages I am in charge of" in body and "On paper only" in body


def test_no_panel_for_who_leads_no_village(world, client):
    lead.leader_assign(village=world.village1, by=world.township_officer, name="周春林")
    assert leader_panel(world.township_officer) == {"led": []}
    client.force_login(world.director1)
    assert 'data-testid="leader-panel"' not in client.get(reverse("home")).content.decode()


def test_the_panel_costs_the_same_queries_however_many_villages(world):
    runs = [_run(world, "2028-12")]
    _village_state(world, world.village1, runs, rank=1)
    officer = world.township_officer
    leader_panel(officer)
    with CaptureQueriesContext(connection) as one:
        leader_panel(officer)
    for i in range(3):
        village = Region.objects.create(
            code=f"330681109{500 + i}",
            name=f"新村{i}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        _village_state(world, village, runs, rank=i + 2)
    with CaptureQueriesContext(connection) as four:
        panel = leader_panel(officer)
    assert len(panel["led"]) == 4
    assert len(four) == len(one), [q["sql"][:80] for q in four.captured_queries]
