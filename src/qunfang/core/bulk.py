"""One writer for the inserts that a year of data needs: the demo's past and the benchmarks.

`insert(model, objs)` writes model instances with one prepared statement per batch
(`executemany`), their ids given here so that the rows pointing at them can follow at once;
`insert_rows(model, columns, rows)` writes plain tuples, lighter than instances when there are
a hundred thousand of them. `bulk_create` compiles its SQL again for every few dozen rows on
SQLite, which costs most of a minute over the demo's ~200,000 rows.

What `save()` does is not done: no history rows, no signals, no `clean()`. Values are written
as given (an empty `auto_now`/`auto_now_add` field gets the present time). A book
(`AppendOnly`) is linked to its chains first, as its `bulk_create` would: a raw insert must
never leave a line out of its chain. Everything else about the rows is the caller's business,
so this is for data made up in bulk, never for what a user enters.
"""

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.core.management.color import no_style
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max
from django.utils import timezone

from qunfang.core.books.base import AppendOnly
from qunfang.core.books.chain import link

BATCH = 2000  # rows a statement; executemany binds row by row, so SQLite's limit is no matter

M = TypeVar("M", bound=models.Model)
Adapter = Callable[[Any], Any]

# Fields whose Python value is what the database stores (ids, numbers, text, flags): written as
# they are. Exact classes only: a subclass (an encrypted field, say) prepares its own values.
AS_THEY_ARE: frozenset[type[models.Field[Any, Any]]] = frozenset(
    {
        models.AutoField,
        models.BigAutoField,
        models.SmallAutoField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveBigIntegerField,
        models.PositiveSmallIntegerField,
        models.BooleanField,
        models.CharField,
        models.TextField,
        models.ForeignKey,
        models.OneToOneField,
    }
)


def _adapter(field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Adapter | None:
    """How a value of this field goes to the database: None when as it is; the backend's own
    adapters for dates, times, decimals and UUIDs (what `get_db_prep_save` ends with, without
    its checks, which cost seconds over a million values); `get_db_prep_save` for the rest."""
    ops, kind = connection.ops, type(field)
    if kind in AS_THEY_ARE:
        return None
    if kind is models.DateTimeField:
        return ops.adapt_datetimefield_value
    if kind is models.DateField:
        return ops.adapt_datefield_value
    if kind is models.TimeField:
        return ops.adapt_timefield_value
    if kind is models.DecimalField:
        decimal_field = cast("models.DecimalField[Any, Any]", field)
        digits, places = decimal_field.max_digits, decimal_field.decimal_places

        def decimal(value: Any) -> Any:
            if value is not None and not isinstance(value, Decimal):
                value = field.to_python(value)
            return ops.adapt_decimalfield_value(value, digits, places)

        return decimal
    if kind is models.UUIDField:
        native = connection.features.has_native_uuid_field

        def uuid_value(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, uuid.UUID):
                value = field.to_python(value)
            return value if native else value.hex

        return uuid_value
    return lambda value: field.get_db_prep_save(value, connection=connection)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str | None = None,
) -> None:
    """Insert plain rows, their values in the order of `columns` (field names or attnames).
    The caller gives every id and chains nothing: for plain tables, never for a book."""
    if issubclass(model, AppendOnly):
        raise TypeError(f"{model.__name__} is a book: write it with insert(), which chains it")
    _insert_rows(model, columns, rows, using=using or router.db_for_write(model))


def _insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], using: str
) -> None:
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = _fields(model, columns)
    names = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    _run_many(connection, sql, fields, rows)


def update_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str | None = None,
) -> None:
    """Set `columns` of many rows, each given as its values in that order and then its id: one
    prepared UPDATE run for every row (`bulk_update` builds a CASE of every row for every
    column, which costs more than the writing). For plain tables, never for a book."""
    if issubclass(model, AppendOnly):
        raise TypeError(f"{model.__name__} is a book: its rows are not updated")
    connection = connections[using or router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = _fields(model, columns)
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 - names from the model
    _run_many(connection, sql, fields, rows)


def _fields(model: type[models.Model], columns: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [cast("models.Field[Any, Any]", model._meta.get_field(c)) for c in columns]


def _run_many(
    connection: Any, sql: str, fields: list[models.Field[Any, Any]], rows: Sequence[Sequence[Any]]
) -> None:
    """`sql` run for every row, in batches, each value first made as the ORM would write it (the
    values of `fields`, in order; anything after them, such as an UPDATE's id, as it is)."""
    adapters = [(k, a) for k, f in enumerate(fields) if (a := _adapter(f, connection)) is not None]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch: Sequence[Sequence[Any]] = rows[start : start + BATCH]
            if adapters:
                adapted = [list(row) for row in batch]
                for row in adapted:
                    for k, adapt in adapters:
                        row[k] = adapt(row[k])
                batch = adapted
            cursor.executemany(sql, batch)


def insert(model: type[M], objs: list[M], *, using: str | None = None) -> list[M]:
    """Insert model instances with ids given here (after the table's highest), each pointing
    at the parents it was made with (written before it), then move PostgreSQL's sequence past
    them (SQLite keeps up by itself). A book's lines are chained, in the order given."""
    if not objs:
        return objs
    opts = model._meta
    if opts.parents or not isinstance(opts.pk, models.AutoField):
        raise TypeError(f"{model.__name__}: only tables with an integer id of their own")
    using = using or router.db_for_write(model)
    fields = opts.concrete_fields
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    now = timezone.now()
    start = (model._base_manager.using(using).aggregate(top=Max("pk"))["top"] or 0) + 1
    for k, obj in enumerate(objs):
        # the parents' ids (Django's own step, not in its stubs)
        obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
        obj.pk = start + k
        obj._state.adding, obj._state.db = False, using
        for f in stamped:
            if getattr(obj, f.attname) is None:
                setattr(obj, f.attname, now)
    if issubclass(model, AppendOnly):
        # what the triggers cannot check: every line in its chain
        link(cast("list[AppendOnly]", objs), using=using)
    _insert_rows(
        model,
        [f.attname for f in fields],
        [tuple(getattr(o, f.attname) for f in fields) for o in objs],
        using,
    )
    reset_sequence(model, using=using)
    return objs


def reset_sequence(model: type[models.Model], *, using: str | None = None) -> None:
    """Put the table's id counter past its highest id (PostgreSQL; a no-op on SQLite)."""
    connection = connections[using or router.db_for_write(model)]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


@contextmanager
def large_cache(model: type[models.Model], mib: int = 256) -> Iterator[None]:
    """SQLite: a page cache large enough for a big table's indexes while it is filled."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
