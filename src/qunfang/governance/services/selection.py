"""选聘: nominating a person for a post, the village committee's decision, the township's approval
where the post requires it, the appointment that writes the membership, and dismissal (免职/解聘).

    nominated → committee_approved → (township_approved, where the post requires it) → appointed
        ↘ rejected, withdrawn (while open)

The village committee (RUN_GOVERNANCE, working in the post's village) nominates, decides,
appoints, withdraws and dismisses; the township (SUPERVISE_VILLAGES, working over the village)
approves or rejects where `post.requires_township_approval`. The appointment goes through the
registry's `membership_start`, so its checks (seats, vetting in force, age, training, the
person's village) apply as to any placement; a candidate whose latest check of a kind FAILED is
refused here as well, whatever the post. A refusal is a translated ValidationError and changes
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from qunfang.core.lifecycle import Lifecycle, Move, MoveRefused, Notice
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.governance.models.selection import (
    OPEN_CANDIDACY,
    Candidacy,
    CandidacyStatus,
    Dismissal,
    NominatedBy,
)
from qunfang.registry.models import (
    Membership,
    Person,
    Post,
    VettingCheck,
    VettingKind,
    VettingResult,
)
from qunfang.registry.services.organisations import (
    membership_end,
    membership_start,
    placement_problems,
)

S = CandidacyStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOMINATED: frozenset({S.COMMITTEE_APPROVED, S.REJECTED, S.WITHDRAWN}),
    # the committee appoints at once where the post needs no township approval
    S.COMMITTEE_APPROVED: frozenset({S.TOWNSHIP_APPROVED, S.APPOINTED, S.REJECTED, S.WITHDRAWN}),
    S.TOWNSHIP_APPROVED: frozenset({S.APPOINTED, S.WITHDRAWN}),
    S.APPOINTED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
OPEN = tuple(S(code) for code in OPEN_CANDIDACY)
NOTE_LENGTH = 100  # the history row's reason keeps this much of a decision's note


# ---- who decides ------------------------------------------------------------------------------


class Body(StrEnum):
    COMMITTEE = "committee"  # the village committee
    TOWNSHIP = "township"


def village_of(candidacy: Candidacy) -> Region:
    return candidacy.post.organisation.region


def committee_may(user: User, village: Region) -> bool:
    """The village committee's acts: nominate, decide, appoint, withdraw, dismiss."""
    return user.can(Perm.RUN_GOVERNANCE) and user.works_in(village)


def township_may(user: User, village: Region) -> bool:
    """The township's approval of an appointment to a post that requires it."""
    return user.can(Perm.SUPERVISE_VILLAGES) and user.works_in(village)


def body_for(candidacy: Candidacy, to: str) -> Body:
    """Who makes this move: the township approves, and rejects what the committee approved; the
    committee does the rest."""
    if to == S.TOWNSHIP_APPROVED or (to == S.REJECTED and candidacy.status != S.NOMINATED):
        return Body.TOWNSHIP
    return Body.COMMITTEE


def may_move(candidacy: Candidacy, user: User, to: str) -> bool:
    village = village_of(candidacy)
    if body_for(candidacy, to) == Body.TOWNSHIP:
        return township_may(user, village)
    return committee_may(user, village)


def _who_refusal(candidacy: Candidacy, user: User, to: str) -> str:
    """Why `user` may not make this move ("" when they may)."""
    village = village_of(candidacy)
    if body_for(candidacy, to) == Body.TOWNSHIP:
        if not user.can(Perm.SUPERVISE_VILLAGES):
            return _("Only the township approves or rejects this appointment.")
        if not user.works_in(village):
            return _("%(village)s is outside your township.") % {"village": village.name}
        return ""
    if not user.can(Perm.RUN_GOVERNANCE):
        return _("Only the village committee decides on its candidates.")
    if not user.works_in(village):
        return _(
            "The candidates of %(village)s are decided by its own village committee, not from "
            "another village."
        ) % {"village": village.name}
    return ""


def _require_committee(user: User, village: Region) -> None:
    if not user.can(Perm.RUN_GOVERNANCE):
        raise ValidationError(_("Only the village committee nominates, appoints and dismisses."))
    if not user.works_in(village):
        raise ValidationError(
            _("%(village)s's posts are filled by its own village committee, not from elsewhere.")
            % {"village": village.name}
        )


# ---- the three checks as vetting records them ---------------------------------------------------


class CheckState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    PENDING = "pending"  # the result, or a signature, is still awaited
    MISSING = "missing"
    EXPIRED = "expired"


CHECK_STATE_LABELS: dict[CheckState, Promise] = {
    CheckState.PASSED: gettext_lazy("passed"),
    CheckState.FAILED: gettext_lazy("failed"),
    CheckState.PENDING: gettext_lazy("pending"),
    CheckState.MISSING: gettext_lazy("missing"),
    CheckState.EXPIRED: gettext_lazy("expired"),
}


@dataclass(frozen=True)
class CheckRow:
    kind: str
    state: CheckState
    check: VettingCheck | None  # the latest check of the kind recorded by the day

    @property
    def kind_label(self) -> Promise:
        return VettingKind(self.kind).label

    @property
    def state_label(self) -> Promise:
        return CHECK_STATE_LABELS[self.state]


def check_rows(checks: Iterable[VettingCheck], on: dt.date) -> list[CheckRow]:
    """Each of the three checks (政治关、素质关、年龄关) on `on`, from the person's checks: failed
    when the latest check of the kind failed (a later pass clears an earlier failure), passed
    when one counts that day (passed, signed by the village and the police, not due), pending
    while a result or a signature is awaited, expired when the pass is due for re-vetting,
    missing when none is recorded."""
    rows = []
    for kind in VettingKind.values:
        of_kind = sorted(
            (c for c in checks if c.kind == kind and c.checked_on <= on),
            key=lambda c: (c.checked_on, c.pk or 0),
            reverse=True,
        )
        latest = of_kind[0] if of_kind else None
        if latest is None:
            state = CheckState.MISSING
        elif latest.result == VettingResult.FAILED:
            state = CheckState.FAILED
        elif any(c.counts_on(on) for c in of_kind):
            state = CheckState.PASSED
        elif latest.result == VettingResult.PENDING or latest.police_signed_by_id is None:
            state = CheckState.PENDING
        else:
            state = CheckState.EXPIRED
        rows.append(CheckRow(kind=kind, state=state, check=latest))
    return rows


def failed_checks(person: Person, on: dt.date) -> list[str]:
    """The checks the person failed (their latest of the kind), as labels."""
    rows = check_rows(person.vetting_checks.all(), on)
    return [str(row.kind_label) for row in rows if row.state == CheckState.FAILED]


def appointment_problems(candidacy: Candidacy, on: dt.date) -> list[str]:
    """Everything that stops appointing the candidate on `on`: a failed check, then the
    registry's own placement rules (seats, vetting in force, age, training, village)."""
    person, post = candidacy.person, candidacy.post
    problems = []
    failed = failed_checks(person, on)
    if failed:
        problems.append(
            _("%(name)s failed the %(checks)s; a candidate who failed a check is not appointed.")
            % {"name": person.name, "checks": "、".join(failed)}
        )
    return problems + placement_problems(person=person, post=post, on=on)


# ---- nominating -------------------------------------------------------------------------------


def _check_day(field: str, day: dt.date, *, not_before: dt.date, early: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date lies in the future.")})
    if day < not_before:
        raise ValidationError({field: early})


@transaction.atomic
def candidacy_nominate(
    *,
    post: Post,
    person: Person,
    nominated_by: str,
    nominated_on: dt.date,
    reason: str,
    by: User,
) -> Candidacy:
    """Put a person forward for a post of the village, with who nominated them and why."""
    village = post.organisation.region
    _require_committee(by, village)
    if not village.contains(person.region):
        raise ValidationError(
            {
                "person": _("%(name)s is registered in %(home)s, not in %(village)s.")
                % {"name": person.name, "home": person.region.name, "village": village.name}
            }
        )
    if nominated_by not in NominatedBy.values:
        raise ValidationError({"nominated_by": _("Say who nominated the candidate.")})
    _check_day(
        "nominated_on",
        nominated_on,
        not_before=person.birth_date,
        early=_("The nomination cannot be before the candidate was born."),
    )
    Post.objects.select_for_update(of=("self",)).filter(
        pk=post.pk
    ).first()  # one nomination at a time
    open_ones = Candidacy.objects.filter(post=post, person=person, status__in=OPEN)
    if open_ones.exists():
        raise ValidationError(
            {
                "person": _("%(name)s is already a candidate for %(post)s.")
                % {"name": person.name, "post": post.title}
            }
        )
    if post.memberships.filter(person=person, ended_on__isnull=True).exists():
        raise ValidationError(
            {"person": _("%(name)s already holds this post.") % {"name": person.name}}
        )
    candidacy = Candidacy(
        post=post,
        person=person,
        nominated_by=nominated_by,
        nominated_on=nominated_on,
        reason=reason.strip(),
        status=S.NOMINATED,
    )
    candidacy._history_user = by  # also outside a request (the demo, a command)
    candidacy.save()
    return candidacy


# ---- deciding and appointing ------------------------------------------------------------------


def route_problem(candidacy: Candidacy, to: str) -> str:
    """What the post's own path forbids although the table allows the move ("" when nothing):
    the township's approval only where the post requires it, and never skipped there."""
    post = candidacy.post
    needs_township = post.requires_township_approval
    if to == S.TOWNSHIP_APPROVED and not needs_township:
        return _("The post %(post)s needs no approval by the township: appoint the candidate.") % {
            "post": post.title
        }
    if to == S.APPOINTED and needs_township and candidacy.status != S.TOWNSHIP_APPROVED:
        return _(
            "An appointment to %(post)s needs the township's approval first; it has not "
            "approved this candidate yet."
        ) % {"post": post.title}
    if to == S.REJECTED and candidacy.status != S.NOMINATED and not needs_township:
        return _("The village committee has approved this candidate; withdraw the candidacy.")
    return ""


def moves_for(candidacy: Candidacy, user: User) -> list[str]:
    """The moves `user` may make now, that the post's path allows (the page's buttons)."""
    return [to for to in LIFECYCLE.allowed(candidacy, user) if not route_problem(candidacy, to)]


def _last_decided(candidacy: Candidacy) -> dt.date:
    days = [candidacy.nominated_on, candidacy.committee_decided_on, candidacy.township_decided_on]
    return max(d for d in days if d is not None)


def _readers(users: Iterable[User], perm: str) -> list[User]:
    return [u for u in users if u.can(perm)]


def township_officers(village: Region) -> list[User]:
    """The township's officers over the village: active accounts of its township that
    supervise villages (not the county's administrators)."""
    codes = village.path.rstrip("/").split("/")[:-1]
    above = ["".join(f"{code}/" for code in codes[: n + 1]) for n in range(len(codes))]
    users = User.objects.filter(
        region__path__in=above, region__kind=RegionKind.TOWNSHIP, is_active=True
    ).prefetch_related("roles")
    return _readers(users.order_by("pk"), Perm.SUPERVISE_VILLAGES)


def village_directors(village: Region) -> list[User]:
    """The village's directors (active accounts that run the village's books)."""
    users = User.objects.filter(
        region__path__startswith=village.path, is_active=True
    ).prefetch_related("roles")
    return _readers(users.order_by("pk"), Perm.MANAGE_VILLAGE)


def _notices(move: Move[Candidacy]) -> list[Notice]:
    """The township's officers hear of a candidate awaiting their approval; the village's
    directors hear what the township decided."""
    candidacy, to = move.obj, move.to
    village, url = village_of(candidacy), candidacy.get_absolute_url()
    params: dict[str, str] = {
        "name": candidacy.person.name,
        "post": str(candidacy.post),
        "village": village.name,
    }
    if to == S.COMMITTEE_APPROVED and candidacy.post.requires_township_approval:
        message = Phrase(
            gettext_noop(
                "%(village)s: the village committee approved %(name)s for %(post)s; the "
                "appointment awaits the township's approval."
            ),
            **params,
        )
        return [Notice(u, "assignment", message, url) for u in township_officers(village)]
    if body_for(move.before, to) == Body.TOWNSHIP:
        if to == S.TOWNSHIP_APPROVED:
            message = Phrase(
                gettext_noop(
                    "The township approved %(name)s for %(post)s: the village committee may "
                    "now appoint."
                ),
                **params,
            )
        else:
            message = Phrase(
                gettext_noop("The township did not approve %(name)s for %(post)s: %(note)s"),
                note=candidacy.decision_note or "—",
                **params,
            )
        return [Notice(u, "assignment", message, url) for u in village_directors(village)]
    return []


LIFECYCLE: Lifecycle[Candidacy] = Lifecycle(
    Candidacy,
    CandidacyStatus,
    TRANSITIONS,
    thing=gettext_lazy("candidacy"),
    may=may_move,
    refused_by_who=gettext_lazy("You may not make this decision on this candidacy."),
    refusal_field="to",
    stale=lambda seen, locked: seen.status != locked.status,
    stale_message=gettext_lazy("Someone decided on this candidacy meanwhile. Look again."),
    notices=_notices,
    related=("post__organisation__region", "person__region"),
)


def candidacy_move(
    *, candidacy: Candidacy, to: str, on: dt.date, by: User, note: str = ""
) -> Candidacy:
    """Decide on the candidacy (the committee's approval or rejection, the township's approval
    or rejection, a withdrawal) or appoint the candidate on `on`: the appointment writes the
    registry's membership through `membership_start` and links it."""
    if to not in S.values:
        raise ValidationError({"to": _("Choose a decision.")})
    who = _who_refusal(candidacy, by, to)
    if who:
        raise MoveRefused(who, current=candidacy.status, requested=to, field="to")
    note = note.strip()

    def check(locked: Candidacy) -> None:
        problem = route_problem(locked, to)
        if problem:
            raise MoveRefused(problem, current=locked.status, requested=to, field="to")
        if to == S.REJECTED and not note:
            raise ValidationError({"note": _("Say why the candidate is not appointed.")})
        _check_day(
            "on",
            on,
            not_before=_last_decided(locked),
            early=_("The date cannot be before the nomination or an earlier decision (%(day)s).")
            % {"day": _last_decided(locked)},
        )
        if to == S.APPOINTED:
            problems = appointment_problems(locked, on)
            if problems:
                raise ValidationError(problems)

    def apply(locked: Candidacy) -> None:
        body = body_for(locked, to)
        if to == S.APPOINTED:
            locked.membership = membership_start(
                person=locked.person,
                post=locked.post,
                started_on=on,
                reason=_("Appointed after selection"),
            )
        elif body == Body.TOWNSHIP:
            locked.township_decided_on, locked.township_decided_by = on, by
        else:  # the committee's approval, rejection or withdrawal: its latest decision's day
            locked.committee_decided_on = on
        if note:  # the latest decision's note; each one stays in the history rows
            locked.decision_note = note
        locked._change_reason = note[:NOTE_LENGTH] or None
        locked._history_user = by

    return LIFECYCLE.move(candidacy, to, by=by, note=note, check=check, apply=apply)


# ---- dismissal --------------------------------------------------------------------------------


@transaction.atomic
def membership_dismiss(
    *, membership: Membership, reason: str, decided_on: dt.date, by: User
) -> Dismissal:
    """免职/解聘: the committee ends a current membership by decision, with its reason."""
    village = membership.post.organisation.region
    _require_committee(by, village)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the dismissal.")})
    locked = Membership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
    if locked.ended_on is not None:
        raise ValidationError(
            _("This membership already ended on %(day)s.") % {"day": locked.ended_on}
        )
    _check_day(
        "decided_on",
        decided_on,
        not_before=locked.started_on,
        early=_("A dismissal cannot be before the post was taken up (%(day)s).")
        % {"day": locked.started_on},
    )
    membership_end(membership=locked, ended_on=decided_on, reason=reason[:200])
    dismissal = Dismissal(membership=locked, reason=reason, decided_on=decided_on, decided_by=by)
    dismissal._history_user = by
    dismissal.save()
    return dismissal
