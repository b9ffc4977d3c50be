"""Reads of the mediation book: the list with its filters, one mediation with everything on it,
the follow-up visits coming due, the paper register and the home-page panel. Every read starts
from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from qunfang.casebook.models import MediationCase, MediationParty, MediationSession, MediationStatus
from qunfang.casebook.services.mediation import OPEN
from qunfang.core.models import Region, User

FOLLOW_UP_WINDOW = dt.timedelta(days=7)  # follow-ups due this soon show on the home page


def _parties() -> Prefetch:
    return Prefetch("parties", queryset=MediationParty.objects.select_related("person__household"))


def _party_names() -> Prefetch:
    """What the book's list shows of the parties: their names and sides, not their encrypted
    numbers (decrypting them was a fifth of the list's time). As a plain list (`to_attr`):
    Django otherwise builds a queryset per row to hold each row's prefetched parties."""
    return Prefetch(
        "parties",
        queryset=MediationParty.objects.only("mediation_id", "name", "side"),
        to_attr="party_names",
    )


def _mediator_names() -> Prefetch:
    """The mediators' names only (not their encrypted phone and ID numbers), as a plain list."""
    return Prefetch(
        "mediators",
        queryset=User.objects.only("username", "full_name").order_by("full_name", "username"),
        to_attr="mediator_names",
    )


def _mediators() -> Prefetch:
    return Prefetch("mediators", queryset=User.objects.order_by("full_name", "username"))


def follow_ups_due_q(today: dt.date | None = None) -> Q:
    """Agreed, not yet visited, and due within the week (or overdue)."""
    today = today or timezone.localdate()
    return Q(
        status=MediationStatus.AGREED,
        followed_up_on__isnull=True,
        follow_up_due__lte=today + FOLLOW_UP_WINDOW,
    )


def mediation_list(
    user, *, status: str = "", village: Region | None = None, due: bool = False
) -> QuerySet:
    """The book, newest first: 1 query for the page, 1 for its parties, 1 for its mediators."""
    queryset = (
        MediationCase.objects.visible_to(user)
        .select_related("region", "case")
        .prefetch_related(_party_names(), _mediator_names())
    )
    if status:
        queryset = queryset.filter(status=status)
    if village is not None:
        queryset = queryset.filter(region=village)
    if due:
        queryset = queryset.filter(follow_ups_due_q()).order_by("follow_up_due", "id")
    return queryset


def mediation_for_detail(user) -> QuerySet:
    return (
        MediationCase.objects.visible_to(user)
        .select_related("region__parent", "case__case_type", "opinion")
        .prefetch_related(
            _parties(),
            _mediators(),
            Prefetch("sessions", queryset=MediationSession.objects.select_related("recorded_by")),
        )
    )


def status_moves(mediation: MediationCase) -> list[dict]:
    """The status changes (and other noted steps, such as the follow-up visit) from the row's
    history, oldest first, with who and why."""
    rows, previous = [], None
    for record in mediation.history.select_related("history_user").order_by(
        "history_date", "history_id"
    ):
        if previous is None or record.status != previous or record.history_change_reason:
            rows.append(
                {
                    "at": record.history_date,
                    "by": record.history_user,
                    "from": MediationStatus(previous).label
                    if previous and previous != record.status
                    else "",
                    "to": MediationStatus(record.status).label,
                    "reason": record.history_change_reason or "",
                }
            )
        previous = record.status
    return rows


def register_rows(user, *, village: Region, first: dt.date, last: dt.date) -> list[MediationCase]:
    """The mediations applied for in the period, in running-number order."""
    return list(
        MediationCase.objects.visible_to(user)
        .filter(region=village, applied_on__gte=first, applied_on__lte=last)
        .prefetch_related(_parties(), _mediators())
        .order_by("year", "serial")
    )


def mediation_summary(user) -> dict:
    """The home-page panel: follow-up visits due within the week (and overdue), and how many
    mediations are on the committee's desk. Three queries."""
    today = timezone.localdate()
    visible = MediationCase.objects.visible_to(user)
    due = list(
        visible.filter(follow_ups_due_q(today))
        .select_related("region")
        .prefetch_related(_parties())
        .order_by("follow_up_due", "id")[:5]
    )
    counts = visible.aggregate(
        due=Count("id", filter=follow_ups_due_q(today)),
        overdue=Count("id", filter=follow_ups_due_q(today) & Q(follow_up_due__lt=today)),
        open=Count("id", filter=Q(status__in=OPEN)),
    )
    return {
        "follow_ups": due,
        "follow_ups_due": counts["due"],
        "follow_ups_overdue": counts["overdue"],
        "open_mediations": counts["open"],
        "today": today,
    }
