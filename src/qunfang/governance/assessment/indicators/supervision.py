"""Indicators from township supervision (督导检查): the score of the visits a village got, the
rectification tasks put right by their deadline, and the people found on patrol by unannounced
night checks.

A visit counts in the period in which it was made; a task in the one in which its earliest
deadline fell (a new deadline set at a failed re-check does not move it). Everything is read as
it stood at the run's cut-off (`Context.rows`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from qunfang.core.days import local_midnight
from qunfang.governance.assessment.asof import Row
from qunfang.governance.assessment.catalogue import (
    ONE,
    ZERO,
    Context,
    Indicator,
    Item,
    Unit,
    indicator,
    ref_page,
)
from qunfang.governance.models.supervision import (
    FindingKind,
    RectificationTask,
    SupervisionFinding,
    SupervisionVisit,
    TaskStatus,
    VisitKind,
    VisitStatus,
)
from qunfang.governance.selectors.supervision import CHECK_IN_GRACE as GRACE
from qunfang.patrols.models import CheckIn, Shift

HUNDRED = Decimal(100)
VISIT_FIELDS = ["region_id", "kind", "status", "visited_at", "score", "shift_id", "planned_for"]
TASK_FIELDS = ["region_id", "deadline", "status", "reported_on", "organisation_id", "person_id"]

ref_page("supervision_visit", "governance:supervision_visit_detail")
ref_page("supervision_task", "governance:supervision_task_detail")


def period_visits(ctx: Context) -> list[Row]:
    """The visits made in the period (done by the cut-off), read once per run."""

    def read() -> list[Row]:
        rows = ctx.rows(SupervisionVisit, VISIT_FIELDS, region__in=ctx.villages)
        return [
            row
            for row in rows
            if row["status"] == VisitStatus.DONE
            and row["visited_at"] is not None
            and ctx.starts <= row["visited_at"] < ctx.ends
        ]

    return ctx.shared("supervision.visits", read)


def _visit_ref(row: Row) -> tuple[str, int, str]:
    return ("supervision_visit", row["id"], f"{row['planned_for']:%Y-%m-%d}")


def supervision_score(ctx: Context) -> list[Item]:
    """One item per scored visit made in the period: its score as a share of 100."""
    return [
        Item(village=row["region_id"], done=Decimal(row["score"]) / HUNDRED, ref=_visit_ref(row))
        for row in period_visits(ctx)
        if row["score"] is not None
    ]


def rectification_tasks_in_time(ctx: Context) -> list[Item]:
    """One item per task (not cancelled) whose earliest deadline fell in the period: done when,
    by the cut-off, it was verified on a re-check of a report made by that deadline."""
    scope: dict[str, Any] = {"region__in": ctx.villages}
    history: Any = RectificationTask.history
    earliest = dict(
        history.model._base_manager.filter(history_date__lte=ctx.cutoff, **scope)
        .values("id")
        .annotate(earliest=Min("deadline"))
        .values_list("id", "earliest")
    )
    items = []
    for row in ctx.rows(RectificationTask, TASK_FIELDS, **scope):
        deadline = min(row["deadline"], earliest.get(row["id"], row["deadline"]))
        if row["status"] == TaskStatus.CANCELLED or deadline < ctx.period.first:
            continue
        if local_midnight(deadline + dt.timedelta(days=1)) > ctx.ends:
            continue  # its deadline is not over yet (or falls in a later period)
        in_time = (
            row["status"] == TaskStatus.VERIFIED
            and row["reported_on"] is not None
            and row["reported_on"] <= deadline
        )
        items.append(
            Item(
                village=row["region_id"],
                done=ONE if in_time else ZERO,
                person=row["person_id"],
                organisation=row["organisation_id"],
                ref=("supervision_task", row["id"], f"{deadline:%Y-%m-%d}"),
            )
        )
    return items


def night_checks_found(ctx: Context) -> list[Item]:
    """One item per person who had checked in on a night-checked shift by the time of the check
    (made in the period): done when the inspectors found them on patrol."""
    visits = [r for r in period_visits(ctx) if r["kind"] == VisitKind.NIGHT and r["shift_id"]]
    if not visits:
        return []
    starts = dict(
        Shift.objects.filter(pk__in={r["shift_id"] for r in visits}).values_list("pk", "starts_at")
    )
    check_ins: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    rows = CheckIn.objects.filter(
        assignment__shift__in=list(starts), accepted=True, recorded_at__lte=ctx.cutoff
    ).values_list("assignment__shift_id", "assignment__person_id", "recorded_at")
    for shift_id, person_id, at in rows:
        check_ins[shift_id].append((person_id, at))
    missing = {
        (row["visit_id"], row["person_id"])
        for row in ctx.rows(
            SupervisionFinding,
            ["visit_id", "kind", "person_id"],
            visit__in=[r["id"] for r in visits],
        )
        if row["kind"] == FindingKind.NOT_FOUND
    }
    items = []
    for visit in visits:
        shift_starts = starts[visit["shift_id"]]
        claimed = {
            person
            for person, at in check_ins[visit["shift_id"]]
            if shift_starts - GRACE <= at <= visit["visited_at"] + GRACE
        }
        for person in sorted(claimed):
            items.append(
                Item(
                    village=visit["region_id"],
                    done=ZERO if (visit["id"], person) in missing else ONE,
                    person=person,
                    ref=_visit_ref(visit),
                )
            )
    return items


indicator(
    Indicator(
        code="supervision_score",
        label=_("Supervision score"),
        explanation=_(
            "The mean score (out of 100) of the township's supervision visits made to the "
            "village in the period."
        ),
        unit=Unit.RATE,
        default_target=ONE * 80,
        compute=supervision_score,
    )
)
indicator(
    Indicator(
        code="rectification_tasks_in_time",
        label=_("Rectification tasks done in time"),
        explanation=_(
            "Of the supervision's rectification tasks whose deadline fell in the period, the "
            "share reported done by the deadline and verified on the township's re-check. The "
            "earliest deadline counts: a new one set at a failed re-check does not move it. A "
            "task counts for the organisation and the person responsible."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=rectification_tasks_in_time,
    )
)
indicator(
    Indicator(
        code="night_checks_found",
        label=_("Found on patrol at night checks"),
        explanation=_(
            "Of the people who had checked in on a shift the township checked unannounced at "
            "night in the period, the share the inspectors found out on patrol."
        ),
        unit=Unit.RATE,
        default_target=ONE * 95,
        compute=night_checks_found,
    )
)
