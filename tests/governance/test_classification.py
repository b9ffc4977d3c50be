"""分类指导 and rebuilding: a village's class kept with its history, model villages need what the
others learn from them, rebuilding plans only for backward or paralysed villages (one open at a
time), steps done, the plan completed only when every step is, abandoned with a reason, the
leader in charge told of overdue steps; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from qunfang.core.models import Notification
from qunfang.core.permissions import NotYours
from qunfang.governance.models import (
    RebuildingPlan,
    RebuildingStatus,
    RebuildingStep,
    VillageClass,
)
from qunfang.governance.selectors import classification as sel
from qunfang.governance.services import classification as svc
from qunfang.governance.services import leadership as lead
from tests.clock import MIDWEEK

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture(autouse=True)
def _english():
    """The refusals are matched in English (the screens' tests read them in Chinese)."""
    with translation.override("en"):
        yield


def today() -> dt.date:
    return timezone.localdate()


def snapshot() -> tuple:
    return (
        list(VillageClass.objects.order_by("pk").values_list()),
        list(RebuildingPlan.objects.order_by("pk").values_list()),
        list(RebuildingStep.objects.order_by("pk").values_list()),
    )


def classify(world, village=None, standing="paralysed", by=None, **fields):
    values = {
        "situation": "poor",
        "economy": "weak",
        "org_form": "voluntary",
        "standing": standing,
        "guidance": "",
    }
    values.update(fields)
    return svc.village_classify(
        village=village or world.village1, by=by or world.township_officer, **values
    )


def open_plan(world, village=None, **fields):
    values = {
        "title": "整顿方案",
        "reason": "治保会不开会",
        "target_on": today() + dt.timedelta(days=90),
    }
    values.update(fields)
    return svc.plan_open(village=village or world.village1, by=world.township_officer, **values)


# ---- classification ---------------------------------------------------------------------------


def test_a_class_is_set_and_its_history_kept(world):
    first = classify(world, standing="ordinary", situation="fair")
    second = classify(world, standing="backward")
    assert first.pk == second.pk and second.classified_by == world.township_officer
    assert second.classified_on == today()
    history = sel.class_history(second)
    assert [h.standing for h in history] == ["backward", "ordinary"]
    assert history[0].history_user == world.township_officer


def test_a_model_village_needs_what_others_can_learn(world):
    with pytest.raises(ValidationError, match="can learn"):
        classify(world, standing="model", situation="good", economy="strong")
    classify(world, standing="model", guidance="排班公示")
    assert [c.region for c in sel.model_villages(world.director2)] == []
    assert [c.region for c in sel.model_villages(world.township_officer)] == [world.village1]


def test_classifying_is_the_townships_and_takes_only_known_values(world):
    before = snapshot()
    for who in (world.director1, world.police, world.township2_officer):
        with pytest.raises(NotYours):
            classify(world, by=who)
    with pytest.raises(ValidationError) as caught:
        classify(world, situation="awful", economy="rich", org_form="x", standing="y")
    assert set(caught.value.message_dict) == {"situation", "economy", "org_form", "standing"}
    with pytest.raises(ValidationError, match="Choose a village"):
        classify(world, village=world.township)
    assert snapshot() == before


def test_the_overview_groups_and_filters(world):
    classify(world, standing="model", situation="good", economy="strong", guidance="学这里")
    classify(world, village=world.village2, standing="backward", situation="poor")
    view = sel.overview(world.township_officer, sel.Filters())
    cells = {(c.situation, c.economy): c.villages for _, row in view.grid for c in row}
    assert [v for v, _ in cells[("good", "strong")]] == [world.village1]
    assert [v for v, _ in cells[("poor", "weak")]] == [world.village2]
    assert [v for v, _ in view.models] == [world.village1]
    assert {s: n for s, _, n in view.counts}["backward"] == 1
    narrowed = sel.overview(world.township_officer, sel.Filters.read({"standing": "backward"}))
    assert [v for _, row in narrowed.grid for c in row for v, _ in c.villages] == [world.village2]
    ignored = sel.Filters.read({"standing": "nonsense", "economy": "weak"})
    assert ignored.standing == "" and ignored.economy == "weak"


# ---- rebuilding plans -------------------------------------------------------------------------


def test_a_plan_is_only_for_a_backward_or_paralysed_village_and_one_at_a_time(world):
    before = snapshot()
    with pytest.raises(ValidationError, match="classify it first"):
        open_plan(world)  # not classified
    classify(world, standing="ordinary")
    before = snapshot()
    with pytest.raises(ValidationError, match="backward or paralysed"):
        open_plan(world)
    assert snapshot() == before
    classify(world, standing="paralysed")
    lead.leader_assign(village=world.village1, by=world.township_officer, name="周春林")
    plan = open_plan(world)
    assert plan.leader == "周春林" and plan.status == RebuildingStatus.OPEN
    before = snapshot()
    with pytest.raises(ValidationError, match="already has a rebuilding plan"):
        open_plan(world)
    with pytest.raises(ValidationError, match="after it starts"):
        open_plan(world, target_on=today() - dt.timedelta(days=1))
    with pytest.raises(NotYours):
        svc.plan_open(
            village=world.village1,
            by=world.director1,
            title="x",
            reason="y",
            target_on=today(),
        )
    assert snapshot() == before


def test_steps_are_done_once_and_the_plan_completes_when_all_are(world):
    classify(world)
    plan = open_plan(world)
    one = svc.step_add(
        plan=plan, by=world.township_officer, text="选任主任", owner="包村领导", due_on=today()
    )
    two = svc.step_add(
        plan=plan, by=world.township_officer, text="重建巡逻队", owner="村治保会", due_on=today()
    )
    svc.step_done(step=one, by=world.township_officer, note="已选任")
    before = snapshot()
    with pytest.raises(ValidationError, match="already been marked done"):
        svc.step_done(step=one, by=world.township_officer)
    with pytest.raises(ValidationError, match="once it has been done"):
        svc.step_done(step=two, by=world.township_officer, done_on=today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="1 step"):
        svc.plan_complete(plan=plan, by=world.township_officer, outcome="达标")
    with pytest.raises(ValidationError, match="achieved"):
        svc.plan_complete(plan=plan, by=world.township_officer, outcome=" ")
    with pytest.raises(NotYours):
        svc.step_done(step=two, by=world.director1)
    with pytest.raises(ValidationError, match="falls due after"):
        svc.step_add(
            plan=plan,
            by=world.township_officer,
            text="x",
            owner="y",
            due_on=today() - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="to be done by"):
        svc.step_add(
            plan=plan,
            by=world.township_officer,
            text="x",
            owner="y",
            due_on=plan.target_on + dt.timedelta(days=1),
        )
    assert snapshot() == before
    svc.step_done(step=two, by=world.township_officer)
    done = svc.plan_complete(plan=plan, by=world.township_officer, outcome="验收达标")
    assert done.status == RebuildingStatus.COMPLETED and done.closed_on == today()
    before = snapshot()
    with pytest.raises(ValidationError, match="can no longer be changed"):
        svc.step_add(plan=plan, by=world.township_officer, text="x", owner="y", due_on=today())
    with pytest.raises(ValidationError, match="can no longer be changed"):
        svc.plan_abandon(plan=plan, by=world.township_officer, reason="x")
    assert snapshot() == before
    # a completed plan leaves room for a new one
    assert open_plan(world).status == RebuildingStatus.OPEN


def test_a_plan_without_steps_is_not_completed_and_is_abandoned_with_a_reason(world):
    classify(world, standing="backward")
    plan = open_plan(world)
    before = snapshot()
    with pytest.raises(ValidationError, match="no steps"):
        svc.plan_complete(plan=plan, by=world.township_officer, outcome="x")
    with pytest.raises(ValidationError, match="Say why"):
        svc.plan_abandon(plan=plan, by=world.township_officer, reason="  ")
    with pytest.raises(NotYours):
        svc.plan_abandon(plan=plan, by=world.township2_officer, reason="x")
    assert snapshot() == before
    gone = svc.plan_abandon(plan=plan, by=world.township_officer, reason="村两委换届后重新制定")
    assert gone.status == RebuildingStatus.ABANDONED and gone.outcome.startswith("村两委")


def test_the_leader_in_charge_is_told_of_overdue_steps(world):
    classify(world)
    lead.leader_assign(
        village=world.village1, by=world.township_officer, account=world.township_officer
    )
    plan = open_plan(world, starts_on=today() - dt.timedelta(days=30))
    svc.step_add(
        plan=plan,
        by=world.township_officer,
        text="重建巡逻队",
        owner="村治保会",
        due_on=today() - dt.timedelta(days=1),
    )
    svc.step_add(
        plan=plan,
        by=world.township_officer,
        text="later",
        owner="x",
        due_on=today() + dt.timedelta(days=3),
    )
    assert svc.send_overdue_step_reminders() == 1
    note = Notification.objects.get(user=world.township_officer)
    assert note.kind == "overdue" and "重建巡逻队" in str(note.message)
    # the same, daily from the schedule and from cron
    from io import StringIO

    from django.core.management import call_command

    from qunfang.core import schedule

    periodic = {p.name: p for p in schedule.periodic_tasks()}
    assert periodic["qunfang.governance.tasks.send_rebuilding_reminders"].daily_at == dt.time(8, 10)
    out = StringIO()
    call_command("send_rebuilding_reminders", stdout=out)
    assert out.getvalue().strip() == "sent 0 messages"  # told today already
    # not again the next day; again a week after it fell overdue
    assert svc.send_overdue_step_reminders(today() + dt.timedelta(days=1)) == 0
    assert svc.send_overdue_step_reminders(today() + dt.timedelta(days=7)) == 1
