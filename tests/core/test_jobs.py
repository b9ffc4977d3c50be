"""Background jobs: the page that follows one (htmx polling until it finishes, the same state
after a reload), progress, and failures told in the starter's language, never as a traceback."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from qunfang.core import jobs
from qunfang.core.jobs import (
    Outcome,
    job_progress,
    job_record,
    job_refresh,
    job_start,
    job_ticker,
    run_job,
)
from qunfang.core.models import Job, JobKind, JobStatus
from qunfang.core.roles import Perm
from tests.worker import DB_TASKS

pytestmark = pytest.mark.django_db


def _explode(job):
    raise RuntimeError("secret internals: /srv/qunfang/solver.py line 42")


def _refuse(job):
    raise ValidationError("The period ends before it starts.")


def _finish(job):
    job_progress(job.pk, 50, "half way")
    assert Job.objects.get(pk=job.pk).progress == 50  # written at once, in its own transaction
    return Outcome(url="/patrols/rosters/7/", result={"roster": 7}, step="Roster made")


@task()
def exploding(job_id: int) -> None:
    run_job(job_id, _explode)


@task()
def refusing(job_id: int) -> None:
    run_job(job_id, _refuse)


@task()
def finishing(job_id: int) -> None:
    run_job(job_id, _finish, may=lambda user: user.can(Perm.MANAGE_PATROLS))


def _job(world, **kw):
    fields = {
        "kind": JobKind.ROSTER,
        "region": world.village1,
        "by": world.director1,
        "params": {},
        "language": "zh-hans",
    }
    fields.update(kw)
    return job_record(**fields)


def _page(client, job, **headers):
    return client.get(reverse("core:job", args=[job.pk]), **headers)


def test_a_running_job_polls_and_a_reload_shows_the_same_state(client, world):
    job = _job(world)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job_progress(job.pk, 40, "正在排班")
    client.force_login(world.director1)
    for _ in range(2):  # a reload reads the same row
        html = _page(client, job).content.decode()
        assert 'hx-trigger="every 2s"' in html and 'value="40"' in html and "正在排班" in html
    partial = _page(client, job, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "core/_job_status.html"  # htmx swaps the status only


def test_a_finished_job_stops_polling_and_links_to_its_result(client, world):
    job = job_start(
        kind=JobKind.ROSTER, region=world.village1, by=world.director1, params={}, task=finishing
    )
    job.refresh_from_db()
    assert (job.status, job.progress, job.result, job.step) == (
        JobStatus.DONE,
        100,
        {"roster": 7},
        "Roster made",
    )
    assert job.task_result_id and job.finished_at
    client.force_login(world.director1)
    html = _page(client, job).content.decode()
    assert "hx-trigger" not in html and 'href="/patrols/rosters/7/"' in html


@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", "出了问题"), ("en", "Something went wrong")]
)
def test_a_crash_is_told_plainly_in_the_starters_language(client, world, language, words):
    job = _job(world, language=language)
    with pytest.raises(RuntimeError):  # the worker records the traceback, the page does not
        exploding.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and words in job.error
    client.force_login(world.director1)
    html = _page(client, job).content.decode()
    assert words in html and "secret internals" not in html and "Traceback" not in html


def test_a_refusal_inside_the_task_becomes_the_jobs_message(world):
    job = _job(world, language="en")
    refusing.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "The period ends before it starts.")


def test_the_task_rechecks_that_the_starter_still_may(world):
    job = _job(world, by=world.police, language="en")  # sees rosters, may not make them
    finishing.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "no longer" in job.error and job.result is None


@override_settings(TASKS=DB_TASKS)
def test_a_job_whose_worker_died_is_shown_failed(world):
    job = job_start(
        kind=JobKind.ROSTER, region=world.village1, by=world.director1, params={}, task=finishing
    )
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    # the worker was killed mid-task: its task result says failed, the job row still running
    DBTaskResult.objects.filter(pk=job.task_result_id).update(status=TaskResultStatus.FAILED)
    job = job_refresh(Job.objects.get(pk=job.pk))
    assert job.status == JobStatus.FAILED and job.error


def test_only_planners_of_the_village_see_its_job(client, world):
    job = _job(world)
    for user, status in [
        (world.director1, 200),
        (world.patrol1, 404),
        (world.director2, 404),
        (world.township_officer, 200),
    ]:
        client.force_login(user)
        assert _page(client, job).status_code == status, user


@pytest.mark.django_db(transaction=True)  # the ticker writes from its own thread and connection
def test_the_bar_moves_with_the_clock_while_a_long_step_runs(world, monkeypatch):
    monkeypatch.setattr(jobs, "TICK_SECONDS", 0.05)
    job = _job(world)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    stop = job_ticker(job.pk, start=20, end=79, seconds=0.3, step="solving")
    seen = {Job.objects.get(pk=job.pk).progress}
    deadline = time.monotonic() + 10
    while 79 not in seen and time.monotonic() < deadline:
        time.sleep(0.02)
        seen.add(Job.objects.get(pk=job.pk).progress)
    stop()
    assert min(seen) == 20 and max(seen) == 79  # from the step's start to its end, no further
    assert len(seen) > 2  # and in between, with the clock
