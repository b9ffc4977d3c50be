"""Reads of the villagers' opinion book (群众意见簿): the village behind a public URL, the
answers a village published on its board, an entry by its tracking code, the staff list with its
search, one entry with its history, and the paper register with its running numbers. Staff reads
start from `visible_to(user)`; the public ones read only what the village published, or the one
entry whose code the villager holds. The writes are in `casebook.services.opinions`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Q, QuerySet, When
from django.utils import timezone

from qunfang.casebook.models import Opinion
from qunfang.casebook.services.opinions import UNANSWERED
from qunfang.core.days import local_midnight
from qunfang.core.models import Region, RegionKind, User

# ---- the public pages ---------------------------------------------------------------------------


def public_village(code: str) -> Region | None:
    """The village behind a public URL: 12 digits and a village, else None (the view answers
    404)."""
    if not re.fullmatch(r"[0-9]{12}", code or ""):
        return None
    return (
        Region.objects.filter(kind=RegionKind.VILLAGE, code=code).select_related("parent").first()
    )


def published_answers(village: Region) -> QuerySet[Opinion]:
    """The answers the village chose to publish, newest first: the kind of entry, when, and the
    answer — no names, and not the villager's own words."""
    return (
        Opinion.objects.filter(region=village, answer_published=True)
        .exclude(answer="")
        .only("kind", "created_at", "answer", "answered_at", "region_id")
        .order_by("-answered_at", "-id")
    )


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s\-_.]", "", (raw or "").upper())[:40]


def find_by_code(raw: str) -> Opinion | None:
    """Look up an entry by its tracking code. Every wrong code takes the same path (one query)."""
    code = normalise_code(raw)
    return Opinion.objects.filter(tracking_code=code).select_related("region").first()


def spaced(code: str) -> str:
    return " ".join(code[k : k + 4] for k in range(0, len(code), 4))


# ---- the staff pages ----------------------------------------------------------------------------


def search_q(search: str) -> Q:
    """Words of the entry, or its sender's name — never a confidential sender's: a hit would
    tell who sent the entry, unlogged (for everyone, also those who may reveal the name)."""
    return Q(text__icontains=search) | Q(confidential=False, name__icontains=search)


def opinion_list(
    user: User, *, village: Region | None = None, status: str = "", kind: str = "", search: str = ""
) -> QuerySet[Opinion]:
    """The book as staff see it: entries still waiting for an answer first, then the newest."""
    entries = Opinion.objects.visible_to(user).select_related("region")
    if village:
        entries = entries.filter(region=village)
    if status:
        entries = entries.filter(status=status)
    if kind:
        entries = entries.filter(kind=kind)
    if search:
        entries = entries.filter(search_q(search))
    unanswered_first = DbCase(When(status__in=UNANSWERED, then=0), default=1)
    return entries.annotate(waiting=unanswered_first).order_by("waiting", "-created_at", "-id")


def opinion_for_detail() -> QuerySet[Opinion]:
    return Opinion.objects.select_related("region__parent", "answered_by", "entered_by")


def opinion_history(opinion: Opinion, *, latest: int = 50) -> list[Any]:
    """The entry's latest changes (its history rows), oldest first."""
    history = opinion.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    return list(reversed(history[:latest]))


# ---- the paper register -------------------------------------------------------------------------


def register_opinions(
    user: User, *, village: Region, first: dt.date, last: dt.date
) -> list[Opinion]:
    """The village's entries received from `first` to `last` (both included), in order."""
    return list(
        Opinion.objects.visible_to(user)
        .filter(
            region=village,
            created_at__gte=local_midnight(first),
            created_at__lt=local_midnight(last + dt.timedelta(days=1)),
        )
        .select_related("answered_by")
        .order_by("created_at", "id")
    )


def running_numbers(village: Region, items: Sequence[Opinion]) -> list[str]:
    """Running numbers per village and year (年度流水号), the same whatever period is printed."""
    numbers, year, n = [], None, 0
    for row in items:
        row_year = timezone.localtime(row.created_at).year
        if row_year != year:
            year = row_year
            n = Opinion.objects.filter(
                region=village,
                created_at__gte=local_midnight(dt.date(year, 1, 1)),
                created_at__lt=row.created_at,
            ).count()
        n += 1
        numbers.append(f"{year}-{n:04d}")
    return numbers
