"""Meetings (例会), the services and selectors: schedules and their occurrences, the planner,
missed meetings, the lifecycle, the chair's roll call, the QR scan and the evidence. Every
refusal says why in the user's language and changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    EvidenceKind,
    Meeting,
    MeetingEvidence,
    MeetingSchedule,
    MeetingStatus,
    RollCallBy,
)
from qunfang.governance.selectors import meetings as sel
from qunfang.governance.services import meetings as service
from qunfang.registry.models import Membership, OrgStatus, Person
from tests.clock import AWKWARD, MIDWEEK, SHANGHAI
from tests.factories import (
    MINIMAL_PDF,
    TEST_PASSWORD,
    meeting_for,
    meeting_schedule_for,
    organisation_for,
)
from tests.images import phone_photo

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
TODAY = dt.date(2029, 1, 10)  # MIDWEEK: Wednesday noon in Shanghai


def at(day: dt.date, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=SHANGHAI)


def snapshot() -> dict:
    """Every row of the meeting tables, history included: a refusal leaves them as they were."""
    models = (Meeting, MeetingSchedule, Attendance, MeetingEvidence)
    rows = {m.__name__: list(m.objects.order_by("pk").values_list()) for m in models}
    rows.update(
        {f"history {m.__name__}": m.history.count() for m in (Meeting, MeetingSchedule, Attendance)}
    )
    return rows


def refused(call, *args, **kwargs) -> str:
    """The refusal's message (Chinese, the default), having checked that nothing changed."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert snapshot() == before
    return " ".join(caught.value.messages)


@pytest.fixture
def org(world):
    return organisation_for(world.village1, name="枫源村治保会", members=3)


def members(org) -> list[Person]:
    return list(Person.objects.filter(memberships__post__organisation=org).order_by("pk"))


# ---- occurrences -------------------------------------------------------------------------


def test_a_weekly_schedule_falls_on_its_weekday_at_its_time_in_shanghai(org):
    schedule = meeting_schedule_for(
        org, frequency="weekly", weekday=0, time=dt.time(19, 30), starts_on=dt.date(2029, 1, 1)
    )
    due = service.occurrences(schedule, dt.date(2028, 12, 1), dt.date(2029, 1, 31))
    assert due == [at(dt.date(2029, 1, d), 19, 30) for d in (1, 8, 15, 22, 29)]
    assert all(timezone.localtime(d).weekday() == 0 for d in due)


def test_monthly_and_quarterly_schedules_keep_their_day_and_their_dates(org):
    monthly = meeting_schedule_for(org, day_of_month=28, starts_on=dt.date(2029, 1, 5))
    days = service.occurrence_days(monthly, dt.date(2029, 1, 1), dt.date(2029, 4, 30))
    assert days == [dt.date(2029, m, 28) for m in (1, 2, 3, 4)]  # February has a 28th
    # quarterly: the month it starts and every third month after
    quarterly = meeting_schedule_for(
        org, title="季度例会", frequency="quarterly", day_of_month=5, starts_on=dt.date(2028, 11, 1)
    )
    days = service.occurrence_days(quarterly, dt.date(2028, 1, 1), dt.date(2029, 12, 31))
    expected = [(2028, 11), (2029, 2), (2029, 5), (2029, 8), (2029, 11)]
    assert days == [dt.date(y, m, 5) for y, m in expected]
    ended = meeting_schedule_for(
        org, title="已停", starts_on=dt.date(2029, 1, 1), ends_on=dt.date(2029, 2, 9)
    )
    assert service.occurrence_days(ended, dt.date(2029, 1, 1), dt.date(2029, 12, 31)) == [
        dt.date(2029, 1, 10)
    ]


# ---- schedules and the planner ------------------------------------------------------------


def test_a_new_schedule_plans_its_coming_month_with_the_members_invited(world, org):
    schedule = service.schedule_create(
        schedule=MeetingSchedule(
            organisation=org,
            kind="study",
            title="  治保会周例会 ",
            frequency="weekly",
            weekday=4,  # Friday
            time=dt.time(19, 0),
            place="村委会会议室",
            starts_on=TODAY,
        ),
        by=world.director1,
    )
    planned = list(Meeting.objects.filter(schedule=schedule).order_by("scheduled_at"))
    assert [m.scheduled_at for m in planned] == [
        at(dt.date(2029, 1, d), 19) for d in (12, 19, 26)
    ] + [at(dt.date(2029, 2, d), 19) for d in (2, 9)]  # 31 days ahead
    first = planned[0]
    assert (first.title, first.place, first.status) == ("治保会周例会", "村委会会议室", "planned")
    assert {a.person for a in first.attendances.all()} == set(members(org))
    assert service.plan_coming_meetings() == 0  # idempotent
    assert service.plan_coming_meetings(today=TODAY + dt.timedelta(days=7)) == 1  # a week on


def test_the_planner_skips_ended_schedules_and_dissolved_organisations(world, org):
    meeting_schedule_for(org, title="已结束", ends_on=dt.date(2028, 12, 31))
    dissolved = organisation_for(world.village1, members=1)
    dissolved.status = OrgStatus.DISSOLVED
    dissolved.save()
    meeting_schedule_for(dissolved)
    live = meeting_schedule_for(org, title="月度例会")
    assert service.plan_coming_meetings() == 2  # today, the 10th, and the 10th of February
    assert set(Meeting.objects.values_list("schedule", flat=True)) == {live.pk}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"frequency": "weekly", "weekday": None}, "weekday", "星期"),
        ({"day_of_month": 31}, "day_of_month", "1 到 28"),
        ({"title": "  "}, "title", "标题"),
        ({"ends_on": dt.date(2028, 1, 1)}, "ends_on", "开始之前"),
        ({"kind": "party"}, "kind", "会议类型"),
    ],
)
def test_a_bad_schedule_is_refused_with_a_message_and_nothing_saved(
    world, org, fields, field, message
):
    values = {
        "organisation": org,
        "kind": "study",
        "title": "例会",
        "frequency": "monthly",
        "day_of_month": 10,
        "time": dt.time(9),
        "starts_on": TODAY,
        **fields,
    }
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        service.schedule_create(schedule=MeetingSchedule(**values), by=world.director1)
    assert message in " ".join(caught.value.message_dict[field])
    assert snapshot() == before


def test_only_whoever_runs_the_village_makes_its_schedules(world, org):
    schedule = MeetingSchedule(
        organisation=org,
        kind="study",
        title="例会",
        frequency="monthly",
        day_of_month=10,
        time=dt.time(9),
        starts_on=TODAY,
    )
    for outsider in (world.director2, world.township2_officer, world.auditor, world.patrol1):
        with pytest.raises(PermissionDenied):
            service.schedule_create(schedule=schedule, by=outsider)
    assert not MeetingSchedule.objects.exists()
    service.schedule_create(schedule=schedule, by=world.township_officer)  # the township runs it


def test_a_changed_schedule_moves_its_untouched_meetings_and_keeps_worked_ones(world, org):
    weekly = meeting_schedule_for(org, frequency="weekly", weekday=4, starts_on=TODAY)
    service.plan_coming_meetings()
    first, second = Meeting.objects.filter(schedule=weekly).order_by("scheduled_at")[:2]
    person = members(org)[0]
    service.attendance_mark(
        meeting=second,
        by=world.director1,
        person=person,
        status="excused",
        now=at(TODAY),
    )
    service.schedule_edit(
        schedule=weekly, by=world.director1, weekday=3, title="周四例会", place="文化礼堂"
    )
    remaining = Meeting.objects.filter(schedule=weekly)
    assert not remaining.filter(pk=first.pk).exists()  # untouched, no longer an occurrence
    assert remaining.filter(pk=second.pk).exists()  # someone worked on it: it stays
    thursdays = remaining.exclude(pk=second.pk)
    assert thursdays and all(timezone.localtime(m.scheduled_at).weekday() == 3 for m in thursdays)
    assert {m.title for m in thursdays} == {"周四例会"}
    service.schedule_end(schedule=weekly, by=world.director1, ends_on=dt.date(2029, 1, 20))
    assert not remaining.filter(scheduled_at__gt=at(dt.date(2029, 1, 21))).exclude(pk=second.pk)
    message = refused(
        service.schedule_end, schedule=weekly, by=world.director1, ends_on=dt.date(2028, 1, 1)
    )
    assert "开始之前" in message


# ---- missed meetings ---------------------------------------------------------------------


def test_a_missed_meeting_is_one_past_its_day_not_held_planned_or_never_made(world, org):
    schedule = meeting_schedule_for(
        org, title="治保会月度例会", day_of_month=20, starts_on=dt.date(2028, 10, 1)
    )
    # October 20: never in the book; November: held; December: cancelled
    meeting_for(org, schedule=schedule, scheduled_at=at(dt.date(2028, 11, 20)), status="held")
    meeting_for(org, schedule=schedule, scheduled_at=at(dt.date(2028, 12, 20)), status="cancelled")
    meeting_for(org, title="今天上午的会", scheduled_at=at(TODAY, 9))  # not held yet: not missed
    one_off = meeting_for(org, title="临时部署会", scheduled_at=at(dt.date(2029, 1, 5), 20))
    other = organisation_for(world.village2)
    meeting_for(other, title="乐山村例会", scheduled_at=at(dt.date(2029, 1, 3)))

    missed = sel.missed_meetings(world.director1)
    assert [(m.title, m.due_at) for m in missed] == [
        ("临时部署会", at(dt.date(2029, 1, 5), 20)),
        ("治保会月度例会", at(dt.date(2028, 10, 20))),
    ]
    assert missed[0].meeting == one_off and missed[1].meeting is None
    assert missed[1].schedule_id == schedule.pk and missed[1].village == world.village1
    by_village = sel.missed_by_village(sel.missed_meetings(world.township_officer))
    assert [(v.village.name, v.count) for v in by_village] == [("枫源村", 2), ("乐山村", 1)]
    assert sel.missed_meetings(world.township2_officer) == []
    assert len(sel.missed_meetings(world.director1, kind="deployment")) == 0
    assert len(sel.missed_meetings(world.director1, village=world.village2)) == 0
    assert sel.missed_meetings(world.director1, since=dt.date(2029, 1, 1))[0].meeting == one_off


@pytest.mark.time_machine(AWKWARD, tick=False)
def test_past_its_day_means_in_shanghai_where_it_is_already_tomorrow(world, org):
    # AWKWARD: Monday 2029-01-01 00:30 in Shanghai, still Sunday in UTC
    yesterday_evening = meeting_for(org, scheduled_at=at(dt.date(2028, 12, 31), 19))
    this_morning = meeting_for(org, scheduled_at=at(dt.date(2029, 1, 1), 8))
    missed = [m.meeting for m in sel.missed_meetings(world.director1)]
    assert yesterday_evening in missed and this_morning not in missed


def test_the_panel_lists_the_villages_missed_meetings_in_a_few_queries(
    world, org, django_assert_max_num_queries
):
    meeting_schedule_for(org, title="月度例会", starts_on=dt.date(2028, 11, 1))
    meeting_for(org, title="明天的例会")  # tomorrow
    with django_assert_max_num_queries(4):
        panel = sel.meetings_summary(world.director1)
    assert panel["missed_count"] == 2 and not panel["per_village"]
    assert [m.title for m in panel["coming"]] == ["明天的例会"]
    township = sel.meetings_summary(world.township_officer)
    assert township["per_village"] and township["villages"][0].count == 2
    assert sel.meetings_summary(world.director2)["missed_count"] == 0


# ---- meetings ----------------------------------------------------------------------------


def new_meeting(org, **fields) -> Meeting:
    values = {
        "organisation": org,
        "kind": "deployment",
        "title": "春节安保部署会",
        "scheduled_at": at(TODAY, 14),
        **fields,
    }
    return Meeting(**values)


def test_a_one_off_meeting_invites_the_organisations_current_members(world, org):
    gone = members(org)[2]
    Membership.objects.filter(person=gone).update(ended_on=dt.date(2028, 12, 31))
    meeting = service.meeting_create(
        meeting=new_meeting(org, chair=members(org)[0]), by=world.director1
    )
    assert meeting.status == "planned" and meeting.recorded_by == world.director1
    assert {a.person for a in meeting.attendances.all()} == set(members(org)[:2])
    assert len(meeting.code_secret) == 32


def test_a_meeting_of_a_schedule_is_one_of_its_occurrences_and_only_once(world, org):
    schedule = meeting_schedule_for(org, starts_on=dt.date(2028, 10, 1))
    late_record = new_meeting(org, schedule=schedule, scheduled_at=at(dt.date(2028, 12, 10)))
    service.meeting_create(meeting=late_record, by=world.director1)  # a missed one, recorded
    again = new_meeting(org, schedule=schedule, scheduled_at=at(dt.date(2028, 12, 10)))
    assert "已在" in refused(service.meeting_create, meeting=again, by=world.director1)
    wrong_day = new_meeting(org, schedule=schedule, scheduled_at=at(dt.date(2028, 12, 11)))
    assert "选择它的日期" in refused(service.meeting_create, meeting=wrong_day, by=world.director1)


def test_a_chair_from_another_village_is_refused(world, org):
    stranger = Person.objects.create(
        region=world.village2, name="斯大海", sex="M", birth_date=dt.date(1970, 1, 1)
    )
    message = refused(
        service.meeting_create, meeting=new_meeting(org, chair=stranger), by=world.director1
    )
    assert "斯大海" in message and "枫源村" in message


def test_a_meeting_of_a_schedule_keeps_its_time_and_a_cancelled_one_is_not_changed(world, org):
    schedule = meeting_schedule_for(org, starts_on=TODAY)
    service.plan_coming_meetings()
    planned = Meeting.objects.get(schedule=schedule, scheduled_at=at(TODAY))
    message = refused(
        service.meeting_edit,
        meeting=planned,
        by=world.director1,
        scheduled_at=at(TODAY, 15),
    )
    assert "实际召开" in message
    service.meeting_edit(meeting=planned, by=world.director1, agenda="  学习文件 ", place="礼堂")
    planned.refresh_from_db()
    assert (planned.agenda, planned.place) == ("学习文件", "礼堂")
    service.meeting_cancel(meeting=planned, by=world.director1, reason="防台风")
    assert "已取消" in refused(
        service.meeting_edit, meeting=planned, by=world.director1, agenda="x"
    )


def test_holding_records_the_minutes_and_the_unmarked_as_absent(world, org):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    first, second, third = members(org)
    service.attendance_mark(meeting=meeting, by=world.director1, person=first, status="present")
    service.attendance_mark(meeting=meeting, by=world.director1, person=second, status="excused")
    assert "会议记录" in refused(
        service.meeting_hold,
        meeting=meeting,
        by=world.director1,
        held_at=at(TODAY, 9),
        minutes=" ",
    )
    assert "之前" in refused(
        service.meeting_hold,
        meeting=meeting,
        by=world.director1,
        held_at=at(TODAY, 18),
        minutes="纪要",
    )
    held = service.meeting_hold(
        meeting=meeting, by=world.director1, held_at=at(TODAY, 9, 10), minutes=" 学习了文件 "
    )
    assert (held.status, held.held_at, held.minutes) == ("held", at(TODAY, 9, 10), "学习了文件")
    roll = {a.person: a.status for a in held.attendances.all()}
    assert roll == {first: "present", second: "excused", third: "absent"}
    held = Meeting.objects.get(pk=held.pk)
    assert "只有计划中的会议" in refused(
        service.meeting_hold, meeting=held, by=world.director1, held_at=at(TODAY), minutes="x"
    )
    assert "只有计划中的会议" in refused(
        service.meeting_cancel, meeting=held, by=world.director1, reason="x"
    )


def test_cancelling_needs_a_reason_and_ends_the_roll(world, org):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 19))
    assert "原因" in refused(service.meeting_cancel, meeting=meeting, by=world.director1, reason="")
    with pytest.raises(PermissionDenied):
        service.meeting_cancel(meeting=meeting, by=world.director2, reason="改期")
    service.meeting_cancel(meeting=meeting, by=world.director1, reason="改期到下周")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "改期到下周")
    assert "取消" in refused(
        service.attendance_mark,
        meeting=meeting,
        by=world.director1,
        person=members(org)[0],
        status="present",
    )


def test_the_roll_takes_people_of_the_village_and_keeps_whoever_came(world, org):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    guest = Person.objects.create(
        region=world.village1, name="楼大伯", sex="M", birth_date=dt.date(1950, 1, 1)
    )
    assert service.meeting_invite(meeting=meeting, by=world.director1, people=[guest]) == 1
    assert service.meeting_invite(meeting=meeting, by=world.director1, people=[guest]) == 0
    stranger = Person.objects.create(
        region=world.village2, name="斯大海", sex="M", birth_date=dt.date(1970, 1, 1)
    )
    assert "斯大海" in refused(
        service.meeting_invite, meeting=meeting, by=world.director1, people=[stranger]
    )
    service.attendance_mark(meeting=meeting, by=world.director1, person=guest, status="present")
    assert "出席" in refused(
        service.meeting_uninvite, meeting=meeting, by=world.director1, person=guest
    )
    service.meeting_uninvite(meeting=meeting, by=world.director1, person=members(org)[0])
    assert meeting.attendances.count() == 3
    assert service.meeting_invite_members(meeting=meeting, by=world.director1) == 1


# ---- roll call: the chair ----------------------------------------------------------------


def test_the_chair_marks_the_invited_and_only_them(world, org):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    person = members(org)[0]
    line = service.attendance_mark(
        meeting=meeting, by=world.director1, person=person, status="late"
    )
    assert (line.status, line.marked_by_way, line.marked_by) == ("late", "chair", world.director1)
    stranger = Person.objects.create(
        region=world.village1, name="未邀请", sex="F", birth_date=dt.date(1980, 1, 1)
    )
    message = refused(
        service.attendance_mark,
        meeting=meeting,
        by=world.director1,
        person=stranger,
        status="present",
    )
    assert "未邀请" in message and "邀请" in message
    assert "出席、迟到、请假或缺席" in refused(
        service.attendance_mark, meeting=meeting, by=world.director1, person=person, status="x"
    )
    tomorrow = meeting_for(org)  # tomorrow 09:00
    assert "当天" in refused(
        service.attendance_mark,
        meeting=tomorrow,
        by=world.director1,
        person=person,
        status="present",
    )
    line = service.attendance_mark(
        meeting=tomorrow, by=world.director1, person=person, status="excused"
    )  # excused ahead of the day is fine
    assert line.status == "excused"


def test_a_chair_with_an_account_calls_the_roll_from_their_phone(world, org):
    chair = members(org)[0]
    chair.account = world.patrol1  # a patrol member, without the governance permissions
    chair.save()
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9), chair=chair)
    assert service.may_take_roll(world.patrol1, meeting)
    service.attendance_mark(
        meeting=meeting, by=world.patrol1, person=members(org)[1], status="present"
    )
    not_chaired = meeting_for(org, scheduled_at=at(TODAY, 10))
    with pytest.raises(PermissionDenied):
        service.attendance_mark(
            meeting=not_chaired, by=world.patrol1, person=chair, status="present"
        )


# ---- roll call: the QR --------------------------------------------------------------------


@pytest.fixture
def member(world, org):
    """A member of the organisation with their own account (a villager group's)."""
    person = members(org)[0]
    person.account = user_create(
        username="member1",
        password=TEST_PASSWORD,
        region=world.group1,
        roles={Role.PATROL_MEMBER},
        full_name=person.name,
    )
    person.save()
    return person


def scan(meeting, user, *, when, code=None):
    code = service.code_of(meeting).current(when) if code is None else code
    return service.attendance_scan(meeting=meeting, user=user, code=code, now=when)


def test_scanning_the_screens_code_marks_a_member_present_then_late(world, org, member):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    line, changed = scan(meeting, member.account, when=at(TODAY, 9, 10))
    assert changed and (line.status, line.marked_by_way, line.marked_by) == (
        "present",
        RollCallBy.QR,
        member.account,
    )
    again, changed = scan(meeting, member.account, when=at(TODAY, 9, 40))
    assert not changed and again.status == "present"  # scanning twice changes nothing
    other = members(org)[1]
    other.account = world.patrol1
    other.save()
    just_after = at(TODAY, 9, 15) + dt.timedelta(seconds=1)
    late, _ = scan(meeting, world.patrol1, when=just_after)
    assert late.status == AttendanceStatus.LATE  # more than 15 minutes after the start
    unmarked = Attendance.objects.get(meeting=meeting, person=members(org)[2])
    assert unmarked.status == "invited"


def test_a_code_of_the_previous_minute_is_still_good(world, org, member):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    now = at(TODAY, 9, 5)
    previous = service.code_of(meeting).current(now - dt.timedelta(seconds=60))
    line, _ = scan(meeting, member.account, when=now, code=previous)
    assert line.status == "present"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("yesterday", "已过期"),
        ("stale", "已过期"),
        ("wrong", "不是本次会议的"),
        ("typed", "不是本次会议的"),
        ("other_meeting", "不是本次会议的"),
        ("not_invited", "没有被邀请"),
        ("no_person", "没有关联"),
        ("tomorrow", "不是今天"),
        ("held", "已经结束"),
        ("cancelled", "已取消"),
    ],
)
def test_a_refused_scan_says_why_and_records_nothing(world, org, member, case, message):
    now = at(TODAY, 9, 5)
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    user, code = member.account, service.code_of(meeting).current(now)
    if case == "yesterday":  # yesterday's screen of the same meeting, photographed
        code = service.code_of(meeting).current(now - dt.timedelta(days=1))
    elif case == "stale":
        code = service.code_of(meeting).current(now - dt.timedelta(minutes=5))
    elif case == "wrong":
        code = "12345678" if code != "12345678" else "87654321"
    elif case == "typed":
        code = "12ab"
    elif case == "other_meeting":
        code = service.code_of(meeting_for(org, scheduled_at=at(TODAY, 10))).current(now)
    elif case == "not_invited":
        Attendance.objects.filter(meeting=meeting, person=member).delete()
    elif case == "no_person":
        user = world.director1
    elif case == "tomorrow":
        meeting = meeting_for(org)
        code = service.code_of(meeting).current(now)
    elif case in ("held", "cancelled"):
        Meeting.objects.filter(pk=meeting.pk).update(
            status=case, held_at=at(TODAY, 9) if case == "held" else None
        )
    assert message in refused(
        service.attendance_scan, meeting=meeting, user=user, code=code, now=now
    )


def test_the_refusals_are_in_the_readers_language(world, org, member):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    with translation.override("en"):
        message = refused(
            service.attendance_scan,
            meeting=meeting,
            user=member.account,
            code="00000000",
            now=at(TODAY, 9),
        )
    assert "not the code of this meeting" in message or "has expired" in message


def test_the_scan_url_carries_the_minutes_code(org):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    url = service.scan_url(meeting, at(TODAY, 9))
    code = service.code_of(meeting).current(at(TODAY, 9))
    assert url == f"/governance/meetings/{meeting.pk}/scan/?c={code}"


# ---- evidence ----------------------------------------------------------------------------


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_evidence_is_checked_like_every_upload(world, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    photo = service.evidence_add(
        meeting=meeting,
        by=world.director1,
        kind=EvidenceKind.PHOTO,
        upload=upload("现场.jpg", phone_photo()),
    )
    assert photo.content_type == "image/jpeg" and photo.original_name == "现场.jpg"
    assert not photo.file.name.endswith("现场.jpg")  # a name of our own
    sheet = service.evidence_add(
        meeting=meeting,
        by=world.director1,
        kind=EvidenceKind.SIGN_IN_SHEET,
        upload=upload("签到表.pdf", MINIMAL_PDF),
    )
    assert sheet.content_type == "application/pdf"
    assert "JPEG" in refused(
        service.evidence_add,
        meeting=meeting,
        by=world.director1,
        kind=EvidenceKind.PHOTO,
        upload=upload("x.pdf", MINIMAL_PDF),
    )
    assert "JPEG" in refused(
        service.evidence_add,
        meeting=meeting,
        by=world.director1,
        kind=EvidenceKind.OTHER,
        upload=upload("x.jpg", b"<html>not a photo</html>"),
    )
    service.meeting_cancel(meeting=meeting, by=world.director1, reason="改期")
    assert "取消" in refused(
        service.evidence_add,
        meeting=meeting,
        by=world.director1,
        kind=EvidenceKind.PHOTO,
        upload=upload("x.jpg", phone_photo()),
    )
    with pytest.raises(PermissionDenied):
        service.evidence_add(
            meeting=meeting_for(org),
            by=world.director2,
            kind=EvidenceKind.PHOTO,
            upload=upload("x.jpg", phone_photo()),
        )


def test_the_status_choices_hold_every_lifecycle_state():
    assert set(service.TRANSITIONS) == set(MeetingStatus.values)
