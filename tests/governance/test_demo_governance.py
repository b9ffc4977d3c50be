"""The demo's year of meetings on a reduced township (枫源村, 乐山村, and two more villages) built
by the real demo steps, then checked for consistency: the schedules each village keeps, rolls
only at meetings held and only of the organisation's members, decisions only on held meetings
and within their dates, the gaps (one village stopped in the summer, one meets irregularly), the
coming month planned, and the decisions' fates (most done on time, a few overdue now)."""

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, step_accounts, step_regions
from qunfang.governance.demo import meetings as demo
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    Frequency,
    Meeting,
    MeetingSchedule,
    MeetingStatus,
)
from qunfang.governance.selectors.meetings import missed_meetings
from qunfang.governance.services.decisions import meeting_day, send_decision_reminders
from qunfang.governance.services.meetings import occurrence_days, plan_coming_meetings
from qunfang.registry.demo import step_registry
from qunfang.registry.models import Membership, OrgKind
from tests.clock import SHANGHAI

# two moments of the year: the summer gap is last year's (all of it) or this one's (June on)
SPRING = dt.datetime(2029, 4, 20, 2, 0, tzinfo=dt.UTC)
LATE_SUMMER = dt.datetime(2029, 8, 12, 2, 0, tzinfo=dt.UTC)


def build():
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261128))
    step_regions(context)
    step_accounts(context)
    others = sorted(v.code for v in context.villages if v.code not in (VILLAGE_1, VILLAGE_2))
    keep = {VILLAGE_1, VILLAGE_2, *others[:2]}
    context.villages = [v for v in context.villages if v.code in keep]
    step_registry(context)
    demo.step(context)
    return context


@pytest.mark.parametrize("moment", [SPRING, LATE_SUMMER], ids=["spring", "late-summer"])
def test_the_demo_year_of_meetings_is_consistent(db, moment, time_machine):
    time_machine.move_to(moment, tick=False)
    context = build()
    check_meetings(context)


def check_meetings(context) -> None:
    """Every check, on whatever demo the database holds."""
    now, today = timezone.now(), timezone.localdate()
    patterns = demo.patterns(context.villages)
    assert sorted(Counter(patterns.values()).values()) == [1, 1, 2]
    assert patterns[VILLAGE_1] == patterns[VILLAGE_2] == demo.REGULAR
    check_schedules(context)
    check_rolls(now)
    check_decisions(context, patterns, today)
    check_gaps(context, patterns, now, today)
    assert send_decision_reminders() == 0  # the demo's own run told everyone due today
    assert plan_coming_meetings() == 0  # the coming month is in the book, as the planner has it


def check_schedules(context) -> None:
    wanted = {
        OrgKind.SECURITY_COMMITTEE: Frequency.MONTHLY,
        OrgKind.PATROL_TEAM: Frequency.WEEKLY,
        OrgKind.MEDIATION_COMMITTEE: Frequency.QUARTERLY,
    }
    for village in context.villages:
        kept = {
            s.organisation.kind: s.frequency
            for s in MeetingSchedule.objects.filter(organisation__region=village)
        }
        assert kept == wanted, village.name
    for schedule in MeetingSchedule.objects.all():
        meetings = schedule.meetings.all()
        # every meeting on one of the schedule's days, at its time, as the planner has them
        days = set(demo.occurrences(schedule, schedule.starts_on, dt.date(2100, 1, 1)))
        assert days == set(occurrence_days(schedule, schedule.starts_on, dt.date(2100, 1, 1)))
        for meeting in meetings:
            local = timezone.localtime(meeting.scheduled_at, SHANGHAI)
            assert local.date() in days and local.time() == schedule.time, meeting
            assert meeting.organisation_id == schedule.organisation_id


def check_rolls(now) -> None:
    # no roll call at a meeting not held (its members invited, nobody marked); a held one has
    # its time, chair, minutes and roll
    not_held = Attendance.objects.exclude(meeting__status=MeetingStatus.HELD)
    assert not_held.exists()
    assert not not_held.exclude(status=AttendanceStatus.INVITED, marked_at=None).exists()
    held = Meeting.objects.filter(status=MeetingStatus.HELD).select_related("organisation")
    assert held.count() > 100
    members = defaultdict(set)
    for m in Membership.objects.values("post__organisation_id", "person_id"):
        members[m["post__organisation_id"]].add(m["person_id"])
    rolls = defaultdict(list)
    for a in Attendance.objects.values("meeting_id", "person_id", "status", "marked_at"):
        rolls[a["meeting_id"]].append(a)
    for meeting in held:
        assert meeting.held_at is not None and meeting.held_at <= now, meeting
        assert meeting.held_at >= meeting.scheduled_at
        assert meeting.chair_id in members[meeting.organisation_id], meeting
        assert "应到" in meeting.minutes and "实到" in meeting.minutes
        roll = rolls[meeting.pk]
        assert roll and {a["person_id"] for a in roll} <= members[meeting.organisation_id]
        assert all(a["status"] != AttendanceStatus.INVITED for a in roll)
        present = sum(
            a["status"] in (AttendanceStatus.PRESENT, AttendanceStatus.LATE) for a in roll
        )
        assert f"实到{present}人" in meeting.minutes, meeting.minutes
    assert not Meeting.objects.filter(status=MeetingStatus.HELD, minutes="").exists()
    cancelled = Meeting.objects.filter(status=MeetingStatus.CANCELLED)
    assert cancelled.exists() and not cancelled.filter(cancel_reason="").exists()
    assert not Meeting.objects.exclude(status=MeetingStatus.HELD).exclude(held_at=None).exists()


def check_decisions(context, patterns, today) -> None:
    decisions = list(Decision.objects.select_related("meeting__organisation", "owner"))
    assert len(decisions) > 30
    fates = Counter()
    overdue = Counter()
    for d in decisions:
        meeting = d.meeting
        assert meeting.status == MeetingStatus.HELD, d  # decisions only on held meetings
        held_on = meeting_day(meeting)
        assert d.due_on >= held_on
        assert d.owner.region_id == meeting.organisation.region_id
        if d.status == DecisionStatus.DONE:
            assert held_on <= d.done_on <= today and d.outcome
            fates["on time" if d.done_on <= d.due_on else "late"] += 1
        elif d.status == DecisionStatus.DROPPED:
            assert d.done_on is None and d.outcome
            fates["dropped"] += 1
        else:
            assert d.done_on is None
            if d.due_on < today:
                fates["overdue"] += 1
                overdue[meeting.organisation.region_id] += 1
                assert d.reminded_on is not None and d.reminded_on > d.due_on  # told once
                assert (today - d.due_on).days <= demo.OPEN_FOR  # fell due lately; older ones done
    done = fates["on time"] + fates["late"]
    assert fates["on time"] > 0.6 * done and fates["late"] > 0 and fates["overdue"] > 0
    for region_id, count in overdue.items():
        code = next(v.code for v in context.villages if v.pk == region_id)
        assert count <= demo.MAX_OVERDUE[patterns[code]], code
    for code in (VILLAGE_1, VILLAGE_2):
        assert any(
            Decision.objects.filter(
                meeting__organisation__region__code=code,
                status=DecisionStatus.OPEN,
                due_on__lt=today,
            )
        ), code


def check_gaps(context, patterns, now, today) -> None:
    first, last = demo.summer_of(today)
    assert first < today
    by_code = {v.code: v for v in context.villages}

    def meetings(code, **filters):
        return Meeting.objects.filter(organisation__region=by_code[code], **filters)

    summer_code = next(c for c, p in patterns.items() if p == demo.SUMMER_GAP)
    irregular_code = next(c for c, p in patterns.items() if p == demo.IRREGULAR)
    in_summer = {
        "scheduled_at__date__gte": first,
        "scheduled_at__date__lte": min(last, today - dt.timedelta(days=1)),
    }
    # the summer: the village held nothing, left planned rows not held (and some not at all)
    assert not meetings(summer_code, status=MeetingStatus.HELD, **in_summer).exists()
    assert meetings(summer_code, status=MeetingStatus.PLANNED, **in_summer).exists()
    weeks = (min(last, today) - first).days // 7
    assert meetings(summer_code, **in_summer).count() < weeks  # some never put down
    # a regular village met all summer; it held what it planned before today, nearly all
    assert meetings(VILLAGE_1, status=MeetingStatus.HELD, **in_summer).count() >= weeks - 2

    def share_held(code):
        past = meetings(code, scheduled_at__lt=now - dt.timedelta(hours=3), schedule__isnull=False)
        return past.filter(status=MeetingStatus.HELD).count() / past.count()

    assert share_held(VILLAGE_1) > 0.9 and share_held(irregular_code) < 0.75
    # the meetings' book finds nothing missed in a regular village, and the gaps in the others
    township = context.accounts["township"]
    assert missed_meetings(township, village=by_code[VILLAGE_1]) == []
    assert missed_meetings(township, village=by_code[irregular_code])
    summer_missed = missed_meetings(township, village=by_code[summer_code], since=first)
    assert any(m.meeting is None for m in summer_missed)  # never put down at all
    assert any(m.meeting is not None for m in summer_missed)  # planned, not held
    # the coming month is planned everywhere
    for village in context.villages:
        coming = Meeting.objects.filter(
            organisation__region=village,
            status=MeetingStatus.PLANNED,
            scheduled_at__gt=now,
            scheduled_at__lte=now + dt.timedelta(days=31),
        )
        assert coming.count() >= 4, village.name
