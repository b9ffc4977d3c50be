"""Jurisdiction scoping: the one way every view, API route and export reaches region-owned data.

A user works in one node of the region tree and sees only that subtree. Each region-owned model
inherits `RegionOwned` and names the path to its Region in `region_lookup`; its default manager
offers `.visible_to(user)`. Views fetch single objects with `visible_or_404`, so a record of
another village answers exactly like a missing one.
"""

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import Http404

if TYPE_CHECKING:
    from qunfang.core.models import User

M = TypeVar("M", bound=models.Model, covariant=True)
Row = TypeVar("Row", bound=models.Model)


def subtree_range(prefix: str) -> tuple[str, str]:
    """The paths that start with `prefix` as a half-open range [prefix, end): a range scan of
    SQLite's index on path, where LIKE 'prefix%' is a full scan. Byte order only: PostgreSQL
    compares text by the database's collation, which may ignore the slashes, so there the
    prefix is a LIKE, which the unique path's pattern-ops index (Django makes one) serves."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def subtree_q(prefix: str) -> Q:
    """The regions under `prefix`, as a condition on Region."""
    if connection.vendor == "postgresql":
        return Q(path__startswith=prefix)
    low, high = subtree_range(prefix)
    return Q(path__gte=low, path__lt=high)


def subtree_ids(prefix: str) -> RawSQL:
    """The ids of the regions under `prefix`, as a subquery (a township: ~30 rows). Written
    out, not as a queryset: a page builds a dozen scoped querysets, and Django re-aliases a
    nested queryset at every use (a third of a list page's time went there)."""
    from qunfang.core.models import Region

    # the table's own name and bound parameters: nothing from the user reaches the SQL text
    table = Region._meta.db_table
    params: tuple[str, ...]
    if connection.vendor == "postgresql":
        where, params = '"path" LIKE %s', (_like_prefix(prefix),)
    else:
        where, params = '"path" >= %s AND "path" < %s', subtree_range(prefix)
    return RawSQL(f'SELECT "id" FROM "{table}" WHERE {where}', params)  # noqa: S608, S611


def _union(parts: list[RawSQL | models.QuerySet[Any]]) -> RawSQL:
    """One subquery of the ids that any of `parts` (RawSQL or querysets of one column) gives."""
    sqls: list[str] = []
    params: list[Any] = []
    for part in parts:
        sql, part_params = (
            (part.sql, part.params) if isinstance(part, RawSQL) else part.query.sql_with_params()
        )
        sqls.append(sql)
        params.extend(part_params)
    return RawSQL(" UNION ".join(sqls), params)  # noqa: S611 (compiled by Django, parameters bound)


def _related_model(model: type[models.Model], path: str) -> type[models.Model] | None:
    """The model at the end of a to-one `path`, or None when a step is to-many."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if not (field.many_to_one or field.one_to_one):
            return None
        model = cast(type[models.Model], field.related_model)
    return model


def _also_visible(
    model: type[models.Model], extra: str, regions: RawSQL
) -> tuple[Q, models.QuerySet[Any, Any] | None]:
    """Rows reached from the user's regions through `extra` (a joint zone's villages), written
    as `zone IN (zones with a village in the subtree)` so that rows are never duplicated; and,
    when `extra` leads through a region-owned record (the zone), the regions owning those
    records (the zones' townships), which the rows carry as their own region."""
    head, _, last = extra.rpartition("__")
    owner = _related_model(model, head) if head else None
    if owner is not None:
        through = owner._base_manager.filter(**{f"{last}__in": regions})
        owner_lookup = getattr(owner, "region_lookup", "")
        owner_regions = through.values(owner_lookup).order_by() if owner_lookup else None
        return Q(**{f"{head}__in": _raw(through.values("pk"))}), owner_regions
    owners = model._base_manager.filter(**{f"{extra}__in": regions})
    return Q(pk__in=_raw(owners.values("pk"))), None


def _raw(queryset: models.QuerySet[Any, Any]) -> RawSQL:
    """A one-column queryset compiled once into a subquery: a nested queryset is compiled
    again, with fresh aliases, every time the outer query is."""
    # without the model's default ordering, which Django drops from an `IN (subquery)` itself
    return RawSQL(*queryset.order_by().query.sql_with_params())  # noqa: S611 (compiled by Django)


def scope_filter(model: type[models.Model], user: Any) -> Q:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_system_admin:
        return Q()
    if user.region_id is None:
        return Q(pk__in=[])
    return _subtree_scope(model, user.region.path, connection.vendor)


@functools.lru_cache(maxsize=4096)
def _subtree_scope(model: type[models.Model], prefix: str, vendor: str) -> Q:
    """The condition for the rows of `model` under the region `prefix`. It holds only SQL that
    the database evaluates (the subtree, the zones), never the rows themselves, so it is built
    once per model, prefix and database (`vendor`, the SQL differs): building it took a fifth
    of a home page's time."""
    lookup = cast("type[RegionOwned]", model).region_lookup  # or a User: "region"
    if not lookup:  # Region itself
        return subtree_q(prefix)
    # `region_id IN (the subtree's ids)`: an index on (region, …) serves it, where a join on
    # the region's path prefix read every row of the table.
    regions = subtree_ids(prefix)
    visible = Q(**{f"{lookup}__in": regions})
    owners: list[RawSQL | models.QuerySet[Any, Any]] | None = [regions]
    for extra in getattr(model, "also_visible_via", ()):
        through, owner_regions = _also_visible(model, extra, regions)
        visible |= through
        owners = [*owners, owner_regions] if owners and owner_regions is not None else None
    if owners is None or len(owners) == 1:
        return visible
    # The same rows, behind one condition on the region column alone: `region IN (…) OR
    # zone IN (…)` is served by no index (SQLite reads the whole table, PostgreSQL filters
    # every row through its subplans), while `region IN (subtree UNION the zones' townships)`
    # is a semi-join on the (region, …) index. It only narrows: a row seen through a zone must
    # carry the zone's region, as rostering makes them.
    return Q(**{f"{lookup}__in": _union(owners)}) & visible


class ScopedQuerySet(models.QuerySet[M]):
    def visible_to(self, user: Any) -> Self:
        return self.filter(scope_filter(self.model, user))


class RegionOwned(models.Model):
    """Base for every model that belongs to a region. `region_lookup` is the path to that region
    ("region", "organisation__region", …; "" for Region itself) and, rarely, further paths
    in `also_visible_via`."""

    region_lookup: ClassVar[str] = "region"
    # Further paths to regions whose users also see the record (a joint patrol zone is owned by
    # the township and seen by each member village). A record seen through a region-owned one
    # ("zone__villages") carries that one's region (the zone's township) as its own.
    also_visible_via: ClassVar[tuple[str, ...]] = ()

    objects = ScopedQuerySet.as_manager()

    # What a writer may set on a record with HistoricalRecords before save(), for its history
    # line (django-simple-history reads them; declared here for the type checker only).
    _change_reason: str | None
    _history_user: "User | None"
    _history_date: dt.datetime

    class Meta:
        abstract = True


def visible_or_404(source: type[Row] | models.QuerySet[Row], user: Any, **lookup: Any) -> Row:
    """The row of `source` (a region-owned model or one of its scoped querysets) that `user`
    sees and `lookup` names, else 404: another village's row answers like a missing one."""
    # a RegionOwned model's queryset, which is scoped
    queryset = cast(
        "ScopedQuerySet[Row]",
        source if isinstance(source, models.QuerySet) else cast(Any, source).objects.all(),
    )
    try:
        return queryset.visible_to(user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):  # the model's DoesNotExist among them
        raise Http404 from None
