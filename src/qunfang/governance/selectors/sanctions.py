"""Reads of rewards and punishments (奖惩): the township's rules, the proposals with their
filters and the records they rest on, the payment requests, the village board and its printed
notice. Every read of a village's records starts from `visible_to(user)`; lists cost the same
few queries however many rows they show.

The rules belong to a township and apply to its villages: a village's director reads the rules
of the township above (as a village reads its township's model texts) and changes none."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from qunfang.core.models import Region, RegionKind, User
from qunfang.governance.assessment.catalogue import REF_PAGES
from qunfang.governance.models import (
    REWARDS,
    AssessmentRun,
    PaymentRequest,
    Sanction,
    SanctionRule,
    SanctionStatus,
    Score,
)
from qunfang.registry.models import Membership, Organisation, OrgStatus, Person

# what a list shows of a person is the name: not the encrypted numbers (decrypting costs)
PERSON_SECRETS = ("person__id_number", "person__phone")
REWARD, PUNISHMENT = "reward", "punishment"
REF_KINDS = {
    "case": _("Case"),
    "shift": _("Shift"),
    "inspection": _("Safety inspection"),
    "score": _("Assessment score"),
}


# ---- rules ------------------------------------------------------------------------------------


def townships_of(user: User) -> QuerySet[Region]:
    """The townships whose rules the user reads: those of the jurisdiction, and the one above a
    village's staff."""
    if not user.is_active or user.region is None:
        return Region.objects.none()
    above = [code for code in user.region.path.split("/") if code]
    return (
        Region.objects.filter(kind=RegionKind.TOWNSHIP)
        .filter(Q(pk__in=Region.objects.visible_to(user).values("pk")) | Q(code__in=above))
        .order_by("path")
    )


def supervised_townships(user: User) -> QuerySet[Region]:
    """The townships whose rules the user may set (inside the jurisdiction)."""
    return Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")


def rule_list(user: User) -> QuerySet[SanctionRule]:
    """The rules of the user's townships, those in use first, with how many proposals each
    made."""
    return (
        SanctionRule.objects.filter(region__in=townships_of(user))
        .select_related("region")
        .annotate(proposed=Count("sanctions"))
        .order_by("region__path", "-active", "trigger", "times", "id")
    )


def rule_to_edit(user: User) -> QuerySet[SanctionRule]:
    return SanctionRule.objects.visible_to(user).select_related("region")


# ---- proposals --------------------------------------------------------------------------------


def _sanctions(user: User) -> QuerySet[Sanction]:
    return (
        Sanction.objects.visible_to(user)
        .select_related("region", "person", "organisation")
        .defer(*PERSON_SECRETS)
    )


def sanction_list(
    user: User,
    *,
    village: Region | None = None,
    status: str = "",
    kind: str = "",
    period: str = "",
) -> QuerySet[Sanction]:
    """The rewards and punishments the user sees, the latest proposed first."""
    queryset = _sanctions(user)
    if village is not None:
        queryset = queryset.filter(region=village)
    if status:
        queryset = queryset.filter(status=status)
    if kind == REWARD:
        queryset = queryset.filter(action__in=sorted(REWARDS))
    elif kind == PUNISHMENT:
        queryset = queryset.exclude(action__in=sorted(REWARDS))
    if period:
        queryset = queryset.filter(period=period)
    return queryset.order_by("-proposed_at", "-id")


def status_counts(user: User, *, village: Region | None = None) -> dict[str, int]:
    """How many of the user's sanctions are in each status (one query)."""
    queryset = Sanction.objects.visible_to(user)
    if village is not None:
        queryset = queryset.filter(region=village)
    rows = queryset.values("status").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(SanctionStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def sanction_for_detail() -> QuerySet[Sanction]:
    return (
        Sanction.objects.select_related(
            "region__parent",
            "person",
            "organisation",
            "rule",
            "run",
            "proposed_by",
            "decided_by",
            "payment",
        )
        .defer(*PERSON_SECRETS)
        .all()
    )


@dataclass(frozen=True)
class RefLink:
    kind: str
    label: str
    url: str


def ref_links(refs: list[Any]) -> list[RefLink]:
    """The records a proposal rests on, each linked to its page where there is one."""
    out = []
    for ref in refs:
        if not (isinstance(ref, list | tuple) and len(ref) == 3):
            continue
        kind, pk, label = ref
        url = ""
        if kind in REF_PAGES:
            try:
                url = reverse(REF_PAGES[kind], args=[pk])
            except NoReverseMatch:
                url = ""
        out.append(RefLink(str(REF_KINDS.get(kind, kind)), str(label), url))
    return out


# ---- the runs proposals are made from ----------------------------------------------------------


def runs_seen(user: User) -> QuerySet[AssessmentRun]:
    """The assessments the user sees: the township's own, and those that scored the user's
    villages."""
    scored_here = Score.objects.visible_to(user).filter(run=OuterRef("pk"))
    return (
        AssessmentRun.objects.filter(
            Q(pk__in=AssessmentRun.objects.visible_to(user).values("pk")) | Exists(scored_here)
        )
        .select_related("region")
        .defer("scheme_spec")
    )


def proposed_from(run: AssessmentRun) -> int:
    """How many proposals the run's period already has from the township's rules."""
    return Sanction.objects.filter(
        rule__region=run.region_id, period=run.period, rule__isnull=False
    ).count()


# ---- choices for a proposal by hand ----------------------------------------------------------


def people_to_propose(user: User) -> QuerySet[Person]:
    """The people of the user's villages who hold or held a post in one of its organisations:
    the ones a reward or punishment is tied to."""
    holders = Membership.objects.visible_to(user).filter(person=OuterRef("pk"))
    return (
        Person.objects.visible_to(user)
        .filter(Exists(holders))
        .select_related("region")
        .only("id", "name", "birth_date", "region", "region__name", "region__path")
        .order_by("region__path", "name", "id")
    )


def organisations_to_propose(user: User) -> QuerySet[Organisation]:
    return (
        Organisation.objects.visible_to(user)
        .exclude(status=OrgStatus.DISSOLVED)
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )


# ---- payment requests ---------------------------------------------------------------------------


def payment_list(
    user: User, *, village: Region | None = None, status: str = ""
) -> QuerySet[PaymentRequest]:
    """The payment requests of the user's villages (bonuses, subsidies, settled contracts), the
    latest first."""
    queryset = (
        PaymentRequest.objects.visible_to(user)
        .select_related("region", "payee_person", "payee_organisation", "settlement__contract")
        .defer("payee_person__id_number", "payee_person__phone")
    )
    if village is not None:
        queryset = queryset.filter(region=village)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-requested_at", "-id")


# ---- the village board and its printed notice -------------------------------------------------


def board(village: Region) -> QuerySet[Sanction]:
    """The rewards and punishments published for the village, the latest first: who, what, why
    and when, nothing else (the public board reads only these fields)."""
    return (
        Sanction.objects.filter(region=village, status=SanctionStatus.PUBLISHED)
        .select_related("person", "organisation")
        .only(
            "id",
            "action",
            "reason",
            "amount",
            "due_on",
            "published_at",
            "person",
            "organisation",
            "person__name",
            "organisation__name",
        )
        .order_by("-published_at", "-id")
    )


def notice_rows(
    user: User, village: Region, starts: dt.datetime, ends: dt.datetime
) -> QuerySet[Sanction]:
    """What the printed notice (公示) lists: the village's published sanctions of a period, in
    the order they were published."""
    rows = (
        board(village)
        .filter(pk__in=Sanction.objects.visible_to(user).values("pk"))
        .filter(published_at__gte=starts, published_at__lt=ends)
    )
    return rows.order_by("published_at", "id")
