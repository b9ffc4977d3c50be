"""The case lifecycle: a transition table, one owner at every moment, hand-overs that the
receiver must accept, and upward reports decided by the escalation rules.

Every move is checked here (views, API and commands call these functions); a refused move
changes nothing on the case and leaves a REFUSED line in its book. The reads behind the pages are
in `casebook.selectors.cases`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from qunfang.casebook.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseParty,
    CaseStatus,
    Escalation,
    EscalationRule,
    Level,
    ReporterKind,
)
from qunfang.core.audit import reveal_record
from qunfang.core.lifecycle import Lifecycle, Move
from qunfang.core.models import Region, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.core.uploads import CheckedFile

S = CaseStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.ACCEPTED, S.CLOSED}),
    S.ACCEPTED: frozenset({S.IN_HAND, S.REFERRED, S.ESCALATED, S.CLOSED}),
    S.IN_HAND: frozenset({S.REFERRED, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.REFERRED: frozenset({S.IN_HAND, S.RESOLVED, S.CLOSED}),
    S.ESCALATED: frozenset({S.IN_HAND, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_HAND}),
    S.CLOSED: frozenset({S.IN_HAND}),  # reopen
}
REOPEN = (S.CLOSED, S.IN_HAND)
# A caller on the hotline or a sender through the public form did not write to a public
# register: their name is always kept confidential (举报人保密).
CONFIDENTIAL_KINDS = (ReporterKind.HOTLINE, ReporterKind.PUBLIC_FORM)


def allowed_moves(case: Case) -> list[str]:
    """The moves the table allows from the case's status (for a user: `LIFECYCLE.allowed`)."""
    return LIFECYCLE.next_states(case)


def _refused_line(case: Case, by: User | None, message: str) -> None:
    """The refused attempt, in the case's book."""
    # (by: the move's, always a user in this book: its moves come from people's requests)
    CaseEvent.objects.create(  # type: ignore[misc]
        case=case, kind=CaseEventKind.REFUSED, note=message, by=by
    )


def _refuse(case: Case, by: User, message: str) -> None:
    """Record the refused attempt in the case's book, then refuse. Called before any write, so
    the line stays even though the move does not happen."""
    _refused_line(case, by, message)
    raise ValidationError(message)


def _next_serial(region: Region, year: int) -> int:
    Region.objects.select_for_update(of=("self",)).filter(
        pk=region.pk
    ).first()  # one number at a time per village
    last = Case.objects.filter(region=region, year=year).aggregate(n=Max("serial"))["n"] or 0
    return last + 1


# Who may hold a case: mediators, village directors, the township office, the police station.
HOLD_PERMS = (
    Perm.HANDLE_MEDIATION,
    Perm.MANAGE_VILLAGE,
    Perm.SUPERVISE_VILLAGES,
    Perm.RECEIVE_ESCALATIONS,
)


def can_hold(user: User, case: Case) -> bool:
    """May this user own the case? They must work in its village or above it."""
    return user.works_in(case.region) and any(user.can(p) for p in HOLD_PERMS)


@transaction.atomic
def register_case(
    *,
    case: Case,
    by: User,
    parties: Iterable[CaseParty] = (),
    attachments: Iterable[CheckedFile] = (),
) -> Case:
    """Put a new case in the book with `by` as its first owner (unless `case.owner` is set),
    with its parties and its attachments (files already checked, stored under names of our own)."""
    if case.occurred_at and case.occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("The time of occurrence lies in the future."))
    if case.reported_at and case.occurred_at and case.reported_at < case.occurred_at:
        raise ValidationError(_("A case cannot be reported before it occurred."))
    if case.group is not None and case.group.parent_id != case.region_id:
        raise ValidationError(_("The villager group is not in this village."))
    case.owner = case.owner if case.owner_id else by
    if not can_hold(case.owner, case):
        raise ValidationError(
            _("%(user)s cannot own a case of this village.") % {"user": case.owner}
        )
    if case.reporter_kind in CONFIDENTIAL_KINDS and has_named_reporter(case):
        case.reporter_confidential = True
    case.registered_by = by
    case.year = timezone.localtime(case.reported_at).year
    case.serial = _next_serial(case.region, case.year)
    case.save()
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.REGISTERED, to_status=case.status, to_owner=case.owner, by=by
    )
    plan_escalations(case)
    for party in parties:
        party.case = case
        party.save()
    for checked in attachments:
        Attachment.objects.create(
            region=case.region,
            case=case,
            file=checked.file,
            content_type=checked.content_type,
            size=checked.size,
            original_name=checked.name,
            uploaded_by=by,
        )
    return case


def has_named_reporter(case: Case) -> bool:
    return bool(case.reporter_id or case.reporter_name.strip())


def reporter_reveal(*, case: Case, viewer: User, request: HttpRequest | None = None) -> str:
    """The reporter's name, for a viewer who already reached the case through their scope. A
    confidential reporter needs Perm.VIEW_CONFIDENTIAL, and every such reveal is logged with the
    case's id and number, never with the name."""
    name = case.reporter.name if case.reporter is not None else case.reporter_name
    if not case.reporter_confidential:
        return name  # shown on the case's page anyway
    if not viewer.can(Perm.VIEW_CONFIDENTIAL):
        raise PermissionDenied
    reveal_record(
        viewer=viewer,
        record=case,
        field="confidential_reporter",
        label=case.number,
        request=request,
    )
    return name


def rules_for(case: Case) -> list[EscalationRule]:
    return list(
        EscalationRule.objects.filter(
            Q(case_type=case.case_type) | Q(case_type__isnull=True), min_severity__lte=case.severity
        )
    )


def plan_escalations(case: Case) -> list[Escalation]:
    """Create the upward reports the rules require (the tightest deadline per level)."""
    due: dict[str, int] = {}
    level: str
    for rule in rules_for(case):
        for level, wanted in ((Level.TOWNSHIP, rule.to_township), (Level.POLICE, rule.to_police)):
            if wanted:
                due[level] = min(due.get(level, rule.within_minutes), rule.within_minutes)
    made = []
    for level, minutes in due.items():
        escalation, created = Escalation.objects.get_or_create(
            case=case,
            level=level,
            defaults={"due_at": case.reported_at + dt.timedelta(minutes=minutes)},
        )
        if created:
            made.append(escalation)
    return made


def _may_move(case: Case, user: User, to: str) -> bool:
    """Only the case's owner moves it; a township officer who may hold it may also reopen it."""
    return user.pk == case.owner_id or (
        (case.status, to) == REOPEN and user.can(Perm.SUPERVISE_VILLAGES) and can_hold(user, case)
    )


def _record_move(move: Move[Case]) -> None:
    """The TRANSITION line in the case's book; an escalation sends the due upward reports."""
    case, before = move.obj, move.before
    # (move.by: always a user in this book, whose moves come from people's requests)
    CaseEvent.objects.create(  # type: ignore[misc]
        case=case,
        kind=CaseEventKind.TRANSITION,
        from_status=before.status,
        to_status=move.to,
        from_owner=before.owner,
        to_owner=case.owner,
        note=move.note,
        by=move.by,
    )
    if move.to == S.ESCALATED:
        report_upward(case=case, by=move.by, level=None)  # type: ignore[arg-type]


LIFECYCLE = Lifecycle(
    Case,
    CaseStatus,
    TRANSITIONS,
    may=_may_move,
    refused_by_who=gettext_lazy("Only the case's owner can change it."),
    record=_record_move,
    on_refused=_refused_line,  # a refused move leaves its REFUSED line
    related=("region", "owner"),
)


def move(*, case: Case, to: str, by: User, note: str = "", outcome: str = "") -> Case:
    """Change the case's status. Only its owner moves it; a township officer may also reopen.
    Closing needs an outcome, reopening a reason; whoever reopens the case holds it."""

    def check(locked: Case) -> None:
        if to == S.CLOSED and outcome not in CaseOutcome.values:
            raise ValidationError(_("Closing a case needs an outcome."))
        if (locked.status, to) == REOPEN and not note.strip():
            raise ValidationError(_("Say why the case is reopened."))

    def apply(locked: Case) -> None:
        if to == S.CLOSED:
            locked.outcome, locked.outcome_note, locked.closed_at = outcome, note, timezone.now()
            # a closed case is not handed over
            locked.handover_to, locked.handover_reason = None, ""
        elif (locked.status, to) == REOPEN:
            locked.outcome, locked.closed_at = "", None
            locked.owner = by  # whoever reopens it holds it

    return LIFECYCLE.move(case, to, by=by, note=note, check=check, apply=apply)


def offer_handover(*, case: Case, to: User, reason: str, by: User) -> Case:
    case = Case.objects.get(pk=case.pk)  # the owner as it stands now
    if by.pk != case.owner_id:
        # refused outside the transaction, so the REFUSED line stays
        _refuse(case, by, _("Only the case's owner can hand it over."))
    with transaction.atomic():
        return _offer_handover(case, to, reason, by)


def _offer_handover(case: Case, to: User, reason: str, by: User) -> Case:
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if by.pk != case.owner_id:
        raise ValidationError(_("Someone changed this case meanwhile. Look again and retry."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the hand-over."))
    if to.pk == case.owner_id:
        raise ValidationError(_("The case is already theirs."))
    if not can_hold(to, case):
        raise ValidationError(_("%(user)s cannot take a case of this village.") % {"user": to})
    if case.status == S.CLOSED:
        raise ValidationError(_("A closed case is not handed over; reopen it first."))
    case.handover_to, case.handover_reason = to, reason.strip()
    case.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.HANDOVER_OFFERED,
        from_owner=case.owner,
        to_owner=to,
        note=reason,
        by=by,
    )
    notify(
        to,
        "assignment",
        Phrase(gettext_noop("A case is being handed to you: %(case)s."), case=case),
        case.get_absolute_url(),
    )
    return case


def answer_handover(*, case: Case, accept: bool, by: User, note: str = "") -> Case:
    """The receiver accepts (and becomes the owner) or declines (the owner keeps it)."""
    case = Case.objects.get(pk=case.pk)  # the offer as it stands now, not as the caller last saw it
    if case.handover_to_id != by.pk:
        # refused outside the transaction, so the REFUSED line stays
        _refuse(case, by, _("This case is not being handed to you."))
    with transaction.atomic():
        return _answer_handover(case, accept, by, note)


def _answer_handover(case: Case, accept: bool, by: User, note: str) -> Case:
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.handover_to_id != by.pk:
        raise ValidationError(_("Someone changed this case meanwhile. Look again and retry."))
    previous = case.owner
    if accept:
        case.owner = by
    case.handover_to, case.handover_reason = None, ""
    case.save()
    kind = CaseEventKind.HANDOVER_ACCEPTED if accept else CaseEventKind.HANDOVER_DECLINED
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        from_owner=previous,
        to_owner=by if accept else previous,
        note=note,
        by=by,
    )
    if not accept:
        notify(
            previous,
            "assignment",
            Phrase(gettext_noop("%(user)s declined the case %(case)s."), user=by, case=case),
            case.get_absolute_url(),
        )
    return case


def report_upward(*, case: Case, by: User, level: str | None) -> list[Escalation]:
    """Send the case's due upward reports (or one level on demand)."""
    if by.pk != case.owner_id:
        # refused outside the transaction, so the REFUSED line stays
        _refuse(case, by, _("Only the case's owner reports it upward."))
    if level is not None and level not in Level.values:
        raise ValidationError(_("Unknown level to report to."))
    with transaction.atomic():
        return _report_upward(case, by, level)


def _report_upward(case: Case, by: User, level: str | None) -> list[Escalation]:
    levels = (
        [level]
        if level
        else [e.level for e in case.escalations.filter(sent_at__isnull=True)] or [Level.TOWNSHIP]
    )
    sent = []
    now = timezone.now()
    for lvl in levels:
        escalation, _created = Escalation.objects.get_or_create(
            case=case, level=lvl, defaults={"due_at": now, "required": False}
        )
        if escalation.sent_at:
            continue
        escalation.sent_at, escalation.sent_by = now, by
        escalation.save()
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.ESCALATED, note=str(Level(lvl).label), by=by
        )
        for receiver in receivers(case, lvl):
            notify(
                receiver,
                "escalation",
                Phrase(gettext_noop("Reported to you: %(case)s."), case=case),
                case.get_absolute_url(),
            )
        sent.append(escalation)
    return sent


def receivers(case: Case, level: str):
    perm = Perm.SUPERVISE_VILLAGES if level == Level.TOWNSHIP else Perm.RECEIVE_ESCALATIONS
    ancestors = _prefixes(case.region.path)
    users = User.objects.filter(is_active=True, region__path__in=ancestors).prefetch_related(
        "roles"
    )
    return [u for u in users if u.can(perm)]


def _prefixes(path: str) -> list[str]:
    """The paths of a region and its ancestors ("330681000000/330681109000/" → both prefixes)."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[: k + 1]) + "/" for k in range(len(parts))]


def acknowledge(*, escalation: Escalation, by: User, instructions: str = "") -> Escalation:
    """The receiving level acknowledges (and may hand back instructions). Nobody acknowledges
    a report they sent themselves."""
    case = escalation.case
    perm = (
        Perm.SUPERVISE_VILLAGES if escalation.level == Level.TOWNSHIP else Perm.RECEIVE_ESCALATIONS
    )
    if not by.can(perm):
        raise PermissionDenied
    if escalation.sent_at is None:
        raise ValidationError(_("This report has not been sent yet."))
    if by.pk in (escalation.sent_by_id, case.owner_id):
        _refuse(case, by, _("Nobody acknowledges a report they sent themselves."))
    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=escalation.pk)
        )
        return _acknowledge(escalation, case, by, instructions)


def _acknowledge(escalation: Escalation, case: Case, by: User, instructions: str) -> Escalation:
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = timezone.now(), by
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.ACKNOWLEDGED, note=escalation.get_level_display(), by=by
        )
    if instructions.strip():
        escalation.instructions = "\n".join(
            filter(None, [escalation.instructions, instructions.strip()])
        )
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.INSTRUCTION, note=instructions.strip(), by=by
        )
        notify(
            case.owner,
            "escalation",
            Phrase(gettext_noop("Instructions on %(case)s."), case=case),
            case.get_absolute_url(),
        )
    escalation.save()
    return escalation
