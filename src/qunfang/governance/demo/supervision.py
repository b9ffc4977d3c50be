"""The demo's year of township supervision in 枫桥镇 (督导检查): a plan each quarter that draws
villages for spot checks and scheduled night shifts for unannounced night checks; a routine
inspection and a night check by hand each month, aimed more at the villages that slip; every
visit made recorded against the records — a night check against its shift's real check-ins, so
patrollers who checked in but were not out are found missing, most in the slipping and
paralysed villages; scores high in the strong villages and low in the others; problems turned
into rectification tasks, most reported and verified in time, some left overdue, one failing its
re-check; and an unannounced night check planned for next week.

Everything goes through the services, dated when it happened (`now=` and `sent_at`)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from qunfang.core.days import local_midnight
from qunfang.core.demo import DemoContext
from qunfang.core.demo.reference import PARALYSED_VILLAGE, SLIPPING_VILLAGES, STRONG_VILLAGES
from qunfang.core.models import Region, User
from qunfang.core.notify import sent_at
from qunfang.governance.models.supervision import SupervisionVisit, VisitKind
from qunfang.governance.selectors import supervision as sel
from qunfang.governance.services import supervision as svc
from qunfang.governance.services.selection import village_directors
from qunfang.patrols.models import RosterStatus, Shift

INSPECTORS = "镇综治办 陈建国、镇派出所 王志强"
# per kind of village: the score's range, the chance a patroller who checked in is out there
SCORES = {"strong": (88, 98), "slipping": (58, 76), "paralysed": (38, 55), "other": (74, 90)}
FOUND = {"strong": 0.97, "slipping": 0.55, "paralysed": 0.3, "other": 0.85}
PROBLEMS = {
    "strong": ["巡逻台账个别记录不完整", "宣传栏内容未及时更新"],
    "slipping": [
        "夜间巡逻人员脱岗，巡逻签到与实际不符",
        "消防通道被杂物堵塞",
        "治保会会议记录缺失近两月",
        "重点部位视频监控损坏未修复",
        "矛盾纠纷排查台账未按周更新",
    ],
    "paralysed": ["治保会长期未开展活动，巡逻队实际停摆", "值班室无人值守，台账空白"],
    "other": ["巡逻路线标识牌缺失", "应急器材未定期检查", "出租房登记信息不全"],
}
GOOD = ["巡逻队员统一着装、佩戴袖标，签到规范", "“十户联防”轮值表张贴上墙，群众知晓率高"]


def _kind(village: Region) -> str:
    if village.code in STRONG_VILLAGES:
        return "strong"
    if village.code in SLIPPING_VILLAGES:
        return "slipping"
    return "paralysed" if village.code == PARALYSED_VILLAGE else "other"


class Year:
    def __init__(self, context: DemoContext) -> None:
        assert context.township is not None
        self.context, self.township = context, context.township
        self.officer: User = context.accounts["township"]
        self.director = {v.pk: u for v in context.villages for u in village_directors(v)[:1]}
        self.rng = random.Random(16)  # noqa: S311 (the demo's own, repeatable story)
        self.now, self.today = context.now, context.today
        self.villages = sorted(context.villages, key=lambda v: v.code)
        self.failed_recheck = False

    # ---- planning ---------------------------------------------------------------------------

    def quarters(self) -> list[tuple[dt.date, dt.date]]:
        first = (self.today - dt.timedelta(days=365)).replace(day=1)
        out = []
        start = first.replace(month=3 * ((first.month - 1) // 3) + 1)
        while start <= self.today:
            following = dt.date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
            out.append((max(start, first), following - dt.timedelta(days=1)))
            start = following
        return out

    def plan(self, first: dt.date, last: dt.date) -> None:
        moment = local_midnight(first) + dt.timedelta(hours=9)
        if moment >= self.now:
            return
        quarter = (first.month - 1) // 3 + 1
        with sent_at(moment):
            plan = svc.plan_create(
                township=self.township,
                details=svc.PlanDetails(
                    title=f"{first.year}年第{quarter}季度督导检查",
                    starts_on=first,
                    ends_on=last,
                    villages_to_draw=3,
                    night_checks_to_draw=3,
                    note="随机抽取村和夜班，暗访夜查不提前通知。",
                ),
                by=self.officer,
                now=moment,
            )
            visits = svc.plan_draw(
                plan=plan, by=self.officer, now=moment, seed=self.rng.randrange(2**31)
            )
        for visit in visits:
            self.carry_out(visit)

    def by_hand(self, month_first: dt.date) -> None:
        """A routine inspection and a night check each month, more often to the weak."""
        weights = [{"strong": 1, "other": 2}.get(_kind(v), 4) for v in self.villages]
        day = month_first + dt.timedelta(days=self.rng.randint(3, 24))
        village = self.rng.choices(self.villages, weights)[0]
        moment = local_midnight(day) - dt.timedelta(days=3) + dt.timedelta(hours=9)
        if day < self.today:
            with sent_at(moment):
                visit = svc.visit_create(
                    village=village,
                    kind=VisitKind.ROUTINE,
                    planned_for=day,
                    by=self.officer,
                    now=moment,
                )
            self.carry_out(visit)
        night_day = month_first + dt.timedelta(days=self.rng.randint(1, 26))
        shift = self.night_shift(night_day, weights)
        if shift is not None and shift.starts_at < self.now:
            self.night_check(shift, local_midnight(shift.service_date))

    def night_shift(self, near: dt.date, weights: list[int]) -> Shift | None:
        village = self.rng.choices(self.villages, weights)[0]
        shifts = list(
            Shift.objects.filter(
                region=village,
                night=True,
                roster__status=RosterStatus.PUBLISHED,
                service_date__gte=near,
                service_date__lte=near + dt.timedelta(days=4),
            )
            .exclude(pk__in=SupervisionVisit.objects.filter(shift__isnull=False).values("shift"))
            .order_by("starts_at")[:1]
        )
        return shifts[0] if shifts else None

    def night_check(self, shift: Shift, moment: dt.datetime) -> SupervisionVisit | None:
        village = Region.objects.get(pk=shift.region_id)
        with sent_at(moment):
            visit = svc.visit_create(
                village=village,
                kind=VisitKind.NIGHT,
                planned_for=None,
                shift=shift,
                by=self.officer,
                now=moment,
            )
        self.carry_out(visit)
        return visit

    # ---- a visit made -------------------------------------------------------------------------

    def carry_out(self, visit: SupervisionVisit) -> None:
        kind = _kind(visit.region)
        if visit.kind == VisitKind.NIGHT and visit.shift is not None:
            shift = visit.shift
            visited = shift.starts_at + (shift.ends_at - shift.starts_at) * self.rng.uniform(
                0.25, 0.8
            )
        else:
            hour = self.rng.choice([9, 10, 14, 15])
            visited = local_midnight(visit.planned_for) + dt.timedelta(hours=hour)
        recorded = visited + dt.timedelta(hours=1)
        if recorded >= self.now:
            return  # still to come: planned (and unannounced, if a spot or night check)
        found = []
        if visit.kind == VisitKind.NIGHT and visit.shift is not None:
            for claimed in sel.claimed_by(visit.shift, visited):
                if self.rng.random() < FOUND[kind]:
                    found.append(claimed.person)
        low, high = SCORES[kind]
        score = Decimal(self.rng.randint(low * 10, high * 10)) / 10
        with sent_at(recorded):
            done = svc.visit_record(
                visit=visit,
                visited_at=visited,
                inspectors=INSPECTORS,
                score=score,
                summary=self.summary(kind),
                found_people=found,
                by=self.officer,
                now=recorded,
            )
        self.findings(done, kind, recorded)

    def summary(self, kind: str) -> str:
        return {
            "strong": "组织健全、制度落实，巡逻到位，台账规范。",
            "slipping": "组织基本健全，但工作有所松懈，巡逻不到位。",
            "paralysed": "组织名存实亡，巡逻基本停止，需重建。",
            "other": "工作正常开展，个别方面有待改进。",
        }[kind]

    def findings(self, visit: SupervisionVisit, kind: str, at: dt.datetime) -> None:
        problems = self.rng.sample(
            PROBLEMS[kind], self.rng.randint(0 if kind == "strong" else 1, 2)
        )
        with sent_at(at):
            if kind == "strong" and self.rng.random() < 0.6:
                svc.finding_add(
                    visit=visit, kind="good", text=self.rng.choice(GOOD), by=self.officer, now=at
                )
            made = [
                svc.finding_add(
                    visit=visit,
                    kind="problem",
                    text=text,
                    by=self.officer,
                    now=at,
                    severity="serious" if kind in ("slipping", "paralysed") else "minor",
                )
                for text in problems
            ]
        missing = list(visit.findings.filter(kind="not_found"))
        for finding in [*made, *missing[:1]]:
            self.task(finding, kind, at)

    def task(self, finding, kind: str, at: dt.datetime) -> None:
        deadline = timezone.localdate(at) + dt.timedelta(days=self.rng.randint(10, 30))
        text = "针对检查发现问题限期整改：" + finding.text[:40]
        with sent_at(at):
            task = svc.task_create(
                finding=finding, text=text, deadline=deadline, by=self.officer, now=at
            )
        # the village's director reports; a village without an account reports on paper and
        # the township records it
        director = self.director.get(finding.region_id, self.officer)
        late = kind in ("slipping", "paralysed") and self.rng.random() < 0.45
        if late and deadline < self.today:
            return  # left overdue
        reported = local_midnight(deadline) - dt.timedelta(days=self.rng.randint(1, 5), hours=-10)
        reported = max(reported, at + dt.timedelta(days=1))
        if reported >= self.now:
            return
        with sent_at(reported):
            task = svc.task_report(
                task=task, report="已按要求整改到位，拍照存档。", by=director, now=reported
            )
        checked = reported + dt.timedelta(days=2)
        if checked >= self.now:
            return
        fail = kind == "slipping" and not self.failed_recheck
        with sent_at(checked):
            if fail:
                self.failed_recheck = True
                again = timezone.localdate(checked) + dt.timedelta(days=10)
                svc.task_recheck(
                    task=task,
                    passed=False,
                    note="复查发现未整改到位，问题依旧。",
                    new_deadline=again,
                    by=self.officer,
                    now=checked,
                )
                return
            svc.task_recheck(
                task=task, passed=True, note="现场复查，整改到位。", by=self.officer, now=checked
            )

    def next_week(self) -> None:
        """An unannounced night check of a scheduled night shift next week."""
        weights = [{"strong": 1, "other": 2}.get(_kind(v), 4) for v in self.villages]
        for _ in range(10):
            shift = self.night_shift(self.today + dt.timedelta(days=7), weights)
            if shift is not None:
                village = Region.objects.get(pk=shift.region_id)
                with sent_at(self.now):
                    svc.visit_create(
                        village=village,
                        kind=VisitKind.NIGHT,
                        planned_for=None,
                        shift=shift,
                        by=self.officer,
                        now=self.now,
                    )
                return


def step(context: DemoContext) -> None:
    year = Year(context)
    for first, last in year.quarters():
        year.plan(first, last)
        month = first
        while month <= last and month <= year.today:
            year.by_hand(month)
            month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    year.next_week()
