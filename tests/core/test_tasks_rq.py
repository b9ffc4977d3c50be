"""The RQ backend (QUNFANG_TASKS=rq, several machines): a roster job queued on the real Redis is
run by the worker `qunfang worker` starts (RQ with django-tasks-rq's job class) and its page
links to the roster — rq 3 with django-tasks-rq 0.12, as installed."""

import uuid

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_rq.management.commands.rqworker import Command as RQWorker

from qunfang.core.models import Job, JobStatus
from qunfang.patrols.models import Roster
from qunfang.patrols.services.rostering import RosterRequest
from qunfang.patrols.tasks import start_roster
from tests.core.test_shared_cache import needs_redis
from tests.patrols.conftest import MONDAY, patrol  # noqa: F401  (the patrol world fixture)

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rq_tasks():
    url = f"redis://127.0.0.1:6379/{14}"
    queue = f"qunfang-test-{uuid.uuid4().hex[:8]}"  # this run's own queue on the shared Redis
    rq_queues = {"default": {"URL": url}, queue: {"URL": url}}
    tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", queue]}}
    with override_settings(TASKS=tasks, RQ_QUEUES=rq_queues):
        yield queue


def test_a_roster_job_runs_on_the_rq_worker(world, patrol, rq_tasks, monkeypatch):  # noqa: F811
    from qunfang.patrols import tasks

    monkeypatch.setattr(tasks, "make_roster", tasks.make_roster.using(queue_name=rq_tasks))
    req = RosterRequest(region=world.village1, starts_on=MONDAY, ends_on=MONDAY, time_limit_s=2)
    job = start_roster(req, by=world.director1)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    # django_rq is an installed app only with QUNFANG_TASKS=rq: its command, called directly
    call_command(
        RQWorker(),
        rq_tasks,
        burst=True,
        worker_class="rq.worker.SimpleWorker",
        job_class="django_tasks_rq.backend.Job",
        verbosity=0,
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result_url == Roster.objects.get().get_absolute_url()
