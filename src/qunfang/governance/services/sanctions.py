"""Rewards and punishments (奖惩): the writes (the reads are in `selectors.sanctions`).

The township configures its rules: when a trigger (`assessment.triggers.TRIGGERS`) fires at
least `times` in a period for a person or an organisation, propose an action — a commendation,
a bonus or a subsidy (with its amount), a warning, make-up duty or a rectification order (never
with an amount). `default_rules` adds the usual ones.

Proposals come from the results of a closed assessment (`sanctions_propose_from_results`: the
township's rules in use applied to the run's period, the records read as of the run's cut-off;
the rules reacting to the same thing are an escalation ladder of which a subject gets only the
highest rung it reaches; one proposal per rule, period and subject, so proposing again adds
nothing) or by hand
(`sanction_propose`: a village's director for the people and organisations of the village, the
township for any of its villages). Then:

    proposed ──approve──▶ approved ──publish──▶ published (on the village board)
             └─reject───▶ rejected

A township officer other than the one who proposed decides (four eyes); an approved bonus or
subsidy becomes a payment request (`governance.payments`), "to be paid" until a funds book takes
it. Publishing puts the approved sanction on the village board; make-up duty and rectification
orders get the day they are to be done by.

Refusals raise `NotYours` (not the user's to do) or ValidationError (by field where one is at
fault), translated, and change nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.permissions import NotYours
from qunfang.core.personal import personal_numbers_in
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.governance import payments
from qunfang.governance.assessment import catalogue
from qunfang.governance.assessment.catalogue import Item
from qunfang.governance.assessment.periods import Period
from qunfang.governance.assessment.subjects import villages_of
from qunfang.governance.assessment.triggers import TRIGGERS, Trigger, TriggerContext
from qunfang.governance.models import (
    PAID,
    Action,
    AssessmentRun,
    SanctionRule,
    SchemeGrade,
)
from qunfang.governance.models.rewards import Sanction, SanctionStatus
from qunfang.registry.models import Organisation, Person

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000")
MAX_TIMES = 99
MAX_REASON = 1000
MAX_NOTE = 300
MAX_REFS = 100  # records a proposal keeps; the count in its reason says how many there were
NOTICE_KIND = "assessment"  # core.notify.KIND_LABELS
# what is to be done by a day, and the days it is given when publishing names none
DUE_DAYS: dict[str, int] = {Action.MAKE_UP_DUTY: 14, Action.RECTIFICATION: 30}

S = SanctionStatus
Key = tuple[str, int]  # ("person" | "organisation", id)
Subject = tuple[int, int | None, int | None]  # (rule id, person id, organisation id)

# the usual rules (`default_rules`): (trigger, times, action, amount); the two missed-shift
# rules are the rungs of one ladder (`sanctions_propose_from_results`)
DEFAULT_RULES: tuple[tuple[str, int, str, Decimal | None], ...] = (
    ("exemplary_report", 1, Action.COMMENDATION, None),
    ("exemplary_report", 1, Action.BONUS, Decimal("200.00")),
    ("missed_shift", 1, Action.WARNING, None),
    ("missed_shift", 3, Action.RECTIFICATION, None),
    ("rectification_overdue", 1, Action.WARNING, None),
)


# ---- who acts -------------------------------------------------------------------------------


def can_configure(user: User, township: Region | None = None) -> bool:
    """The township's office configures the rules and decides proposals (of `township`, when
    given)."""
    if not (user.is_active and user.can(Perm.SUPERVISE_VILLAGES)):
        return False
    return township is None or user.works_in(township)


def can_decide(user: User, village: Region) -> bool:
    """Approves or rejects the proposals of `village`: its township's office."""
    return village.parent is not None and can_configure(user, village.parent)


def can_propose(user: User, village: Region | None = None) -> bool:
    """Proposes by hand for the people and organisations of `village`: its director, or the
    township (whoever runs governance there)."""
    if not (user.is_active and user.can(Perm.RUN_GOVERNANCE)):
        return False
    return village is None or user.works_in(village)


def can_publish(user: User, village: Region) -> bool:
    """Puts an approved sanction on the village board: the township or the village's director."""
    return can_decide(user, village) or can_propose(user, village)


def _require_configure(by: User, township: Region) -> None:
    if not can_configure(by, township):
        raise NotYours(
            _("Reward and punishment rules are set and applied by the township's office.")
        )


# ---- checks shared by the writes ----------------------------------------------------------------


def _action(value: str) -> str:
    if value not in Action.values:
        raise ValidationError({"action": _("Choose the reward or punishment.")})
    return value


def _amount(action: str, value: Any) -> Decimal | None:
    """A bonus or a subsidy carries its amount in yuan (more than 0, two places at most);
    anything else carries none."""
    given = value not in (None, "")
    if action not in PAID:
        if given:
            raise ValidationError(
                {
                    "amount": _(
                        "Only a bonus or a subsidy carries an amount: leave it empty for "
                        "%(action)s."
                    )
                    % {"action": Action(action).label}
                }
            )
        return None
    if not given:
        raise ValidationError(
            {"amount": _("Give the amount of the %(action)s in yuan.") % {"action": _label(action)}}
        )
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal(-1)
    if (
        not amount.is_finite()
        or amount <= 0
        or amount > MAX_AMOUNT
        or amount != amount.quantize(CENT)
    ):
        raise ValidationError(
            {
                "amount": _(
                    "Give an amount in yuan above 0 and at most %(max)s, with two decimals at most."
                )
                % {"max": MAX_AMOUNT}
            }
        )
    return amount.quantize(CENT)


def _label(action: str) -> str:
    return str(Action(action).label).lower()


def _text(value: str | None, *, field: str, limit: int, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it to %(n)s characters at most.") % {"n": limit}})
    return text


def _public(text: str, *, field: str) -> str:
    """A text the village board will show: no ID or phone numbers in it (as the work reports'
    remarks)."""
    if found := personal_numbers_in(text):
        raise ValidationError(
            {
                field: _(
                    "This goes on a public page and the village board: take out the phone "
                    "and ID numbers (%(found)s)."
                )
                % {"found": "、".join(found)}
            }
        )
    return text


def _saved(obj: SanctionRule | Sanction, by: User | None) -> None:
    obj._history_user = by
    obj.save()


# ---- rules ----------------------------------------------------------------------------------


def _trigger(code: str) -> Trigger:
    found = TRIGGERS.get(code)
    if found is None:
        raise ValidationError({"trigger": _("Choose what the rule reacts to.")})
    return found


def _times(value: Any) -> int:
    try:
        times = int(value)
    except (TypeError, ValueError):
        times = 0
    if not 1 <= times <= MAX_TIMES:
        raise ValidationError(
            {"times": _("Give how many times, from 1 to %(max)s.") % {"max": MAX_TIMES}}
        )
    return times


def _grade(trigger: Trigger, value: str, township: Region) -> str:
    """The grade a `grade` rule reacts to: one of the township's schemes' grades, when it has
    any. Other triggers take none."""
    if not trigger.needs_grade:
        return ""
    label = (value or "").strip()
    if not label:
        raise ValidationError({"grade": _("Name the grade the rule reacts to, such as 优秀.")})
    known = sorted(
        set(SchemeGrade.objects.filter(scheme__region=township).values_list("label", flat=True))
    )
    if known and label not in known:
        raise ValidationError(
            {
                "grade": _(
                    "The township's schemes have no grade “%(grade)s”: use one of %(known)s."
                )
                % {"grade": label, "known": "、".join(known)}
            }
        )
    return label


@transaction.atomic
def sanction_rule_save(
    *,
    township: Region,
    trigger: str,
    times: Any,
    action: str,
    amount: Any = None,
    grade: str = "",
    active: bool = True,
    rule: SanctionRule | None = None,
    by: User,
) -> SanctionRule:
    """Add a rule of the township, or change one (`rule`). A rule that has already proposed
    something keeps what it said: it may only be switched off or on (add a new one instead)."""
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError(_("Reward and punishment rules are set by a township."))
    _require_configure(by, township)
    found = _trigger(trigger)
    chosen = _action(action)
    values: dict[str, Any] = {
        "trigger": found.code,
        "times": _times(times),
        "grade": _grade(found, grade, township),
        "action": chosen,
        "amount": _amount(chosen, amount),
    }
    if rule is not None:
        rule = SanctionRule.objects.select_for_update().get(pk=rule.pk)
        if rule.region_id != township.pk:
            raise NotYours(_("This rule is another township's."))
        changed = any(getattr(rule, name) != value for name, value in values.items())
        if changed and rule.sanctions.exists():
            raise ValidationError(
                _(
                    "This rule has already proposed rewards or punishments, so what it says no "
                    "longer changes: switch it off and add a new rule."
                )
            )
    if active:
        twins = SanctionRule.objects.filter(region=township, active=True, **values)
        if rule is not None:
            twins = twins.exclude(pk=rule.pk)
        if twins.exists():
            raise ValidationError(_("The township already has this rule in use."))
    rule = rule or SanctionRule(region=township)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.active = bool(active)
    _saved(rule, by)
    return rule


@transaction.atomic
def default_rules(township: Region, by: User) -> list[SanctionRule]:
    """Add the usual rules the township does not have yet (an exemplary report: a commendation
    and a ¥200 bonus, both on one rung; a missed shift: a warning, three: a rectification order
    instead, the next rung of that ladder; an overdue rectification order: a warning to the
    security committee). The rules added."""
    _require_configure(by, township)
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError(_("Reward and punishment rules are set by a township."))
    have = set(
        SanctionRule.objects.filter(region=township).values_list(
            "trigger", "times", "grade", "action"
        )
    )
    added = []
    for trigger, times, action, amount in DEFAULT_RULES:
        if (trigger, times, "", action) in have:
            continue
        rule = SanctionRule(
            region=township, trigger=trigger, times=times, action=action, amount=amount
        )
        _saved(rule, by)
        added.append(rule)
    return added


# ---- proposals from the results -------------------------------------------------------------


def _context(run: AssessmentRun) -> TriggerContext:
    catalogue.load()
    return TriggerContext(
        period=Period.parse(run.period),
        cutoff=run.cutoff,
        township=run.region_id,
        villages=list(villages_of(run.region)),
        run=run,
    )


def _hits(run: AssessmentRun, rules: Iterable[SanctionRule]) -> dict[int, dict[Key, list[Item]]]:
    """rule id -> (subject kind, id) -> its hits; each trigger (and grade) read once."""
    base = _context(run)
    read: dict[tuple[str, str], list[Item]] = {}
    out: dict[int, dict[Key, list[Item]]] = {}
    for rule in rules:
        found = TRIGGERS.get(rule.trigger)
        if found is None:  # a trigger this version no longer has
            continue
        key = (found.code, rule.grade if found.needs_grade else "")
        if key not in read:
            ctx = dataclasses.replace(base, grade=key[1]) if found.needs_grade else base
            read[key] = list(found.compute(ctx))
        by_subject: dict[Key, list[Item]] = defaultdict(list)
        for item in read[key]:
            if item.person is not None:
                by_subject[("person", item.person)].append(item)
            elif item.organisation is not None:
                by_subject[("organisation", item.organisation)].append(item)
        out[rule.pk] = by_subject
    return out


def _reason(rule: SanctionRule, run: AssessmentRun, count: int) -> str:
    """Written in the site's language, whoever proposes: it goes on the village board and into
    the books as it stands (as bulletins and mandates are)."""
    with translation.override(settings.LANGUAGE_CODE):
        if rule.trigger == "grade":
            return _("Graded %(grade)s in the %(period)s assessment.") % {
                "grade": rule.grade,
                "period": run.period,
            }
        return ngettext(
            "%(trigger)s: %(n)d time in %(period)s (the rule: %(times)d or more).",
            "%(trigger)s: %(n)d times in %(period)s (the rule: %(times)d or more).",
            count,
        ) % {
            "trigger": TRIGGERS[rule.trigger].label,
            "n": count,
            "period": run.period,
            "times": rule.times,
        }


def _payment_purpose(sanction: Sanction) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the books' language, as `_reason`
        return _("%(action)s for %(subject)s: %(reason)s") % {
            "action": sanction.get_action_display(),
            "subject": sanction.subject,
            "reason": sanction.reason,
        }


def _refs(items: list[Item]) -> list[list[Any]]:
    refs = sorted({item.ref for item in items if item.ref is not None})
    return [list(ref) for ref in refs[:MAX_REFS]]


def _ladders(rules: list[SanctionRule]) -> list[list[SanctionRule]]:
    """The rules grouped by what they react to (a grade rule: and its grade), each group a
    ladder whose rungs are the rules' `times`."""
    ladders: dict[tuple[str, str], list[SanctionRule]] = defaultdict(list)
    for rule in rules:
        ladders[(rule.trigger, rule.grade)].append(rule)
    return list(ladders.values())


def _rungs(ladder: list[SanctionRule], count: int, done: list[SanctionRule]) -> list[SanctionRule]:
    """The rules of `ladder` to propose under for a subject with `count` hits: those of the
    highest `times` it reaches (a warning and a bonus on the same rung are both proposed), none
    already proposed (`done`: the ladder's rules that proposed for it in the period), and
    nothing when a higher rung already did."""
    reached = [rule for rule in ladder if rule.times <= count]
    if not reached:
        return []
    top = max(rule.times for rule in reached)
    if any(rule.times > top for rule in done):
        return []
    return [rule for rule in reached if rule.times == top and rule not in done]


def sanctions_propose_from_results(
    *, run: AssessmentRun, by: User, now: dt.datetime | None = None
) -> list[Sanction]:
    """Apply the township's rules in use to the closed run's period, the records read as of
    its cut-off, and propose for each person or organisation whose hits reach a rule's `times`.

    The rules in use that react to the same trigger (and, for grades, the same grade) form an
    escalation ladder: a subject is proposed only the rule(s) of the highest `times` it reaches
    — three missed shifts give the rectification order of "three or more", not also the warning
    of "one or more". Rules on the same rung (a commendation and a bonus for an exemplary
    report) are proposed together.

    A proposal already made for the period (by this run or another) is not made again, nor one
    below a rung already proposed for the subject: proposing again adds nothing, and a later
    run in which the subject climbs the ladder adds only the higher rung. The proposals made."""
    _require_configure(by, run.region)
    if not run.is_closed:
        raise ValidationError(
            _(
                "Propose rewards and punishments once the assessment is closed: until then "
                "appeals may still change its results."
            )
        )
    rules = list(SanctionRule.objects.filter(region=run.region, active=True).order_by("pk"))
    hits = _hits(run, rules)  # pure reading, outside the transaction
    now = now or timezone.now()
    made: list[Sanction] = []
    with transaction.atomic():
        AssessmentRun.objects.select_for_update(of=("self",)).get(pk=run.pk)  # one at a time
        taken: set[Subject] = set(
            Sanction.objects.filter(rule__in=rules, period=run.period).values_list(
                "rule_id", "person_id", "organisation_id"
            )
        )
        people = _subjects(Person, hits, "person")
        organisations = _subjects(Organisation, hits, "organisation")
        for ladder in _ladders(rules):
            for (kind, pk), items in sorted(hits.get(ladder[0].pk, {}).items()):
                subject = people.get(pk) if kind == "person" else organisations.get(pk)
                if subject is None:
                    continue
                done = [rule for rule in ladder if _key(rule, kind, pk) in taken]
                for rule in _rungs(ladder, len(items), done):
                    sanction = Sanction(
                        region_id=items[0].village,
                        person=subject if kind == "person" else None,
                        organisation=subject if kind == "organisation" else None,
                        action=rule.action,
                        amount=rule.amount,
                        reason=_reason(rule, run, len(items)),
                        period=run.period,
                        rule=rule,
                        run=run,
                        refs=_refs(items),
                        proposed_by=by,
                        proposed_at=now,
                    )
                    _saved(sanction, by)
                    taken.add(_key(rule, kind, pk))
                    made.append(sanction)
    if made:
        _tell_deciders(run.region, by, len(made), run.period)
    return made


def _key(rule: SanctionRule, kind: str, pk: int) -> Subject:
    return (rule.pk, pk, None) if kind == "person" else (rule.pk, None, pk)


def _subjects(model: Any, hits: dict[int, dict[Key, list[Item]]], kind: str) -> dict[int, Any]:
    wanted = {pk for by_subject in hits.values() for k, pk in by_subject if k == kind}
    queryset = model.objects.filter(pk__in=wanted)
    if model is Person:
        queryset = queryset.defer("id_number", "phone")
    return {row.pk: row for row in queryset}


def _tell_deciders(township: Region, by: User, n: int, period: str) -> None:
    """The township's other officers: someone other than the proposer decides."""
    officers = User.objects.filter(region=township, is_active=True).exclude(pk=by.pk)
    for officer in officers:
        if officer.can(Perm.SUPERVISE_VILLAGES):
            notify(
                officer,
                NOTICE_KIND,
                Phrase(
                    gettext_noop(
                        "Rewards and punishments proposed from the %(period)s assessment wait "
                        "for approval: %(n)s."
                    ),
                    period=period,
                    n=n,
                ),
                _list_url(),
            )


def _list_url(status: str = S.PROPOSED) -> str:
    from django.urls import reverse

    return reverse("governance:sanction_list") + f"?status={status}"


# ---- proposals by hand --------------------------------------------------------------------------


@transaction.atomic
def sanction_propose(
    *,
    person: Person | None = None,
    organisation: Organisation | None = None,
    action: str,
    reason: str,
    amount: Any = None,
    by: User,
    now: dt.datetime | None = None,
) -> Sanction:
    """Propose a reward or punishment for a person or an organisation of a village: its
    director, or the township, proposes; the township decides."""
    if not can_propose(by):
        raise NotYours(
            _("Rewards and punishments are proposed by the village's director or the township.")
        )
    if (person is None) == (organisation is None):
        raise ValidationError(_("Choose one person or one organisation."))
    subject: Person | Organisation = person or organisation  # type: ignore[assignment]
    field = "person" if person is not None else "organisation"
    village = subject.region
    if village.kind != RegionKind.VILLAGE or not can_propose(by, village):
        raise ValidationError(
            {
                field: _(
                    "%(name)s is not of a village you run: propose rewards and punishments for "
                    "the people and organisations of your own villages."
                )
                % {"name": subject}
            }
        )
    chosen = _action(action)
    sanction = Sanction(
        region=village,
        person=person,
        organisation=organisation,
        action=chosen,
        amount=_amount(chosen, amount),
        reason=_public(
            _text(
                reason,
                field="reason",
                limit=MAX_REASON,
                required=_("Give the reason: what was done, and when."),
            ),
            field="reason",
        ),
        proposed_by=by,
        proposed_at=now or timezone.now(),
    )
    _saved(sanction, by)
    return sanction


# ---- deciding and publishing --------------------------------------------------------------------


def _locked(sanction: Sanction) -> Sanction:
    return (
        Sanction.objects.select_for_update(of=("self",))
        .select_related("region__parent", "person", "organisation")
        .get(pk=sanction.pk)
    )


@transaction.atomic
def sanction_decide(
    *,
    sanction: Sanction,
    approve: bool,
    note: str = "",
    by: User,
    now: dt.datetime | None = None,
    tell: bool = True,
) -> Sanction:
    """The township approves or rejects a proposal: someone other than who proposed it (four
    eyes), with a note (required to reject). An approved bonus or subsidy is handed on as a
    payment request. The proposer is told (unless `tell` is off: a decision on many tells
    once)."""
    locked = _locked(sanction)
    if not can_decide(by, locked.region):
        raise NotYours(_("Rewards and punishments are approved by the township's office."))
    if locked.status != S.PROPOSED:
        raise ValidationError(_("This proposal has already been decided."))
    if locked.proposed_by_id == by.pk:
        raise ValidationError(
            _(
                "You proposed this: another officer of the township approves or rejects it "
                "(four eyes)."
            )
        )
    text = _text(
        note,
        field="note",
        limit=MAX_NOTE,
        required="" if approve else _("Say why the proposal is rejected."),
    )
    now = now or timezone.now()
    locked.status = S.APPROVED if approve else S.REJECTED
    locked.decided_by, locked.decided_at, locked.decision_note = by, now, text
    _saved(locked, by)
    if approve and locked.action in PAID:
        payments.request_payment(
            region=locked.region,
            amount=locked.amount,  # type: ignore[arg-type]  # a bonus always has one
            purpose=_payment_purpose(locked),
            at=now,
            payee_person=locked.person,
            payee_organisation=locked.organisation,
            sanction=locked,
        )
    if tell and locked.proposed_by is not None and locked.proposed_by_id != by.pk:
        notify(
            locked.proposed_by,
            NOTICE_KIND,
            Phrase(
                gettext_noop("Your proposal of a %(action)s for %(subject)s was %(verdict)s."),
                action=Action(locked.action).label,
                subject=str(locked.subject),
                verdict=Phrase(gettext_noop("approved") if approve else gettext_noop("rejected")),
            ),
            locked.get_absolute_url(),
        )
    return locked


@dataclasses.dataclass
class Decisions:
    """What a decision on many proposals did."""

    decided: list[Sanction] = dataclasses.field(default_factory=list)
    own: list[Sanction] = dataclasses.field(default_factory=list)  # four eyes: not by the user
    skipped: list[Sanction] = dataclasses.field(default_factory=list)  # decided meanwhile, or
    # not the user's to decide


def sanctions_decide_many(
    *,
    sanctions: Iterable[Sanction],
    approve: bool,
    note: str = "",
    by: User,
    now: dt.datetime | None = None,
) -> Decisions:
    """Approve or reject several proposals at once, each through `sanction_decide` in its own
    transaction, so that one refused leaves the others decided. The user's own proposals are
    skipped (four eyes), and so are those decided meanwhile or not the user's to decide;
    rejecting takes one note for them all, asked for before anything is decided. Each proposer
    is told once."""
    text = _text(
        note,
        field="note",
        limit=MAX_NOTE,
        required=""
        if approve
        else _("Say why the ticked proposals are rejected: one note for all."),
    )
    now = now or timezone.now()
    out = Decisions()
    for sanction in sanctions:
        if sanction.proposed_by_id == by.pk:
            out.own.append(sanction)
            continue
        try:
            decided = sanction_decide(
                sanction=sanction, approve=approve, note=text, by=by, now=now, tell=False
            )
        except (ValidationError, NotYours):
            out.skipped.append(sanction)
        else:
            out.decided.append(decided)
    _tell_proposers(out.decided, approve)
    return out


def _tell_proposers(decided: list[Sanction], approve: bool) -> None:
    """Each proposer once, with how many of theirs were decided."""
    counts: Counter[int] = Counter()
    proposers: dict[int, User] = {}
    for sanction in decided:
        if (proposer := sanction.proposed_by) is not None:
            counts[proposer.pk] += 1
            proposers[proposer.pk] = proposer
    for pk, n in counts.items():
        notify(
            proposers[pk],
            NOTICE_KIND,
            Phrase(
                gettext_noop("Your proposals of rewards and punishments were %(verdict)s: %(n)s."),
                verdict=Phrase(gettext_noop("approved") if approve else gettext_noop("rejected")),
                n=n,
            ),
            _list_url(S.APPROVED if approve else S.REJECTED),
        )


@transaction.atomic
def sanction_publish(
    *,
    sanction: Sanction,
    due_on: dt.date | None = None,
    by: User,
    now: dt.datetime | None = None,
) -> Sanction:
    """Put an approved sanction on the village board. Make-up duty and a rectification order
    are to be done by `due_on` (after today), else by the usual days from today."""
    locked = _locked(sanction)
    if not can_publish(by, locked.region):
        raise NotYours(
            _("A reward or punishment is published by the township or the village's director.")
        )
    if locked.status == S.PUBLISHED:
        raise ValidationError(_("This is already on the village board."))
    if locked.status != S.APPROVED:
        raise ValidationError(
            _("Only an approved reward or punishment is published on the village board.")
        )
    now = now or timezone.now()
    today = timezone.localdate(now)
    if locked.action in DUE_DAYS:
        day = due_on or today + dt.timedelta(days=DUE_DAYS[locked.action])
        if day <= today:
            raise ValidationError({"due_on": _("The day it is to be done by must be after today.")})
        locked.due_on = day
    locked.status, locked.published_at = S.PUBLISHED, now
    _saved(locked, by)
    return locked
