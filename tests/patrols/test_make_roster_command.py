import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from qunfang.core.models import Job, JobKind, JobStatus
from qunfang.patrols.models import Roster
from tests.worker import DB_TASKS

pytestmark = pytest.mark.django_db


def test_make_roster_builds_a_month_and_prints_the_solver_figures(world, patrol, capsys):
    call_command(
        "make_roster", region=world.village1.code, month="2027-03", by="director1", seconds=2
    )
    out = capsys.readouterr().out
    roster = Roster.objects.get()
    assert roster.shifts.filter(pattern=patrol.night).count() == 31
    assert f"roster {roster.pk}: " in out and "gap" in out and "first feasible" in out


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"region": "999999999999", "month": "2027-03", "by": "director1"}, "No region"),
        ({"region": "330681109290", "month": "2027-13", "by": "director1"}, "YYYY-MM"),
        ({"region": "330681109290", "month": "2027-03", "by": "nobody"}, "No active user"),
        ({"zone": 999, "month": "2027-03", "by": "director1"}, "No joint zone"),
    ],
)
def test_make_roster_refuses_bad_arguments_and_writes_nothing(world, patrol, kwargs, message):
    with pytest.raises(CommandError, match=message):
        call_command("make_roster", **kwargs)
    assert not Roster.objects.exists()


def test_make_roster_runs_the_roster_task_and_records_its_job(world, patrol, capsys):
    call_command("make_roster", region=world.village1.code, month="2027-03", by="director1")
    job = Job.objects.get()
    roster = Roster.objects.get()
    assert (job.kind, job.status, job.result_url) == (
        JobKind.ROSTER,
        JobStatus.DONE,
        roster.get_absolute_url(),
    )


@override_settings(TASKS=DB_TASKS)
def test_make_roster_can_queue_it_for_the_worker(world, patrol, capsys):
    call_command(
        "make_roster", region=world.village1.code, month="2027-03", by="director1", enqueue=True
    )
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED and f"queued as job {job.pk}" in capsys.readouterr().out
    assert DBTaskResult.objects.get().task_path == "qunfang.patrols.tasks.make_roster"
    assert not Roster.objects.exists()
    with pytest.raises(CommandError, match="--enqueue"):
        call_command(
            "make_roster",
            region=world.village1.code,
            month="2027-03",
            by="director1",
            enqueue=True,
            publish=True,
        )
