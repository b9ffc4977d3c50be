"""Swaps: a member (or a planner for them) asks that someone else take a shift; the director
approves or rejects it, and whoever asked may withdraw it while it waits. The swap's lifecycle
writes its history and tells those concerned; an approved swap hands the shift over, and a
household's turn passes in the duty ledger when it goes to another household."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.core.lifecycle import Lifecycle, Move, Notice
from qunfang.core.phrases import Phrase
from qunfang.patrols.models import (
    Assignment,
    DutyLedgerEntry,
    LedgerKind,
    Outcome,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.selectors.common import change_or_403, may_change
from qunfang.patrols.selectors.people import replacement_problems
from qunfang.patrols.services.shifts import MY_PAGE
from qunfang.registry.models import Person


@transaction.atomic
def request_swap(*, assignment: Assignment, replacement: Person, reason: str, by) -> SwapRequest:
    if assignment.person.account_id != by.pk:  # the member on duty, or a planner on their behalf
        change_or_403(by, assignment)
    if assignment.outcome != Outcome.PLANNED or assignment.shift.starts_at <= timezone.now():
        raise ValidationError(_("Only a shift that has not started can be swapped."))
    if assignment.swap_requests.filter(status=SwapStatus.PENDING).exists():
        raise ValidationError(_("A swap for this shift is already waiting for the director."))
    problems = replacement_problems(assignment, replacement)
    if problems:
        raise ValidationError(problems)
    return SwapRequest.objects.create(
        assignment=assignment,
        region_id=assignment.region_id,
        zone_id=assignment.zone_id,
        replacement=replacement,
        reason=reason,
        requested_by=by,
    )


SWAP_MOVES: dict[str, frozenset[str]] = {
    SwapStatus.PENDING: frozenset({SwapStatus.APPROVED, SwapStatus.REJECTED, SwapStatus.WITHDRAWN}),
    SwapStatus.APPROVED: frozenset(),
    SwapStatus.REJECTED: frozenset(),
    SwapStatus.WITHDRAWN: frozenset(),
}


def _may_move_swap(swap: SwapRequest, user, to: str) -> bool:
    """The director decides; whoever asked, or the member on duty, may also withdraw it."""
    asked = user.pk in (swap.requested_by_id, swap.assignment.person.account_id)
    return (to == SwapStatus.WITHDRAWN and asked) or may_change(user, swap)


def _swap_notices(move: Move[SwapRequest]) -> list[Notice]:
    """A decided swap: whoever takes the shift over hears, and whoever asked hears the verdict."""
    if move.to not in (SwapStatus.APPROVED, SwapStatus.REJECTED):
        return []
    swap, approved = move.obj, move.to == SwapStatus.APPROVED
    day, shift = swap.assignment.shift.service_date, swap.assignment.shift.pattern.name
    taken = Phrase(
        gettext_noop("You take over a shift on %(day)s: %(shift)s."), day=day, shift=shift
    )
    verdict = Phrase(gettext_noop("approved") if approved else gettext_noop("rejected"))
    told = Phrase(gettext_noop("Your swap for %(day)s was %(verdict)s."), day=day, verdict=verdict)
    notices = [Notice(swap.replacement.account, "roster", taken, MY_PAGE)] if approved else []
    return [*notices, Notice(swap.requested_by, "roster", told, MY_PAGE)]


# The swap's history rows are its line of every move.
SWAP_LIFECYCLE = Lifecycle(
    SwapRequest,
    SwapStatus,
    SWAP_MOVES,
    may=_may_move_swap,
    notices=_swap_notices,
    related=("assignment__shift__pattern", "assignment__person", "replacement", "requested_by"),
)


def _hand_over(swap: SwapRequest, by) -> None:
    """An approved swap: the replacement takes the shift; a household's turn passes in the duty
    ledger when it goes to another household."""
    assignment, original = swap.assignment, swap.assignment.person
    new_household = swap.replacement.household_id if assignment.household_id else None
    if assignment.household_id and new_household != assignment.household_id:
        passed = _("turn passed to household %(h)s") % {"h": swap.replacement.household}
        taken = _("took over from household %(h)s") % {"h": original.household}
        DutyLedgerEntry.of_turn(assignment, LedgerKind.SWAPPED, by=by, note=passed).save()
        # the replacement for a household's turn is a member of the group's households
        DutyLedgerEntry.of_turn(
            assignment, LedgerKind.OWED, by=by, household_id=new_household, note=taken
        ).save()
        assignment.household_id = new_household
    assignment.person = swap.replacement
    assignment.save()


@transaction.atomic
def decide_swap(*, swap: SwapRequest, approve: bool, by, note: str = "") -> SwapRequest:
    change_or_403(by, swap)

    def check(locked: SwapRequest) -> None:
        if not approve:
            return
        assignment = locked.assignment
        if assignment.outcome != Outcome.PLANNED or assignment.shift.starts_at <= timezone.now():
            raise ValidationError(_("The shift has started; the swap can no longer be approved."))
        problems = replacement_problems(assignment, locked.replacement)
        if problems:
            raise ValidationError(problems)

    def apply(locked: SwapRequest) -> None:
        if approve:
            _hand_over(locked, by)
        locked.decided_by, locked.decided_at, locked.decision_note = by, timezone.now(), note

    to = SwapStatus.APPROVED if approve else SwapStatus.REJECTED
    return SWAP_LIFECYCLE.move(swap, to, by=by, note=note, check=check, apply=apply)


@transaction.atomic
def withdraw_swap(*, swap: SwapRequest, by) -> SwapRequest:
    if by.pk not in (swap.requested_by_id, swap.assignment.person.account_id):
        change_or_403(by, swap)

    def apply(locked: SwapRequest) -> None:
        locked.decided_by, locked.decided_at = by, timezone.now()

    return SWAP_LIFECYCLE.move(swap, SwapStatus.WITHDRAWN, by=by, apply=apply)
