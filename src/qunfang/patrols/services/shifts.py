"""A member's shifts after the roster is out: absences, settling a shift or a household's turn
by hand (the outcome, a buy-out, a stand-in) and reminders. Each write checks who may change
what (`selectors.common.change_or_403`): a village's planners act on its own records and
people, whoever runs a joint zone on the zone's records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.core.notify import notify, notify_by_sms
from qunfang.core.phrases import Phrase
from qunfang.patrols.models import (
    Absence,
    Assignment,
    DutyLedgerEntry,
    LedgerKind,
    Outcome,
    RosterStatus,
    SwapStatus,
)
from qunfang.patrols.selectors.common import change_or_403
from qunfang.patrols.selectors.people import eligible_members, replacement_problems
from qunfang.patrols.services.checkin import close_assignment
from qunfang.registry.models import Person

MY_PAGE = "/patrols/my/"  # where a rostered member reads about their shifts


# ---- absences -------------------------------------------------------------------------------


@transaction.atomic
def declare_absence(
    *, person: Person, starts_on: dt.date, ends_on: dt.date, reason: str, by
) -> Absence:
    if person.account_id != by.pk:  # the member themself, or the planners of their village
        change_or_403(by, person)
    if ends_on < starts_on:
        raise ValidationError(_("The absence ends before it starts."))
    if (ends_on - starts_on).days > 366:
        raise ValidationError(_("An absence can be declared for at most a year at a time."))
    if ends_on < timezone.localdate():
        raise ValidationError(_("An absence must not lie wholly in the past."))
    absence = Absence.objects.create(
        person=person, starts_on=starts_on, ends_on=ends_on, reason=reason, declared_by=by
    )
    return absence


def _notify(person: Person, message: Phrase, kind: str = "roster") -> None:
    """A rostered person hears through `notify()` when they have an account."""
    notify(person.account, kind, message, MY_PAGE)


# ---- settling a shift or a turn by hand ----------------------------------------------------


def record_outcome(*, assignment: Assignment, outcome: str, by, note: str = "") -> Assignment:
    """A director settles or corrects a shift by hand (the paper register, an excuse)."""
    change_or_403(by, assignment)
    if outcome not in Outcome.values or outcome == Outcome.PLANNED:
        raise ValidationError(_("Choose how the shift ended."))
    if assignment.shift.roster.status != RosterStatus.PUBLISHED:
        raise ValidationError(_("Only a shift of a published roster can be settled."))
    if outcome != Outcome.EXCUSED and assignment.shift.starts_at > timezone.now():
        raise ValidationError(_("A shift that has not started can only be excused."))
    if outcome == Outcome.EXCUSED and not note.strip():
        raise ValidationError(_("Give the reason for the excuse."))
    return close_assignment(assignment, outcome=outcome, by=by, note=note.strip())


@transaction.atomic
def buy_out(*, assignment: Assignment, amount: Decimal, by, note: str = "") -> DutyLedgerEntry:
    """A household pays instead of serving its turn; the payment goes to the funds books."""
    change_or_403(by, assignment)
    # lock the turn: two clicks on "record payment" must not write two payments
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__pattern", "shift__roster")
        .get(pk=assignment.pk)
    )
    if not assignment.household_id or not assignment.shift.pattern.household_group_id:
        raise ValidationError(_("Only a household's turn can be bought out."))
    if assignment.shift.roster.status != RosterStatus.PUBLISHED:
        raise ValidationError(_("Only a turn on a published roster can be bought out."))
    if isinstance(amount, int) and not isinstance(amount, bool):
        amount = Decimal(amount)
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValidationError(_("Enter the amount paid, more than 0 yuan."))
    exponent = cast(int, amount.as_tuple().exponent)  # an int: the amount is finite
    if exponent < -2 or amount >= Decimal("1e8"):
        raise ValidationError(_("Enter the amount in yuan with at most two decimal places."))
    if assignment.outcome in (Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL):
        raise ValidationError(_("This turn was served; there is nothing to buy out."))
    if DutyLedgerEntry.objects.filter(assignment=assignment, kind=LedgerKind.BOUGHT_OUT).exists():
        raise ValidationError(_("This turn has already been bought out."))
    entry = DutyLedgerEntry.of_turn(
        assignment, LedgerKind.BOUGHT_OUT, by=by, amount=amount, note=note
    )
    entry.save()
    if assignment.outcome == Outcome.PLANNED:
        assignment.outcome, assignment.closed_at, assignment.note = (
            Outcome.EXCUSED,
            timezone.now(),
            _("bought out"),
        )
        assignment.save()
    return entry


@transaction.atomic
def stand_in(*, assignment: Assignment, person: Person, by) -> Assignment:
    """Another eligible member of the same household serves the household's turn. The turn
    stays the household's, so the duty ledger does not change; the history keeps who was
    rostered before."""
    change_or_403(by, assignment)
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__pattern", "shift__roster", "household")
        .get(pk=assignment.pk)
    )
    shift = assignment.shift
    if assignment.household is None:  # (selected with the assignment)
        raise ValidationError(_("Only a household's turn can be stood in for."))
    if shift.roster.status != RosterStatus.PUBLISHED:
        raise ValidationError(_("Only a turn on a published roster can be stood in for."))
    if assignment.outcome != Outcome.PLANNED:
        raise ValidationError(_("This turn is already settled; correct its outcome instead."))
    if person.pk == assignment.person_id:
        raise ValidationError(
            _("%(name)s is already on duty for this turn.") % {"name": person.name}
        )
    if person.household_id != assignment.household_id:
        raise ValidationError(
            _(
                "%(name)s is not a member of household %(household)s; "
                "only its own members can stand in."
            )
            % {"name": person.name, "household": assignment.household.number}
        )
    if assignment.check_ins.exists():
        raise ValidationError(
            _("Check-ins are already recorded for this turn by the member on duty.")
        )
    if assignment.swap_requests.filter(status=SwapStatus.PENDING).exists():
        raise ValidationError(
            _("A swap for this turn is waiting for the director; decide it first.")
        )
    away = Absence.objects.filter(
        person=person, starts_on__lte=shift.service_date, ends_on__gte=shift.service_date
    )
    absent = {(person.pk, shift.service_date)} if away.exists() else set()
    if person not in eligible_members(assignment.household, shift.service_date, absent):
        raise ValidationError(
            _(
                "%(name)s may not stand the household's turn that day "
                "(age, health or a declared absence)."
            )
            % {"name": person.name}
        )
    problems = replacement_problems(assignment, person)
    if problems:
        raise ValidationError(problems)
    assignment.person = person
    assignment._change_reason = "stand-in"  # the history keeps who was rostered before
    assignment._history_user = by
    assignment.save()
    _notify(
        person,
        Phrase(
            gettext_noop("You stand in for your household on %(day)s: %(shift)s."),
            day=shift.service_date,
            shift=shift.pattern.name,
        ),
    )
    return assignment


# ---- reminders ------------------------------------------------------------------------------


def send_reminders(*, now: dt.datetime | None = None, hours: int, sms=None, mail=None) -> int:
    """Remind each member of a published shift starting within `hours`, once, through
    `notify()`: in the app, by e-mail only as the member's preferences say (at once or in the
    digest), by SMS when a gateway is configured (`sms` replaces it, `mail` replaces send_mail).
    A rostered villager without an account gets the SMS alone, at the person's number."""
    now = now or timezone.now()
    due = Assignment.objects.filter(
        reminded_at__isnull=True,
        outcome=Outcome.PLANNED,
        shift__roster__status=RosterStatus.PUBLISHED,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + dt.timedelta(hours=hours),
    ).select_related("person__account__notification_preference", "shift__pattern")
    sent = 0
    for a in due:
        start = timezone.localtime(a.shift.starts_at)
        message = Phrase(
            gettext_noop("Reminder: you are on %(shift)s at %(time)s."),
            shift=a.shift.pattern.name,
            time=start.strftime("%m-%d %H:%M"),
        )
        with transaction.atomic():
            claimed = Assignment.objects.filter(pk=a.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue  # another run got there first
            account = a.person.account
            if account is not None and account.is_active:
                notify(
                    account, "reminder", message, MY_PAGE, phone=a.person.phone, sms=sms, mail=mail
                )
            else:
                notify_by_sms(a.person.phone, "reminder", message, sms=sms)
        sent += 1
    return sent
