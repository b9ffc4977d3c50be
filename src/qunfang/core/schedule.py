"""Periodic work: each app's `tasks` module registers its tasks here with how often they run,
and `qunfang worker` (unless --no-schedule) enqueues each one once per time slot.

A slot is the start of the period a run belongs to (12:15 for a run every 15 minutes made at
12:20; today's 07:00 for the daily digest after 07:00, yesterday's before). The scheduler
enqueues a task only when it inserts the (task, slot) row, so several workers or a restarted one
never queue the same slot twice; a slot missed while no worker ran is made up by the next one
(the tasks are idempotent, so a late run sends what is due and nothing twice).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from qunfang.core.models import ScheduledRun

if TYPE_CHECKING:
    from django_tasks.base import Task

P = ParamSpec("P")
T = TypeVar("T")

logger = logging.getLogger(__name__)
KEEP_RUNS = dt.timedelta(days=7)


@dataclass(frozen=True)
class Periodic:
    task: Task[..., Any]
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None  # local time (Asia/Shanghai)

    @property
    def name(self) -> str:
        return self.task.module_path

    def slot(self, now: dt.datetime) -> dt.datetime:
        if self.daily_at is not None:
            local = timezone.localtime(now)
            today = dt.datetime.combine(local.date(), self.daily_at, tzinfo=local.tzinfo)
            return today if local >= today else today - dt.timedelta(days=1)
        step = int(self.every.total_seconds())  # type: ignore[union-attr]
        return dt.datetime.fromtimestamp(now.timestamp() // step * step, tz=dt.UTC)


PERIODIC: dict[str, Periodic] = {}


def register(
    task: Task[P, T], *, every: dt.timedelta | None = None, daily_at: dt.time | None = None
) -> Task[P, T]:
    if (every is None) == (daily_at is None):
        raise ValueError("give either every= or daily_at=")
    periodic = Periodic(task=task, every=every, daily_at=daily_at)
    PERIODIC[periodic.name] = periodic
    return task


def periodic_tasks() -> list[Periodic]:
    autodiscover_modules("tasks")  # each app's tasks module registers its own
    return sorted(PERIODIC.values(), key=lambda p: p.name)


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic task whose current slot has no run yet; return their names."""
    now = now or timezone.now()
    queued = []
    for periodic in periodic_tasks():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(task=periodic.name, slot=periodic.slot(now))
                periodic.task.enqueue()
        except IntegrityError:
            continue  # another scheduler queued this slot
        queued.append(periodic.name)
    ScheduledRun.objects.filter(slot__lt=now - KEEP_RUNS).delete()
    if queued:
        logger.info("queued %s", ", ".join(queued))
    return queued
