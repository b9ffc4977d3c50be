"""Township supervision (督导检查): the writes (the reads are in `selectors.supervision`).

    plan (draft) ──draw──▶ drawn ──(every visit done or cancelled)──▶ done
    visit: planned ──record──▶ done        task: open ──report──▶ reported ──recheck──▶ verified
                   └─cancel──▶ cancelled              ▲                    │ failed: new deadline
                                                       └────────────────────┘
                                                       open/reported ──cancel──▶ cancelled

A plan draws, with a seed it keeps (so the draw can be shown fair and repeated), villages of the
township for spot checks and scheduled night shifts in its window for unannounced night checks.
The township also plans visits by hand. Recording a night check compares it with the shift's
check-ins: whoever checked in by the time the inspectors came but was not found on patrol gets
a finding of their own. Findings carry photos; a problem becomes a rectification task with a
deadline, which the village reports done and the township re-checks.

The township's officers (SUPERVISE_VILLAGES, working over the village) plan, record, find and
re-check; the village's director reports a task done. Every write takes `now` (the demo writes
its past through it) and dates its history line with it. Refusals raise ValidationError (by
field where one is at fault) or NotYours, translated, and change nothing."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from qunfang.core.lifecycle import Lifecycle, Move, Notice
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.permissions import NotYours
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.core.uploads import CheckedFile, check_upload
from qunfang.governance.models.supervision import (
    FindingKind,
    FindingPhoto,
    PlanStatus,
    RectificationTask,
    Severity,
    SupervisionFinding,
    SupervisionPlan,
    SupervisionVisit,
    TaskStatus,
    VisitKind,
    VisitStatus,
)
from qunfang.governance.selectors.supervision import (
    claimed_by,
    draw_of,
    shift_in_village,
    shift_people,
    villages_of,
)
from qunfang.governance.services.selection import township_officers, village_directors
from qunfang.patrols.models import RosterStatus, Shift
from qunfang.registry.models import Organisation, Person

MAX_TITLE = 100
MAX_TEXT = 2000
MAX_INSPECTORS = 200
MAX_DRAW = 50
MAX_PLAN_DAYS = 366
NOTICE_KIND = "assignment"  # core.notify.KIND_LABELS: "Something is handed to me"
UNANNOUNCED = (VisitKind.SPOT, VisitKind.NIGHT)
V, T = VisitStatus, TaskStatus


# ---- who acts -------------------------------------------------------------------------------


def can_supervise(user: User, region: Region | None = None) -> bool:
    """The township's officers over `region` (when given): plan, record, find, re-check."""
    if not (user.is_active and user.can(Perm.SUPERVISE_VILLAGES)):
        return False
    return region is None or user.works_in(region)


def can_report(user: User, village: Region) -> bool:
    """The village's director reports a rectification task done."""
    return user.is_active and user.can(Perm.MANAGE_VILLAGE) and user.works_in(village)


def _require_supervise(by: User, region: Region) -> None:
    if not can_supervise(by, region):
        raise NotYours(_("Only the township's office supervises its villages."))


# ---- small checks ---------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _text(value: str | None, *, field: str, limit: int = MAX_TEXT, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it to %(n)s characters at most.") % {"n": limit}})
    return text


def _saved(obj: Model, by: User | None, now: dt.datetime, reason: str = "") -> None:
    """Save with its history line dated `now`, by `by`."""
    obj._history_user = by  # type: ignore[attr-defined]
    obj._history_date = now  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason[:100]  # type: ignore[attr-defined]
    obj.save()


def _village_of_township(village: Region | None, by: User) -> Region:
    """A village the user's township supervises; another township's is refused by name."""
    if village is None or village.kind != RegionKind.VILLAGE:
        raise ValidationError({"region": _("Choose a village.")})
    if not can_supervise(by, village):
        raise ValidationError(
            {
                "region": _(
                    "%(village)s is not a village of your township: the township supervises "
                    "only its own villages."
                )
                % {"village": village.name}
            }
        )
    return village


def _of_village(village_id: int, organisation: Organisation | None, person: Person | None) -> None:
    if organisation is not None and organisation.region_id != village_id:
        raise ValidationError({"organisation": _("Choose an organisation of the village visited.")})
    if person is not None and person.region_id != village_id:
        raise ValidationError({"person": _("Choose a person of the village visited.")})


# ---- plans ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanDetails:
    title: str
    starts_on: dt.date
    ends_on: dt.date
    villages_to_draw: int = 0
    night_checks_to_draw: int = 0
    note: str = ""


def _plan_checked(details: PlanDetails, township: Region, today: dt.date) -> PlanDetails:
    title = _text(
        details.title, field="title", limit=MAX_TITLE, required=_("Give the plan a title.")
    )
    if details.starts_on is None or details.ends_on is None:
        raise ValidationError({"ends_on": _("Give the plan's first and last day.")})
    if details.ends_on < details.starts_on:
        raise ValidationError({"ends_on": _("The plan cannot end before it starts.")})
    if details.ends_on < today:
        raise ValidationError(
            {"ends_on": _("A plan is for days to come; its last day has passed.")}
        )
    if (details.ends_on - details.starts_on).days >= MAX_PLAN_DAYS:
        raise ValidationError({"ends_on": _("A plan covers a year at most.")})
    villages, nights = int(details.villages_to_draw or 0), int(details.night_checks_to_draw or 0)
    if villages < 0 or nights < 0 or nights > MAX_DRAW:
        raise ValidationError(
            {"night_checks_to_draw": _("Draw between 0 and %(n)s night shifts.") % {"n": MAX_DRAW}}
        )
    count = len(villages_of(township))
    if villages > count:
        raise ValidationError(
            {
                "villages_to_draw": _("The township has %(n)s villages; draw %(n)s at most.")
                % {"n": count}
            }
        )
    if villages == 0 and nights == 0:
        raise ValidationError(
            {"villages_to_draw": _("Draw at least one village or one night shift.")}
        )
    note = _text(details.note, field="note")
    return PlanDetails(title, details.starts_on, details.ends_on, villages, nights, note)


@transaction.atomic
def plan_create(
    *, township: Region, details: PlanDetails, by: User, now: dt.datetime | None = None
) -> SupervisionPlan:
    """The township plans a stretch of supervision: how many villages and night shifts to draw."""
    now = _now(now)
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError({"region": _("A supervision plan belongs to a township.")})
    _require_supervise(by, township)
    checked = _plan_checked(details, township, timezone.localdate(now))
    plan = SupervisionPlan(
        region=township,
        title=checked.title,
        starts_on=checked.starts_on,
        ends_on=checked.ends_on,
        villages_to_draw=checked.villages_to_draw,
        night_checks_to_draw=checked.night_checks_to_draw,
        note=checked.note,
        created_by=by,
    )
    _saved(plan, by, now)
    return plan


@transaction.atomic
def plan_update(
    *, plan: SupervisionPlan, details: PlanDetails, by: User, now: dt.datetime | None = None
) -> SupervisionPlan:
    """Change a plan not yet drawn."""
    now = _now(now)
    locked = SupervisionPlan.objects.select_for_update().select_related("region").get(pk=plan.pk)
    _require_supervise(by, locked.region)
    if locked.status != PlanStatus.DRAFT:
        raise ValidationError(_("This plan has been drawn; a drawn plan is not changed."))
    checked = _plan_checked(details, locked.region, timezone.localdate(now))
    for name in ("title", "starts_on", "ends_on", "villages_to_draw", "night_checks_to_draw"):
        setattr(locked, name, getattr(checked, name))
    locked.note = checked.note
    _saved(locked, by, now)
    return locked


def plan_draw(
    *, plan: SupervisionPlan, by: User, now: dt.datetime | None = None, seed: int | None = None
) -> list[SupervisionVisit]:
    """Draw the plan once: spot checks of the villages drawn and unannounced night checks of the
    shifts drawn (scheduled, not yet over), with a seed kept on the plan."""
    now = _now(now)
    with transaction.atomic():
        locked = (
            SupervisionPlan.objects.select_for_update().select_related("region").get(pk=plan.pk)
        )
        _require_supervise(by, locked.region)
        if locked.status != PlanStatus.DRAFT:
            raise ValidationError(_("This plan has already been drawn; a plan is drawn once."))
        if locked.ends_on < timezone.localdate(now):
            raise ValidationError(_("This plan's days are over; there is nothing left to draw."))
        seed = secrets.randbelow(2**31) if seed is None else seed
        draw = draw_of(locked, seed, after=now)
        visits = [
            SupervisionVisit(
                plan=locked, region=village, kind=VisitKind.SPOT, planned_for=day, created_by=by
            )
            for village, day in draw.villages
        ] + [
            SupervisionVisit(
                plan=locked,
                region=village,
                kind=VisitKind.NIGHT,
                planned_for=shift.service_date,
                shift=shift,
                created_by=by,
            )
            for shift, village in draw.shifts
        ]
        if not visits:
            raise ValidationError(
                _("Nothing to draw: no village and no scheduled night shift in the plan's days.")
            )
        for visit in visits:
            _saved(visit, by, now, _("Drawn by the plan “%(title)s”") % {"title": locked.title})
        locked.seed, locked.status, locked.drawn_at = seed, PlanStatus.DRAWN, now
        _saved(locked, by, now, _("Drawn"))
    return visits


def _close_plan_when_done(plan_id: int | None, by: User | None, now: dt.datetime) -> None:
    if plan_id is None:
        return
    plan = SupervisionPlan.objects.select_for_update().get(pk=plan_id)
    if plan.status == PlanStatus.DRAWN and not plan.visits.filter(status=V.PLANNED).exists():
        plan.status = PlanStatus.DONE
        _saved(plan, by, now, _("Every visit done or cancelled"))


# ---- visits ---------------------------------------------------------------------------------


def _night_shift(shift: Shift | None, village: Region, now: dt.datetime) -> Shift:
    """The shift a night check names: scheduled (published), a night shift, of the village,
    not yet over."""
    if shift is None:
        raise ValidationError({"shift": _("A night check names the night shift it checks.")})
    shift = Shift.objects.select_related("roster", "zone").get(pk=shift.pk)
    if shift.roster.status != RosterStatus.PUBLISHED:
        raise ValidationError(
            {"shift": _("That shift was not scheduled: its roster has not been published.")}
        )
    if not shift.night:
        raise ValidationError({"shift": _("That is not a night shift.")})
    if not shift_in_village(shift, village):
        raise ValidationError(
            {"shift": _("That shift is not one of %(village)s's.") % {"village": village.name}}
        )
    if shift.ends_at <= now:
        raise ValidationError({"shift": _("That shift is over; a night check is made during it.")})
    if SupervisionVisit.objects.filter(shift=shift).exclude(status=V.CANCELLED).exists():
        raise ValidationError({"shift": _("That shift already has a night check.")})
    return shift


@transaction.atomic
def visit_create(
    *,
    village: Region,
    kind: str,
    planned_for: dt.date | None,
    by: User,
    shift: Shift | None = None,
    now: dt.datetime | None = None,
) -> SupervisionVisit:
    """Plan a visit by hand: a routine inspection (announced to the village), a spot check or an
    unannounced night check of a scheduled night shift (neither told to the village)."""
    now = _now(now)
    if not can_supervise(by):
        raise NotYours(_("Only the township's office supervises its villages."))
    village = _village_of_township(village, by)
    if kind not in VisitKind.values:
        raise ValidationError({"kind": _("Choose the kind of visit.")})
    if kind == VisitKind.NIGHT:
        shift = _night_shift(shift, village, now)
        planned_for = shift.service_date
    elif shift is not None:
        raise ValidationError({"shift": _("Only a night check names a shift.")})
    if planned_for is None:
        raise ValidationError({"planned_for": _("Give the day of the visit.")})
    # (a night check is for a shift still to come or under way: one that began last evening
    # is checked after midnight)
    if kind != VisitKind.NIGHT and planned_for < timezone.localdate(now):
        raise ValidationError({"planned_for": _("A visit is planned for today or a later day.")})
    visit = SupervisionVisit(
        region=village, kind=kind, planned_for=planned_for, shift=shift, created_by=by
    )
    _saved(visit, by, now)
    if kind == VisitKind.ROUTINE:  # announced; the others are not
        message = Phrase(
            gettext_noop("The township will inspect %(village)s on %(day)s."),
            village=village.name,
            day=f"{planned_for:%Y-%m-%d}",
        )
        url = reverse("governance:supervision_visit_detail", args=[visit.pk])
        for director in village_directors(village):
            notify(director, NOTICE_KIND, message, url)
    return visit


def _score(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        score = Decimal(-1)
    if not score.is_finite() or not 0 <= score <= 100 or score != score.quantize(Decimal("0.1")):
        raise ValidationError({"score": _("Give a score from 0 to 100, one decimal at most.")})
    return score


def _record_visit(move: Move[SupervisionVisit]) -> None:
    if move.to == V.DONE and move.obj.kind == VisitKind.NIGHT and move.obj.shift is not None:
        found: set[int] = getattr(move.obj, "_found_ids", set())
        now = move.obj.visited_at or timezone.now()
        for claimed in claimed_by(move.obj.shift, now):
            if claimed.person.pk in found:
                continue
            finding = SupervisionFinding(
                visit=move.obj,
                region_id=move.obj.region_id,
                kind=FindingKind.NOT_FOUND,
                severity=Severity.SERIOUS,
                text=_("%(name)s checked in at %(time)s at %(point)s but was not found on patrol.")
                % {
                    "name": claimed.person.name,
                    "time": f"{timezone.localtime(claimed.at):%H:%M}",
                    "point": claimed.point,
                },
                person=claimed.person,
                recorded_at=now,
            )
            _saved(finding, move.by, getattr(move.obj, "_history_date", now))
    if move.to in (V.DONE, V.CANCELLED):
        _close_plan_when_done(
            move.obj.plan_id, move.by, getattr(move.obj, "_history_date", timezone.now())
        )


VISIT_TRANSITIONS: dict[str, set[str]] = {
    V.PLANNED: {V.DONE, V.CANCELLED},
    V.DONE: set(),
    V.CANCELLED: set(),
}
VISIT_LIFECYCLE: Lifecycle[SupervisionVisit] = Lifecycle(
    SupervisionVisit,
    VisitStatus,
    VISIT_TRANSITIONS,
    thing=gettext_lazy("visit"),
    may=lambda visit, user, to: can_supervise(user, visit.region),
    refused_by_who=gettext_lazy("Only the township's office supervises its villages."),
    refusals={
        V.DONE: gettext_lazy("Only a planned visit is recorded; this one is “%(current)s”."),
        V.CANCELLED: gettext_lazy("Only a planned visit is cancelled; this one is “%(current)s”."),
    },
    record=_record_visit,
    related=("region", "shift"),
)


def visit_record(
    *,
    visit: SupervisionVisit,
    visited_at: dt.datetime | None,
    inspectors: str,
    score: Any,
    summary: str,
    by: User,
    found_people: Iterable[Person] = (),
    now: dt.datetime | None = None,
) -> SupervisionVisit:
    """Record a visit made. A night check is made during its shift; `found_people` are those of
    the shift the inspectors found on patrol, and each other person who had checked in by then
    gets a finding "checked in but not found"."""
    now = _now(now)
    names = _text(
        inspectors, field="inspectors", limit=MAX_INSPECTORS, required=_("Name the inspectors.")
    )
    text = _text(summary, field="summary")
    checked_score = _score(score)
    found = list(found_people)

    def check(locked: SupervisionVisit) -> None:
        if visited_at is None:
            raise ValidationError({"visited_at": _("Give the time of the visit.")})
        if visited_at > now:
            raise ValidationError({"visited_at": _("A visit is recorded once it has been made.")})
        if locked.kind == VisitKind.NIGHT and locked.shift is not None:
            shift = locked.shift
            if not shift.starts_at <= visited_at <= shift.ends_at:
                raise ValidationError(
                    {
                        "visited_at": _(
                            "A night check is made during its shift (%(starts)s–%(ends)s)."
                        )
                        % {
                            "starts": f"{timezone.localtime(shift.starts_at):%Y-%m-%d %H:%M}",
                            "ends": f"{timezone.localtime(shift.ends_at):%H:%M}",
                        }
                    }
                )
            on_shift = {a.person_id for a in shift_people(shift)}
            if any(p.pk not in on_shift for p in found):
                raise ValidationError(
                    {"found_people": _("Only the shift's own people can be found on it.")}
                )
        elif found:
            raise ValidationError(
                {"found_people": _("Only a night check records who was found on patrol.")}
            )
        elif timezone.localdate(visited_at) < locked.planned_for - dt.timedelta(days=31):
            raise ValidationError({"visited_at": _("That is long before the visit's planned day.")})

    def apply(locked: SupervisionVisit) -> None:
        locked.visited_at, locked.inspectors, locked.summary = visited_at, names, text
        locked.score, locked.recorded_by = checked_score, by
        if locked.kind == VisitKind.NIGHT:
            locked.found_on_duty = len({p.pk for p in found})
        locked._found_ids = {p.pk for p in found}  # type: ignore[attr-defined]
        locked._history_user, locked._history_date = by, now
        locked._change_reason = _("Recorded")

    return VISIT_LIFECYCLE.move(visit, V.DONE, by=by, check=check, apply=apply)


def visit_cancel(
    *, visit: SupervisionVisit, reason: str, by: User, now: dt.datetime | None = None
) -> SupervisionVisit:
    now = _now(now)
    why = _text(reason, field="reason", limit=100, required=_("Say why the visit is cancelled."))

    def apply(locked: SupervisionVisit) -> None:
        locked._history_user, locked._history_date, locked._change_reason = by, now, why

    return VISIT_LIFECYCLE.move(visit, V.CANCELLED, by=by, note=why, apply=apply)


# ---- findings -------------------------------------------------------------------------------


def _photo(
    finding: SupervisionFinding, upload: CheckedFile | Any, by: User, now: dt.datetime
) -> FindingPhoto:
    try:
        checked = check_upload(upload, allow_pdf=False)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from None
    return FindingPhoto.objects.create(
        finding=finding,
        region_id=finding.region_id,
        file=checked.file,
        content_type=checked.content_type,
        size=checked.size,
        original_name=checked.name[:200],
        uploaded_by=by,
        uploaded_at=now,
    )


@transaction.atomic
def finding_add(
    *,
    visit: SupervisionVisit,
    kind: str,
    text: str,
    by: User,
    severity: str = Severity.MINOR,
    organisation: Organisation | None = None,
    person: Person | None = None,
    photos: Iterable[CheckedFile | Any] = (),
    now: dt.datetime | None = None,
) -> SupervisionFinding:
    """What the inspectors found on a visit made: a problem or a good practice, about an
    organisation or a person of the village, with photos."""
    now = _now(now)
    locked = SupervisionVisit.objects.select_for_update().select_related("region").get(pk=visit.pk)
    _require_supervise(by, locked.region)
    if locked.status != V.DONE:
        raise ValidationError(_("Record the visit first: findings are kept with a visit made."))
    if kind not in (FindingKind.PROBLEM, FindingKind.GOOD):
        raise ValidationError({"kind": _("Choose a problem or a good practice.")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Choose how serious it is.")})
    body = _text(text, field="text", required=_("Say what was found."))
    _of_village(locked.region_id, organisation, person)
    finding = SupervisionFinding(
        visit=locked,
        region_id=locked.region_id,
        kind=kind,
        severity=severity if kind == FindingKind.PROBLEM else Severity.MINOR,
        text=body,
        organisation=organisation,
        person=person,
        recorded_at=now,
    )
    _saved(finding, by, now)
    for upload in photos:
        _photo(finding, upload, by, now)
    return finding


@transaction.atomic
def photo_add(
    *,
    finding: SupervisionFinding,
    upload: CheckedFile | Any,
    by: User,
    now: dt.datetime | None = None,
) -> FindingPhoto:
    now = _now(now)
    locked = (
        SupervisionFinding.objects.select_for_update().select_related("region").get(pk=finding.pk)
    )
    _require_supervise(by, locked.region)
    return _photo(locked, upload, by, now)


# ---- rectification tasks ----------------------------------------------------------------------


def _deadline(value: dt.date | None, now: dt.datetime) -> dt.date:
    if value is None:
        raise ValidationError({"deadline": _("Give the deadline.")})
    if value < timezone.localdate(now):
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if value > timezone.localdate(now) + dt.timedelta(days=366):
        raise ValidationError({"deadline": _("Give a deadline within a year.")})
    return value


def _task_url(task: RectificationTask) -> str:
    return reverse("governance:supervision_task_detail", args=[task.pk])


@transaction.atomic
def task_create(
    *,
    finding: SupervisionFinding,
    text: str,
    deadline: dt.date | None,
    by: User,
    organisation: Organisation | None = None,
    person: Person | None = None,
    now: dt.datetime | None = None,
) -> RectificationTask:
    """A problem found becomes a task for the village to put right by a deadline; the village's
    directors are told."""
    now = _now(now)
    locked = (
        SupervisionFinding.objects.select_for_update().select_related("region").get(pk=finding.pk)
    )
    _require_supervise(by, locked.region)
    if locked.kind == FindingKind.GOOD:
        raise ValidationError(_("A good practice needs no rectification; choose a problem found."))
    body = _text(text, field="text", required=_("Say what is to be put right."))
    day = _deadline(deadline, now)
    _of_village(locked.region_id, organisation, person)
    task = RectificationTask(
        finding=locked,
        region_id=locked.region_id,
        text=body,
        organisation=organisation,
        person=person,
        deadline=day,
        created_by=by,
        created_at=now,
    )
    _saved(task, by, now)
    message = Phrase(
        gettext_noop(
            "A rectification task for %(village)s, to be put right by %(deadline)s: %(text)s"
        ),
        village=locked.region.name,
        deadline=f"{day:%Y-%m-%d}",
        text=body[:80],
    )
    for director in village_directors(locked.region):
        notify(director, NOTICE_KIND, message, _task_url(task))
    return task


def _task_notices(move: Move[RectificationTask]) -> list[Notice]:
    task, url = move.obj, _task_url(move.obj)
    village = task.region
    params = {"village": village.name, "text": task.text[:60]}
    if move.to == T.REPORTED:
        message = Phrase(
            gettext_noop("%(village)s reports the rectification “%(text)s” done; re-check it."),
            **params,
        )
        return [Notice(u, NOTICE_KIND, message, url) for u in township_officers(village)]
    if move.to == T.OPEN:
        message = Phrase(
            gettext_noop(
                "The re-check of “%(text)s” in %(village)s failed: put it right by %(deadline)s."
            ),
            deadline=f"{task.deadline:%Y-%m-%d}",
            **params,
        )
        return [Notice(u, NOTICE_KIND, message, url) for u in village_directors(village)]
    return []


TASK_TRANSITIONS: dict[str, set[str]] = {
    T.OPEN: {T.REPORTED, T.CANCELLED},
    T.REPORTED: {T.VERIFIED, T.OPEN, T.CANCELLED},
    T.VERIFIED: set(),
    T.CANCELLED: set(),
}


def _may_move_task(task: RectificationTask, user: User, to: str) -> bool:
    """The village's director reports a task done (or the township records the report the
    village made on paper or by phone); the township re-checks and cancels."""
    if to == T.REPORTED:
        return can_report(user, task.region) or can_supervise(user, task.region)
    return can_supervise(user, task.region)


TASK_LIFECYCLE: Lifecycle[RectificationTask] = Lifecycle(
    RectificationTask,
    TaskStatus,
    TASK_TRANSITIONS,
    thing=gettext_lazy("rectification task"),
    may=_may_move_task,
    refused_by_who=gettext_lazy(
        "The village's director reports a rectification done; the township re-checks it."
    ),
    refusals={
        T.REPORTED: gettext_lazy("Only an open task is reported done; this one is “%(current)s”."),
        T.VERIFIED: gettext_lazy(
            "Only a task reported done is re-checked; this one is “%(current)s”."
        ),
    },
    notices=_task_notices,
    related=("region",),
)


def _stamp(locked: RectificationTask, by: User, now: dt.datetime, reason: str) -> None:
    locked._history_user, locked._history_date, locked._change_reason = by, now, reason[:100]


def task_report(
    *, task: RectificationTask, report: str, by: User, now: dt.datetime | None = None
) -> RectificationTask:
    """The village's director reports the task done, saying what was done (the township may
    record a report the village made on paper or by phone)."""
    now = _now(now)
    body = _text(report, field="report", required=_("Say what was done."))

    def apply(locked: RectificationTask) -> None:
        locked.report, locked.reported_on = body, timezone.localdate(now)
        _stamp(locked, by, now, _("Reported done"))

    return TASK_LIFECYCLE.move(task, T.REPORTED, by=by, note=body, apply=apply)


def task_recheck(
    *,
    task: RectificationTask,
    passed: bool,
    note: str,
    by: User,
    new_deadline: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RectificationTask:
    """The township re-checks a task reported done: verified, or open again with a new deadline
    (the failed re-checks are counted)."""
    now = _now(now)
    why = _text(note, field="recheck_note", required=_("Say what the re-check found."))
    if not passed:
        day = _deadline(new_deadline, now)

    def apply(locked: RectificationTask) -> None:
        locked.rechecked_on, locked.recheck_note = timezone.localdate(now), why
        if not passed:
            locked.deadline, locked.rechecks = day, locked.rechecks + 1
        _stamp(locked, by, now, _("Re-checked: passed") if passed else _("Re-checked: failed"))

    to = T.VERIFIED if passed else T.OPEN
    if not passed and task.status != T.REPORTED:  # "open → open" reads better as this
        fresh = RectificationTask.objects.get(pk=task.pk)
        if fresh.status != T.REPORTED:
            raise TASK_LIFECYCLE.refusal(fresh, T.VERIFIED)
    return TASK_LIFECYCLE.move(task, to, by=by, note=why, apply=apply)


def task_cancel(
    *, task: RectificationTask, reason: str, by: User, now: dt.datetime | None = None
) -> RectificationTask:
    now = _now(now)
    why = _text(reason, field="reason", limit=100, required=_("Say why the task is cancelled."))

    def apply(locked: RectificationTask) -> None:
        _stamp(locked, by, now, why)

    return TASK_LIFECYCLE.move(task, T.CANCELLED, by=by, note=why, apply=apply)


# ---- reminders ------------------------------------------------------------------------------


def send_overdue_reminders(now: dt.datetime | None = None) -> int:
    """Tell a village's directors, once, of each open task whose deadline passed yesterday; how
    many messages were sent. Running twice on a day sends nothing more."""
    from qunfang.core.models import Notification

    now = _now(now)
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    sent = 0
    tasks = RectificationTask.objects.filter(status=T.OPEN, deadline=yesterday).select_related(
        "region"
    )
    for task in tasks.order_by("pk"):
        url = _task_url(task)
        message = Phrase(
            gettext_noop("The rectification “%(text)s” in %(village)s was due on %(deadline)s."),
            text=task.text[:60],
            village=task.region.name,
            deadline=f"{task.deadline:%Y-%m-%d}",
        )
        for director in village_directors(task.region):
            if Notification.objects.filter(user=director, kind="overdue", url=url).exists():
                continue
            notify(director, "overdue", message, url)
            sent += 1
    return sent
