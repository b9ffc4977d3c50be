"""Scoped reads used by more than one caller."""

from django.db.models import Count, Q, QuerySet

from qunfang.core.books.base import ChainHead
from qunfang.core.models import Region, RegionKind, SecurityEvent, User


def regions_visible(*, user: User) -> QuerySet[Region]:
    return Region.objects.visible_to(user).select_related("parent")


def villages_visible(*, user: User) -> QuerySet[Region]:
    """The villages the user sees, in tree order: every book's village filter and choice."""
    return Region.objects.visible_to(user).filter(kind=RegionKind.VILLAGE).order_by("path")


def regions_with_counts(*, user: User, search: str = "") -> QuerySet[Region]:
    queryset = regions_visible(user=user)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return queryset.annotate(
        user_count=Count("users", filter=Q(users__is_active=True), distinct=True),
    ).order_by("path")


def users_visible(*, user: User, search: str = "") -> QuerySet[User]:
    queryset = User.objects.visible_to(user).select_related("region").prefetch_related("roles")
    if search:
        queryset = queryset.filter(
            Q(username__icontains=search)
            | Q(full_name__icontains=search)
            | Q(region__name__icontains=search)
        )
    return queryset


def security_events_visible(*, user: User, kind: str = "") -> QuerySet[SecurityEvent]:
    queryset = SecurityEvent.objects.visible_to(user).select_related("region", "actor")
    return queryset.filter(kind=kind) if kind else queryset


def book_heads_visible(*, user: User) -> list[ChainHead]:
    """The heads of the chains of the user's regions, and of those kept for the whole system
    (the security log): what the auditors' digest carries out of the database each day."""
    regions = {str(pk) for pk in Region.objects.visible_to(user).values_list("pk", flat=True)}
    heads = ChainHead.objects.filter(seq__gt=0).order_by("name")
    return [h for h in heads if "/" not in h.name or h.name.split("/", 1)[1] in regions]
