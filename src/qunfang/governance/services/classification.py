"""分类指导 and rebuilding (整顿重建): the writes (reads are in `selectors.classification`).

The township classifies each village by its security situation, economic condition and main
organisation form, and marks its standing: a model village (以点带面, its guidance is what the
others learn from), ordinary, backward or paralysed. The classification keeps its history (who
set what, when).

A backward or paralysed village is put under a rebuilding plan, at most one open at a time:

    open ──complete (every step done)──▶ completed
      └───abandon (with the reason)────▶ abandoned

Steps have an owner and a due date; a step is marked done once. The village's leader in charge
is told of steps that have fallen overdue (`send_overdue_step_reminders`, daily). Only the
township's officers write here. Refusals raise ValidationError or NotYours, translated, and
change nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.core.days import local_midnight
from qunfang.core.models import Notification, Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.permissions import NotYours
from qunfang.core.phrases import Phrase
from qunfang.governance.models import (
    Economy,
    RebuildingPlan,
    RebuildingStatus,
    RebuildingStep,
    SecuritySituation,
    Standing,
    VillageClass,
    VillageLeader,
)
from qunfang.governance.services.leadership import _stamp, can_lead
from qunfang.registry.models import OrgForm

UNDER_PLAN = (Standing.BACKWARD, Standing.PARALYSED)
MAX_TITLE = 120
MAX_STEP = 200
MAX_OWNER = 50
MAX_NOTE = 200
NOTICE_KIND = "overdue"
REMIND_EVERY = 7  # days: told the day a step falls overdue, then weekly while it stays so


def _township_only(by: User, village: Region) -> None:
    if not can_lead(by, village):
        raise NotYours(
            _("Only the township's office classifies villages and keeps their rebuilding plans.")
        )


# ---- classification -------------------------------------------------------------------------


def village_classify(
    *,
    village: Region,
    by: User,
    situation: str,
    economy: str,
    org_form: str,
    standing: str,
    guidance: str = "",
    on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> VillageClass:
    """Set (or change) the village's class; the earlier one stays in the history."""
    if village.kind != RegionKind.VILLAGE:
        raise ValidationError(_("Choose a village."))
    _township_only(by, village)
    errors = {}
    if situation not in SecuritySituation.values:
        errors["situation"] = _("Choose the security situation.")
    if economy not in Economy.values:
        errors["economy"] = _("Choose the economic condition.")
    if org_form not in OrgForm.values:
        errors["org_form"] = _("Choose the organisation form.")
    if standing not in Standing.values:
        errors["standing"] = _("Choose the standing.")
    guidance = guidance.strip()
    if standing == Standing.MODEL and not guidance:
        errors["guidance"] = _(
            "Say what the other villages can learn from a model village (以点带面)."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found = VillageClass.objects.select_for_update().filter(region=village).first()
        record = found or VillageClass(region=village)
        record.situation, record.economy, record.org_form = situation, economy, org_form
        record.standing, record.guidance = standing, guidance
        record.classified_on = on or timezone.localdate(now)
        record.classified_by = by
        _stamp(record, by, now, _("Classified") if found is None else _("Classification changed"))
        record.save()
    return record


# ---- rebuilding plans -------------------------------------------------------------------------


def plan_refusal(village: Region) -> str:
    """Why a rebuilding plan cannot be opened for the village now, or ""."""
    found = VillageClass.objects.filter(region=village).first()
    if found is None or found.standing not in UNDER_PLAN:
        return _(
            "A rebuilding plan is for a village classified as backward or paralysed; classify "
            "it first."
        )
    if RebuildingPlan.objects.filter(region=village, status=RebuildingStatus.OPEN).exists():
        return _("This village already has a rebuilding plan under way.")
    return ""


def plan_open(
    *,
    village: Region,
    by: User,
    title: str,
    reason: str,
    target_on: dt.date,
    starts_on: dt.date | None = None,
    leader: str = "",
    now: dt.datetime | None = None,
) -> RebuildingPlan:
    """Open a rebuilding plan for a backward or paralysed village; the township leader
    responsible defaults to the village's leader in charge."""
    if village.kind != RegionKind.VILLAGE:
        raise ValidationError(_("Choose a village."))
    _township_only(by, village)
    starts_on = starts_on or timezone.localdate(now)
    title, reason, leader = title.strip(), reason.strip(), leader.strip()
    if not title or not reason:
        raise ValidationError(_("Give the plan's title and why the village needs it."))
    if len(title) > MAX_TITLE or len(leader) > MAX_OWNER:
        raise ValidationError(_("The title or the leader's name is too long."))
    if target_on < starts_on:
        raise ValidationError({"target_on": _("The plan is done after it starts.")})
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=village.pk).first()
        refusal = plan_refusal(village)
        if refusal:
            raise ValidationError(refusal)
        if not leader:
            current = VillageLeader.objects.filter(region=village, ends_on__isnull=True).first()
            leader = current.name if current else ""
        plan = RebuildingPlan(
            region=village,
            title=title,
            reason=reason,
            starts_on=starts_on,
            target_on=target_on,
            leader=leader,
            created_by=by,
        )
        _stamp(plan, by, now, _("Plan opened"))
        plan.save()
    return plan


def _open_plan(plan: RebuildingPlan) -> RebuildingPlan:
    locked = RebuildingPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != RebuildingStatus.OPEN:
        raise ValidationError(
            _("This plan is %(status)s; it can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def step_add(
    *,
    plan: RebuildingPlan,
    by: User,
    text: str,
    owner: str,
    due_on: dt.date,
    now: dt.datetime | None = None,
) -> RebuildingStep:
    """Add a step, with who answers for it and by when."""
    _township_only(by, plan.region)
    text, owner = text.strip(), owner.strip()
    if not text or not owner:
        raise ValidationError(_("Give the step and who answers for it."))
    if len(text) > MAX_STEP or len(owner) > MAX_OWNER:
        raise ValidationError(_("The step or the owner's name is too long."))
    with transaction.atomic():
        locked = _open_plan(plan)
        if due_on < locked.starts_on:
            raise ValidationError(
                {
                    "due_on": _("The plan began on %(since)s; a step falls due after that.")
                    % {"since": f"{locked.starts_on:%Y-%m-%d}"}
                }
            )
        if due_on > locked.target_on:
            raise ValidationError(
                {
                    "due_on": _("The plan is to be done by %(target)s; a step falls due by then.")
                    % {"target": f"{locked.target_on:%Y-%m-%d}"}
                }
            )
        step = RebuildingStep(plan=locked, text=text, owner=owner, due_on=due_on)
        _stamp(step, by, now, _("Step added"))
        step.save()
    return step


def step_done(
    *,
    step: RebuildingStep,
    by: User,
    done_on: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> RebuildingStep:
    """Mark a step done (once; not in the future)."""
    done_on = done_on or timezone.localdate(now)
    _township_only(by, step.plan.region)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("The note is too long."))
    if done_on > timezone.localdate(now):
        raise ValidationError(_("A step is marked done once it has been done."))
    with transaction.atomic():
        locked_plan = _open_plan(step.plan)
        locked = RebuildingStep.objects.select_for_update().get(pk=step.pk)
        if locked.done_on is not None:
            raise ValidationError(_("This step has already been marked done."))
        if done_on < locked_plan.starts_on:
            raise ValidationError(_("A step is done after the plan began."))
        locked.done_on, locked.note = done_on, note
        _stamp(locked, by, now, _("Step done"))
        locked.save(update_fields=["done_on", "note"])
    return locked


def plan_complete(
    *,
    plan: RebuildingPlan,
    by: User,
    outcome: str,
    on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RebuildingPlan:
    """Close the plan as completed: every step done, with the outcome."""
    on = on or timezone.localdate(now)
    _township_only(by, plan.region)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what the rebuilding achieved.")})
    with transaction.atomic():
        locked = _open_plan(plan)
        if not locked.steps.exists():
            raise ValidationError(_("A plan with no steps cannot be completed."))
        waiting = locked.steps.filter(done_on__isnull=True).count()
        if waiting:
            raise ValidationError(
                _("%(n)s step(s) are not done yet; the plan is completed once every step is.")
                % {"n": waiting}
            )
        locked.status, locked.closed_on, locked.outcome = RebuildingStatus.COMPLETED, on, outcome
        _stamp(locked, by, now, _("Plan completed"))
        locked.save(update_fields=["status", "closed_on", "outcome"])
    return locked


def plan_abandon(
    *,
    plan: RebuildingPlan,
    by: User,
    reason: str,
    on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RebuildingPlan:
    """Give the plan up, saying why (the village may be put under a new one)."""
    on = on or timezone.localdate(now)
    _township_only(by, plan.region)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the plan is abandoned.")})
    with transaction.atomic():
        locked = _open_plan(plan)
        locked.status, locked.closed_on, locked.outcome = RebuildingStatus.ABANDONED, on, reason
        _stamp(locked, by, now, _("Plan abandoned"))
        locked.save(update_fields=["status", "closed_on", "outcome"])
    return locked


# ---- reminders --------------------------------------------------------------------------------


def send_overdue_step_reminders(today: dt.date | None = None) -> int:
    """Tell each open plan's village leader in charge of its steps overdue: the day after a
    step fell due, then weekly while it stays undone. Returns the number of messages."""
    today = today or timezone.localdate()
    steps = (
        RebuildingStep.objects.filter(
            plan__status=RebuildingStatus.OPEN, done_on__isnull=True, due_on__lt=today
        )
        .select_related("plan__region")
        .order_by("plan", "due_on", "pk")
    )
    due = [s for s in steps if (today - s.due_on).days % REMIND_EVERY == 1]
    if not due:
        return 0
    leaders = {
        leader.region_id: leader
        for leader in VillageLeader.objects.filter(
            region__in={s.plan.region_id for s in due}, ends_on__isnull=True, user__isnull=False
        ).select_related("user")
    }
    since = local_midnight(today)
    told_today = [
        (row["user_id"], row["url"], row["message"])
        for row in Notification.objects.filter(
            kind=NOTICE_KIND,
            user__in=[leader.user_id for leader in leaders.values()],
            created_at__gte=since,
            created_at__lt=since + dt.timedelta(days=1),
        ).values("user_id", "url", "message")
    ]
    sent = 0
    for step in due:
        leader = leaders.get(step.plan.region_id)
        account = leader.user if leader is not None else None
        if account is None:
            continue
        message = Phrase(
            gettext_noop(
                "Rebuilding plan of %(village)s: the step “%(step)s” (%(owner)s) was due on "
                "%(due)s and is not done."
            ),
            village=step.plan.region.name,
            step=step.text,
            owner=step.owner,
            due=f"{step.due_on:%Y-%m-%d}",
        )
        url = reverse("governance:plan_detail", args=[step.plan_id])
        if (account.pk, url, message.as_json()) in told_today:
            continue  # the day's run already told them (a retry, or cron beside the worker)
        if notify(account, NOTICE_KIND, message, url) is not None:
            sent += 1
    return sent
