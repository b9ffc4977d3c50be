"""Overdue upward reports and rectification orders are told to the people who must act, once a
day (an order once a week), in each reader's language, and never to another village's people."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from qunfang.casebook.models import Level, OverdueNotice, Severity
from qunfang.casebook.services import cases
from qunfang.casebook.services import inspections as svc
from qunfang.casebook.services.overdue import send_overdue_notices
from qunfang.core.models import Notification
from tests.casebook.test_cases_screens import make_case
from tests.casebook.test_inspections import with_order
from tests.clock import MIDWEEK

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


def overdue_to(user) -> list[str]:
    return [
        n.text_in(user.language) for n in Notification.objects.filter(user=user, kind="overdue")
    ]


def test_an_unsent_report_past_its_time_is_told_to_its_owner_once_a_day(world, time_machine):
    world.director2.language = "en"
    world.director2.save()
    mine = make_case(world, severity=Severity.MAJOR, ago=dt.timedelta(hours=2))
    theirs = make_case(
        world,
        village=world.village2,
        by=world.director2,
        severity=Severity.MAJOR,
        title="乐山村重大案件",
        ago=dt.timedelta(hours=2),
    )
    make_case(world, severity=Severity.MAJOR, title="刚登记的重大案件")  # due in 50 minutes

    assert send_overdue_notices() == 4  # two levels each for the two late cases
    told = overdue_to(world.director1)
    assert len(told) == 2 and all(t.startswith(f"逾期：案件 {mine}") for t in told)
    assert "应于" in told[0] and "派出所" in " ".join(told)  # the level, translated too
    assert overdue_to(world.director2)[0].startswith(f"Overdue: case {theirs}")
    assert "Police station" in " ".join(overdue_to(world.director2))
    for outsider in (world.township2_officer, world.township_officer, world.police):
        assert overdue_to(outsider) == []  # not sent, so nothing for the levels above yet

    assert send_overdue_notices() == 0  # the same day: nothing new
    time_machine.shift(dt.timedelta(days=1))
    # still overdue the next day: told again, with the third case now late too
    assert send_overdue_notices() == 6
    assert len(overdue_to(world.director1)) == 6


def test_a_report_not_acknowledged_is_told_to_the_receiving_level(world, time_machine):
    case = make_case(world, severity=Severity.MAJOR, ago=dt.timedelta(hours=3))
    cases.report_upward(case=case, by=world.director1, level=None)  # two hours late

    # whoever the report went to (cases.receivers): the township office, the police station,
    # and the county's system administrator, who holds every permission
    assert send_overdue_notices() == 4
    assert len(overdue_to(world.township_officer)) == 1 and len(overdue_to(world.police)) == 1
    assert len(overdue_to(world.admin)) == 2
    assert "至今未签收" in overdue_to(world.police)[0]
    assert overdue_to(world.director1) == [] and overdue_to(world.township2_officer) == []
    note = Notification.objects.get(user=world.police, kind="overdue")
    assert note.url == case.get_absolute_url()

    cases.acknowledge(escalation=case.escalations.get(level=Level.POLICE), by=world.police)
    time_machine.shift(dt.timedelta(days=1))
    assert send_overdue_notices() == 2  # the township office has still not acknowledged
    assert len(overdue_to(world.police)) == 1 and len(overdue_to(world.township_officer)) == 2


def test_an_order_past_its_deadline_is_told_to_the_village_directors_once_a_week(
    world, time_machine
):
    inspection, _hazard, order = with_order(world, days=1)
    with_order(world, days=30)  # not due yet
    time_machine.shift(dt.timedelta(days=2))  # a day past the deadline

    assert send_overdue_notices() == 1
    (text,) = overdue_to(world.director1)
    assert "楼家出租屋" in text and "楼家房东" in text and str(order.deadline) in text
    note = Notification.objects.get(user=world.director1, kind="overdue")
    assert note.url == inspection.get_absolute_url()
    assert overdue_to(world.director2) == [] and overdue_to(world.township_officer) == []
    assert list(OverdueNotice.objects.values_list("order", "told")) == [(order.pk, 1)]

    for days in range(1, 7):  # a week of hourly runs: told once
        time_machine.shift(dt.timedelta(days=1))
        assert send_overdue_notices() == 0, days
    time_machine.shift(dt.timedelta(days=1))
    assert send_overdue_notices() == 1  # a week on, still not done: told again

    svc.order_report_done(order=order, by=world.director1, note="已更换")
    time_machine.shift(dt.timedelta(days=7))
    assert send_overdue_notices() == 0  # reported done: the village owes a re-inspection instead


def test_the_command_sends_the_overdue_notices(world):
    make_case(world, severity=Severity.MAJOR, ago=dt.timedelta(hours=2))
    call_command("send_overdue_notices", stdout=(out := StringIO()))
    assert "2" in out.getvalue() and len(overdue_to(world.director1)) == 2
    call_command("send_overdue_notices", stdout=(again := StringIO()))
    assert "0" in again.getvalue() and len(overdue_to(world.director1)) == 2
