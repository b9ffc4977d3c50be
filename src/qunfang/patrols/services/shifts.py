"""Every patrol write with business rules: publishing rosters, absences, swaps, the duty
ledger, attendance corrections and reminders. Views, API and commands all call these, and each
checks who may change what (`selectors.change_or_403`): a village's planners act on its own
records and people, whoever runs a joint zone on the zone's records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.core.models import User
from qunfang.core.notify import notify, notify_by_sms
from qunfang.core.phrases import Phrase
from qunfang.patrols import solver
from qunfang.patrols.checkin import close_assignment
from qunfang.patrols.models import (
    Absence,
    Assignment,
    CheckIn,
    DutyLedgerEntry,
    LedgerKind,
    Outcome,
    Roster,
    RosterStatus,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.rostering import published_overlapping, qualifications
from qunfang.patrols.selectors import change_or_403
from qunfang.registry.models import Person

# ---- rosters ----------------------------------------------------------------------------------


@transaction.atomic
def publish_roster(*, roster: Roster, by) -> Roster:
    change_or_403(by, roster)
    roster = Roster.objects.select_for_update(of=("self",)).get(pk=roster.pk)
    if roster.status != RosterStatus.DRAFT:
        raise ValidationError(_("Only a draft roster can be published."))
    clash = published_overlapping(roster).first()
    if clash is not None:
        raise ValidationError(
            _("The published roster %(other)s covers part of this period. Withdraw it first.")
            % {"other": clash}
        )
    roster.status, roster.published_by, roster.published_at = (
        RosterStatus.PUBLISHED,
        by,
        timezone.now(),
    )
    roster.save()
    owed = []
    for a in Assignment.objects.filter(
        shift__roster=roster, household__isnull=False
    ).select_related("shift__pattern"):
        owed.append(
            DutyLedgerEntry(
                region_id=a.region_id,
                household_id=a.household_id,
                group_id=a.shift.pattern.household_group_id,
                assignment=a,
                kind=LedgerKind.OWED,
                on=a.shift.service_date,
                recorded_by=by,
            )
        )
    DutyLedgerEntry.objects.bulk_create(owed)
    _tell_rostered(roster)
    return roster


def _tell_rostered(roster: Roster) -> None:
    """Everyone with an account on the roster hears once, however many shifts they have."""
    on_roster = Person.objects.filter(patrol_assignments__shift__roster=roster).values("account_id")
    message = Phrase(gettext_noop("A new roster is out: %(roster)s."), roster=str(roster))
    readers = User.objects.filter(pk__in=on_roster).select_related("notification_preference")
    for reader in readers.order_by("pk"):
        notify(reader, "roster", message, roster.get_absolute_url())


@transaction.atomic
def withdraw_roster(*, roster: Roster, by) -> Roster:
    change_or_403(by, roster)
    roster = Roster.objects.select_for_update(of=("self",)).get(pk=roster.pk)
    if roster.status == RosterStatus.WITHDRAWN:
        raise ValidationError(_("This roster is already withdrawn."))
    if (
        CheckIn.objects.filter(assignment__shift__roster=roster).exists()
        or Assignment.objects.filter(shift__roster=roster).exclude(outcome=Outcome.PLANNED).exists()
    ):
        raise ValidationError(
            _("Patrols have already been recorded on this roster; it stays as the record.")
        )
    was_published = roster.status == RosterStatus.PUBLISHED
    roster.status = RosterStatus.WITHDRAWN
    roster.save()
    if was_published:  # the turns it made owed are cancelled by an excuse line each
        for a in Assignment.objects.filter(
            shift__roster=roster, household__isnull=False
        ).select_related("shift__pattern"):
            DutyLedgerEntry.objects.create(
                region_id=a.region_id, household_id=a.household_id, group_id=a.shift.pattern.household_group_id,
                assignment=a, kind=LedgerKind.EXCUSED, on=a.shift.service_date, recorded_by=by,
                note=_("roster withdrawn"),
            )  # fmt: skip
    return roster


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


def clashing_assignments(absence: Absence):
    """Published shifts that the absence now clashes with: the director should find a swap."""
    return Assignment.objects.filter(
        person=absence.person, outcome=Outcome.PLANNED, shift__roster__status=RosterStatus.PUBLISHED,
        shift__service_date__gte=absence.starts_on, shift__service_date__lte=absence.ends_on,
    ).select_related("shift__pattern")  # fmt: skip


# ---- swaps ----------------------------------------------------------------------------------


def _as_solver_slot(a: Assignment) -> solver.Slot:
    s = a.shift
    return solver.Slot(
        id=str(a.pk),
        group="",
        start=s.starts_at,
        end=s.ends_at,
        night=s.night,
        place=s.pattern.name,
    )


def replacement_problems(assignment: Assignment, replacement: Person) -> list[str]:
    """Why `replacement` cannot take the shift (empty when they can), checked by the same
    independent checker that verifies rosters."""
    shift = assignment.shift
    problems = []
    if replacement.pk == assignment.person_id:
        return [_("Choose someone else to take over the shift.")]
    if Assignment.objects.filter(shift=shift, person=replacement).exists():
        problems.append(_("%(name)s is already on this shift.") % {"name": replacement.name})
    if assignment.household_id and replacement.household_id is None:
        problems.append(_("A household's turn can only pass to a member of a household."))
    need = shift.pattern.required_qualification
    if need and need not in qualifications(replacement, shift.service_date):
        problems.append(
            _("%(name)s lacks the required qualification: %(qual)s.")
            % {"name": replacement.name, "qual": shift.pattern.get_required_qualification_display()}
        )
    if Absence.objects.filter(person=replacement, starts_on__lte=shift.service_date,
                              ends_on__gte=shift.service_date).exists():  # fmt: skip
        problems.append(
            _("%(name)s has declared an absence that day.") % {"name": replacement.name}
        )
    window = dt.timedelta(days=7)
    theirs = list(
        Assignment.objects.filter(
            person=replacement, shift__starts_at__gte=shift.starts_at - window, shift__starts_at__lte=shift.starts_at + window,
        ).exclude(outcome=Outcome.EXCUSED).exclude(shift__roster__status=RosterStatus.WITHDRAWN).select_related("shift__pattern")
    )  # fmt: skip
    mine = _as_solver_slot(assignment)
    rules = solver.Rules(
        min_rest_hours=8, max_nights_per_week=2, tz=timezone.get_default_timezone()
    )
    person = solver.Person(id=str(replacement.pk), group="")
    before = {
        (v.code, v.day)
        for v in solver.checker.person_breaks(person, [_as_solver_slot(a) for a in theirs], rules)
    }
    after = solver.checker.person_breaks(
        person, [_as_solver_slot(a) for a in theirs] + [mine], rules
    )
    words = {
        "overlap": _("%(name)s is already on a shift at that time."),
        "rest": _("%(name)s would not get the minimum rest between shifts."),
        "night_limit": _("%(name)s would exceed the night shifts allowed in a week."),
        "weekly_limit": _("%(name)s would exceed the shifts allowed in a week."),
    }
    for code in {v.code for v in after if (v.code, v.day) not in before}:
        problems.append(words.get(code, code) % {"name": replacement.name})
    return problems


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
        assignment=assignment, region_id=assignment.region_id, zone_id=assignment.zone_id,
        replacement=replacement, reason=reason, requested_by=by,
    )  # fmt: skip


@transaction.atomic
def decide_swap(*, swap: SwapRequest, approve: bool, by, note: str = "") -> SwapRequest:
    change_or_403(by, swap)
    swap = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("assignment__shift__pattern")
        .get(pk=swap.pk)
    )
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(_("This swap has already been decided."))
    assignment = swap.assignment
    if approve:
        if assignment.outcome != Outcome.PLANNED or assignment.shift.starts_at <= timezone.now():
            raise ValidationError(_("The shift has started; the swap can no longer be approved."))
        problems = replacement_problems(assignment, swap.replacement)
        if problems:
            raise ValidationError(problems)
        original = assignment.person
        new_household = swap.replacement.household_id if assignment.household_id else None
        if assignment.household_id and new_household != assignment.household_id:
            common = {"region_id": assignment.region_id, "group_id": assignment.shift.pattern.household_group_id,
                          "assignment": assignment, "on": assignment.shift.service_date, "recorded_by": by}  # fmt: skip
            DutyLedgerEntry.objects.create(household_id=assignment.household_id, kind=LedgerKind.SWAPPED, **common,
                                           note=_("turn passed to household %(h)s") % {"h": swap.replacement.household})  # fmt: skip
            DutyLedgerEntry.objects.create(household_id=new_household, kind=LedgerKind.OWED, **common,
                                           note=_("took over from household %(h)s") % {"h": original.household})  # fmt: skip
            assignment.household_id = new_household
        assignment.person = swap.replacement
        assignment.save()
        _notify(
            swap.replacement,
            Phrase(
                gettext_noop("You take over a shift on %(day)s: %(shift)s."),
                day=assignment.shift.service_date,
                shift=assignment.shift.pattern.name,
            ),
        )
    swap.status = SwapStatus.APPROVED if approve else SwapStatus.REJECTED
    swap.decided_by, swap.decided_at, swap.decision_note = by, timezone.now(), note
    swap.save()
    verdict = Phrase(gettext_noop("approved") if approve else gettext_noop("rejected"))
    notify(
        swap.requested_by,
        "roster",
        Phrase(
            gettext_noop("Your swap for %(day)s was %(verdict)s."),
            day=assignment.shift.service_date,
            verdict=verdict,
        ),
        MY_PAGE,
    )
    return swap


@transaction.atomic
def withdraw_swap(*, swap: SwapRequest, by) -> SwapRequest:
    if by.pk not in (swap.requested_by_id, swap.assignment.person.account_id):
        change_or_403(by, swap)
    swap = SwapRequest.objects.select_for_update(of=("self",)).get(pk=swap.pk)
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(_("This swap has already been decided."))
    swap.status, swap.decided_by, swap.decided_at = SwapStatus.WITHDRAWN, by, timezone.now()
    swap.save()
    return swap


MY_PAGE = "/patrols/my/"


def _notify(person: Person, message: Phrase, kind: str = "roster") -> None:
    """A rostered person hears through `notify()` when they have an account."""
    notify(person.account, kind, message, MY_PAGE)


# ---- attendance and the duty ledger ---------------------------------------------------------


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
    if amount.as_tuple().exponent < -2 or amount >= Decimal("1e8"):
        raise ValidationError(_("Enter the amount in yuan with at most two decimal places."))
    if assignment.outcome in (Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL):
        raise ValidationError(_("This turn was served; there is nothing to buy out."))
    if DutyLedgerEntry.objects.filter(assignment=assignment, kind=LedgerKind.BOUGHT_OUT).exists():
        raise ValidationError(_("This turn has already been bought out."))
    entry = DutyLedgerEntry.objects.create(
        region_id=assignment.region_id, household_id=assignment.household_id,
        group_id=assignment.shift.pattern.household_group_id, assignment=assignment, kind=LedgerKind.BOUGHT_OUT,
        on=assignment.shift.service_date, amount=amount, note=note, recorded_by=by,
    )  # fmt: skip
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
    from qunfang.patrols.rotation import eligible_members

    change_or_403(by, assignment)
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__pattern", "shift__roster", "household")
        .get(pk=assignment.pk)
    )
    shift = assignment.shift
    if not assignment.household_id:
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
                "%(name)s is not a member of household %(household)s; only its own members can stand in."
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
                "%(name)s may not stand the household's turn that day (age, health or a declared absence)."
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


SETTLING = (LedgerKind.SERVED, LedgerKind.EXCUSED, LedgerKind.SWAPPED, LedgerKind.BOUGHT_OUT)


def ledger_balances(group) -> dict[int, dict]:
    """Per household of a ten-household group (keyed by household id): turns owed, served,
    excused, swapped, bought out, missed, and how many are still open (owed and not settled).

    A turn's verdict is its latest line: a correction (served, then corrected to missed) is a
    new line that replaces the earlier verdict, so nothing is counted twice."""
    latest = (
        DutyLedgerEntry.objects.filter(group=group, assignment__isnull=False)
        .exclude(kind=LedgerKind.OWED)
        .values("household", "assignment")
        .annotate(last=Max("id"))
        .values("last")
    )
    counted = Q(kind=LedgerKind.OWED) | Q(assignment__isnull=True) | Q(id__in=latest)
    rows = (
        DutyLedgerEntry.objects.filter(group=group)
        .filter(counted)
        .values("household")
        .annotate(**{kind: Count("id", filter=Q(kind=kind)) for kind in LedgerKind.values})
        .order_by("household")
    )
    out = {}
    for row in rows:
        settled = sum(row[kind] for kind in SETTLING)
        row["open"] = max(0, row[LedgerKind.OWED] - settled)
        out[row["household"]] = row
    return out


# ---- reminders ------------------------------------------------------------------------------


def send_reminders(*, now: dt.datetime | None = None, hours: int, sms=None, mail=None) -> int:
    """Remind each member of a published shift starting within `hours`, once, through
    `notify()`: in the app, by e-mail only as the member's preferences say (at once or in the
    digest), by SMS when a gateway is configured (`sms` replaces it, `mail` replaces send_mail).
    A rostered villager without an account gets the SMS alone, at the person's number."""
    now = now or timezone.now()
    due = Assignment.objects.filter(
        reminded_at__isnull=True, outcome=Outcome.PLANNED, shift__roster__status=RosterStatus.PUBLISHED,
        shift__starts_at__gt=now, shift__starts_at__lte=now + dt.timedelta(hours=hours),
    ).select_related("person__account__notification_preference", "shift__pattern")  # fmt: skip
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
