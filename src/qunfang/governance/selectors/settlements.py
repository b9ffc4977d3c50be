"""Reads of contract settlements (治安承包结算): the list of settlements and of the contracts
whose term is over and that wait to be settled, a settlement with its lines and the records
behind each, and a contract's settlement for its registry page. Every read starts from
`visible_to(user)`; lists cost the same few queries however many rows they show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from qunfang.core.models import Region, User
from qunfang.governance.assessment.catalogue import REF_PAGES
from qunfang.governance.assessment.metrics import EXPLANATIONS, REFS_CAPTIONS
from qunfang.governance.models import (
    ContractSettlement,
    PaymentRequest,
    SettlementLine,
)
from qunfang.registry.models import Comparator, ContractStatus, Metric, SecurityContract

# a list shows the contractor's name: not their encrypted numbers (decrypting costs)
SECRETS = ("contract__contractor_person__id_number", "contract__contractor_person__phone")


def _settlements(user: User) -> QuerySet[ContractSettlement]:
    return (
        ContractSettlement.objects.visible_to(user)
        .select_related(
            "region",
            "contract__contractor_person",
            "contract__contractor_team",
            "computed_by",
            "approved_by",
        )
        .defer(*SECRETS)
    )


def settlement_list(
    user: User, *, village: Region | None = None, status: str = ""
) -> QuerySet[ContractSettlement]:
    """The settlements the user sees, those waiting for approval first, the latest first."""
    queryset = _settlements(user)
    if village is not None:
        queryset = queryset.filter(region=village)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-status", "-computed_at", "-id")  # "computed" after "approved"


def contracts_to_settle(
    user: User, *, village: Region | None = None, today: dt.date
) -> QuerySet[SecurityContract]:
    """Contracts in force whose term is over and that have no settlement yet."""
    settled = ContractSettlement.objects.filter(contract=OuterRef("pk"))
    queryset = (
        SecurityContract.objects.visible_to(user)
        .filter(status=ContractStatus.ACTIVE, ends_on__lt=today)
        .exclude(Exists(settled))
        .select_related("region", "contractor_person", "contractor_team")
        .defer("contractor_person__id_number", "contractor_person__phone")
    )
    if village is not None:
        queryset = queryset.filter(region=village)
    return queryset.order_by("ends_on", "region__path", "number")


def settlement_for_detail(user: User) -> QuerySet[ContractSettlement]:
    return _settlements(user).select_related("contract__region__parent")


def payment_of(settlement: ContractSettlement) -> PaymentRequest | None:
    return PaymentRequest.objects.filter(settlement=settlement).first()


def settlement_of(contract: SecurityContract) -> ContractSettlement | None:
    """The contract's settlement, for its registry page (the page has checked who sees it)."""
    return (
        ContractSettlement.objects.filter(contract=contract)
        .select_related("computed_by", "approved_by")
        .first()
    )


# ---- a settlement's lines ---------------------------------------------------------------------


@dataclass(frozen=True)
class RefLink:
    label: str
    url: str


@dataclass(frozen=True)
class LineRow:
    line: SettlementLine
    measure: str | Promise
    comparator: str | Promise
    explanation: str | Promise
    caption: str | Promise
    refs: list[RefLink]

    @property
    def measurable(self) -> bool:
        return self.line.actual is not None


def _url(kind: str, pk: Any) -> str:
    name = REF_PAGES.get(kind)
    if not name:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def line_rows(settlement: ContractSettlement) -> list[LineRow]:
    """Each term as evaluated, with its words and the records behind it (links where the kind
    of record has a page). One query."""
    metrics = dict(Metric.choices)
    comparators = dict(Comparator.choices)
    rows = []
    for line in SettlementLine.objects.filter(settlement=settlement).order_by("metric", "pk"):
        refs = [RefLink(str(label), _url(kind, pk)) for kind, pk, label in line.refs]
        rows.append(
            LineRow(
                line=line,
                measure=metrics.get(line.metric, line.metric),
                comparator=comparators.get(line.comparator, line.comparator),
                explanation=EXPLANATIONS.get(line.metric, ""),
                caption=REFS_CAPTIONS.get(line.metric, ""),
                refs=refs,
            )
        )
    return rows
