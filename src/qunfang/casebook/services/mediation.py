"""The mediation lifecycle (调解): a transition table, the committee's running numbers per
village and year, sessions, the agreement, the referral and the follow-up visit (回访).

    applied → in_mediation → agreed → closed   (closing needs the agreement and the follow-up)
                           ↘ failed → referred  (to the township or a court)

Every write is checked here (views and commands call these functions). Only mediators
(HANDLE_MEDIATION) and directors (MANAGE_VILLAGE) of the village act; a refused move raises a
translated ValidationError and changes nothing. A mediation that comes from the case register
leaves NOTE lines in that case's book, so the case shows where the dispute went.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from qunfang.casebook.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    DisputeType,
    MediationCase,
    MediationParty,
    MediationSession,
    MediationStatus,
    Opinion,
)
from qunfang.core.lifecycle import Lifecycle, Move
from qunfang.core.models import Region, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import ROLE_PERMISSIONS, Perm, Role
from qunfang.registry.models import Person

S = MediationStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLIED: frozenset({S.IN_MEDIATION}),
    S.IN_MEDIATION: frozenset({S.AGREED, S.FAILED}),
    S.AGREED: frozenset({S.CLOSED}),
    S.FAILED: frozenset({S.REFERRED}),
    S.REFERRED: frozenset(),
    S.CLOSED: frozenset(),
}
OPEN = (S.APPLIED, S.IN_MEDIATION, S.AGREED, S.FAILED)  # still on the committee's desk
DEFAULT_FOLLOW_UP = dt.timedelta(days=30)  # suggested when an agreement is reached


# Case types of the register that suggest a dispute type when a case goes to mediation.
DISPUTE_FROM_CASE_TYPE = {
    "domestic_violence": DisputeType.MARRIAGE_FAMILY,
    "traffic": DisputeType.TRAFFIC,
}


def dispute_label(code: str) -> str:
    """The dispute type's label; text that is not one of the codes is shown as written."""
    return str(DisputeType(code).label) if code in DisputeType.values else code


@dataclass(frozen=True)
class PartyData:
    side: str  # "A" applicant, "B" respondent
    name: str = ""
    person: Person | None = None
    address: str = ""


# ---- who acts -------------------------------------------------------------------------------


# Mediators and village directors (the pages that open and move mediations ask for these).
ACT_PERMS = (Perm.HANDLE_MEDIATION, Perm.MANAGE_VILLAGE)


def can_act_somewhere(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(user.can(p) for p in ACT_PERMS)


def can_act(user, village: Region) -> bool:
    """Mediators (HANDLE_MEDIATION) and directors (MANAGE_VILLAGE) of the village act on its
    mediations; the township reads them."""
    return can_act_somewhere(user) and (user.is_system_admin or user.works_in(village))


def _mediator_roles() -> list[str]:
    return [
        role
        for role, perms in ROLE_PERMISSIONS.items()
        if Perm.HANDLE_MEDIATION in perms and role != Role.SYSTEM_ADMIN
    ]


def mediators_in(villages) -> models.QuerySet:
    """Active accounts with a mediator's permission that work in one of these villages (or in
    one of their villager groups)."""
    paths = models.Q(pk__in=[])
    for village in villages:
        paths |= models.Q(region__path__startswith=village.path)
    return (
        User.objects.filter(paths, is_active=True, roles__role__in=_mediator_roles())
        .select_related("region")
        .distinct()
        .order_by("region__path", "full_name", "username")
    )


def _require_actor(user, village: Region) -> None:
    if not can_act(user, village):
        raise PermissionDenied(
            _("Only the village's mediators and its director handle its mediations.")
        )


def _locked(mediation: MediationCase, by: User) -> MediationCase:
    """The mediation, locked for a write by someone who may act on it."""
    _require_actor(by, mediation.region)
    return MediationCase.objects.select_for_update(of=("self",)).get(pk=mediation.pk)


def _check_day(field: str, day: dt.date, applied_on: dt.date, *, future: str, early: str) -> None:
    """The day of a session or a visit: not after today, not before the application."""
    if day > timezone.localdate():
        raise ValidationError({field: future})
    if day < applied_on:
        raise ValidationError({field: early})


def _next_serial(region: Region, year: int) -> int:
    # one number at a time per village: the village's row is the lock
    Region.objects.select_for_update(of=("self",)).filter(pk=region.pk).first()
    numbered = MediationCase.objects.filter(region=region, year=year)
    return (numbered.aggregate(n=Max("serial"))["n"] or 0) + 1


def _case_note(mediation: MediationCase, by: User, text: str) -> None:
    if mediation.case_id:
        CaseEvent.objects.create(
            case_id=mediation.case_id, kind=CaseEventKind.NOTE, note=text, by=by
        )


# ---- opening a mediation --------------------------------------------------------------------


def source_case_problem(case: Case) -> str:
    """Why this case cannot go to mediation ("" when it can)."""
    if not case.case_type.is_dispute:
        return _("Only a dispute goes to mediation; this case is of the type %(type)s.") % {
            "type": case.case_type
        }
    if case.status == CaseStatus.CLOSED:
        return _("This case is closed. Reopen it before taking it to mediation.")
    if case.mediations.filter(status__in=OPEN).exists():
        return _("This case is already before the mediation committee.")
    return ""


def _check_parties(mediation: MediationCase, parties: Iterable[PartyData]) -> list[PartyData]:
    kept = []
    for party in parties:
        if party.person is not None and party.person.region_id != mediation.region_id:
            raise ValidationError(
                {
                    f"{party.side.lower()}_person": _("%(name)s is not registered in this village.")
                    % {"name": party.person.name}
                }
            )
        name = (party.name or (party.person.name if party.person else "")).strip()
        if name:
            kept.append(
                PartyData(
                    side=party.side, name=name, person=party.person, address=party.address.strip()
                )
            )
    for side, field, message in (
        ("A", "a_name", _("Name the applicant (party A).")),
        ("B", "b_name", _("Name the other party (party B).")),
    ):
        if not any(p.side == side for p in kept):
            raise ValidationError({field: message})
    return kept


def _check_mediators(mediation: MediationCase, mediators: Iterable[User]) -> list[User]:
    mediators = list(mediators)
    if not mediators:
        raise ValidationError({"mediators": _("Choose at least one mediator.")})
    allowed = set(mediators_in([mediation.region]).values_list("pk", flat=True))
    for user in mediators:
        if user.pk not in allowed:
            raise ValidationError(
                {"mediators": _("%(user)s is not a mediator of this village.") % {"user": user}}
            )
    return mediators


@transaction.atomic
def open_mediation(
    *, mediation: MediationCase, parties: Iterable[PartyData], mediators: Iterable[User], by: User
) -> MediationCase:
    """Put a new mediation in the committee's book (status: applied) with its running number
    for the village and the year it was applied for. From a case of the register, the
    mediation stays in the case's village and the case's book gets a note."""
    if mediation.pk is not None:
        raise ValidationError(_("This mediation is already in the book."))
    if mediation.case_id:
        case = Case.objects.select_related("case_type", "region").get(pk=mediation.case_id)
        mediation.region = case.region
        problem = source_case_problem(case)
        if problem:
            raise ValidationError(problem)
    if mediation.opinion_id:
        opinion = Opinion.objects.get(pk=mediation.opinion_id)
        if mediation.case_id and opinion.region_id != mediation.region_id:
            raise ValidationError(_("The opinion and the case belong to different villages."))
        mediation.region_id = opinion.region_id
    if not mediation.region_id:
        raise ValidationError({"region": _("Choose the village.")})
    _require_actor(by, mediation.region)
    if mediation.dispute_type not in DisputeType.values:
        raise ValidationError({"dispute_type": _("Choose the kind of dispute.")})
    if not (mediation.summary or "").strip():
        raise ValidationError({"summary": _("Say what the dispute is about.")})
    mediation.applied_on = mediation.applied_on or timezone.localdate()
    if mediation.applied_on > timezone.localdate():
        raise ValidationError({"applied_on": _("The application date lies in the future.")})
    kept_parties = _check_parties(mediation, parties)
    kept_mediators = _check_mediators(mediation, mediators)

    mediation.status = S.APPLIED
    mediation.year = mediation.applied_on.year
    mediation.serial = _next_serial(mediation.region, mediation.year)
    mediation._change_reason = _("Application registered")
    mediation.save()
    mediation.mediators.set(kept_mediators)
    MediationParty.objects.bulk_create(
        MediationParty(
            mediation=mediation, side=p.side, name=p.name, person=p.person, address=p.address
        )
        for p in kept_parties
    )
    _case_note(
        mediation,
        by,
        _("Taken to mediation: mediation case %(number)s.") % {"number": mediation.number},
    )
    for mediator in kept_mediators:
        if mediator.pk != by.pk:
            notify(
                mediator,
                "assignment",
                Phrase(
                    gettext_noop("You are a mediator on mediation case %(number)s."),
                    number=mediation.number,
                ),
                mediation.get_absolute_url(),
            )
    return mediation


# ---- sessions -------------------------------------------------------------------------------


@transaction.atomic
def add_session(
    *, mediation: MediationCase, held_on: dt.date, notes: str, by: User, place: str = ""
) -> MediationSession:
    """The record of one mediation session (人民调解记录)."""
    mediation = _locked(mediation, by)
    if mediation.status != S.IN_MEDIATION:
        raise ValidationError(
            _("Sessions are recorded while the mediation is under way; this one is %(status)s.")
            % {"status": mediation.get_status_display()}
        )
    if not (notes or "").strip():
        raise ValidationError({"notes": _("Write down what was said and done in the session.")})
    _check_day(
        "held_on",
        held_on,
        mediation.applied_on,
        future=_("A session cannot be recorded before it is held."),
        early=_("The session cannot be before the application (%(day)s).")
        % {"day": mediation.applied_on},
    )
    return MediationSession.objects.create(
        mediation=mediation,
        held_on=held_on,
        place=place.strip(),
        notes=notes.strip(),
        recorded_by=by,
    )


# ---- status moves ---------------------------------------------------------------------------


def move_problems(
    mediation: MediationCase,
    to: str,
    *,
    agreement: str = "",
    referred_to: str = "",
    follow_up_due: dt.date | None = None,
    sessions: int | None = None,
) -> dict[str, str]:
    """What stops a move the table allows (field -> message; empty when it may happen)."""
    sessions = mediation.sessions.count() if sessions is None else sessions
    problems: dict[str, str] = {}
    if to in (S.AGREED, S.FAILED) and not sessions:
        problems["to"] = _("Record at least one mediation session first.")
    if to == S.AGREED:
        if not agreement.strip():
            problems["agreement"] = _("An agreement needs its text: what the parties agreed to.")
        if follow_up_due is None:
            problems["follow_up_due"] = _("Set the date of the follow-up visit (回访).")
        elif follow_up_due < mediation.applied_on:
            problems["follow_up_due"] = _("The follow-up visit cannot be before the application.")
    if to == S.REFERRED and not referred_to.strip():
        problems["referred_to"] = _(
            "Say where the dispute is referred to (the township or a court)."
        )
    if to == S.CLOSED:
        if not mediation.agreement.strip():
            problems["to"] = _("Closing an agreed mediation needs the agreement text.")
        elif mediation.followed_up_on is None:
            problems["to"] = _("Record the follow-up visit (回访) before closing.")
    return problems


def _record_move(move: Move[MediationCase]) -> None:
    """A mediation from the case register leaves a NOTE line in that case's book (the status
    change itself is in the mediation's history, with the note as its reason)."""
    mediation, to = move.obj, move.to
    number = mediation.number
    if to == S.REFERRED:
        text = _("Mediation case %(number)s failed and was referred to %(where)s.") % {
            "number": number,
            "where": mediation.referred_to,
        }
    elif to in (S.AGREED, S.FAILED, S.CLOSED):
        text = _("Mediation case %(number)s: %(status)s.") % {
            "number": number,
            "status": S(to).label,
        }
    else:
        return
    _case_note(mediation, move.by, text)  # type: ignore[arg-type]  # people move mediations


LIFECYCLE = Lifecycle(
    MediationCase,
    MediationStatus,
    TRANSITIONS,
    may=lambda mediation, user, to: can_act(user, mediation.region),
    refusal_field="to",
    stale=lambda seen, locked: seen.status != locked.status,
    stale_message=gettext_lazy("Someone changed this mediation meanwhile. Look again and retry."),
    record=_record_move,
    related=("region",),
)


def move(
    *,
    mediation: MediationCase,
    to: str,
    by: User,
    agreement: str = "",
    referred_to: str = "",
    follow_up_due: dt.date | None = None,
    note: str = "",
) -> MediationCase:
    """Move the mediation along the table. Agreeing needs the agreement text and the date of the
    follow-up visit; a referral says where to; closing needs the follow-up recorded."""
    _require_actor(by, mediation.region)

    def check(locked: MediationCase) -> None:
        problems = move_problems(
            locked, to, agreement=agreement, referred_to=referred_to, follow_up_due=follow_up_due
        )
        if problems:
            raise ValidationError(problems)

    def apply(locked: MediationCase) -> None:
        if to == S.AGREED:
            locked.agreement, locked.follow_up_due = agreement.strip(), follow_up_due
        elif to == S.REFERRED:
            locked.referred_to = referred_to.strip()
        elif to == S.CLOSED:
            locked.closed_on = timezone.localdate()
        locked._change_reason = note.strip()[:100] or None  # the history row's reason

    return LIFECYCLE.move(mediation, to, by=by, note=note, check=check, apply=apply)


@transaction.atomic
def record_follow_up(
    *, mediation: MediationCase, on: dt.date, note: str, by: User
) -> MediationCase:
    """The follow-up visit (回访) after an agreement: were its terms kept?"""
    locked = _locked(mediation, by)
    if locked.status != S.AGREED:
        raise ValidationError(
            _("A follow-up visit is recorded after an agreement, before closing.")
        )
    if locked.followed_up_on is not None:
        raise ValidationError(
            _("The follow-up visit is already recorded (%(day)s).") % {"day": locked.followed_up_on}
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("Write down what the follow-up visit found.")})
    _check_day(
        "on",
        on,
        locked.applied_on,
        future=_("A visit cannot be recorded before it happens."),
        early=_("The visit cannot be before the application."),
    )
    locked.followed_up_on, locked.follow_up_note = on, note.strip()
    locked._change_reason = _("Follow-up visit recorded")
    locked.save()
    _case_note(
        locked,
        by,
        _("Mediation case %(number)s: follow-up visit on %(day)s.")
        % {"number": locked.number, "day": on},
    )
    return locked
