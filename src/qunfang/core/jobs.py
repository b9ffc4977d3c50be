"""Long work off the request: a `Job` row the user can watch, and a task that does the work.

A view validates what it can at once, then calls `job_start` with the task to run; the task
hands its work to `run_job`, reports with `job_progress` and returns an `Outcome`. Every
write here is its own short transaction, so a task never holds the database while it computes.
The task runs in the starter's language and re-checks that the starter may still do the work.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist
from simple_history.models import HistoricalRecords

from qunfang.core.models import Job, JobStatus

if TYPE_CHECKING:
    from django_tasks.base import Task

    from qunfang.core.models import Region, User

logger = logging.getLogger(__name__)
TICK_SECONDS = 2  # as often as the job page asks


@dataclass
class Outcome:
    url: str = ""  # where the result is (the new roster)
    result: Any = None  # what the job page shows (an import's report), as JSON
    step: str = ""  # the last line, e.g. "Roster made"


def job_record(
    *, kind: str, region: Region, by: User, params: dict[str, Any], language: str = ""
) -> Job:
    """The job's row, for a caller that runs the task itself (`task.call(job.pk)`, the cron
    commands' default)."""
    return Job.objects.create(
        kind=kind,
        region=region,
        started_by=by,
        params=params,
        language=language or translation.get_language() or "",
    )


def job_start(
    *,
    kind: str,
    region: Region,
    by: User,
    params: dict[str, Any],
    task: Task[[int], Any],
    language: str = "",
) -> Job:
    """Record the job and queue `task(job_id)`. Call it outside any transaction (views and
    commands do): a worker on another connection or machine must find the row at once."""
    job = job_record(kind=kind, region=region, by=by, params=params, language=language)
    result = task.enqueue(job.pk)
    # update(), not save(): an immediate backend has already written the outcome
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.task_result_id = str(result.id)
    return job


def job_progress(job_id: int, percent: int, step: str = "") -> None:
    """How far the job got, in its own short write (call it outside any transaction)."""
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        progress=max(0, min(100, percent)), step=step[:200]
    )


def job_ticker(
    job_id: int, *, start: int, end: int, seconds: float, step: str
) -> Callable[[], None]:
    """Move the bar from `start` toward `end` over `seconds` while a step of known length runs
    (the solver's time limit), from a thread with its own connection; returns `stop`. Inside a
    caller's transaction (the demo, a test) it only writes `start`: no second writer there."""
    job_progress(job_id, start, step)
    if connection.in_atomic_block:
        return lambda: None
    done = threading.Event()

    def tick() -> None:
        began = time.monotonic()
        try:
            while not done.wait(TICK_SECONDS):
                share = min(1.0, (time.monotonic() - began) / max(seconds, 1))
                job_progress(job_id, start + int((end - start) * share), step)
        except DatabaseError:  # busy: the bar waits for the next step
            logger.warning("job %s: progress not written", job_id)
        finally:
            connection.close()  # this thread's own

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()

    def stop() -> None:
        done.set()
        ticker.join()

    return stop


def job_done(job: Job, *, url: str = "", result: Any = None, step: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        step=step[:200],
        result_url=url,
        result=result,
        finished_at=timezone.now(),
    )


def job_failed(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).exclude(status__in=Job.FINISHED).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )


@contextmanager
def _as_author(user: User) -> Iterator[None]:
    """History rows written by the task name the starter, as in a request."""
    context = HistoricalRecords.context
    before = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if before is None:
            del context.request
        else:
            context.request = before


def run_job(
    job_id: int, work: Callable[[Job], Outcome], *, may: Callable[[User], bool] | None = None
) -> None:
    """Run a job's work in the starter's language. `may(user)` re-checks the permission the
    view checked (the starter may have lost it meanwhile). A refusal or a validation error
    becomes the job's message; anything else a plain apology (the traceback goes to the log
    and the task result, never to the page)."""
    job = Job.objects.select_related("started_by__region", "region").get(pk=job_id)
    if job.finished:  # run twice (a retried task): the first run's outcome stands
        return
    with translation.override(job.language or None):
        user = job.started_by
        try:
            if not user.is_active or (may is not None and not may(user)):
                job_failed(job.pk, _("You may no longer do this, so it was not done."))
                return
            Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, step=_("Starting"))
            job.status = JobStatus.RUNNING
            with _as_author(user):
                outcome = work(job)
        except ValidationError as exc:
            job_failed(job.pk, " ".join(exc.messages))
        except PermissionDenied as exc:
            job_failed(job.pk, str(exc) or _("You may no longer do this, so it was not done."))
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            job_failed(
                job.pk,
                _(
                    "Something went wrong and nothing was saved. Please try again; "
                    "if it happens again, tell your administrator."
                ),
            )
            raise
        else:
            job_done(job, url=outcome.url, result=outcome.result, step=outcome.step)


def job_refresh(job: Job) -> Job:
    """A job whose task died without a word (the worker was killed) is marked failed when its
    task result says so."""
    if job.finished or not job.task_result_id:
        return job
    try:
        status = default_task_backend.get_result(job.task_result_id).status
    except (TaskResultDoesNotExist, NotImplementedError):
        return job
    if status == TaskResultStatus.FAILED:
        job_failed(
            job.pk, _("The work stopped unexpectedly and nothing was saved. Please try again.")
        )
        job.refresh_from_db()
    return job
