"""Jurisdiction scoping: the one way every view, API route and export reaches region-owned data.

A user works in one node of the region tree and sees only that subtree. Each region-owned model
inherits `RegionOwned` and names the path to its Region in `region_lookup`; its default manager
offers `.visible_to(user)`. Views fetch single objects with `visible_or_404`, so a record of
another village answers exactly like a missing one.
"""

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.http import Http404


def scope_filter(model: type[models.Model], user: Any) -> Q:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_system_admin:
        return Q()
    if user.region_id is None:
        return Q(pk__in=[])
    prefix = user.region.path
    lookup = model.region_lookup
    path_field = f"{lookup}__path" if lookup else "path"
    visible = Q(**{f"{path_field}__startswith": prefix})
    for extra in getattr(model, "also_visible_via", ()):
        # A to-many path (a joint zone's villages): a subquery, so rows are never duplicated.
        owners = model._base_manager.filter(**{f"{extra}__path__startswith": prefix})
        visible |= Q(pk__in=owners.values("pk"))
    return visible


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "ScopedQuerySet":
        return self.filter(scope_filter(self.model, user))


class RegionOwned(models.Model):
    """Base for every model that belongs to a region. `region_lookup` is the path to that region
    ("region", "organisation__region", …; "" for Region itself) and, rarely, further paths
    in `also_visible_via`."""

    region_lookup: ClassVar[str] = "region"
    # Further paths to regions whose users also see the record (a joint patrol zone is owned by
    # the township and seen by each member village).
    also_visible_via: ClassVar[tuple[str, ...]] = ()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


def visible_or_404(source: type[models.Model] | models.QuerySet, user: Any, **lookup: Any):
    queryset = source if isinstance(source, models.QuerySet) else source.objects.all()
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
