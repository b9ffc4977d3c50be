"""How outsiders are answered on the routes of leaders' responsibility and of 分类指导 and
rebuilding (tests/core/test_outsider_walk.py); see walk_settlements.py for the shape.

A village's leader, class, guidance visits and rebuilding plan are village 1's: FOREIGN_404.
The committee is the township's, and every village of the township reads it: the next village's
director opens its members' pages read-only (every write refused), another township's officer
gets 404 — TOWNSHIP_404."""

import datetime as dt
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"
TOWNSHIP_404 = "township-404"

ROUTES: dict[str, str] = {
    "governance:leadership": SCOPED,  # the user's villages × leader, their township's committee
    "governance:leadership_village": FOREIGN_404,
    "governance:leader_assign": FOREIGN_404,  # a village is told only the township assigns
    "governance:leader_end": FOREIGN_404,  # POST only
    "governance:member_create": SCOPED,  # the township's office only
    "governance:member_edit": TOWNSHIP_404,
    "governance:member_end": TOWNSHIP_404,  # POST only
    "governance:visit_list": SCOPED,
    "governance:visit_create": FOREIGN_404,
    "governance:class_overview": SCOPED,
    "governance:class_detail": FOREIGN_404,
    "governance:class_set": FOREIGN_404,
    "governance:plan_open": FOREIGN_404,
    "governance:plan_list": SCOPED,
    "governance:plan_detail": FOREIGN_404,
    "governance:step_add": FOREIGN_404,  # POST only
    "governance:step_done": FOREIGN_404,  # POST only
    "governance:plan_complete": FOREIGN_404,  # POST only
    "governance:plan_abandon": FOREIGN_404,  # POST only
    "governance:plan_print": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {
    "governance:leader_end": "leader",
    "governance:member_edit": "member",
    "governance:member_end": "member",
    "governance:plan_detail": "plan",
    "governance:step_add": "plan",
    "governance:plan_complete": "plan",
    "governance:plan_abandon": "plan",
    "governance:plan_print": "plan",
    "governance:step_done": "step",
}
SAMPLES: dict[str, object] = {}
PLAN_TITLE = "枫源村整顿重建LDW1"
STEP_TEXT = "重建治保会LDW2"
VISIT_TOPICS = "巡逻队夜巡指导LDW3"
MARKERS: list[str] = [PLAN_TITLE, STEP_TEXT, VISIT_TOPICS]  # only village 1's records
WRITES: set[str] = {
    "governance:leader_assign",
    "governance:leader_end",
    "governance:member_create",
    "governance:member_edit",
    "governance:member_end",
    "governance:visit_create",
    "governance:class_set",
    "governance:plan_open",
    "governance:step_add",
    "governance:step_done",
    "governance:plan_complete",
    "governance:plan_abandon",
}


def records(world, base) -> SimpleNamespace:
    """Village 1 led by the township's officer, classified paralysed with a rebuilding plan of
    one step, a police guidance visit; a member of the township's committee."""
    from django.utils import timezone

    from qunfang.governance.services import classification as cls
    from qunfang.governance.services import leadership as lead

    today = timezone.localdate()
    officer = world.township_officer
    leader = lead.leader_assign(village=world.village1, by=officer, account=officer)
    member = lead.member_save(
        township=world.township, by=officer, name="综治办主任乙", role="office", unit="综治办"
    )
    cls.village_classify(
        village=world.village1,
        by=officer,
        situation="poor",
        economy="weak",
        org_form="voluntary",
        standing="paralysed",
    )
    plan = cls.plan_open(
        village=world.village1,
        by=officer,
        title=PLAN_TITLE,
        reason="治保会停止活动",
        target_on=today + dt.timedelta(days=90),
    )
    step = cls.step_add(
        plan=plan, by=officer, text=STEP_TEXT, owner="骆金法", due_on=today + dt.timedelta(days=30)
    )
    lead.visit_log(
        village=world.village1,
        by=world.police,
        visited_on=today,
        officer="王志强",
        unit="枫桥派出所",
        topics=VISIT_TOPICS,
    )
    return SimpleNamespace(leader=leader, member=member, plan=plan, step=step)
