"""Scoped reads for the registry screens: each starts from `.visible_to(user)` and fetches what
its page shows in a fixed number of queries."""

import datetime as dt

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from qunfang.registry.models import (
    GroupMembership,
    Household,
    JointDefenceGroup,
    Membership,
    Organisation,
    Person,
    Post,
    TrainingRecord,
    VettingCheck,
)

CURRENT = Q(ended_on__isnull=True)


def organisations(*, user, village=None, kind="", status="", search="") -> QuerySet[Organisation]:
    queryset = Organisation.objects.visible_to(user).select_related("region")
    if village:
        queryset = queryset.filter(region=village)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(name__icontains=search)
    current_holders = Membership.objects.filter(CURRENT).select_related("person")
    return queryset.prefetch_related(
        Prefetch("posts", queryset=Post.objects.prefetch_related(Prefetch("memberships", current_holders,
                                                                          to_attr="holders"))),
    )  # fmt: skip


def post_rows(organisation: Organisation) -> list[dict]:
    """Posts with their current holders and empty seats (uses the prefetched `holders`)."""
    rows = []
    for post in organisation.posts.all():
        holders = [m.person for m in getattr(post, "holders", [])]
        rows.append({"post": post, "holders": holders, "empty": max(post.seats - len(holders), 0)})
    return rows


def organisation_detail(*, user, pk) -> Organisation:
    from qunfang.core.scoping import visible_or_404

    current_holders = Membership.objects.filter(CURRENT).select_related("person")
    queryset = Organisation.objects.select_related("region").prefetch_related(
        Prefetch("posts", queryset=Post.objects.prefetch_related(Prefetch("memberships", current_holders,
                                                                          to_attr="holders"))),
    )  # fmt: skip
    return visible_or_404(queryset, user, pk=pk)


def people(*, user, village=None, search="", serving=None) -> QuerySet[Person]:
    queryset = Person.objects.visible_to(user).select_related("region", "household")
    if village:
        queryset = queryset.filter(region=village)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(household__number=search))
    if serving is not None:
        has_post = Q(memberships__ended_on__isnull=True) & Q(memberships__isnull=False)
        queryset = queryset.filter(has_post).distinct() if serving else queryset.exclude(has_post)
    # Counts come from a prefetch of the page's rows, not an aggregate over the whole list, and the
    # order follows an index: both keep a county-wide list fast (bench/pages.py).
    return queryset.prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.filter(CURRENT), to_attr="current_posts"
        )
    ).order_by("region_id", "name", "id")


def households(*, user, village=None, group=None, search="", flag="") -> QuerySet[Household]:
    queryset = Household.objects.visible_to(user).select_related("region", "group", "head")
    if village:
        queryset = queryset.filter(region=village)
    if group:
        queryset = queryset.filter(group=group)
    if search:
        queryset = queryset.filter(Q(number__icontains=search) | Q(head__name__icontains=search) |
                                   Q(address__icontains=search))  # fmt: skip
    if flag in ("elderly_only", "disabled_member", "absent", "low_income", "five_guarantees"):
        queryset = queryset.filter(**{flag: True})
    return queryset.prefetch_related("members").order_by("region_id", "number")


def export_rows(*, layout: str, user, village=None, search="") -> QuerySet:
    """What an export of `layout` holds: the list as the user filtered it on screen."""
    if layout == "people":
        return people(user=user, village=village, search=search)
    if layout == "households":
        return households(user=user, village=village, search=search)
    queryset = Membership.objects.visible_to(user).order_by("post__organisation__region_id", "id")
    if village:
        queryset = queryset.filter(post__organisation__region=village)
    if search:
        queryset = queryset.filter(
            Q(person__name__icontains=search) | Q(post__organisation__name__icontains=search)
        )
    return queryset


def joint_defence_groups(*, user, village=None) -> QuerySet[JointDefenceGroup]:
    queryset = JointDefenceGroup.objects.visible_to(user).select_related(
        "region", "leader_household__head"
    )
    if village:
        queryset = queryset.filter(region=village)
    current = GroupMembership.objects.filter(left_on__isnull=True)
    return queryset.prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current")
    ).order_by("region_id", "formed_on", "id")


def vetting_due(*, user, within_days: int = 60) -> QuerySet[VettingCheck]:
    """Checks in force whose re-vetting falls due soon (or has passed) for people still in a post."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    latest = VettingCheck.objects.visible_to(user).filter(due_on__lte=horizon)
    serving = Person.objects.filter(
        memberships__ended_on__isnull=True, memberships__post__requires_vetting=True
    )
    return latest.filter(person__in=serving).select_related("person__region").order_by("due_on")


def training_due(*, user, within_days: int = 60) -> QuerySet[Membership]:
    """Current holders of posts that require training whose certificate of that kind is missing or
    expires within the window; `expires` is their latest certificate's expiry (None: none)."""
    today = timezone.localdate()
    certificates = TrainingRecord.objects.filter(
        person=OuterRef("person"), kind=OuterRef("post__required_training"), held_on__lte=today
    )
    horizon = today + dt.timedelta(days=within_days)
    return (
        Membership.objects.visible_to(user).filter(CURRENT).exclude(post__required_training="")
        .annotate(expires=Subquery(certificates.order_by("-certificate_expires_on").values("certificate_expires_on")[:1]))
        .filter(Q(expires__isnull=True) | Q(expires__lte=horizon))
        .select_related("person__region", "post__organisation")
        .order_by(F("expires").asc(nulls_first=True), "person__name")
    )  # fmt: skip


def registry_summary(user) -> dict:
    """The home-page panel: organisations, empty seats, households and what falls due."""
    orgs = Organisation.objects.visible_to(user).exclude(status="dissolved")
    seats = (
        Post.objects.visible_to(user)
        .filter(organisation__in=orgs)
        .aggregate(total=Sum("seats"))["total"]
        or 0
    )
    held = Membership.objects.visible_to(user).filter(CURRENT, post__organisation__in=orgs).count()
    return {
        "organisations": orgs.count(),
        "empty_seats": max(seats - held, 0),
        "households": Household.objects.visible_to(user).count(),
        "vetting_due": vetting_due(user=user).count(),
        "training_due": training_due(user=user).count(),
    }
