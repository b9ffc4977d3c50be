"""Reads of selection and appointment (选聘): the list of candidacies with its filters and the
township's queue, one candidacy with its three checks, age and training against the post, the
person's whole history for the registry's person page, and the home panel. Every read starts
from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from qunfang.core.models import User
from qunfang.core.roles import Perm
from qunfang.governance.models.selection import Candidacy, CandidacyStatus
from qunfang.governance.services.selection import (
    OPEN,
    CheckRow,
    appointment_problems,
    check_rows,
    committee_may,
)
from qunfang.registry.models import Membership, Person, TrainingKind, TrainingRecord

S = CandidacyStatus
PANEL_ROWS = 5

# the list's views: open candidacies (the default), the township's queue, everything
OPEN_VIEW, TOWNSHIP_VIEW, ALL_VIEW = "", "township", "all"


def awaiting_township_q() -> Q:
    """Approved by the village committee for a post that needs the township's approval."""
    return Q(status=S.COMMITTEE_APPROVED, post__requires_township_approval=True)


def awaiting_committee_q() -> Q:
    """What the village committee acts on next: a nomination to decide, an approved candidate to
    appoint."""
    return (
        Q(status=S.NOMINATED)
        | Q(status=S.COMMITTEE_APPROVED, post__requires_township_approval=False)
        | Q(status=S.TOWNSHIP_APPROVED)
    )


def _rows(user: User) -> QuerySet[Candidacy]:
    """Candidacies with their post, organisation, village and candidate's name (the person's
    encrypted numbers are not read)."""
    return (
        Candidacy.objects.visible_to(user)
        .select_related("post__organisation__region", "person")
        .defer("person__id_number", "person__phone")
    )


def candidacy_list(
    user: User, *, view: str = OPEN_VIEW, status: str = "", village: Any = None
) -> QuerySet[Candidacy]:
    """Open candidacies (or every one, or the township's queue), newest first: one query for
    the page, one for the count."""
    queryset = _rows(user)
    if view == TOWNSHIP_VIEW:
        queryset = queryset.filter(awaiting_township_q())
    elif view != ALL_VIEW:
        queryset = queryset.filter(status__in=OPEN)
    if status:
        queryset = queryset.filter(status=status)
    if village is not None:
        queryset = queryset.filter(post__organisation__region=village)
    return queryset.order_by("-nominated_on", "-id")


def candidacy_for_detail(user: User) -> QuerySet[Candidacy]:
    return (
        Candidacy.objects.visible_to(user)
        .select_related(
            "post__organisation__region", "person__region", "township_decided_by", "membership"
        )
        .prefetch_related("person__vetting_checks")
    )


@dataclass
class Checks:
    """What the candidate brings to the post on a day: the three checks, age against the post's
    range, the training it requires; and what would stop the appointment that day."""

    on: dt.date
    vetting: list[CheckRow]
    age: int
    min_age: int | None
    max_age: int | None
    age_ok: bool
    training: Promise | None  # the required training's label, None when none is required
    certificate: TrainingRecord | None  # the latest certificate of that training
    training_ok: bool
    problems: list[str] = field(default_factory=list)


def candidate_checks(candidacy: Candidacy, on: dt.date | None = None) -> Checks:
    """The candidate page's checks (as on `on`, today by default). The problems are the ones
    the appointment would be refused for, for an open candidacy."""
    on = on or timezone.localdate()
    person, post = candidacy.person, candidacy.post
    age = person.age_on(on)
    certificate = None
    training_ok = True
    if post.required_training:
        certificate = (
            TrainingRecord.objects.filter(person=person, kind=post.required_training)
            .order_by("-held_on", "-id")
            .first()
        )
        training_ok = bool(
            certificate
            and certificate.held_on <= on
            and certificate.certificate_expires_on
            and certificate.certificate_expires_on >= on
        )
    return Checks(
        on=on,
        vetting=check_rows(person.vetting_checks.all(), on),
        age=age,
        min_age=post.min_age,
        max_age=post.max_age,
        age_ok=(post.min_age is None or age >= post.min_age)
        and (post.max_age is None or age <= post.max_age),
        training=TrainingKind(post.required_training).label if post.required_training else None,
        certificate=certificate,
        training_ok=training_ok,
        problems=appointment_problems(candidacy, on) if candidacy.status in OPEN else [],
    )


def status_moves(candidacy: Candidacy) -> list[dict[str, Any]]:
    """The candidacy's steps from its history rows, oldest first: who, when, and the note."""
    rows: list[dict[str, Any]] = []
    previous = None
    for record in candidacy.history.select_related("history_user").order_by(
        "history_date", "history_id"
    ):
        if previous is None or record.status != previous or record.history_change_reason:
            rows.append(
                {
                    "at": record.history_date,
                    "by": record.history_user,
                    "to": S(record.status).label,
                    "reason": record.history_change_reason or "",
                }
            )
        previous = record.status
    return rows


# ---- the person's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    day: dt.date
    what: Promise
    post: str
    note: str = ""
    candidacy: Candidacy | None = None
    membership: Membership | None = None
    dismissible: bool = False


NOMINATED = gettext_lazy("Nominated")
COMMITTEE_APPROVED = gettext_lazy("Approved by the village committee")
COMMITTEE_REJECTED = gettext_lazy("Not approved by the village committee")
TOWNSHIP_APPROVED = gettext_lazy("Approved by the township")
TOWNSHIP_REJECTED = gettext_lazy("Not approved by the township")
TOOK_UP = gettext_lazy("Took up the post")
LEFT = gettext_lazy("Left the post")
DISMISSED = gettext_lazy("Dismissed")
WITHDRAWN = gettext_lazy("Candidacy withdrawn")
APPOINTED = gettext_lazy("Appointed")


def _candidacy_rows(c: Candidacy) -> list[HistoryRow]:
    """A candidacy's steps on the person's page (the candidacy's own page has every one)."""
    post = str(c.post)
    rows = [HistoryRow(c.nominated_on, NOMINATED, post, c.reason, candidacy=c)]
    committee, township = c.committee_decided_on, c.township_decided_on
    if c.status == S.WITHDRAWN:
        rows.append(HistoryRow(committee or c.nominated_on, WITHDRAWN, post, c.decision_note, c))
    elif c.status == S.REJECTED and township is None:
        rows.append(
            HistoryRow(committee or c.nominated_on, COMMITTEE_REJECTED, post, c.decision_note, c)
        )
    else:
        if committee is not None:
            rows.append(HistoryRow(committee, COMMITTEE_APPROVED, post, candidacy=c))
        if township is not None:
            rejected = c.status == S.REJECTED
            what = TOWNSHIP_REJECTED if rejected else TOWNSHIP_APPROVED
            rows.append(HistoryRow(township, what, post, c.decision_note if rejected else "", c))
    return rows


def person_history(user: User, person: Person) -> dict[str, Any] | None:
    """The person's whole selection history for their registry page: candidacies with their
    decisions, the posts taken up (after a selection or placed directly), left and dismissed,
    newest first. Two queries; None for a reader without the governance view."""
    if not user.can(Perm.VIEW_GOVERNANCE):
        return None
    candidacies = list(
        Candidacy.objects.visible_to(user)
        .filter(person=person)
        .select_related("post__organisation")
        .order_by("nominated_on", "id")
    )
    memberships = list(
        Membership.objects.visible_to(user)
        .filter(person=person)
        .select_related("post__organisation__region", "dismissal", "candidacy")
        .order_by("started_on", "id")
    )
    rows: list[HistoryRow] = []
    for c in candidacies:
        rows += _candidacy_rows(c)
    for m in memberships:
        post = str(m.post)
        open_ = m.ended_on is None
        rows.append(
            HistoryRow(
                m.started_on,
                APPOINTED if getattr(m, "candidacy", None) is not None else TOOK_UP,
                post,
                membership=m,
                dismissible=open_ and committee_may(user, m.post.organisation.region),
            )
        )
        if m.ended_on is not None:
            dismissal = getattr(m, "dismissal", None)
            if dismissal is not None:
                rows.append(HistoryRow(m.ended_on, DISMISSED, post, dismissal.reason, membership=m))
            else:
                rows.append(HistoryRow(m.ended_on, LEFT, post, m.end_reason, membership=m))
    rows.sort(key=lambda r: r.day, reverse=True)
    return {
        "rows": rows,
        "can_nominate": committee_may(user, person.region),
    }


# ---- the home panel ---------------------------------------------------------------------------


def selection_summary(user: User) -> dict[str, Any]:
    """The candidacies awaiting the user's decision: for the township, the appointments awaiting
    its approval; for a village committee, nominations to decide and approved candidates to
    appoint. Two queries (one when there is nothing)."""
    township = user.can(Perm.SUPERVISE_VILLAGES)
    waiting = awaiting_township_q() if township else awaiting_committee_q()
    mine = Q(post__organisation__region__path__startswith=user.region.path) if user.region else Q()
    queryset = Candidacy.objects.visible_to(user).filter(waiting, mine)
    counts = queryset.aggregate(
        all=Count("id"),
        nominated=Count("id", filter=Q(status=S.NOMINATED)),
    )
    rows = (
        list(_rows(user).filter(waiting, mine).order_by("nominated_on", "id")[:PANEL_ROWS])
        if counts["all"]
        else []
    )
    return {
        "township": township,
        "awaiting": counts["all"],
        "to_decide": counts["nominated"],
        "to_appoint": counts["all"] - counts["nominated"],
        "candidacies": rows,
    }
