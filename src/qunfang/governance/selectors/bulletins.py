"""Reads of bulletins (通报): the list by year, a bulletin with the villages it concerns, the
home panel. Every read starts from `visible_to(user)`: a township sees its bulletins, a village
those that name it (`Bulletin.also_visible_via`); and only the township's office sees what is
not published yet — a village, the police or an auditor read published bulletins only."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.governance.models.bulletins import Bulletin, BulletinMention, BulletinStatus

PANEL_ROWS = 5
B = BulletinStatus


def sees_drafts(user: User) -> bool:
    """The township's office (at a township or above) sees drafts and approved bulletins."""
    if not (user.is_active and user.can(Perm.SUPERVISE_VILLAGES)):
        return False
    if user.is_system_admin:
        return True
    region = user.region if user.region_id else None
    return region is not None and region.kind not in (RegionKind.VILLAGE, RegionKind.GROUP)


def bulletins_visible(user: User) -> QuerySet[Bulletin]:
    queryset = Bulletin.objects.visible_to(user)
    if not sees_drafts(user):
        queryset = queryset.filter(status=B.PUBLISHED)
    return queryset


def _mentions() -> Prefetch[str]:
    # every village a visible bulletin names: the notice is the same paper for each of them
    # (its text names them too), as the 抄送 line of the printed bulletin shows
    mentions = BulletinMention.objects.select_related("region").order_by("region__code")
    return Prefetch("mentions", queryset=mentions, to_attr="concerned")


def bulletin_list(user: User, *, year: int | None = None, status: str = "") -> QuerySet[Bulletin]:
    """The bulletins the user sees, newest first; the unpublished (no number yet) on top."""
    queryset = (
        bulletins_visible(user).select_related("region", "drafted_by").prefetch_related(_mentions())
    )
    if year is not None:
        queryset = queryset.filter(year=year)
    if status:
        queryset = queryset.filter(status=status)
    # "approved" and "draft" sort before "published": what waits comes first
    return queryset.order_by("status", "-year", "-number", "-id")


def years(user: User) -> list[int]:
    return list(bulletins_visible(user).values_list("year", flat=True).distinct().order_by("-year"))


def status_counts(user: User) -> dict[str, int]:
    rows = bulletins_visible(user).values("status").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(B.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def bulletin_for_detail(user: User) -> QuerySet[Bulletin]:
    return (
        bulletins_visible(user)
        .select_related("region", "drafted_by", "approved_by")
        .prefetch_related(_mentions())
    )


def villages_to_name(bulletin: Bulletin) -> QuerySet[Region]:
    """The villages of the bulletin's township, for naming one as concerned."""
    return Region.objects.filter(parent=bulletin.region_id, kind=RegionKind.VILLAGE).order_by(
        "code"
    )


def townships_written(user: User) -> list[Region]:
    """The townships whose bulletins the user writes (a township's office: its own)."""
    from qunfang.governance.services.bulletins import can_write

    if not can_write(user):
        return []
    townships = Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")
    return [township for township in townships if can_write(user, township)]


def bulletin_summary(user: User) -> dict[str, Any]:
    """The home panel. The township's office: the bulletins waiting for approval or publication
    (one query). Anyone else: the latest published bulletins concerning them (one query)."""
    if sees_drafts(user):
        waiting = list(
            Bulletin.objects.visible_to(user)
            .filter(~Q(status=B.PUBLISHED))
            .select_related("drafted_by")
            .order_by("status", "-id")[:PANEL_ROWS]
        )
        return {"office": True, "waiting": waiting, "user_id": user.pk}
    latest = list(bulletins_visible(user).order_by("-published_at", "-id")[:PANEL_ROWS])
    return {"office": False, "latest": latest}
