"""Decisions of meetings (决议事项): recorded on a held meeting with an owner and a due date,
marked done, dropped or reopened through the lifecycle; bad input refused with a clear message
and nothing changed; another village's director kept out; reminders before the due date and
one overdue notice, in each reader's language."""

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from qunfang.core import schedule
from qunfang.core.lifecycle import MoveRefused
from qunfang.core.models import Notification
from qunfang.core.notify import KIND_LABELS
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from qunfang.governance.services import decisions as svc
from qunfang.registry.models import Organisation, OrgKind, Person
from tests.clock import MIDWEEK, SHANGHAI

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

TODAY = dt.date(2029, 1, 10)  # MIDWEEK in Shanghai
MEETING_DAY = TODAY - dt.timedelta(days=5)


def meeting_of(org, *, day=MEETING_DAY, status=MeetingStatus.HELD, title=None, roll=()):
    """A meeting of `org` at 19:00 on `day`, straight into the table; `roll`: (person, status)."""
    at = dt.datetime.combine(day, dt.time(19, 0), tzinfo=SHANGHAI)
    meeting = Meeting.objects.create(
        organisation=org,
        kind=MeetingKind.DEPLOYMENT,
        title=title or f"{day.month}月治保会例会",
        scheduled_at=at,
        place="村委会会议室",
        status=status,
        held_at=at if status == MeetingStatus.HELD else None,
        minutes="通报上月治安情况，部署春节前安全大检查。" if status == MeetingStatus.HELD else "",
    )
    for person, mark in roll:
        Attendance.objects.create(meeting=meeting, person=person, status=mark)
    return meeting


def person_of(village, name):
    return Person.objects.create(region=village, name=name, sex="M", birth_date=dt.date(1975, 1, 1))


def decisions_world(world, records):
    """Village 1's 治保会 (the registry's records) with a meeting held five days ago where 楼阿根
    was present; village 2's 治保会 with a meeting held then too, and a person of village 2."""
    org2 = Organisation.objects.create(
        region=world.village2, name="乐山村治保会", kind=OrgKind.SECURITY_COMMITTEE
    )
    person2 = person_of(world.village2, "斯阿土")
    return SimpleNamespace(
        world=world,
        base=records,
        org=records.org,
        owner=records.person,  # 楼阿根, of village 1
        meeting=meeting_of(records.org, roll=[(records.person, AttendanceStatus.PRESENT)]),
        org2=org2,
        person2=person2,
        meeting2=meeting_of(org2, title="乐山村治保会例会"),
    )


@pytest.fixture
def w(world, records):
    return decisions_world(world, records)


def add(
    w, *, text="对全村出租房屋开展消防安全排查", owner=None, due_on=None, by=None, meeting=None
):
    return svc.decision_add(
        meeting=meeting or w.meeting,
        text=text,
        owner=owner or w.owner,
        due_on=due_on or TODAY + dt.timedelta(days=10),
        by=by or w.world.director1,
    )


def refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---- recording a decision -------------------------------------------------------------------


def test_a_decision_is_recorded_on_a_held_meeting_with_its_owner_and_due_date(w):
    decision = add(w, text="  在村口桥头加装监控探头  ", due_on=MEETING_DAY)
    assert decision.text == "在村口桥头加装监控探头"  # trimmed
    assert decision.owner == w.owner and decision.due_on == MEETING_DAY
    assert decision.status == DecisionStatus.OPEN and decision.reminded_on is None
    # the township officer records them too
    assert add(w, by=w.world.township_officer).meeting == w.meeting


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"owner": None}, "owner", "请指定负责落实的责任人。"),
        ({"text": "   "}, "text", "请写明会议决定的事项。"),
        ({"text": "办" * 2001}, "text", "决议事项不超过2000个字。"),
        ({"due_on": MEETING_DAY - dt.timedelta(days=1)}, "due_on", "完成期限不能早于会议日期"),
        ({"due_on": None}, "due_on", "请填写完成期限。"),
        ({"owner": "other village"}, "owner", "责任人必须是枫源村的人员。"),
    ],
)
def test_a_bad_decision_is_refused_with_a_clear_message_and_nothing_changes(
    w, change, field, message
):
    values = {
        "meeting": w.meeting,
        "text": "对全村出租房屋开展消防安全排查",
        "owner": w.owner,
        "due_on": TODAY,
        "by": w.world.director1,
        **change,
    }
    if values["owner"] == "other village":
        values["owner"] = w.person2
    with pytest.raises(ValidationError) as refused:
        svc.decision_add(**values)
    assert field in refused.value.message_dict
    assert message in refusal(refused.value)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("status", [MeetingStatus.PLANNED, MeetingStatus.CANCELLED])
def test_a_meeting_not_held_takes_no_decision(w, status):
    meeting = meeting_of(w.org, day=TODAY + dt.timedelta(days=3), status=status)
    if status == MeetingStatus.CANCELLED:
        Meeting.objects.filter(pk=meeting.pk).update(cancel_reason="台风")
    with pytest.raises(ValidationError) as refused:
        add(w, meeting=meeting)
    assert refusal(refused.value) == "只能为已召开的会议记录决议事项。"
    with translation.override("en"), pytest.raises(ValidationError) as english:
        add(w, meeting=meeting)
    assert refusal(english.value) == "Decisions are recorded for a meeting that has been held."
    assert not Decision.objects.exists()


def test_only_whoever_runs_the_village_records_its_decisions(w):
    for outsider in (w.world.director2, w.world.township2_officer, w.world.auditor):
        with pytest.raises(PermissionDenied):
            add(w, by=outsider)
    assert not Decision.objects.exists()


# ---- moves ------------------------------------------------------------------------------------


def test_a_decision_is_done_dropped_and_reopened_through_its_lifecycle(w):
    director = w.world.director1
    decision = add(w)
    assert svc.LIFECYCLE.allowed(decision, director) == [
        DecisionStatus.DONE,
        DecisionStatus.DROPPED,
    ]
    assert svc.LIFECYCLE.allowed(decision, w.world.director2) == []
    done = svc.decision_done(
        decision=decision, outcome=" 已排查出租房32户 ", done_on=TODAY, by=director
    )
    assert (done.status, done.outcome, done.done_on) == ("done", "已排查出租房32户", TODAY)
    Decision.objects.filter(pk=done.pk).update(reminded_on=TODAY)
    reopened = svc.decision_reopen(
        decision=done, reason="复查发现仍有隐患", due_on=TODAY + dt.timedelta(days=7), by=director
    )
    assert reopened.status == DecisionStatus.OPEN and reopened.done_on is None
    assert reopened.reminded_on is None and reopened.due_on == TODAY + dt.timedelta(days=7)
    assert reopened.history.first().history_change_reason == "复查发现仍有隐患"
    dropped = svc.decision_drop(decision=reopened, reason="已由镇里统一组织实施", by=director)
    assert (dropped.status, dropped.outcome, dropped.done_on) == (
        "dropped",
        "已由镇里统一组织实施",
        None,
    )
    assert svc.LIFECYCLE.allowed(dropped, director) == [DecisionStatus.OPEN]


@pytest.mark.parametrize(
    ("move", "values", "message"),
    [
        ("done", {"outcome": ""}, "请写明落实情况。"),
        ("done", {"done_on": None}, "请填写完成日期。"),
        ("done", {"done_on": TODAY + dt.timedelta(days=1)}, "完成日期不能晚于今天。"),
        ("done", {"done_on": MEETING_DAY - dt.timedelta(days=1)}, "完成日期不能早于会议日期"),
        ("dropped", {"outcome": " "}, "请写明撤销该决议事项的原因。"),
        ("open", {}, "只有已完成或已撤销的决议事项才能重新办理。"),
        ("wrong", {}, "请选择对该决议事项的处理。"),
    ],
)
def test_a_refused_move_says_why_and_changes_nothing(w, move, values, message):
    decision = add(w)
    arguments = {"outcome": "已完成", "on": TODAY, **values}
    if "done_on" in values:
        arguments["on"] = values["done_on"]
        del arguments["done_on"]
    with pytest.raises(ValidationError) as refused:
        svc.decision_move(decision=decision, to=move, by=w.world.director1, **arguments)
    assert message in refusal(refused.value)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and decision.outcome == ""
    assert decision.history.count() == 1


def test_done_twice_is_refused_by_the_table_and_another_village_may_not_move(w):
    decision = svc.decision_done(
        decision=add(w), outcome="已完成", done_on=TODAY, by=w.world.director1
    )
    with pytest.raises(MoveRefused) as refused:
        svc.decision_done(decision=decision, outcome="又做了", done_on=TODAY, by=w.world.director1)
    assert refusal(refused.value) == "只有未办结的决议事项才能标记为已完成。"
    with pytest.raises(PermissionDenied):
        svc.decision_reopen(decision=decision, reason="重新办理", by=w.world.director2)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE and decision.outcome == "已完成"


def test_a_reopened_decision_gets_no_due_date_in_the_past(w):
    decision = svc.decision_drop(decision=add(w), reason="不再执行", by=w.world.director1)
    with pytest.raises(ValidationError) as refused:
        svc.decision_reopen(
            decision=decision,
            reason="重新办理",
            due_on=TODAY - dt.timedelta(days=1),
            by=w.world.director1,
        )
    assert "新的完成期限不能早于今天。" in refusal(refused.value)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DROPPED


# ---- reminders --------------------------------------------------------------------------------


def told(user, kind=None):
    notes = Notification.objects.filter(user=user).order_by("id")
    if kind:
        notes = notes.filter(kind=kind)
    return [n.text_in(user.language) for n in notes]


def test_the_owner_is_reminded_before_the_due_date_and_told_once_when_overdue(w, time_machine):
    w.owner.account = w.world.patrol1
    w.owner.save()
    decision = add(w, due_on=TODAY + dt.timedelta(days=5))
    assert svc.send_decision_reminders() == 0  # five days ahead: not yet
    time_machine.move_to(MIDWEEK + dt.timedelta(days=2), tick=False)  # due in three days
    assert svc.send_decision_reminders() == 1
    reminder = told(w.world.patrol1, "decision")
    assert reminder == [
        f"提醒：{MEETING_DAY:%Y-%m-%d}1月治保会例会决定的“对全村出租房屋开展消防安全排查”"
        f"将于{decision.due_on:%Y-%m-%d}到期（责任人：楼阿根）。"
    ]
    assert svc.send_decision_reminders() == 0  # once a stage, never twice a day
    time_machine.move_to(MIDWEEK + dt.timedelta(days=4), tick=False)
    assert svc.send_decision_reminders() == 0  # reminded already, not yet overdue
    time_machine.move_to(MIDWEEK + dt.timedelta(days=6), tick=False)  # a day past due
    assert svc.send_decision_reminders() == 1
    overdue = told(w.world.patrol1, "overdue")
    assert len(overdue) == 1 and overdue[0].startswith("逾期：") and "至今未落实" in overdue[0]
    for days in (7, 20):
        time_machine.move_to(MIDWEEK + dt.timedelta(days=days), tick=False)
        assert svc.send_decision_reminders() == 0  # told once
    assert told(w.world.director1) == []  # the owner has an account: nobody else is told


def test_without_an_account_the_villages_directors_are_told_in_their_language(w, time_machine):
    w.world.director1.language = "en"
    w.world.director1.save()
    add(w, due_on=TODAY + dt.timedelta(days=1))  # a reminder for village 1's director
    theirs = add(
        w, meeting=w.meeting2, owner=w.person2, due_on=MEETING_DAY, by=w.world.director2
    )  # overdue already: village 2's director
    done = add(w, due_on=TODAY + dt.timedelta(days=2))
    svc.decision_done(decision=done, outcome="已完成", done_on=TODAY, by=w.world.director1)
    assert svc.send_decision_reminders() == 2
    assert told(w.world.director1) == [
        f"Reminder: “对全村出租房屋开展消防安全排查”, decided at 1月治保会例会 on "
        f"{MEETING_DAY:%Y-%m-%d}, is due on {TODAY + dt.timedelta(days=1):%Y-%m-%d} "
        "(responsible: 楼阿根)."
    ]
    assert told(w.world.director2, "overdue")[0].startswith("逾期：")
    assert str(theirs.due_on) in told(w.world.director2)[0]
    for nobody in (w.world.township_officer, w.world.patrol1, w.world.mediator1):
        assert told(nobody) == []
    notice = Notification.objects.get(user=w.world.director2)
    assert notice.url.endswith(f"?village={w.world.village2.code}")


def test_a_village_without_a_director_has_its_township_officers_told(w, time_machine):
    w.world.director2.is_active = False
    w.world.director2.save()
    add(w, meeting=w.meeting2, owner=w.person2, due_on=MEETING_DAY, by=w.world.township_officer)
    assert svc.send_decision_reminders() == 1
    assert told(w.world.township_officer, "overdue")
    assert told(w.world.township2_officer) == []


def test_the_reminders_run_daily_and_from_cron(w):
    assert "decision" in KIND_LABELS
    periodic = {p.name: p for p in schedule.periodic_tasks()}
    task = periodic["qunfang.governance.tasks.send_decision_reminders"]
    assert task.daily_at == dt.time(8, 0)
    add(w, due_on=TODAY)
    out = StringIO()
    call_command("send_decision_reminders", stdout=out)
    assert out.getvalue().strip() == "sent 1 messages"
    call_command("send_decision_reminders", stdout=out)
    assert out.getvalue().strip().endswith("sent 0 messages")


def test_a_decision_of_a_day_in_shanghai_counts_by_shanghai_days(w, time_machine):
    """00:30 in Shanghai is still yesterday in UTC: "today" is Shanghai's."""
    time_machine.move_to(dt.datetime(2029, 1, 14, 16, 30, tzinfo=dt.UTC), tick=False)
    assert timezone.localdate() == dt.date(2029, 1, 15)
    add(w, due_on=dt.date(2029, 1, 14))
    assert svc.send_decision_reminders() == 1
    assert told(w.world.director1, "overdue")
