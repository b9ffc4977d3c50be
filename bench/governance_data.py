"""Governance data at scale for bench/pages.py, and the governance pages it times (kept here:
pages.py is at the 800-line limit). Per township its mandates and division of work (the
defaults of governance/reference.py), its model texts and a dozen courses of ~50 people; per
village a year of meetings on three schedules (the 治保会 monthly and quarterly, the patrol team
weekly: ~70 a year, a roll of 8, ~2 decisions a monthly meeting, a few missed, cancelled or
still planned), four training meetings with their courses, ~15 rules with their revisions and
5 candidacies. The words come from the demo (governance/demo/*.py), whose builders read
the demo's own registry (its posts, leaders and accounts) and so are not called here.

Bulk writes with `qunfang.core.bulk.insert` (no history rows, no signals), like the rest of
the bench: it measures reading."""

import datetime as dt
import random
from decimal import Decimal

# timed by pages.py; {village}, {meeting} and {course} are filled in by governance_urls
GOVERNANCE_PAGES = [
    "/governance/meetings/",
    "/governance/meetings/?page=3",
    "/governance/meetings/schedules/",
    "/governance/meetings/?missed=1",
    "/governance/meetings/{meeting}/",
    "/governance/decisions/",
    "/governance/decisions/?show=overdue",
    "/governance/minutes/register/?village={village}",
    "/governance/training/",
    "/governance/training/register/",
    "/governance/training/{course}/",
    "/governance/appointments/",
    "/governance/rules/",
    "/governance/model-texts/",
    "/governance/mandates/",
]
SCHEDULES = (  # organisation kind, title, meeting kind, frequency, hour, minute
    ("security_committee", "治保会月度例会", "deployment", "monthly", 19, 0),
    ("security_committee", "治保会季度案情分析会", "case_review", "quarterly", 14, 30),
    ("patrol_team", "巡逻队周例会", "deployment", "weekly", 19, 30),
)
DECISIONS_AT = {"monthly": (5, 25, 45, 25), "quarterly": (5, 45, 40, 10), "weekly": (75, 25, 0, 0)}
ROLL = 8  # invited to a meeting, of the village's ten people
ROLL_WEIGHTS = (86, 5, 6, 3)  # present, late, excused, absent
AHEAD = dt.timedelta(days=31)  # the coming month's meetings are planned already
OPEN_FOR = 90  # days: an open decision fell due lately; older ones were done late
TOWNSHIP_COURSES = 12
ENROLLED = 50
VILLAGE_TRAININGS = 4  # training meetings (以会代训) a year, each with its course
OTHER_RULES = ("治保会值班制度", "治保会学习制度", "巡逻装备管理制度")
SUBJECTS = (  # subject, hours, months a certificate is valid (None: no certificate)
    ("law", "4", None),
    ("political", "3", None),
    ("mediation", "8", 24),
    ("patrol", "8", 24),
    ("fire_safety", "6", 24),
    ("first_aid", "8", 36),
    ("security_basics", "8", 24),
)


def governance_urls(urls: list[str]) -> list[str]:
    """The governance pages, with the first village's code ({village}, its minutes book), its
    latest monthly meeting held ({meeting}) and its latest training meeting's course ({course}:
    a township's course is not the director's)."""
    from qunfang.core.models import Region
    from qunfang.governance.models import Course, Meeting

    village = Region.objects.get(code="330681100200")
    held = Meeting.objects.filter(organisation__region=village, status="held")
    meeting = held.filter(schedule__frequency="monthly").order_by("-scheduled_at").first()
    course = Course.objects.filter(region=village, status="held").order_by("-starts_on").first()
    return [url.format(village=village.code, meeting=meeting.pk, course=course.pk) for url in urls]


def governance_counts() -> dict:
    from qunfang.governance.models import Attendance, Decision, Enrolment, Meeting

    return {
        "meetings": Meeting.objects.count(),
        "attendances": Attendance.objects.count(),
        "decisions": Decision.objects.count(),
        "enrolments": Enrolment.objects.count(),
    }


def build_governance(township, villages, recorder: dict, scale: int) -> None:
    """`recorder`: village pk -> a user of the village who writes its books."""
    from django.utils import timezone

    from qunfang.registry.models import Membership, Organisation, Person

    rng = random.Random(scale * 104_729 + township.pk)
    now = timezone.now()
    orgs, people, memberships = {}, {}, {}
    for org in Organisation.objects.filter(region__in=villages).order_by("pk"):
        orgs.setdefault((org.region_id, org.kind), org)
    for person in Person.objects.filter(region__in=villages).order_by("pk"):
        people.setdefault(person.region_id, []).append(person)
    rows = Membership.objects.filter(post__organisation__region__in=villages)
    for m in rows.select_related("post__organisation", "person").order_by("pk"):
        memberships.setdefault(m.post.organisation.region_id, []).append(m)
    _mandates(township)
    texts = _model_texts(township, timezone.localdate(now))
    held = _meetings(villages, orgs, people, recorder, rng, now)
    _training(township, villages, orgs, people, recorder, rng, now)
    _candidacies(villages, people, memberships, rng, timezone.localdate(now))
    _rules(villages, orgs, held, texts, recorder, rng)


def _mandates(township) -> None:
    """The township works under the default division of work, written down (as the mandates
    page's first save does)."""
    from django.conf import settings
    from django.utils import translation

    from qunfang.casebook.models import CaseType
    from qunfang.core.bulk import insert
    from qunfang.governance.models import Mandate, Ownership
    from qunfang.governance.reference import DEFAULT_MANDATES

    with translation.override(settings.LANGUAGE_CODE):
        mandates = [
            Mandate(
                region=township,
                org_kind=d.org_kind,
                text=str(d.text),
                required_rules=[str(k) for k in d.required_rules],
            )
            for d in DEFAULT_MANDATES
        ]
    insert(Mandate, mandates)
    case_types = {t.code: t for t in CaseType.objects.all()}
    owned = [
        Ownership(region=township, org_kind=d.org_kind, case_type=case_types[code])
        for d in DEFAULT_MANDATES
        for code in d.case_types
        if code in case_types
    ]
    owned += [
        Ownership(region=township, org_kind=d.org_kind, dispute_type=code)
        for d in DEFAULT_MANDATES
        for code in d.dispute_types
    ]
    insert(Ownership, owned)


def _model_texts(township, today: dt.date) -> dict:
    """The township's eight model texts and the old patrol-duty text it withdrew."""
    from qunfang.core.bulk import insert
    from qunfang.governance.demo.rules import MODEL_TEXTS, NAMES, OLD_PATROL_TEXT
    from qunfang.governance.models import ModelText

    published = today - dt.timedelta(days=420)
    texts = {
        kind: ModelText(
            region=township,
            kind=kind,
            title=f"{NAMES[kind]}（示范文本）",
            text=text,
            published_on=published,
        )
        for kind, text in MODEL_TEXTS.items()
    }
    texts["old_patrol"] = ModelText(
        region=township,
        kind="patrol",
        title="巡逻值班制度（示范文本，2019年版）",
        text=OLD_PATROL_TEXT,
        published_on=published - dt.timedelta(days=6 * 365),
        withdrawn_on=published,
    )
    insert(ModelText, list(texts.values()))
    return texts


def _meetings(villages, orgs, people, recorder, rng, now) -> dict:
    """The year of each village's schedules, a month ahead. Returns the held meetings by
    organisation pk, oldest first (the rules are adopted at them)."""
    from django.utils import timezone

    from qunfang.core.bulk import insert
    from qunfang.governance.demo.meetings import ABSENCE, CANCELLED, DECISIONS, SEASON_WORK
    from qunfang.governance.models import (
        Attendance,
        Decision,
        Meeting,
        MeetingSchedule,
        MeetingStatus,
    )
    from qunfang.governance.services.meetings import occurrences

    today = timezone.localdate(now)
    first = today - dt.timedelta(days=365)
    schedules, meetings, attendances, decisions = [], [], [], []
    held: dict[int, list] = {}
    statuses = ("present", "late", "excused", "absent")
    for k, v in enumerate(villages):
        for n, (org_kind, title, kind, frequency, hour, minute) in enumerate(SCHEDULES):
            org = orgs[v.pk, org_kind]
            schedule = MeetingSchedule(
                organisation=org,
                kind=kind,
                title=title,
                frequency=frequency,
                weekday=k % 5 if frequency == "weekly" else None,
                day_of_month=None if frequency == "weekly" else 3 + (k + 9 * n) % 20,
                time=dt.time(hour, minute),
                place="村委会会议室" if org_kind == "security_committee" else "村警务室",
                starts_on=first,
            )
            schedules.append(schedule)
            team = people[v.pk][:ROLL] if n < 2 else people[v.pk][-ROLL:]
            for at in occurrences(schedule, first, today + AHEAD):
                meeting = Meeting(
                    organisation=org,
                    schedule=schedule,
                    kind=kind,
                    title=f"{at:%Y年%m月%d日}{title}",
                    scheduled_at=at,
                    place=schedule.place,
                    agenda=f"1. 通报近期治安情况\n2. 部署{SEASON_WORK[at.month]}",
                    recorded_by=recorder[v.pk],
                )
                roll = rng.random()
                past = at < now - dt.timedelta(hours=3)
                if past and roll < 0.02:
                    continue  # never put in the book: a missed meeting
                if not past or roll < 0.05:  # to come, or left planned and not held
                    attendances += [Attendance(meeting=meeting, person=p) for p in team]
                    meetings.append(meeting)
                    continue
                if roll < 0.08:
                    meeting.status = MeetingStatus.CANCELLED
                    meeting.cancel_reason = rng.choice(CANCELLED)
                    attendances += [Attendance(meeting=meeting, person=p) for p in team]
                    meetings.append(meeting)
                    continue
                meeting.status, meeting.held_at = MeetingStatus.HELD, at
                meeting.chair = team[0]
                present = []
                for p in team:
                    status = rng.choices(statuses, ROLL_WEIGHTS)[0] if p != team[0] else "present"
                    attendances.append(
                        Attendance(
                            meeting=meeting,
                            person=p,
                            status=status,
                            marked_by_way="chair",
                            marked_at=at + dt.timedelta(minutes=5),
                            marked_by=recorder[v.pk],
                            note=rng.choice(ABSENCE) if status == "excused" else "",
                        )
                    )
                    if status in ("present", "late"):
                        present.append(p)
                count = rng.choices(range(4), DECISIONS_AT[frequency])[0]
                taken = rng.sample(DECISIONS[org_kind], count)
                for text, outcome in taken:
                    words = {"a": 30, "b": 45, "c": rng.randint(2, 6), "p": "王"}
                    decision = Decision(
                        meeting=meeting,
                        text=text.format(**words),
                        owner=rng.choice(present),
                        due_on=at.date() + dt.timedelta(days=rng.choice([7, 10, 14, 20, 30])),
                    )
                    _fate(decision, outcome.format(**words), at.date(), today, rng)
                    decisions.append(decision)
                meeting.minutes = (
                    f"{at:%Y年%m月%d日}，{org.name}召开{title}，应到{len(team)}人，"
                    f"实到{len(present)}人。通报上月治安情况，部署{SEASON_WORK[at.month]}。"
                    + (
                        "会议决定：" + "；".join(d.text for d in decisions[-count:])
                        if count
                        else ""
                    )
                )
                meetings.append(meeting)
                held.setdefault(org.pk, []).append(meeting)
    insert(MeetingSchedule, schedules)
    insert(Meeting, meetings)
    insert(Attendance, attendances)
    insert(Decision, decisions)
    return held


def _fate(decision, outcome: str, held_on: dt.date, today: dt.date, rng) -> None:
    """Mostly done on time, some late, a few dropped; a few still open past their due date."""
    due = decision.due_on
    if due >= today:
        fate = "on_time" if rng.random() < 0.25 else "open"
    else:
        fate = rng.choices(("on_time", "late", "dropped", "open"), (80, 12, 3, 5))[0]
        if fate == "open" and due < today - dt.timedelta(days=OPEN_FOR):
            fate = "late"
    if fate == "on_time":
        decision.status, decision.outcome = "done", outcome
        decision.done_on = min(held_on + dt.timedelta(days=rng.randint(1, 7)), due, today)
    elif fate == "late":
        decision.status, decision.outcome = "done", outcome + "（逾期完成）"
        decision.done_on = min(due + dt.timedelta(days=rng.randint(1, 20)), today)
    elif fate == "dropped":
        decision.status, decision.outcome = "dropped", "情况已发生变化，不再执行"
    elif due < today:
        decision.reminded_on = due + dt.timedelta(days=1)


def _training(township, villages, orgs, people, recorder, rng, now) -> None:
    """The township's dozen courses (one still to come, one cancelled) of ~50 of its villages'
    people, and each village's training meetings with their courses; the training record of
    every attendance, with a certificate for a pass where the course gives one."""
    from django.utils import timezone

    from qunfang.core.bulk import insert
    from qunfang.governance.models import Attendance, Course, Enrolment, Meeting
    from qunfang.governance.services.training import add_months, certificate_number
    from qunfang.registry.models import TrainingRecord

    today = timezone.localdate(now)
    everyone = [p for v in villages for p in people[v.pk]]
    courses, rolls, meetings, attendances = [], [], [], []
    for k in range(TOWNSHIP_COURSES):
        subject, hours, months = SUBJECTS[k % len(SUBJECTS)]
        status = "planned" if k == 0 else "cancelled" if k == 6 else "held"
        course = Course(
            region=township,
            title=f"{township.name}第{TOWNSHIP_COURSES - k}期群防群治骨干培训班",
            subject=subject,
            hours=Decimal(hours),
            starts_on=today + dt.timedelta(days=20 - 30 * k),
            place="镇综治中心培训室",
            trainer="镇综治办",
            outline="法律法规要点、业务技能和典型案例。",
            certificate_months=months,
            status=status,
        )
        courses.append(course)
        if status == "cancelled":
            continue
        for p in sorted(rng.sample(everyone, ENROLLED), key=lambda p: p.pk):
            came = None if status == "planned" else rng.random() < 0.9
            passed = (rng.random() < 0.92) if came and months else None
            rolls.append((course, p, came, passed))
    for v in villages:
        org = orgs[v.pk, "security_committee"]
        team = people[v.pk][:ROLL]
        for k in range(VILLAGE_TRAININGS):
            subject, hours, _months = SUBJECTS[(k + v.pk) % len(SUBJECTS)]
            day = today - dt.timedelta(days=40 + 90 * k + rng.randint(0, 20))
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(19, 30)))
            meeting = Meeting(
                organisation=org,
                kind="training",
                title=f"以会代训：{day.month}月业务学习",
                scheduled_at=at,
                place="村委会会议室",
                agenda="一、专题学习；二、交流讨论；三、布置近期工作。",
                chair=team[0],
                status="held",
                held_at=at,
                minutes="治保主任讲授，参会人员结合本村实际交流讨论。",
                recorded_by=recorder[v.pk],
            )
            meetings.append(meeting)
            course = Course(
                region=v,
                organisation=org,
                meeting=meeting,
                title=meeting.title,
                subject=subject,
                hours=Decimal(hours) / 2,
                starts_on=day,
                place="村委会会议室",
                trainer="治保主任",
                status="held",
                created_by=recorder[v.pk],
            )
            courses.append(course)
            for p in team:
                status = rng.choices(("present", "late", "excused", "absent"), ROLL_WEIGHTS)[0]
                came = status in ("present", "late")
                attendances.append(
                    Attendance(
                        meeting=meeting,
                        person=p,
                        status=status,
                        marked_by_way="chair",
                        marked_at=at + dt.timedelta(minutes=5),
                        marked_by=recorder[v.pk],
                    )
                )
                rolls.append((course, p, came, None))
    insert(Meeting, meetings)
    insert(Attendance, attendances)
    insert(Course, courses)
    records, enrolments, numbered = [], [], {}
    for course, person, came, passed in rolls:
        enrolment = Enrolment(course=course, person=person, attended=came, passed=passed)
        if came:
            months = course.certificate_months
            certified = bool(months) and passed is True
            if certified:
                numbered[course.pk] = numbered.get(course.pk, 0) + 1
                enrolment.certificate_number = certificate_number(course, numbered[course.pk])
            enrolment.record = TrainingRecord(
                person=person,
                kind=course.subject,
                course=course.title,
                held_on=course.starts_on,
                hours=course.hours,
                certificate_number=enrolment.certificate_number,
                certificate_expires_on=add_months(course.starts_on, months) if certified else None,
                passed=passed,
            )
            records.append(enrolment.record)
        enrolments.append(enrolment)
    insert(TrainingRecord, records)
    insert(Enrolment, enrolments)


def _candidacies(villages, people, memberships, rng, today: dt.date) -> None:
    """Per village: the selections of two sitting members, one candidate not appointed, one
    withdrawn and one still open (every third awaiting the township)."""
    from qunfang.core.bulk import insert
    from qunfang.governance.models import Candidacy

    rows = []
    for k, v in enumerate(villages):
        sitting = memberships[v.pk]
        for m in sitting[:2]:
            rows.append(
                Candidacy(
                    post=m.post,
                    person=m.person,
                    nominated_by="committee",
                    nominated_on=m.started_on - dt.timedelta(days=30),
                    reason="群众基础好，办事公道。",
                    status="appointed",
                    committee_decided_on=m.started_on - dt.timedelta(days=10),
                    membership=m,
                )
            )
        post = sitting[-1].post
        for n, status in enumerate(("rejected", "withdrawn", "open")):
            nominated = today - dt.timedelta(days=200 - 90 * n + rng.randint(0, 20))
            if status == "open":
                status = "committee_approved" if k % 3 == 0 else "nominated"
            decided = status in ("rejected", "committee_approved")
            rows.append(
                Candidacy(
                    post=post,
                    person=people[v.pk][5 + n],
                    nominated_by="villagers",
                    nominated_on=nominated,
                    reason="热心村里治安工作。",
                    status=status,
                    committee_decided_on=nominated + dt.timedelta(days=7) if decided else None,
                    decision_note="群众评议意见较多，暂不聘任。" if status == "rejected" else "",
                )
            )
    insert(Candidacy, rows)


def _rules(villages, orgs, held, texts, recorder, rng) -> None:
    """Per organisation the rules its mandate requires, adopted at one of its first meetings
    (most from the township's text), a third revised at a later one, and an old rule repealed;
    per village three rules of its own. Every seventh village's 治保会 lacks one (the flag)."""
    from qunfang.core.bulk import insert
    from qunfang.governance.demo.rules import NAMES, REPEAL_REASON, REVISIONS
    from qunfang.governance.models import Rule, RuleRevision
    from qunfang.governance.selectors.rules import DEFAULT_REQUIRED

    rules, revisions = [], []

    def adopt(org, kind, title, text, meeting, model_text=None, repealed=None) -> Rule:
        rule = Rule(
            organisation=org,
            kind=kind,
            title=title,
            model_text=model_text,
            adopted_on=meeting.scheduled_at.date(),
            repealed_on=repealed,
            repeal_reason=REPEAL_REASON if repealed else "",
        )
        rules.append(rule)
        revisions.append(
            RuleRevision(
                rule=rule,
                number=1,
                text=text,
                adopted_on=rule.adopted_on,
                meeting=meeting,
                recorded_by=recorder[org.region_id],
            )
        )
        return rule

    for k, v in enumerate(villages):
        for org_kind in ("security_committee", "patrol_team"):
            org = orgs[v.pk, org_kind]
            meetings = held[org.pk]
            adopted_at, later = meetings[1], meetings[len(meetings) // 2 :]
            old = texts["old_patrol"] if org_kind == "patrol_team" else texts["meetings"]
            old_title = f"{org.name}{NAMES[old.kind]}（旧）"
            adopt(org, old.kind, old_title, old.text, meetings[0], old, adopted_at.held_at.date())
            for kind in DEFAULT_REQUIRED[org_kind]:
                if org_kind == "security_committee" and kind == "confidentiality" and k % 7 == 3:
                    continue
                model_text = texts[kind] if rng.random() < 0.85 else None
                text = texts[kind].text
                rule = adopt(org, kind, f"{org.name}{NAMES[kind]}", text, adopted_at, model_text)
                if rng.random() < 1 / 3:
                    added, why = REVISIONS[kind]
                    when = rng.choice(later)
                    revisions.append(
                        RuleRevision(
                            rule=rule,
                            number=2,
                            text=text + "\n" + added,
                            adopted_on=when.scheduled_at.date(),
                            meeting=when,
                            change_note=why,
                            recorded_by=recorder[v.pk],
                        )
                    )
        org = orgs[v.pk, "security_committee"]
        for title in OTHER_RULES:
            adopt(
                org,
                "other",
                f"{v.name}{title}",
                f"第一条 {title}由治保会负责执行。",
                held[org.pk][1],
            )
    insert(Rule, rules)
    insert(RuleRevision, revisions)
