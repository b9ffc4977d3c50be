"""The demo's year of meetings (例会) in every village of 枫桥镇: each village's schedules (the
治保会 monthly, the patrol team weekly, the mediation committee quarterly), the meetings of the
year up to today with their roll calls, minutes in Chinese and decisions, and the planned
meetings of the coming month.

Realistic gaps: most villages hold every meeting (a rare one cancelled, the patrol team's in the
Spring Festival week); one village stopped meeting in the summer (June–August: the planned
meetings left not held, or never put down at all); one holds them irregularly (about half
held, often days late, fewer present). Decisions are mostly done on time, some late, a few
dropped, and a few still open past their due date now (at least one in each of the two main
villages, for their directors' home pages).

The year has happened already, so it is made in memory from the context's random generator and
written with `qunfang.core.bulk.insert()` (no history rows, like the other books' past). The
reminders' task then runs once, as the worker would this morning."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qunfang.casebook.demo.rhythms import spring_festival
from qunfang.casebook.models import Case, MediationCase
from qunfang.core.bulk import insert
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, VILLAGE_3, DemoContext
from qunfang.core.demo.reference import PARALYSED_VILLAGE, SLIPPING_VILLAGES, SURNAMES
from qunfang.core.models import Region, User
from qunfang.core.roles import Perm
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    Frequency,
    Meeting,
    MeetingKind,
    MeetingSchedule,
    MeetingStatus,
    RollCallBy,
)
from qunfang.governance.services.decisions import send_decision_reminders
from qunfang.patrols.demo.township import STOPPED_DAYS
from qunfang.registry.models import Membership, Organisation, OrgKind

REGULAR, SUMMER_GAP, IRREGULAR = "regular", "summer_gap", "irregular"
MAIN = (VILLAGE_1, VILLAGE_2)
AHEAD = dt.timedelta(days=31)  # the coming month's planned meetings, as the daily planner has
OPEN_FOR = 90  # days: a decision still open past its due date fell due lately; older, done late
SLIPPING_DAYS = 75  # the slipping villages hold fewer meetings lately (core.demo.reference)

A = AttendanceStatus
# (present, late, excused, absent) weights by the village's way of meeting
ATTENDANCE = {
    REGULAR: (86, 5, 6, 3),
    SUMMER_GAP: (76, 6, 10, 8),
    IRREGULAR: (58, 9, 13, 20),
}
# decisions due before today: (on time, late, dropped, still open)
FATES = {REGULAR: (80, 12, 3, 5), SUMMER_GAP: (68, 16, 6, 10), IRREGULAR: (48, 25, 7, 20)}
# open decisions past due, at most, in one village
MAX_OVERDUE = {REGULAR: 2, SUMMER_GAP: 3, IRREGULAR: 4}


@dataclass(frozen=True)
class Spec:
    """A village's recurring meeting of one kind of organisation."""

    org_kind: str
    title: str
    kind: str
    frequency: str
    hour: tuple[int, int]
    places: tuple[str, ...]
    decisions: tuple[int, ...]  # weights of 0, 1, 2, 3 decisions at a meeting


SPECS = (
    Spec(
        OrgKind.SECURITY_COMMITTEE,
        "治保会月度例会",
        MeetingKind.DEPLOYMENT,
        Frequency.MONTHLY,
        (19, 0),
        ("村委会会议室", "村警务室"),
        (10, 40, 35, 15),
    ),
    Spec(
        OrgKind.PATROL_TEAM,
        "巡逻队周例会",
        MeetingKind.DEPLOYMENT,
        Frequency.WEEKLY,
        (19, 30),
        ("村警务室", "巡逻队值班室"),
        (75, 25, 0, 0),
    ),
    Spec(
        OrgKind.MEDIATION_COMMITTEE,
        "调委会季度矛盾纠纷排查会",
        MeetingKind.CASE_REVIEW,
        Frequency.QUARTERLY,
        (14, 30),
        ("人民调解室", "村委会会议室"),
        (5, 45, 40, 10),
    ),
)

# ---- the words of the minutes and decisions ------------------------------------------------

SEASON_WORK = {
    1: "春节前后安全大检查、烟花爆竹燃放管理、返乡人员登记",
    2: "春节期间值班值守、烟花爆竹安全、外来人员登记",
    3: "春耕用水纠纷排查、森林防火宣传",
    4: "清明祭扫森林防火、春耕期间防盗",
    5: "防溺水宣传、汛前山塘水库巡查",
    6: "防溺水巡查、汛期值班、夏季用电安全",
    7: "暑期防溺水、台风防汛、夏季用电安全",
    8: "暑期学生安全、防台防汛、纳凉场所巡查",
    9: "秋收防盗巡逻、开学前后校园周边整治",
    10: "国庆期间安全保卫、秋收防盗",
    11: "冬季防火、出租房屋消防排查",
    12: "年终防盗、冬季防火、矛盾纠纷年底集中排查",
}
STUDY = (
    "学习新时代“枫桥经验”，传达镇综治办工作会议精神",
    "学习《中华人民共和国治安管理处罚法》有关条款",
    "学习《浙江省平安建设条例》",
    "传达上级关于平安乡村建设的工作要求",
    "学习《中华人民共和国人民调解法》",
    "学习反电信网络诈骗宣传材料",
)
TRAINING = (
    "灭火器和消防水带的使用",
    "盘查可疑人员的方法和注意事项",
    "溺水急救和心肺复苏",
    "巡逻记录的填写和情况上报",
    "防身器材（钢叉、盾牌）的使用",
)
FOCUS = (
    "宅基地和邻里纠纷",
    "土地承包和用水纠纷",
    "婚姻家庭纠纷",
    "务工工资纠纷",
    "山林界址纠纷",
)
ABSENCE = ("外出务工", "生病", "农忙", "家中有事", "外出培训")
CANCELLED = (
    "台风过境，改期召开",
    "主任外出参加镇里培训，本次暂停",
    "与全村村民大会合并召开",
    "暴雨预警，暂停一次",
)
FESTIVAL_BREAK = "春节假期，暂停一次"

# (decision, what was done) by kind of organisation
DECISIONS: dict[str, tuple[tuple[str, str], ...]] = {
    OrgKind.SECURITY_COMMITTEE: (
        (
            "对全村出租房屋开展一次消防安全排查，登记流动人口",
            "已排查出租房{a}户，登记流动人口{b}人，发现隐患{c}处并督促整改",
        ),
        ("在村口桥头和老街口加装监控探头", "两处监控探头已安装并接入村警务室"),
        ("逐户走访独居老人户，检查用电用火安全", "已走访独居老人{a}户，更换老化电线{c}处"),
        ("清理村内乱堆柴草和楼道堆放杂物", "已清理柴草堆{c}处，楼道杂物全部清除"),
        ("印发防诈骗宣传单，每户一份，并在村广播播报", "宣传单已发放到户，村广播连续播报一周"),
        ("对山塘水库周边补设防溺水警示牌和救生圈", "已补设警示牌{c}块、救生圈2个"),
        ("落实重点人员帮教责任人，每月走访一次", "已落实帮教责任人，按月走访并做好记录"),
        ("排查村内赌博苗头，发现情况及时报派出所", "已排查两处棋牌室，未发现聚赌，已提醒经营者"),
        ("检查村内配电房和线路，消除用电隐患", "已会同电工检查，更换破损线路{c}处"),
    ),
    OrgKind.PATROL_TEAM: (
        ("调整夜间巡逻排班，增加凌晨一点至四点一班", "已调整排班，凌晨班由两名队员负责"),
        ("维修巡逻电动车，补充手电筒和反光背心", "电动车已修好，补充手电筒{c}只、反光背心8件"),
        ("对老街口、停车场等盗窃多发部位加强巡查", "已列为重点巡逻点，每晚巡查两次"),
        ("组织全体队员实地演练灭火器使用", "已在文化礼堂前组织演练，全体队员参加"),
    ),
    OrgKind.MEDIATION_COMMITTEE: (
        ("对{p}家宅基地纠纷再次上门调解", "双方达成调解协议，已签字履行"),
        ("对上季度调解成功的纠纷开展回访", "已回访{c}户，协议履行良好"),
        ("排查春耕用水纠纷苗头，提前协调放水时间", "已召集相关农户协调放水时间"),
        ("将{p}家土地承包疑难纠纷上报镇调委会", "已上报镇调委会，由镇里组织联合调解"),
        ("对{p}家婚姻家庭矛盾开展疏导", "经多次疏导，双方和好"),
    ),
}
LATE_NOTE = ("（因农忙推迟，逾期完成）", "（经费落实较晚，逾期完成）", "（负责人外出，逾期完成）")
DROPPED = (
    "情况已发生变化，经会议研究不再执行",
    "已由镇里统一组织实施，本村不再单独办理",
    "当事人已搬离本村，无需继续办理",
)


# a community (社区) says it its own way
COMMUNITY_WORDS = (
    ("村委会会议室", "社区会议室"),
    ("村警务室", "社区警务室"),
    ("全村村民", "全体居民"),
    ("全村", "全社区"),
    ("本村", "本社区"),
    ("村广播", "社区广播"),
    ("村口桥头", "小区门口"),
)


def in_words_of(village: Region, text: str) -> str:
    if village.name.endswith("社区"):
        for word, theirs in COMMUNITY_WORDS:
            text = text.replace(word, theirs)
    return text


# ---- the village's way of meeting ----------------------------------------------------------


def patterns(villages: list[Region]) -> dict[str, str]:
    """How each village holds its meetings: one stopped in the summer (齐东村 where it is in
    the demo), one irregularly, the rest regularly (the two main villages always)."""
    others = sorted(v.code for v in villages if v.code not in MAIN)
    found = dict.fromkeys((v.code for v in villages), REGULAR)
    summer = VILLAGE_3 if VILLAGE_3 in others else (others[0] if others else None)
    if summer is not None:
        found[summer] = SUMMER_GAP
        irregular = next((c for c in others if c != summer), None)
        if irregular is not None:
            found[irregular] = IRREGULAR
    return found


def summer_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """The summer the demo's year shows stopped: this one once July has come (at least a month
    of it is past), else last year's (all of it inside the year)."""
    year = today.year if today.month >= 7 else today.year - 1
    return dt.date(year, 6, 1), dt.date(year, 8, 31)


def occurrences(schedule: MeetingSchedule, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days of a schedule between `first` and `last`: every week on its weekday, every month
    on its day, or every third month (counting from the month it starts) on its day."""
    first = max(first, schedule.starts_on)
    if schedule.ends_on is not None:
        last = min(last, schedule.ends_on)
    days: list[dt.date] = []
    if schedule.frequency == Frequency.WEEKLY:
        day = first + dt.timedelta(days=(int(schedule.weekday or 0) - first.weekday()) % 7)
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=7)
        return days
    step = 3 if schedule.frequency == Frequency.QUARTERLY else 1
    year, month = schedule.starts_on.year, schedule.starts_on.month
    while dt.date(year, month, 1) <= last:
        day = dt.date(year, month, int(schedule.day_of_month or 1))
        if first <= day <= last:
            days.append(day)
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return days


def months_before(day: dt.date, count: int) -> list[tuple[int, int]]:
    """The `count` months before the month of `day`, as (year, month), the nearest first."""
    index = day.year * 12 + day.month - 1
    return [((index - k) // 12, (index - k) % 12 + 1) for k in range(1, count + 1)]


# ---- the year -------------------------------------------------------------------------------


@dataclass
class Held:
    """A meeting made in memory, with its roll and decisions."""

    meeting: Meeting
    spec: Spec
    topic: str = ""  # what a study or training meeting learns, in its agenda and minutes
    roll: list[Attendance] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)


class MeetingYear:
    def __init__(self, context: DemoContext) -> None:
        self.context, self.rng = context, context.rng
        self.now, self.today, self.tz = context.now, context.today, context.tz
        self.first = dt.date(self.today.year - 1, self.today.month, 1)
        self.summer = summer_of(self.today)
        # the paralysed village stopped meeting when its patrols stopped
        self.stopped_on = self.today - dt.timedelta(days=STOPPED_DAYS)
        self.festival = [spring_festival(y) for y in (self.first.year, self.today.year)]
        self.villages = sorted(context.villages, key=lambda v: v.code)
        self.patterns = patterns(self.villages)
        self.schedules: list[MeetingSchedule] = []
        self.meetings: list[Held] = []
        self.stats: Counter[str] = Counter()
        self.outcomes: dict[int, str] = {}  # what was done, by id(decision), for a late change

    # -- what there is

    def load(self) -> None:
        ids = [v.pk for v in self.villages]
        self.orgs: defaultdict[int, dict[str, Organisation]] = defaultdict(dict)
        for org in Organisation.objects.filter(region_id__in=ids).order_by("pk"):
            self.orgs[org.region_id].setdefault(org.kind, org)
        self.members: dict[int, list[dict[str, Any]]] = defaultdict(list)
        memberships = Membership.objects.filter(post__organisation__region_id__in=ids).values(
            "person_id",
            "person__name",
            "post__organisation_id",
            "post__is_leader",
            "started_on",
            "ended_on",
        )
        for m in memberships.order_by("-post__is_leader", "pk"):
            self.members[m["post__organisation_id"]].append(dict(m))
        self.recorder: dict[int, User] = {}
        for user in sorted(self.context.accounts.values(), key=lambda u: u.pk):
            if user.region_id in ids and user.can(Perm.RUN_GOVERNANCE):
                self.recorder.setdefault(user.region_id, user)
        self.cases = self._by_month(
            Case.objects.filter(region_id__in=ids).values_list("region_id", "reported_at")
        )
        self.mediations = self._by_month(
            MediationCase.objects.filter(region_id__in=ids).values_list("region_id", "applied_on")
        )

    def _by_month(self, rows: Any) -> Counter[tuple[int, int, int]]:
        counts: Counter[tuple[int, int, int]] = Counter()
        for region_id, at in rows:
            day = timezone.localtime(at, self.tz).date() if isinstance(at, dt.datetime) else at
            counts[(region_id, day.year, day.month)] += 1
        return counts

    # -- making it

    def build(self) -> None:
        for village in self.villages:
            for spec in SPECS:
                org = self.orgs[village.pk].get(spec.org_kind)
                if org is not None:
                    self.schedule(village, org, spec)
        for village in self.villages:
            self.settle_overdue(village)

    def schedule(self, village: Region, org: Organisation, spec: Spec) -> None:
        rng = self.rng
        weekly = spec.frequency == Frequency.WEEKLY
        schedule = MeetingSchedule(
            organisation=org,
            kind=spec.kind,
            title=spec.title,
            frequency=spec.frequency,
            weekday=rng.choice([0, 0, 2, 4, 6]) if weekly else None,
            day_of_month=None if weekly else rng.choice([1, 5, 8, 10, 15, 20, 25]),
            time=dt.time(spec.hour[0], rng.choice([0, 0, 30]) if weekly else spec.hour[1]),
            place=in_words_of(village, rng.choice(spec.places)),
            starts_on=self.first,
        )
        self.schedules.append(schedule)
        pattern = self.patterns[village.code]
        for number, day in enumerate(
            occurrences(schedule, self.first, self.today + AHEAD), start=1
        ):
            self.occurrence(village, org, spec, schedule, pattern, number, day)
        if spec.org_kind == OrgKind.SECURITY_COMMITTEE and pattern != IRREGULAR:
            self.report_meetings(village, org, pattern)

    def occurrence(
        self,
        village: Region,
        org: Organisation,
        spec: Spec,
        schedule: MeetingSchedule,
        pattern: str,
        number: int,
        day: dt.date,
    ) -> None:
        rng = self.rng
        at = dt.datetime.combine(day, schedule.time, tzinfo=self.tz)
        meeting = Meeting(
            organisation=org,
            schedule=schedule,
            kind=self.kind_of(spec, day, number),
            title=self.title_of(spec, day, number),
            scheduled_at=at,
            place=schedule.place,
            status=MeetingStatus.PLANNED,
            recorded_by=self.recorder.get(village.pk),
        )
        topic = rng.choice(TRAINING if spec.org_kind == OrgKind.PATROL_TEAM else STUDY)
        meeting.agenda = self.agenda(spec, meeting.kind, day, topic)
        if at > self.now - dt.timedelta(hours=3):  # still to come (or under way): planned
            self.invite(Held(meeting, spec, topic), day)
            self.stats["planned"] += 1
            return
        summer = self.summer[0] <= day <= self.summer[1]
        weekly_break = spec.frequency == Frequency.WEEKLY and self.in_festival(day)
        stopped = village.code == PARALYSED_VILLAGE and day >= self.stopped_on
        slipping = village.code in SLIPPING_VILLAGES and (self.today - day).days < SLIPPING_DAYS
        if weekly_break or (pattern == SUMMER_GAP and summer) or stopped:
            held = False
        elif pattern == IRREGULAR:
            held = rng.random() < (0.4 if spec.frequency == Frequency.WEEKLY else 0.6)
        else:
            held = rng.random() < (0.985 if pattern == REGULAR else 0.95)
            if slipping and spec.frequency == Frequency.WEEKLY:  # one in three missed
                held = number % 3 != 0
            elif slipping and spec.frequency == Frequency.MONTHLY:  # not the latest one
                held = (self.today - day).days >= 30
        if not held:
            fate = self.missed(pattern, summer, weekly_break, day)
            if stopped:  # left in the book, not held, or never put down at all
                fate = "planned" if rng.random() < 0.5 else "absent"
            self.stats[f"missed:{fate}"] += 1
            if fate == "absent":
                return
            if fate == "cancelled":
                meeting.status = MeetingStatus.CANCELLED
                reason = FESTIVAL_BREAK if weekly_break else rng.choice(CANCELLED)
                meeting.cancel_reason = in_words_of(village, reason)
            self.invite(Held(meeting, spec, topic), day)
            return
        late = pattern == IRREGULAR and rng.random() < 0.4
        held_at = at + dt.timedelta(days=rng.randint(1, 6) if late else 0)
        held_at += dt.timedelta(minutes=rng.randint(0, 15))
        if held_at > self.now - dt.timedelta(hours=1):
            held_at = at
        meeting.status, meeting.held_at = MeetingStatus.HELD, held_at
        self.hold(Held(meeting, spec, topic), village, pattern)

    def missed(self, pattern: str, summer: bool, weekly_break: bool, day: dt.date) -> str:
        """What a meeting not held left behind: a planned row nobody held, a cancellation with
        its reason, or nothing at all."""
        rng = self.rng
        if weekly_break or pattern == REGULAR:  # a regular village calls it off, with a reason
            return "cancelled"
        if day >= self.today:  # (the planner has put today's in the book already)
            return "planned"
        if pattern == SUMMER_GAP and summer:
            return "planned" if rng.random() < 0.6 else "absent"
        roll = rng.random()
        return "planned" if roll < 0.5 else "cancelled" if roll < 0.7 else "absent"

    def local_day(self, at: dt.datetime) -> dt.date:
        return timezone.localtime(at, self.tz).date()

    def members_on(self, org: Organisation, day: dt.date) -> list[dict[str, Any]]:
        """Who held a post in the organisation on the day (the leaders first), once each; when
        the registry knows nobody that early, its present members."""
        rows = self.members[org.pk]
        found = [
            m
            for m in rows
            if m["started_on"] <= day and (m["ended_on"] is None or m["ended_on"] >= day)
        ] or [m for m in rows if m["ended_on"] is None]
        once: dict[int, dict[str, Any]] = {}
        for m in found:
            once.setdefault(m["person_id"], m)
        return list(once.values())

    def invite(self, held: Held, day: dt.date) -> None:
        """A meeting not held: the members invited when it was planned, nobody marked."""
        for m in self.members_on(held.meeting.organisation, day):
            held.roll.append(Attendance(meeting=held.meeting, person_id=m["person_id"]))
        self.meetings.append(held)

    def in_festival(self, day: dt.date) -> bool:
        return any(0 <= (day - f).days < 7 for f in self.festival)

    def kind_of(self, spec: Spec, day: dt.date, number: int) -> str:
        if spec.org_kind == OrgKind.PATROL_TEAM and number % 4 == 0:
            return MeetingKind.TRAINING  # 以会代训
        if spec.org_kind == OrgKind.SECURITY_COMMITTEE and day.month in (3, 9):
            return MeetingKind.STUDY
        if spec.org_kind == OrgKind.SECURITY_COMMITTEE and day.month in (6, 12):
            return MeetingKind.CASE_REVIEW
        return spec.kind

    def title_of(self, spec: Spec, day: dt.date, number: int) -> str:
        if spec.frequency == Frequency.WEEKLY:
            return f"巡逻队第{day.isocalendar()[1]}周例会"
        if spec.frequency == Frequency.QUARTERLY:
            return f"{day.year}年第{(day.month - 1) // 3 + 1}季度矛盾纠纷排查会"
        return f"{day.month}月治保会例会"

    def agenda(self, spec: Spec, kind: str, day: dt.date, topic: str) -> str:
        if spec.org_kind == OrgKind.PATROL_TEAM:
            last = "以会代训：" + topic if kind == MeetingKind.TRAINING else ""
            items = ["总结上周巡逻情况", "安排本周排班和重点部位", last]
        elif spec.org_kind == OrgKind.MEDIATION_COMMITTEE:
            items = ["通报本季度矛盾纠纷排查调处情况", "分析疑难纠纷", "部署下季度排查重点"]
        else:
            study = topic if kind == MeetingKind.STUDY else ""
            items = ["通报上月治安情况", "部署" + SEASON_WORK[day.month], study]
        return "\n".join(f"{n}. {item}" for n, item in enumerate(filter(None, items), start=1))

    def report_meetings(self, village: Region, org: Organisation, pattern: str) -> None:
        """Twice a year the 治保会 reports to the villagers (向群众汇报会), in January and July."""
        for year in (self.first.year, self.today.year):
            for month in (1, 7):
                day = dt.date(year, month, 18)
                if not (self.first <= day <= self.today - dt.timedelta(days=1)):
                    continue
                if pattern == SUMMER_GAP and self.summer[0] <= day <= self.summer[1]:
                    continue
                at = dt.datetime.combine(day, dt.time(19, 0), tzinfo=self.tz)
                meeting = Meeting(
                    organisation=org,
                    kind=MeetingKind.VILLAGERS_REPORT,
                    title=(
                        f"{year}年上半年治安工作向群众汇报会"
                        if month == 7
                        else f"{year - 1}年下半年治安工作向群众汇报会"
                    ),
                    scheduled_at=at,
                    place="文化礼堂",
                    agenda="1. 汇报半年治安防范和调解工作\n2. 听取村民意见建议\n3. 现场答复",
                    status=MeetingStatus.HELD,
                    held_at=at,
                    recorded_by=self.recorder.get(village.pk),
                )
                self.hold(Held(meeting, SPECS[0]), village, pattern, report=True)

    # -- a meeting held: its roll, its minutes, its decisions

    def hold(self, held: Held, village: Region, pattern: str, report: bool = False) -> None:
        rng, meeting = self.rng, held.meeting
        assert meeting.held_at is not None
        members = self.members_on(meeting.organisation, self.local_day(meeting.scheduled_at))
        day = self.local_day(meeting.held_at)  # (a few are held days late)
        present_names, away = [], []
        qr = held.spec.org_kind == OrgKind.PATROL_TEAM and day >= self.today - dt.timedelta(120)
        for m in members:
            status = rng.choices(list(A)[1:], weights=ATTENDANCE[pattern])[0]
            # the leader chairs; without one, the first member on the roll
            if meeting.chair_id is None and (m["post__is_leader"] or not held.roll):
                status = A.PRESENT
                meeting.chair_id = m["person_id"]
            by_qr = qr and rng.random() < 0.5 and status in (A.PRESENT, A.LATE)
            minutes = rng.randint(-10, 2) if by_qr else 5
            minutes += rng.randint(10, 40) if status == A.LATE else 0
            attendance = Attendance(
                meeting=meeting,
                person_id=m["person_id"],
                status=status,
                marked_by_way=RollCallBy.QR if by_qr else RollCallBy.CHAIR,
                marked_at=meeting.held_at + dt.timedelta(minutes=minutes),
                marked_by=None if by_qr else meeting.recorded_by,
                note=rng.choice(ABSENCE) if status == A.EXCUSED else "",
            )
            held.roll.append(attendance)
            if status in (A.PRESENT, A.LATE):
                present_names.append(m)
            else:
                away.append(m["person__name"])
        chair = next(m["person__name"] for m in members if m["person_id"] == meeting.chair_id)
        texts = [] if report else self.decide(held, village, pattern, present_names, day)
        meeting.minutes = self.minutes(
            held, village, day, chair, len(held.roll), len(present_names), away, texts
        )
        self.meetings.append(held)
        self.stats["held"] += 1

    def decide(
        self, held: Held, village: Region, pattern: str, present: list[dict[str, Any]], day: dt.date
    ) -> list[str]:
        rng = self.rng
        if not present:
            return []
        count = rng.choices(range(4), weights=held.spec.decisions)[0]
        if pattern == IRREGULAR and count:
            count -= 1 if rng.random() < 0.4 else 0
        texts = []
        for text, outcome in rng.sample(DECISIONS[held.spec.org_kind], count):
            words = {
                "a": rng.randint(12, 60),
                "b": rng.randint(20, 90),
                "c": rng.randint(2, 6),
                "p": rng.choice(SURNAMES),
            }
            text = in_words_of(village, text.format(**words))
            due = day + dt.timedelta(days=rng.choice([7, 10, 14, 15, 20, 30]))
            decision = Decision(
                meeting=held.meeting,
                text=text,
                owner_id=rng.choice(present)["person_id"],
                due_on=due,
                status=DecisionStatus.OPEN,
            )
            self.fate(decision, in_words_of(village, outcome.format(**words)), pattern, day)
            held.decisions.append(decision)
            texts.append(text)
        return texts

    def fate(self, decision: Decision, outcome: str, pattern: str, held_on: dt.date) -> None:
        """Done on time, late, dropped, or still open: as the village's way of working goes."""
        rng, today, due = self.rng, self.today, decision.due_on
        if due >= today:  # not yet due: a few already done
            if rng.random() < 0.25 and held_on < today:
                self.done(
                    decision, outcome, rng.randint(held_on.toordinal() + 1, today.toordinal())
                )
            return
        fate = rng.choices(("on_time", "late", "dropped", "open"), weights=FATES[pattern])[0]
        if fate == "open" and due < today - dt.timedelta(days=OPEN_FOR):
            fate = "late"
        self.outcomes[id(decision)] = outcome
        if fate == "on_time":
            self.done(decision, outcome, rng.randint(held_on.toordinal() + 1, due.toordinal()))
        elif fate == "late":
            late = min(due.toordinal() + rng.randint(1, 20), today.toordinal())
            self.done(decision, outcome + rng.choice(LATE_NOTE), late)
        elif fate == "dropped":
            decision.status, decision.outcome = DecisionStatus.DROPPED, rng.choice(DROPPED)
        else:
            decision.reminded_on = due + dt.timedelta(days=1)  # told when it fell overdue
            if decision.reminded_on >= today:
                decision.reminded_on = None  # due yesterday: this morning's run tells them
        self.stats[f"decision:{fate}"] += 1

    @staticmethod
    def done(decision: Decision, outcome: str, ordinal: int) -> None:
        decision.status, decision.outcome = DecisionStatus.DONE, outcome
        decision.done_on = dt.date.fromordinal(ordinal)

    def settle_overdue(self, village: Region) -> None:
        """A few open and overdue in a village, no more; at least one in each main village and in
        the one that meets irregularly."""
        today = self.today
        decided = [
            d
            for held in self.meetings
            if held.meeting.organisation.region_id == village.pk
            for d in held.decisions
        ]
        overdue = sorted(
            (d for d in decided if d.status == DecisionStatus.OPEN and d.due_on < today),
            key=lambda d: d.due_on,
        )
        most = MAX_OVERDUE[self.patterns[village.code]]
        for decision in overdue[:-most] if len(overdue) > most else []:
            late = min(decision.due_on + dt.timedelta(days=self.rng.randint(1, 20)), today)
            outcome = self.outcomes[id(decision)] + self.rng.choice(LATE_NOTE)
            self.done(decision, outcome, late.toordinal())
            decision.reminded_on = None
        # the main villages' directors and the irregular village have something to follow up
        if (village.code in MAIN or self.patterns[village.code] == IRREGULAR) and not overdue:
            lately = (today - dt.timedelta(days=OPEN_FOR), today - dt.timedelta(days=3))
            past = [d for d in decided if lately[0] <= d.due_on < lately[1]]
            if past:
                latest = max(past, key=lambda d: d.due_on)
                latest.status, latest.done_on, latest.outcome = DecisionStatus.OPEN, None, ""
                latest.reminded_on = latest.due_on + dt.timedelta(days=1)

    def minutes(
        self,
        held: Held,
        village: Region,
        day: dt.date,
        chair: str,
        invited: int,
        present: int,
        away: list[str],
        decisions: list[str],
    ) -> str:
        rng, meeting, org = self.rng, held.meeting, held.meeting.organisation
        when = f"{day.year}年{day.month}月{day.day}日"
        head = (
            f"{when}，{org.name}在{meeting.place}召开{meeting.title}，{chair or '副主任'}主持，"
            f"应到{invited}人，实到{present}人"
            + (f"（{'、'.join(away)}缺席）" if away else "")
            + "。"
        )
        region = village.pk
        if meeting.kind == MeetingKind.VILLAGERS_REPORT:
            heard = rng.randint(5, 14)
            body = [
                f"{chair or '治保主任'}向村民代表汇报半年来治安防范、矛盾纠纷调解和安全检查工作，"
                f"听取群众意见建议{heard}条，现场答复{heard - rng.randint(1, 4)}条，"
                "其余会后研究答复并在村务公开栏公布。"
            ]
        elif held.spec.org_kind == OrgKind.PATROL_TEAM:
            body = [
                f"总结上周巡逻情况：共巡逻{rng.randint(6, 14)}班次，"
                + rng.choice(
                    [
                        "未发现异常情况",
                        "劝离可疑人员1名",
                        "发现并报告安全隐患1处",
                        "协助处置纠纷1起",
                    ]
                )
                + "。",
                f"安排本周排班，重点巡查{rng.choice(['老街口', '停车场', '村口桥头', '祠堂'])}"
                f"和{rng.choice(['小学门口', '文化礼堂', '水库大坝', '老年活动室'])}。",
            ]
            if meeting.kind == MeetingKind.TRAINING:
                body.append(f"以会代训：{held.topic}，由{chair or '队长'}讲解示范，队员逐一练习。")
        elif held.spec.org_kind == OrgKind.MEDIATION_COMMITTEE:
            quarter = sum(self.mediations[(region, *month)] for month in months_before(day, 3))
            body = [
                f"通报本季度受理矛盾纠纷{quarter}件，"
                + (
                    f"调解成功{max(quarter - rng.randint(0, 2), 0)}件。"
                    if quarter
                    else "本季度无新受理纠纷。"
                ),
                f"分析研判{rng.choice(FOCUS)}，对可能激化的矛盾落实专人跟进。",
            ]
        else:
            cases = self.cases[(region, *months_before(day, 1)[0])]
            body = [
                f"一、通报上月治安情况：上月全村登记各类案事件{cases}起"
                + ("，未发生重大案件。" if cases < 6 else "，盗窃案件有所上升，需加强夜间防范。"),
                f"二、部署本月工作：{SEASON_WORK[day.month]}。",
            ]
            if meeting.kind == MeetingKind.STUDY:
                body.append(f"三、{held.topic}。")
            elif meeting.kind == MeetingKind.CASE_REVIEW:
                body.append("三、逐案分析上季度案件，查找防范漏洞。")
        if decisions:
            body.append("会议决定：" + "；".join(decisions) + "。")
        return in_words_of(village, "\n".join([head, *body]))

    # -- writing it

    def write(self) -> None:
        """Schedules, then meetings, then their rolls and decisions (each after what it points
        at)."""
        insert(MeetingSchedule, self.schedules)
        self.meetings.sort(key=lambda h: (h.meeting.scheduled_at, h.meeting.organisation.pk))
        insert(Meeting, [h.meeting for h in self.meetings])
        insert(Attendance, [a for h in self.meetings for a in h.roll])
        insert(Decision, [d for h in self.meetings for d in h.decisions])


def step(context: DemoContext) -> None:
    year = MeetingYear(context)
    year.load()
    year.build()
    year.write()
    send_decision_reminders(now=context.now)
