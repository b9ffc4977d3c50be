"""Patrol work that runs as background tasks: making a roster; shift reminders every 15
minutes and closing the shifts that ended, hourly."""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from qunfang.core import schedule, sms
from qunfang.core.jobs import Outcome, job_progress, job_record, job_start, job_ticker, run_job
from qunfang.core.models import Job, JobKind, Region
from qunfang.core.roles import Perm
from qunfang.patrols.models import JointZone
from qunfang.patrols.services import checkin, shifts
from qunfang.patrols.services.rostering import RosterRequest, generate_roster


def roster_params(req: RosterRequest) -> dict:
    return {
        "region": req.region.pk,
        "zone": req.zone.pk if req.zone else None,
        "starts_on": req.starts_on.isoformat(),
        "ends_on": req.ends_on.isoformat(),
        "min_rest_hours": req.min_rest_hours,
        "max_nights_per_week": req.max_nights_per_week,
        "time_limit_s": req.time_limit_s,
    }


def roster_request(params: dict) -> RosterRequest:
    return RosterRequest(
        region=Region.objects.get(pk=params["region"]),
        zone=JointZone.objects.select_related("region").get(pk=params["zone"])
        if params["zone"]
        else None,
        starts_on=dt.date.fromisoformat(params["starts_on"]),
        ends_on=dt.date.fromisoformat(params["ends_on"]),
        min_rest_hours=params["min_rest_hours"],
        max_nights_per_week=params["max_nights_per_week"],
        time_limit_s=params["time_limit_s"],
    )


def start_roster(req: RosterRequest, *, by, language: str = "") -> Job:
    """Queue the roster (the caller has run `check_roster_request`); the job page follows it."""
    return job_start(
        kind=JobKind.ROSTER,
        region=req.region,
        by=by,
        params=roster_params(req),
        task=make_roster,
        language=language,
    )


def run_roster_here(req: RosterRequest, *, by) -> Job:
    """The same task, run in this process (`qunfang make-roster` without --enqueue)."""
    job = job_record(kind=JobKind.ROSTER, region=req.region, by=by, params=roster_params(req))
    make_roster.call(job.pk)
    job.refresh_from_db()
    return job


class _RosterProgress:
    """The roster's steps on the job's bar; while CP-SAT searches (at most its time limit) the
    bar moves on with the clock, so the page shows the work is alive."""

    SOLVING, SOLVED = 20, 80

    def __init__(self, job_id: int, seconds: float):
        self.job_id, self.seconds = job_id, seconds
        self.stop_ticker: Callable[[], None] = lambda: None

    def __call__(self, percent: int, step: str) -> None:
        self.stop_ticker()
        self.stop_ticker = lambda: None
        if percent == self.SOLVING:
            self.stop_ticker = job_ticker(
                self.job_id,
                start=self.SOLVING,
                end=self.SOLVED - 1,
                seconds=self.seconds,
                step=step,
            )
        else:
            job_progress(self.job_id, percent, step)


def _make_roster(job: Job) -> Outcome:
    req = roster_request(job.params)
    progress = _RosterProgress(job.pk, req.time_limit_s or settings.QUNFANG_ROSTER_SECONDS)
    try:
        roster = generate_roster(req, by=job.started_by, progress=progress)
    finally:
        progress.stop_ticker()
    if roster.problems:
        step = _("A draft roster has been made, but some seats stay empty: see why on the roster.")
    else:
        step = _("A draft roster has been made. Check it, then publish it.")
    return Outcome(url=roster.get_absolute_url(), result={"roster": roster.pk}, step=step)


@task()
def make_roster(job_id: int) -> None:
    run_job(job_id, _make_roster, may=lambda user: user.can(Perm.MANAGE_PATROLS))


@task()
def send_reminders(hours: int | None = None) -> int:
    return shifts.send_reminders(hours=hours or settings.QUNFANG_REMINDER_HOURS, sms=sms.gateway())


@task()
def close_shifts() -> int:
    return checkin.close_due()


schedule.register(send_reminders, every=dt.timedelta(minutes=15))
schedule.register(close_shifts, every=dt.timedelta(hours=1))
