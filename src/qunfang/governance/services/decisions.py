"""Decisions of meetings (决议事项): the writes (the reads are in `selectors.decisions`).

A decision is taken at a meeting that has been held: what is to be done, the person who owns it
(a person of the meeting's village, required) and the day it is due (not before the meeting).
It is then a task with a lifecycle:

    open → done (what was done, and when) | dropped (why);  done | dropped → open (reopened)

Who acts: whoever runs governance (RUN_GOVERNANCE: the village director, the township officer)
inside their own jurisdiction. Refusals raise ValidationError (by field where a field is at
fault) with a translated message and change nothing.

Reminders (`send_decision_reminders()`, a daily task and `qunfang send-decision-reminders`):
the owner (through their account, else the village's directors) is reminded `REMIND_DAYS_BEFORE`
days before the due date, and told once when it has passed with the decision still open.
`Decision.reminded_on` holds the day of the last message: each stage is told at most once, and a
decision never twice on one day; reopening starts the stages again."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from qunfang.core.lifecycle import Lifecycle
from qunfang.core.models import Region, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.governance.models import Decision, DecisionStatus, Meeting, MeetingStatus
from qunfang.registry.models import Person

REMIND_DAYS_BEFORE = 3
MAX_TEXT = 2000
REMINDER_KIND = "decision"  # core.notify.KIND_LABELS
OVERDUE_KIND = "overdue"

S = DecisionStatus
# the book's words for its states: "Open" alone is an open balance elsewhere (the duty ledger)
STATUS_LABELS = {
    S.OPEN: pgettext_lazy("decision", "Open"),
    S.DONE: S.DONE.label,
    S.DROPPED: S.DROPPED.label,
}
MOVES: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.DONE, S.DROPPED}),
    S.DONE: frozenset({S.OPEN}),
    S.DROPPED: frozenset({S.OPEN}),
}


# ---- who acts -------------------------------------------------------------------------------


def can_run(user: User, region: Region | None = None) -> bool:
    """Whoever runs governance records and follows up decisions, inside their jurisdiction."""
    if not (user.is_active and user.can(Perm.RUN_GOVERNANCE)):
        return False
    return region is None or user.works_in(region)


def _village(decision: Decision) -> Region:
    return decision.meeting.organisation.region


LIFECYCLE: Lifecycle[Decision] = Lifecycle(
    Decision,
    DecisionStatus,
    MOVES,
    may=lambda decision, user, to: can_run(user, _village(decision)),
    refusals={
        S.DONE: gettext_lazy("Only an open decision can be marked done."),
        S.DROPPED: gettext_lazy("Only an open decision can be dropped."),
        S.OPEN: gettext_lazy("Only a decision that is done or dropped can be reopened."),
    },
    related=("meeting__organisation__region",),
)


def meeting_day(meeting: Meeting) -> dt.date:
    """The day the meeting was held (or is planned for)."""
    return timezone.localdate(meeting.held_at or meeting.scheduled_at)


def _today() -> dt.date:
    return timezone.localdate()


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message)})


# ---- adding ---------------------------------------------------------------------------------


@transaction.atomic
def decision_add(
    *, meeting: Meeting, text: str, owner: Person | None, due_on: dt.date | None, by: User
) -> Decision:
    """A decision taken at a held meeting, owned by a person of its village, due on or after the
    day of the meeting."""
    if not can_run(by, meeting.organisation.region):
        raise PermissionDenied
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation__region")
        .get(pk=meeting.pk)
    )
    if locked.status != MeetingStatus.HELD:
        raise ValidationError(_("Decisions are recorded for a meeting that has been held."))
    text = text.strip()
    if not text:
        raise _field_error("text", _("Write down what was decided."))
    if len(text) > MAX_TEXT:
        raise _field_error("text", _("Keep a decision under %(n)d characters.") % {"n": MAX_TEXT})
    if owner is None:
        raise _field_error("owner", _("Name the person responsible for carrying it out."))
    village = locked.organisation.region
    if owner.region_id != village.pk and not village.contains(owner.region):
        raise _field_error(
            "owner",
            _("The person responsible must be of %(village)s.") % {"village": village.name},
        )
    if due_on is None:
        raise _field_error("due_on", _("Give the day by which it is to be done."))
    held_on = meeting_day(locked)
    if due_on < held_on:
        raise _field_error(
            "due_on",
            _("The due date cannot come before the meeting (%(day)s).")
            % {"day": f"{held_on:%Y-%m-%d}"},
        )
    return Decision.objects.create(meeting=locked, text=text, owner=owner, due_on=due_on)


# ---- moves ----------------------------------------------------------------------------------


def decision_done(
    *, decision: Decision, outcome: str, done_on: dt.date | None, by: User
) -> Decision:
    """Mark it done: what was done, and the day (not in the future, not before the meeting)."""
    outcome = outcome.strip()

    def check(locked: Decision) -> None:
        if not outcome:
            raise _field_error("outcome", _("Say what was done."))
        if done_on is None:
            raise _field_error("done_on", _("Give the day it was done."))
        if done_on > _today():
            raise _field_error("done_on", _("The day it was done lies in the future."))
        held_on = meeting_day(locked.meeting)
        if done_on < held_on:
            raise _field_error(
                "done_on",
                _("It cannot have been done before the meeting (%(day)s).")
                % {"day": f"{held_on:%Y-%m-%d}"},
            )

    def apply(locked: Decision) -> None:
        locked.outcome, locked.done_on = outcome, done_on

    return LIFECYCLE.move(decision, S.DONE, by=by, note=outcome, check=check, apply=apply)


def decision_drop(*, decision: Decision, reason: str, by: User) -> Decision:
    """Drop it (no longer to be done), saying why; the reason is kept as its outcome."""
    reason = reason.strip()

    def check(locked: Decision) -> None:
        if not reason:
            raise _field_error("outcome", _("Say why the decision is dropped."))

    def apply(locked: Decision) -> None:
        locked.outcome, locked.done_on = reason, None

    return LIFECYCLE.move(decision, S.DROPPED, by=by, note=reason, check=check, apply=apply)


def decision_reopen(
    *, decision: Decision, reason: str, by: User, due_on: dt.date | None = None
) -> Decision:
    """Open it again (saying why, kept in its history), with a new due date if given (today or
    later); the reminders start again."""
    reason = reason.strip()

    def check(locked: Decision) -> None:
        if not reason:
            raise _field_error("outcome", _("Say why the decision is reopened."))
        if due_on is not None and due_on < _today():
            raise _field_error("due_on", _("A new due date is today or later."))

    def apply(locked: Decision) -> None:
        locked.done_on, locked.reminded_on = None, None
        if due_on is not None:
            locked.due_on = due_on
        locked._change_reason = reason[:100]  # simple_history keeps it on the history row

    return LIFECYCLE.move(decision, S.OPEN, by=by, note=reason, check=check, apply=apply)


def decision_move(
    *,
    decision: Decision,
    to: str,
    by: User,
    outcome: str = "",
    on: dt.date | None = None,
    due_on: dt.date | None = None,
) -> Decision:
    """One entry for the move form: `to` done (outcome, on), dropped (outcome is the reason) or
    open (outcome is the reason, due_on a new due date)."""
    if to == S.DONE:
        return decision_done(decision=decision, outcome=outcome, done_on=on, by=by)
    if to == S.DROPPED:
        return decision_drop(decision=decision, reason=outcome, by=by)
    if to == S.OPEN:
        return decision_reopen(decision=decision, reason=outcome, due_on=due_on, by=by)
    raise ValidationError(_("Choose what becomes of the decision."))


# ---- reminders ------------------------------------------------------------------------------


def send_decision_reminders(now: dt.datetime | None = None) -> int:
    """Remind the owners of open decisions due within `REMIND_DAYS_BEFORE` days, and tell them
    once of those past due. Idempotent; returns the number of messages made."""
    today = timezone.localdate(now or timezone.now())
    soon = today + dt.timedelta(days=REMIND_DAYS_BEFORE)
    open_decisions = Decision.objects.filter(
        status=S.OPEN, meeting__status=MeetingStatus.HELD
    ).select_related("meeting__organisation__region", "owner__account")
    due_soon = [
        d
        for d in open_decisions.filter(due_on__gte=today, due_on__lte=soon)
        .exclude(reminded_on=today)
        .order_by("due_on", "pk")
        # not yet reminded in this stage: never, or before its reminder days began
        if d.reminded_on is None or d.reminded_on < d.due_on - dt.timedelta(days=REMIND_DAYS_BEFORE)
    ]
    overdue = (
        open_decisions.filter(due_on__lt=today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lte=F("due_on")))
        .order_by("due_on", "pk")
    )
    readers = _Readers()
    made = 0
    for decision in due_soon:
        made += _tell(decision, today, REMINDER_KIND, _reminder(decision), readers)
    for decision in overdue:
        made += _tell(decision, today, OVERDUE_KIND, _overdue(decision), readers)
    return made


def _tell(decision: Decision, today: dt.date, kind: str, message: Phrase, readers: _Readers) -> int:
    with transaction.atomic():
        # claim the stage: a run at the same time that got here first has told them
        claimed = Decision.objects.filter(pk=decision.pk, reminded_on=decision.reminded_on).update(
            reminded_on=today
        )
        if not claimed:
            return 0
        url = reverse("governance:decision_list") + f"?village={_village(decision).code}"
        return sum(
            bool(notify(reader, kind, message, url if reader.can(Perm.VIEW_GOVERNANCE) else ""))
            for reader in readers(decision)
        )


def _words(decision: Decision) -> dict[str, str]:
    meeting = decision.meeting
    return {
        "text": decision.text if len(decision.text) <= 40 else decision.text[:39] + "…",
        "meeting": meeting.title,
        "held": f"{meeting_day(meeting):%Y-%m-%d}",
        "due": f"{decision.due_on:%Y-%m-%d}",
        "owner": decision.owner.name,
    }


def _reminder(decision: Decision) -> Phrase:
    return Phrase(
        gettext_noop(
            "Reminder: “%(text)s”, decided at %(meeting)s on %(held)s, is due on %(due)s "
            "(responsible: %(owner)s)."
        ),
        **_words(decision),
    )


def _overdue(decision: Decision) -> Phrase:
    return Phrase(
        gettext_noop(
            "Overdue: “%(text)s”, decided at %(meeting)s on %(held)s, was due on %(due)s and is "
            "not done (responsible: %(owner)s)."
        ),
        **_words(decision),
    )


class _Readers:
    """Who is told of a decision: its owner through their account; without one, the village's
    directors (who run its governance); without those, the township's officers. Each village's
    list read once a run."""

    def __init__(self) -> None:
        self.by_village: dict[int, list[User]] = {}

    def __call__(self, decision: Decision) -> list[User]:
        account: User | None = decision.owner.account
        if account is not None and account.is_active:
            return [account]
        village = _village(decision)
        if village.pk not in self.by_village:
            self.by_village[village.pk] = self._directors(village)
        return self.by_village[village.pk]

    @staticmethod
    def _directors(village: Region) -> list[User]:
        directors = _holding(Perm.RUN_GOVERNANCE, [village.pk])
        if directors:
            return directors
        above: list[int] = []
        node = village.parent
        while node is not None:
            above.append(node.pk)
            node = node.parent
        return _holding(Perm.SUPERVISE_VILLAGES, above)


def _holding(perm: str, region_ids: list[int]) -> list[User]:
    """The active accounts of these regions (not below them) holding `perm` by their role (a
    system administrator holds every permission, and follows up no village's decisions)."""
    users = (
        User.objects.filter(region_id__in=region_ids, is_active=True)
        .prefetch_related("roles")
        .select_related("notification_preference")
        .order_by("pk")
    )
    return [u for u in users if u.can(perm) and not u.is_system_admin]
