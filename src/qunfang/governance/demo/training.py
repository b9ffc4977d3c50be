"""The demo's year of training (培训) in 枫桥镇: the township's courses — law and policy,
political and ideological education, mediation, fire safety, first aid, patrol skills, the
security directors' own — each for the people of its villages whose posts it concerns, and
each village's training meetings (以会代训: a Meeting of kind TRAINING without a schedule,
held, with its roll call), with attendance, passes, a few fails, numbered certificates and the
training records every attendance writes. One township course is still to come (its people
enrolled) and one was cancelled; village 1 has a training meeting coming with its course.

The year has happened already: it is made in memory from the context's random generator and
written with `qunfang.core.bulk.insert()` (no history rows, like the other books' past). The
village that stopped meeting in the summer (demo/meetings.py) held no training meeting then
either."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from qunfang.core.bulk import insert
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.core.models import Region, User
from qunfang.governance.demo.meetings import SUMMER_GAP, patterns, summer_of
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Course,
    CourseStatus,
    Enrolment,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RollCallBy,
)
from qunfang.governance.services.training import add_months, certificate_number
from qunfang.registry.models import Membership, OrgKind, TrainingKind, TrainingRecord

K = TrainingKind
MAIN = (VILLAGE_1, VILLAGE_2)
A = AttendanceStatus
# a training meeting's roll call: how often each answer
ROLL: tuple[str, ...] = (A.PRESENT, A.LATE, A.EXCUSED, A.ABSENT)
ROLL_WEIGHTS = (84, 6, 6, 4)
CAME = (A.PRESENT, A.LATE)
TOWNSHIP_CAME = 0.9  # of those enrolled on a township course
PASSES = 0.92  # of those who attended a course that certifies


@dataclass(frozen=True)
class TownshipCourse:
    title: str
    subject: str
    hours: str
    certificate_months: int | None
    days_ago: int  # negative: still to come
    audience: str  # who is enrolled: see `Township.audience`
    trainer: str
    outline: str


TOWNSHIP_COURSES = (
    TownshipCourse(
        "群防群治骨干法律法规和政策培训班",
        K.LAW,
        "4",
        None,
        310,
        "leaders",
        "枫桥镇司法所",
        "治安管理处罚法、人民调解法要点；枫桥经验与矛盾纠纷就地化解。",
    ),
    TownshipCourse(
        "群防群治队伍政治思想教育专题培训",
        K.POLITICAL,
        "3",
        None,
        255,
        "security",
        "枫桥镇党委宣传委员",
        "学习党的路线方针政策，增强维护社会治安的荣誉感和责任感，严守纪律、依法办事。",
    ),
    TownshipCourse(
        "人民调解员业务培训班",
        K.MEDIATION,
        "8",
        24,
        205,
        "mediation",
        "诸暨市司法局",
        "调解程序与技巧、调解协议书制作、回访要求，典型案例研讨。",
    ),
    TownshipCourse(
        "巡逻技能培训班",
        K.PATROL,
        "8",
        24,
        170,
        "patrol_leaders",
        "枫桥派出所",
        "巡逻路线与要点、盘查与报告、突发情况处置，夜间巡逻安全。",
    ),
    TownshipCourse(
        "消防安全知识培训",
        K.FIRE_SAFETY,
        "6",
        24,
        130,
        "patrol_leaders",
        "枫桥镇专职消防队",
        "火灾预防、灭火器和消防栓使用、初起火灾扑救与人员疏散，现场演练。",
    ),
    TownshipCourse(
        "应急救护（急救）培训班",
        K.FIRST_AID,
        "8",
        36,
        75,
        "first_aid",
        "诸暨市红十字会",
        "心肺复苏、止血包扎、骨折固定与伤员搬运，考核合格发证。",
    ),
    TownshipCourse(
        "治保主任业务培训",
        K.SECURITY_BASICS,
        "8",
        24,
        40,
        "directors",
        "枫桥镇综治办",
        "治保会工作职责、登记簿册规范、信息报送与安全检查要点。",
    ),
    TownshipCourse(
        "法律政策宣讲（第二期）",
        K.LAW,
        "4",
        None,
        -18,
        "leaders",
        "枫桥镇司法所",
        "新修订法律法规解读，防范电信网络诈骗。",
    ),
)
CANCELLED = TownshipCourse(
    "防汛防台应急培训", K.SECURITY_BASICS, "4", None, 100, "", "枫桥镇应急办", "因台风预警取消。"
)
TOWNSHIP_PLACE = "枫桥镇综治中心培训室"

# a village's training meetings: (title, subject, hours, trainer)
VILLAGE_TOPICS = (
    ("以会代训：防盗防骗知识", K.LAW, "1.5", "枫桥派出所社区民警"),
    ("以会代训：政治思想教育学习", K.POLITICAL, "2", "村党支部书记"),
    ("以会代训：夜间巡逻要领", K.PATROL, "1.5", "巡逻队队长"),
    ("以会代训：矛盾纠纷排查化解", K.MEDIATION, "1.5", "村调委会主任"),
    ("以会代训：冬季防火安全", K.FIRE_SAFETY, "1", "镇专职消防队"),
)
VILLAGE_MONTHS = (3, 6, 9, 12)  # the months a village holds a training meeting


@dataclass
class Member:
    person: int
    name: str
    village: int
    org_kind: str
    org: int
    leader: bool


@dataclass
class Township:
    """The people serving in the township's villages, read once, and what the year writes."""

    context: DemoContext
    members: list[Member] = field(default_factory=list)
    orgs: dict[tuple[int, str], int] = field(default_factory=dict)  # (village, kind) → org
    meetings: list[Meeting] = field(default_factory=list)
    attendances: list[Attendance] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    held_at: dict[int, Meeting] = field(default_factory=dict)  # id(course) → its meeting
    # per course: (person id, name, attended, passed)
    rolls: dict[int, list[tuple[int, str, bool | None, bool | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def load(self) -> None:
        rows = Membership.objects.filter(
            ended_on__isnull=True,
            post__organisation__region__in=[v.pk for v in self.context.villages],
        ).values_list(
            "person_id",
            "person__name",
            "post__organisation__region_id",
            "post__organisation__kind",
            "post__organisation_id",
            "post__is_leader",
        )
        seen: set[tuple[int, int]] = set()
        for person, name, village, kind, org, leader in rows.order_by("person__name", "pk"):
            self.orgs[(village, kind)] = org
            if (person, org) not in seen:
                seen.add((person, org))
                self.members.append(Member(person, name, village, kind, org, leader))

    def audience(self, who: str, main: set[int]) -> dict[int, str]:
        """Person id → name of those a township course is for."""
        rng = self.context.rng
        chosen: dict[int, str] = {}
        for m in self.members:
            patrol = m.org_kind in (OrgKind.PATROL_TEAM, OrgKind.VILLAGE_GUARD)
            wanted = {
                "leaders": m.leader and m.org_kind != OrgKind.JOINT_DEFENCE,
                "security": m.org_kind == OrgKind.SECURITY_COMMITTEE,
                "mediation": m.org_kind == OrgKind.MEDIATION_COMMITTEE,
                "patrol_leaders": patrol and (m.leader or m.org_kind == OrgKind.VILLAGE_GUARD),
                "first_aid": patrol and (m.village in main or (m.leader and rng.random() < 0.5)),
                "directors": m.leader and m.org_kind == OrgKind.SECURITY_COMMITTEE,
            }.get(who, False)
            if wanted:
                chosen[m.person] = m.name
        return chosen

    # ---- the township's courses --------------------------------------------------------------

    def township_course(self, spec: TownshipCourse, officer: User | None, main: set[int]) -> None:
        rng, today = self.context.rng, self.context.today
        township = self.context.township
        assert township is not None
        day = today - dt.timedelta(days=spec.days_ago)
        to_come = spec.days_ago < 0
        cancelled = spec is CANCELLED
        status = (
            CourseStatus.CANCELLED
            if cancelled
            else CourseStatus.PLANNED
            if to_come
            else CourseStatus.HELD
        )
        course = Course(
            region=township,
            title=spec.title,
            subject=spec.subject,
            hours=Decimal(spec.hours),
            starts_on=day,
            place=TOWNSHIP_PLACE,
            trainer=spec.trainer,
            outline=spec.outline,
            certificate_months=spec.certificate_months,
            status=status,
            created_by=officer,
        )
        self.courses.append(course)
        if cancelled:
            return
        for person, name in self.audience(spec.audience, main).items():
            if to_come:
                self.rolls[id(course)].append((person, name, None, None))
                continue
            came = rng.random() < TOWNSHIP_CAME
            passed = (rng.random() < PASSES) if came and spec.certificate_months else None
            self.rolls[id(course)].append((person, name, came, passed))

    # ---- the villages' training meetings -------------------------------------------------------

    def village_meetings(self, village: Region, pattern: str, accounts: dict[str, User]) -> None:
        rng, today, tz = self.context.rng, self.context.today, self.context.tz
        org = self.orgs.get((village.pk, OrgKind.SECURITY_COMMITTEE))
        if org is None:
            return
        invited = [
            m
            for m in self.members
            if m.village == village.pk
            and m.org_kind in (OrgKind.SECURITY_COMMITTEE, OrgKind.PATROL_TEAM)
        ]
        people = {m.person: m.name for m in invited}
        chair = next((m.person for m in invited if m.leader and m.org == org), None)
        director = accounts.get("director1" if village.code == VILLAGE_1 else "director2")
        recorder = director if village.code in MAIN else None
        summer = summer_of(today)
        topics = list(VILLAGE_TOPICS)
        rng.shuffle(topics)
        months = [m for m in _months_back(today, 12) if m[1] in VILLAGE_MONTHS]
        for (year, month), (title, subject, hours, trainer) in zip(months, topics, strict=False):
            day = dt.date(year, month, rng.randint(8, 25))
            if day >= today or (pattern == SUMMER_GAP and summer[0] <= day <= summer[1]):
                continue
            at = dt.datetime.combine(day, dt.time(19, 30), tzinfo=tz)
            self.training_meeting(
                village, org, chair, people, recorder, title, subject, hours, trainer, at, True
            )
        if village.code == VILLAGE_1:  # one to come, its course planned with it
            day = today + dt.timedelta(days=10)
            at = dt.datetime.combine(day, dt.time(19, 30), tzinfo=tz)
            title, subject, hours, trainer = topics[-1]
            self.training_meeting(
                village, org, chair, people, recorder, title, subject, hours, trainer, at, False
            )

    def training_meeting(
        self,
        village: Region,
        org: int,
        chair: int | None,
        people: dict[int, str],
        recorder: User | None,
        title: str,
        subject: str,
        hours: str,
        trainer: str,
        at: dt.datetime,
        held: bool,
    ) -> None:
        rng = self.context.rng
        meeting = Meeting(
            organisation_id=org,
            kind=MeetingKind.TRAINING,
            title=title,
            scheduled_at=at,
            place="村委会会议室",
            agenda=f"一、{title.removeprefix('以会代训：')}专题学习；二、交流讨论；三、布置近期工作。",
            chair_id=chair,
            status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            held_at=at if held else None,
            minutes=f"{trainer}讲授{title.removeprefix('以会代训：')}，参会人员结合本村实际交流讨论。"
            if held
            else "",
            recorded_by=recorder if held else None,
        )
        self.meetings.append(meeting)
        course = Course(
            region=village,
            organisation_id=org,
            title=title,
            subject=subject,
            hours=Decimal(hours),
            starts_on=at.date(),
            place="村委会会议室",
            trainer=trainer,
            status=CourseStatus.HELD if held else CourseStatus.PLANNED,
            created_by=recorder,
        )
        self.held_at[id(course)] = meeting  # linked once the meeting has its id
        self.courses.append(course)
        for person, name in people.items():
            status = rng.choices(ROLL, ROLL_WEIGHTS)[0] if held else A.INVITED
            came = status in CAME
            self.attendances.append(
                Attendance(
                    meeting=meeting,
                    person_id=person,
                    status=status,
                    marked_by_way=RollCallBy.CHAIR if held else "",
                    marked_at=at + dt.timedelta(minutes=rng.randint(0, 20)) if held else None,
                    marked_by=recorder if held else None,
                )
            )
            self.rolls[id(course)].append((person, name, came if held else None, None))

    # ---- writing -----------------------------------------------------------------------------

    def write(self) -> None:
        insert(Meeting, self.meetings)
        insert(Attendance, self.attendances)
        for course in self.courses:
            meeting = self.held_at.get(id(course))
            course.meeting_id = meeting.pk if meeting is not None else None
        insert(Course, self.courses)
        records: list[TrainingRecord] = []
        enrolments: list[Enrolment] = []
        for course in self.courses:
            held = course.status == CourseStatus.HELD
            months = course.certificate_months
            expires = add_months(course.starts_on, months) if months else None
            n = 0
            for person, _name, came, passed in sorted(self.rolls[id(course)], key=_by_name):
                enrolment = Enrolment(course=course, person_id=person, attended=came)
                enrolment.passed = passed if came else None
                if held and came:
                    certified = months is not None and passed is True
                    if certified:
                        n += 1
                        enrolment.certificate_number = certificate_number(course, n)
                    record = TrainingRecord(
                        person_id=person,
                        kind=course.subject,
                        course=course.title,
                        held_on=course.starts_on,
                        hours=course.hours,
                        certificate_number=enrolment.certificate_number,
                        certificate_expires_on=expires if certified else None,
                        passed=enrolment.passed,
                    )
                    records.append(record)
                    enrolment.record = record
                enrolments.append(enrolment)
        insert(TrainingRecord, records)
        insert(Enrolment, enrolments)


def _by_name(row: tuple[int, str, bool | None, bool | None]) -> tuple[str, int]:
    return row[1], row[0]


def _months_back(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The `count` months up to this one, oldest first, as (year, month)."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def step(context: DemoContext) -> None:
    township = Township(context)
    township.load()
    officer = context.accounts.get("township")
    main = {v.pk for v in context.villages if v.code in MAIN}
    for spec in (*TOWNSHIP_COURSES, CANCELLED):
        township.township_course(spec, officer, main)
    ways = patterns(context.villages)
    for village in context.villages:
        township.village_meetings(village, ways.get(village.code, ""), context.accounts)
    township.write()
