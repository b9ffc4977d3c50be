"""Reads behind the case register (案件登记), the upward reports and the home panel. Every read
starts from `visible_to(user)`; lists are fetched in a fixed number of queries however many
rows they have."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.utils import timezone

from qunfang.casebook.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    CaseType,
    Escalation,
    Level,
    ReportPeriod,
    SituationReport,
)
from qunfang.casebook.services.cases import HOLD_PERMS, _prefixes, can_hold
from qunfang.core.models import Region, User
from qunfang.core.roles import ROLE_PERMISSIONS, Perm, Role
from qunfang.core.selectors import villages_visible

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Who works with the case register: whoever may hold a case (services.cases.can_hold).
LEVEL_PERM = {Level.TOWNSHIP: Perm.SUPERVISE_VILLAGES, Level.POLICE: Perm.RECEIVE_ESCALATIONS}
# a sent report not acknowledged an hour after its due time is overdue
ACK_GRACE = dt.timedelta(hours=1)


def receiving_levels(user) -> list[str]:
    """The levels whose upward reports this user receives (township office, police station)."""
    return [level for level, perm in LEVEL_PERM.items() if user.can(perm)]


def overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    """An upward report is overdue when it was not sent by its due time, or sent but not
    acknowledged an hour after it (`overdue_escalations`, the home panel, the overdue notices)."""
    p = prefix
    return Q(**{f"{p}sent_at__isnull": True, f"{p}due_at__lt": now}) | Q(
        **{
            f"{p}sent_at__isnull": False,
            f"{p}acknowledged_at__isnull": True,
            f"{p}due_at__lt": now - ACK_GRACE,
        }
    )


def _overdue_exists(now: dt.datetime) -> Exists:
    return Exists(Escalation.objects.filter(overdue_q(now), case=OuterRef("pk")))


# ---- the case list ---------------------------------------------------------------------------


def case_list(
    user,
    *,
    status: str = "",
    type_code: str = "",
    village: Region | None = None,
    severity: int | None = None,
    mine: bool = False,
    handover_to_me: bool = False,
    overdue: bool = False,
    search: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """The cases in the user's villages, newest first; `mark_overdue()` flags a page of them."""
    queryset = Case.objects.visible_to(user).select_related(
        "region", "group", "case_type", "owner", "handover_to"
    )
    if status:
        queryset = queryset.filter(status=status)
    if type_code:
        queryset = queryset.filter(case_type__code=type_code)
    if village is not None:
        queryset = queryset.filter(region=village)
    if severity:
        queryset = queryset.filter(severity=severity)
    if mine:
        queryset = queryset.filter(owner=user).exclude(status=CaseStatus.CLOSED)
    if handover_to_me:
        queryset = queryset.filter(handover_to=user)
    if overdue:
        queryset = queryset.exclude(status=CaseStatus.CLOSED).filter(
            _overdue_exists(now or timezone.now())
        )
    if search:
        queryset = queryset.filter(search_q(search))
    return queryset


def mark_overdue(cases: list[Case], now: dt.datetime | None = None) -> list[Case]:
    """Set `is_overdue` on a page of cases, from one query for their overdue upward reports.
    Not an annotation on the list: PostgreSQL answered that by reading every upward report in
    the database for each page (8 ms at 100 townships, growing with the county)."""
    open_ids = [c.pk for c in cases if c.status != CaseStatus.CLOSED]
    late = (
        set(
            Escalation.objects.filter(
                overdue_q(now or timezone.now()), case_id__in=open_ids
            ).values_list("case_id", flat=True)
        )
        if open_ids
        else set()
    )
    for case in cases:
        case.is_overdue = case.pk in late  # type: ignore[attr-defined]  # for the list's page
    return cases


def search_q(search: str) -> Q:
    """A case's number (2027-0003), words of its summary or place, or its reporter's name — never
    a confidential reporter's: a hit would tell who reported the case, unlogged (for everyone,
    also those who may reveal the name on the case's page)."""
    q = Q(title__icontains=search) | Q(address__icontains=search)
    q |= Q(reporter_confidential=False) & (
        Q(reporter_name__icontains=search) | Q(reporter__name__icontains=search)
    )
    number = re.fullmatch(r"(\d{4})-(\d{1,6})", search)
    if number:
        q |= Q(year=int(number[1]), serial=int(number[2]))
    return q


def case_types() -> QuerySet[CaseType]:
    return CaseType.objects.filter(active=True)


# ---- one case --------------------------------------------------------------------------------


def case_for_detail() -> QuerySet[Case]:
    return Case.objects.select_related(
        "region__parent",
        "group",
        "case_type",
        "owner",
        "handover_to",
        "reporter",
        "registered_by",
        "source_check_in__point",
        "source_opinion",
    ).prefetch_related(
        "parties",
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        Prefetch(
            "events", queryset=CaseEvent.objects.select_related("by", "from_owner", "to_owner")
        ),
        Prefetch(
            "escalations", queryset=Escalation.objects.select_related("sent_by", "acknowledged_by")
        ),
    )


def handover_candidates(case: Case) -> list[User]:
    """Who may take the case over: accounts working in its village or above it that can hold a
    case (services.cases.can_hold), except its current owner."""
    users = (
        User.objects.filter(is_active=True, region__path__in=_prefixes(case.region.path))
        .exclude(pk=case.owner_id)
        .select_related("region")
        .prefetch_related("roles")
        .order_by("region__path", "full_name", "username")
    )
    return [u for u in users if can_hold(u, case)]


# ---- who is offered a new case first ---------------------------------------------------------


@dataclass(frozen=True)
class FirstOffer:
    """Whom a new case or mediation of a type is offered to first in a village: the name of the
    kind of organisation that owns the type there (None: nobody owns it) and the accounts of the
    people holding its posts in the village."""

    owner: StrOrPromise | None
    accounts: frozenset[int]


# The division of work answers here (governance's mandates register it from their ready()):
# (village, case_type=…, dispute_type=…, people=…) -> FirstOffer. Without it nobody comes first.
FIRST_OFFER: list[Callable[..., FirstOffer]] = []


def first_offer(
    village: Region, *, case_type: CaseType | None = None, dispute_type: str = "", people=True
) -> FirstOffer | None:
    """Who owns the type in the village and who its people are (`people=False`: only who owns
    it); None when no division of work is installed."""
    if not FIRST_OFFER:
        return None
    return FIRST_OFFER[0](village, case_type=case_type, dispute_type=dispute_type, people=people)


def case_holders(user) -> QuerySet[User]:
    """The accounts the user may make a new case's owner: active, in the user's jurisdiction,
    with a role that holds cases (`services.cases.can_hold`, which checks the village)."""
    roles = [
        role
        for role, perms in ROLE_PERMISSIONS.items()
        if perms & set(HOLD_PERMS) and role != Role.SYSTEM_ADMIN
    ]
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, roles__role__in=roles)
        .select_related("region")
        .distinct()
        .order_by("region__path", "full_name", "username")
    )


def offered_first(users: QuerySet[User], accounts: frozenset[int]) -> QuerySet[User]:
    """`users` with the owning organisation's people (`accounts`) first, in the same order."""
    if not accounts:
        return users
    first = DbCase(When(pk__in=accounts, then=Value(0)), default=Value(1))
    return users.annotate(offered=first).order_by("offered", *users.query.order_by)


# ---- upward reports --------------------------------------------------------------------------


def escalation_inbox(
    user, *, levels: list[str], open_only: bool = False, now: dt.datetime | None = None
):
    """Upward reports for the user's villages at the user's levels: sent and waiting for
    acknowledgement first, then those the village has not sent although due, then the rest."""
    now = now or timezone.now()
    queryset = (
        Escalation.objects.visible_to(user)
        .filter(level__in=levels)
        .filter(
            Q(sent_at__isnull=False) | Q(due_at__lt=now)
        )  # one not yet due is still the village's business
        .select_related(
            "case__region", "case__case_type", "case__owner", "sent_by", "acknowledged_by"
        )
        .annotate(
            waiting=DbCase(
                When(sent_at__isnull=False, acknowledged_at__isnull=True, then=Value(0)),
                When(sent_at__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            is_overdue=DbCase(
                When(Q(case__status=CaseStatus.CLOSED), then=Value(False)),
                When(overdue_q(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("waiting", "due_at", "id")
    )
    if open_only:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    return queryset


def overdue_escalations(user, now: dt.datetime | None = None) -> QuerySet[Escalation]:
    """The overdue upward reports of open cases in the user's villages."""
    return (
        Escalation.objects.visible_to(user)
        .filter(overdue_q(now or timezone.now()))
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case__region", "case__case_type")
    )


# ---- the printable register --------------------------------------------------------------------


def register_cases(user, *, village: Region, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """The village's cases reported from `start` to `end` (both included), in running-number
    order."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        Case.objects.visible_to(user)
        .filter(region=village, reported_at__gte=since, reported_at__lt=until)
        .select_related("group", "case_type", "owner", "reporter")
        .order_by("year", "serial")
    )


# ---- the home panel --------------------------------------------------------------------------


def case_summary(user) -> dict:
    """Open cases I own, overdue upward reports, hand-overs waiting for me, and villages that have
    not sent today's situation report."""
    now = timezone.now()
    today = timezone.localdate(now)
    overdue = (
        Escalation.objects.visible_to(user)
        .filter(overdue_q(now))
        .exclude(case__status=CaseStatus.CLOSED)
    )
    villages = villages_visible(user=user)
    reported = SituationReport.objects.visible_to(user).filter(
        period=ReportPeriod.DAILY, starts_on=today
    )
    return {
        "open_mine": Case.objects.filter(owner=user).exclude(status=CaseStatus.CLOSED).count(),
        "overdue_reports": overdue.count(),
        "handovers_waiting": Case.objects.filter(handover_to=user).count(),
        "villages_missing": villages.exclude(pk__in=reported.values("region_id")).count(),
        "receives": bool(receiving_levels(user)),
    }
