"""The demo's leaders' responsibility and 分类指导 in 枫桥镇, through the services, dated when it
happened: every village's township leader in charge (the two officers' accounts lead a few each,
so their home pages show the leader's panel; the other leaders are names with their posts), one
handover during the year; the 综治委 with eight members; the police station's guidance visits
over the year (more to the slipping and paralysed villages); every village classified — strong
villages with a model among them, the slipping ones marked down in the autumn, the paralysed one
put under a rebuilding plan two months ago (some steps done, one overdue), and a village rebuilt
earlier in the year (its plan completed, its class restored)."""

from __future__ import annotations

import datetime as dt

from qunfang.core.days import local_midnight
from qunfang.core.demo import DemoContext
from qunfang.core.demo.reference import (
    MODEL_VILLAGE,
    PARALYSED_VILLAGE,
    SLIPPING_VILLAGES,
    STRONG_VILLAGES,
)
from qunfang.core.models import Region, User
from qunfang.core.notify import sent_at
from qunfang.governance.models import Standing
from qunfang.governance.services import classification as cls
from qunfang.governance.services import leadership as lead
from qunfang.registry.models import Organisation, OrgForm

STATION = "枫桥派出所"
OFFICERS = ("王志强", "孟立新", "宣海峰")
# the township's other leaders, without an account here: name, post
LEADERS = [
    ("金国良", "镇党委副书记"),
    ("周春林", "镇党委委员、武装部长"),
    ("徐文斌", "镇党委委员、组织委员"),
    ("朱永祥", "副镇长"),
    ("张利民", "镇人大副主席"),
    ("钟德明", "镇纪委书记"),
]
COMMITTEE = [
    ("金国良", "director", "镇党委", "全镇综治工作总负责"),
    ("孟立新", "deputy", STATION, "派出所所长，治安防范指导"),
    ("楼伟东", "office", "镇综治办", "综治办主任，日常工作与督查"),
    ("吴秀英", "member", "司法所", "司法所所长，人民调解"),
    ("周春林", "member", "武装部", "武装部长，民兵与巡逻队伍"),
    ("宣金法", "member", "人民法庭", "人民法庭庭长，诉调对接"),
    ("俞建国", "member", "信访办", "信访办主任，矛盾排查"),
    ("赵国良", "member", "安监站", "安监站站长，安全生产检查"),
]
TOPICS = [
    "巡逻路线与重点部位",
    "夜间巡逻签到与交接",
    "矛盾纠纷排查化解",
    "治安信息员工作",
    "防盗防骗宣传",
    "十户联防小组活动",
    "巡逻队员业务培训",
]
MODEL_GUIDANCE = (
    "专职巡逻队与村民小组联防结合，巡逻签到每日公示；治保会每月例会、每季向村民汇报；"
    "治安承包费用村民代表会议表决、账目公开。其他村可学习其排班与公示做法。"
)


def _main_forms(villages: list[Region]) -> dict[int, str]:
    """Each village's main patrol form, from its registered organisations."""
    found: dict[int, str] = {}
    for region_id, form in (
        Organisation.objects.filter(region__in=villages)
        .exclude(form=OrgForm.NONE)
        .order_by("region", "pk")
        .values_list("region", "form")
    ):
        found.setdefault(region_id, form)
    return found


def _at(context: DemoContext, days_ago: int, hour: int = 10) -> dt.datetime:
    day = context.today - dt.timedelta(days=days_ago)
    return local_midnight(day) + dt.timedelta(hours=hour)


def step(context: DemoContext) -> None:
    township = context.township
    villages = list(context.villages)
    if township is None or not villages:
        return
    officer, leader = context.accounts["township"], context.accounts["leader"]
    _leaders(context, villages, officer, leader)
    _committee(context, township, officer)
    _classes(context, villages, officer)
    _visits(context, villages)


def _leaders(context: DemoContext, villages: list[Region], officer: User, leader: User) -> None:
    codes = {v.code: v for v in villages}
    # the two accounts lead the story's villages, so their panels tell it
    own = {
        officer.pk: [MODEL_VILLAGE, PARALYSED_VILLAGE, SLIPPING_VILLAGES[0]],
        leader.pk: [c for c in STRONG_VILLAGES if c != MODEL_VILLAGE] + [SLIPPING_VILLAGES[1]],
    }
    taken = {code for codes_ in own.values() for code in codes_}
    rest = [v for v in villages if v.code not in taken]
    moment = _at(context, 364)
    with sent_at(moment):
        for account in (officer, leader):
            for code in own[account.pk]:
                if code in codes:
                    lead.leader_assign(village=codes[code], by=officer, account=account, now=moment)
        for i, village in enumerate(rest):
            name, title = LEADERS[i % len(LEADERS)]
            lead.leader_assign(village=village, by=officer, name=name, title=title, now=moment)
    # a handover during the year: the vice-mayor takes over a village from the discipline head
    if rest:
        moment = _at(context, 120)
        with sent_at(moment):
            lead.leader_assign(
                village=rest[-1], by=officer, name="朱永祥", title="副镇长", now=moment
            )


def _committee(context: DemoContext, township: Region, officer: User) -> None:
    moment = _at(context, 360)
    with sent_at(moment):
        for name, role, unit, duties in COMMITTEE:
            lead.member_save(
                township=township,
                by=officer,
                name=name,
                role=role,
                unit=unit,
                duties=duties,
                now=moment,
            )


def _classes(context: DemoContext, villages: list[Region], officer: User) -> None:
    rng = context.rng
    forms = _main_forms(villages)
    story = {MODEL_VILLAGE, PARALYSED_VILLAGE, *STRONG_VILLAGES, *SLIPPING_VILLAGES}
    others = [v for v in villages if v.code not in story]
    rebuilt = others[len(others) // 2] if others else None
    first = _at(context, 355)
    with sent_at(first):
        for village in villages:
            form = forms.get(village.pk, OrgForm.VOLUNTARY)
            if village.code == MODEL_VILLAGE:
                values = ("good", "strong", Standing.MODEL, MODEL_GUIDANCE)
            elif village.code in STRONG_VILLAGES:
                values = ("good", "strong", Standing.ORDINARY, "保持现有做法，参与片区联防。")
            elif village == rebuilt:
                values = ("poor", "weak", Standing.BACKWARD, "治保会长期不开会，列入整顿。")
            else:
                situation = rng.choice(["good", "good", "fair"])
                economy = rng.choice(["strong", "middle", "middle", "weak"])
                values = (situation, economy, Standing.ORDINARY, "")
            situation, economy, standing, guidance = values
            cls.village_classify(
                village=village,
                by=officer,
                situation=situation,
                economy=economy,
                org_form=form,
                standing=standing,
                guidance=guidance,
                now=first,
            )
    by_code = {v.code: v for v in villages}
    if rebuilt is not None:
        _rebuilt(context, rebuilt, officer, forms.get(rebuilt.pk, OrgForm.VOLUNTARY))
    # the autumn: the slipping villages are marked down, one of them backward
    moment = _at(context, 90)
    with sent_at(moment):
        for code, standing in zip(
            SLIPPING_VILLAGES, (Standing.BACKWARD, Standing.ORDINARY), strict=False
        ):
            if code in by_code:
                cls.village_classify(
                    village=by_code[code],
                    by=officer,
                    situation="poor" if standing == Standing.BACKWARD else "fair",
                    economy="middle",
                    org_form=forms.get(by_code[code].pk, OrgForm.VOLUNTARY),
                    standing=standing,
                    guidance="包村领导每月蹲点，派出所加强指导，限期整改督查发现的问题。",
                    now=moment,
                )
    if PARALYSED_VILLAGE in by_code:
        _paralysed(context, by_code[PARALYSED_VILLAGE], officer, forms)


def _rebuilt(context: DemoContext, village: Region, officer: User, form: str) -> None:
    opened = _at(context, 340)
    with sent_at(opened):
        plan = cls.plan_open(
            village=village,
            by=officer,
            title=f"{village.name}治保组织整顿方案",
            reason="治保会长期不开会，巡逻队名存实亡，群众反映治安差。",
            starts_on=opened.date(),
            target_on=opened.date() + dt.timedelta(days=120),
            now=opened,
        )
        steps = [
            ("调整治保会主任，补齐委员", "镇组织委员", 20),
            ("重建义务巡逻队，排出夜间班次", "村治保会", 45),
            ("制定治保会例会和巡逻签到制度", "村治保会", 70),
            ("召开村民代表会议通报整顿情况", "村党支部", 100),
        ]
        made = [
            cls.step_add(
                plan=plan,
                by=officer,
                text=text,
                owner=owner,
                due_on=opened.date() + dt.timedelta(days=due),
                now=opened,
            )
            for text, owner, due in steps
        ]
    for item, (_, _, due) in zip(made, steps, strict=True):
        done = _at(context, 340 - due + 3)
        with sent_at(done):
            cls.step_done(step=item, by=officer, done_on=done.date(), now=done)
    closed = _at(context, 220)
    with sent_at(closed):
        cls.plan_complete(
            plan=plan,
            by=officer,
            outcome="治保会恢复每月例会，巡逻队按班次巡逻，经验收整顿达标。",
            on=closed.date(),
            now=closed,
        )
        cls.village_classify(
            village=village,
            by=officer,
            situation="fair",
            economy="weak",
            org_form=form,
            standing=Standing.ORDINARY,
            guidance="整顿达标后继续跟踪，半年内每月督查一次。",
            now=closed,
        )


def _paralysed(context: DemoContext, village: Region, officer: User, forms: dict[int, str]) -> None:
    marked = _at(context, 75)
    with sent_at(marked):
        cls.village_classify(
            village=village,
            by=officer,
            situation="poor",
            economy="weak",
            org_form=forms.get(village.pk, OrgForm.VOLUNTARY),
            standing=Standing.PARALYSED,
            guidance="组织瘫痪：由包村领导牵头重建，派出所每两周指导一次。",
            now=marked,
        )
    opened = _at(context, 60)
    start = opened.date()
    with sent_at(opened):
        plan = cls.plan_open(
            village=village,
            by=officer,
            title=f"{village.name}治安防范组织重建方案",
            reason="夏季以来治保会未开会，巡逻无人签到，村民小组联防停止，案件明显上升。",
            starts_on=start,
            target_on=start + dt.timedelta(days=120),
            now=opened,
        )
        steps = [
            ("重新选任治保会主任和委员", "包村领导", 15),
            ("召开村民代表会议，通报情况、听取意见", "村党支部", 25),
            ("重建巡逻队，落实夜间巡逻班次和报酬", "村治保会", 50),
            ("恢复十户联防小组活动", "村民小组长", 80),
            ("整顿验收", "镇综治办", 115),
        ]
        made = [
            cls.step_add(
                plan=plan,
                by=officer,
                text=text,
                owner=owner,
                due_on=start + dt.timedelta(days=due),
                now=opened,
            )
            for text, owner, due in steps
        ]
    # the first two done; the third (due ten days ago) is overdue
    for item, days_ago in zip(made[:2], (47, 36), strict=True):
        done = _at(context, days_ago)
        with sent_at(done):
            cls.step_done(step=item, by=officer, done_on=done.date(), note="已完成", now=done)


def _visits(context: DemoContext, villages: list[Region]) -> None:
    rng = context.rng
    police = context.accounts["police"]
    for village in villages:
        if village.code == PARALYSED_VILLAGE:
            every = 14
        elif village.code in SLIPPING_VILLAGES:
            every = 30
        else:
            every = rng.choice([45, 60, 75])
        days_ago = 360 - rng.randint(0, every)
        while days_ago > 0:
            moment = _at(context, days_ago, hour=rng.choice([9, 10, 14, 15]))
            with sent_at(moment):
                lead.visit_log(
                    village=village,
                    by=police,
                    visited_on=moment.date(),
                    officer=rng.choice(OFFICERS),
                    unit=STATION,
                    topics=rng.choice(TOPICS),
                    now=moment,
                )
            days_ago -= every + rng.randint(-5, 5)
