"""Periodic work: `qunfang worker` queues each periodic task once per time slot, however many
schedulers run; the cron commands run the same tasks here or queue them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qunfang.core.models import ScheduledRun
from qunfang.core.schedule import enqueue_due, periodic_tasks
from tests.clock import SHANGHAI
from tests.worker import DB_TASKS

pytestmark = pytest.mark.django_db
REMINDERS = "qunfang.patrols.tasks.send_reminders"
DIGEST = "qunfang.core.tasks.send_digests"
HOURLY = {
    "qunfang.casebook.tasks.send_opinion_notices",
    "qunfang.casebook.tasks.send_overdue_notices",
    "qunfang.patrols.tasks.close_shifts",
}
# governance's daily tasks: the decisions' reminders (08:00), planning the meetings (05:00)
GOVERNANCE_DAILY = {
    "qunfang.governance.tasks.send_decision_reminders",
    "qunfang.governance.tasks.plan_meetings",
    "qunfang.governance.tasks.record_health_readings",
    "qunfang.governance.tasks.send_rectification_reminders",
    "qunfang.governance.tasks.send_rebuilding_reminders",
}


def shanghai(hh, mm, day=10):
    return dt.datetime(2029, 1, day, hh, mm, tzinfo=SHANGHAI)


def by_name():
    return {p.name: p for p in periodic_tasks()}


def test_the_schedule_names_every_periodic_task():
    assert set(by_name()) == {REMINDERS, DIGEST, *HOURLY, *GOVERNANCE_DAILY}


def test_slots_are_the_start_of_each_period_in_shanghai_time():
    tasks = by_name()
    assert tasks[REMINDERS].slot(shanghai(12, 20)) == shanghai(12, 15)
    assert tasks[REMINDERS].slot(shanghai(12, 15)) == shanghai(12, 15)
    assert all(tasks[name].slot(shanghai(12, 59)) == shanghai(12, 0) for name in HOURLY)
    assert tasks[DIGEST].slot(shanghai(7, 0)) == shanghai(7, 0)
    assert tasks[DIGEST].slot(shanghai(23, 59)) == shanghai(7, 0)
    # before 07:00 the slot is yesterday's: a worker down at 07:00 sends it when it starts
    assert tasks[DIGEST].slot(shanghai(6, 59)) == shanghai(7, 0, day=9)


@override_settings(TASKS=DB_TASKS)
def test_each_slot_is_queued_once_however_many_schedulers_run():
    first = enqueue_due(now=shanghai(12, 20))
    assert set(first) == {REMINDERS, DIGEST, *HOURLY, *GOVERNANCE_DAILY}
    assert enqueue_due(now=shanghai(12, 25)) == []  # a second scheduler, the same slots
    assert enqueue_due(now=shanghai(12, 31)) == [REMINDERS]  # the next quarter hour
    assert sorted(enqueue_due(now=shanghai(13, 0))) == sorted([*HOURLY, REMINDERS])
    queued = DBTaskResult.objects.values_list("task_path", flat=True)
    assert sorted(queued).count(REMINDERS) == 3 and list(queued).count(DIGEST) == 1


@override_settings(TASKS=DB_TASKS)
def test_a_slot_another_scheduler_took_is_left_alone():
    ScheduledRun.objects.create(task=REMINDERS, slot=shanghai(12, 15))
    assert REMINDERS not in enqueue_due(now=shanghai(12, 20))
    assert not DBTaskResult.objects.filter(task_path=REMINDERS).exists()


def test_old_slot_rows_are_pruned():
    enqueue_due(now=shanghai(12, 20))
    enqueue_due(now=shanghai(12, 20, day=20))
    assert not ScheduledRun.objects.filter(slot__lt=shanghai(0, 0, day=13)).exists()


@pytest.mark.parametrize(
    ("command", "path", "words"),
    [
        ("send_reminders", REMINDERS, "reminders sent: 0"),
        ("send_digest", DIGEST, "sent 0 digests"),
        ("close_shifts", "qunfang.patrols.tasks.close_shifts", "shifts closed: 0"),
        ("send_opinion_notices", "qunfang.casebook.tasks.send_opinion_notices", "sent 0 messages"),
        ("plan_meetings", "qunfang.governance.tasks.plan_meetings", "planned 0 meetings"),
        (
            "send_decision_reminders",
            "qunfang.governance.tasks.send_decision_reminders",
            "sent 0 messages",
        ),
    ],
)
@override_settings(TASKS=DB_TASKS)
def test_cron_commands_run_the_task_here_or_queue_it(command, path, words):
    call_command(command, stdout=(out := StringIO()))
    assert words in out.getvalue() and not DBTaskResult.objects.exists()
    call_command(command, "--enqueue", stdout=(out := StringIO()))
    queued = DBTaskResult.objects.get()
    assert queued.task_path == path and queued.status == TaskResultStatus.READY
    assert "queued" in out.getvalue()


@pytest.mark.django_db(transaction=True)  # the worker checks its connection as in production
@override_settings(TASKS=DB_TASKS)
def test_the_worker_queues_what_is_due_and_runs_it():
    call_command("worker", "--batch", stdout=(out := StringIO()))
    periodic = 5 + len(GOVERNANCE_DAILY)
    assert f"scheduling {periodic} periodic tasks" in out.getvalue()
    results = DBTaskResult.objects.all()
    assert results.count() == periodic
    assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}
    assert ScheduledRun.objects.count() == periodic
