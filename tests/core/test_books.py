"""Books that cannot be changed (issue 10, item 1): every append-only table and every
simple-history table refuses UPDATE and DELETE in the database itself, whatever path tries it;
only the retention archive (and the test suite's flush) may delete, inside `books_unlocked()`."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps
from django.utils import timezone

from qunfang.casebook.models import Case, CaseEvent, CaseEventKind, CaseType, ReporterKind
from qunfang.core.books.base import AppendOnly
from qunfang.core.books.checks import book_problems
from qunfang.core.models import SecurityEvent, SecurityEventKind
from qunfang.core.triggers import books_unlocked
from qunfang.patrols.models import DutyLedgerEntry, LedgerKind

pytestmark = pytest.mark.django_db


def a_case(world, village=None) -> Case:
    now = timezone.now()
    return Case.objects.create(
        region=village or world.village1,
        case_type=CaseType.objects.get(code="theft"),
        title="电动车被盗",
        occurred_at=now,
        reported_at=now,
        reporter_kind=ReporterKind.PERSON,
        owner=world.director1,
        registered_by=world.director1,
        year=now.year,
        serial=Case.objects.count() + 1,
    )


def a_line(book: str, world, records) -> AppendOnly:
    """One real line of each book (a new book needs a line here: the test below says so)."""
    if book == "security":
        return SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="x")
    if book == "casebook":
        return CaseEvent.objects.create(
            case=a_case(world), kind=CaseEventKind.NOTE, note="记一笔", by=world.director1
        )
    return DutyLedgerEntry.objects.create(
        region=world.village1,
        household=records.household,
        group=records.group,
        kind=LedgerKind.OWED,
        on=dt.date(2026, 5, 4),
        recorded_by=world.director1,
    )


SAMPLE = {
    "CharField": "x",
    "TextField": "x",
    "SlugField": "x",
    "EmailField": "x@example.com",
    "BooleanField": False,
    "DecimalField": Decimal(0),
    "JSONField": {},
    "GenericIPAddressField": "127.0.0.1",
    "DurationField": dt.timedelta(0),
    "TimeField": dt.time(8),
    "FileField": "x",
}


def a_history_row(model) -> None:
    """A row in a simple-history table, whatever its columns (its foreign keys are not
    constrained, so any id will do)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or field.has_default():
            continue
        kind = field.get_internal_type()
        if kind.endswith(("IntegerField", "ForeignKey", "AutoField")):
            values[field.attname] = 1
        elif kind == "DateTimeField":
            values[field.attname] = timezone.now()
        elif kind == "DateField":
            values[field.attname] = dt.date(2026, 1, 1)
        elif kind == "UUIDField":
            values[field.attname] = uuid.uuid4()
        else:
            values[field.attname] = SAMPLE[kind]
    model._base_manager.bulk_create([model(**values)])


def append_only_models() -> list:
    """Listed here on their own, not through the code under test: every book, and every
    simple-history table (its changes are the audit trail)."""
    return [
        m
        for m in apps.get_models()
        if issubclass(m, AppendOnly) or m._meta.db_table.split("_", 1)[1].startswith("historical")
    ]


def refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def test_every_book_and_history_table_refuses_update_and_delete(world, records):
    tables = append_only_models()
    books = {m.book for m in tables if issubclass(m, AppendOnly)}
    assert books == {"security", "casebook", "duty"}, "a new book: add a line to a_line()"
    assert len(tables) > 30  # the three books and the history of every tracked model
    for model in tables:
        if issubclass(model, AppendOnly):
            a_line(model.book, world, records)
        elif not model._base_manager.exists():
            a_history_row(model)
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        assert refused(f"UPDATE {table} SET {pk} = {pk}"), f"{table} lets UPDATE through"  # noqa: S608
        assert refused(f"DELETE FROM {table}"), f"{table} lets DELETE through"  # noqa: S608
        assert model._base_manager.exists()


def test_the_orm_cannot_delete_lines_either(world, records):
    for book in ("security", "casebook", "duty"):
        line = a_line(book, world, records)
        model = type(line)
        with pytest.raises(PermissionError):
            model.objects.all().delete()
        with pytest.raises(DatabaseError), transaction.atomic():
            model._base_manager.all().delete()  # the plain manager: the database refuses
        with pytest.raises(DatabaseError), transaction.atomic():
            model._base_manager.filter(pk=line.pk).update(seq=99)
        assert model._base_manager.filter(pk=line.pk, seq=line.seq).exists()


def test_unlocked_a_delete_goes_through_but_an_update_never(world):
    line = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="x")
    with pytest.raises(DatabaseError), books_unlocked():
        SecurityEvent._base_manager.filter(pk=line.pk).update(username="y")
    with books_unlocked():
        SecurityEvent._base_manager.filter(pk=line.pk).delete()
    assert not SecurityEvent.objects.filter(pk=line.pk).exists()
    other = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="x")
    with pytest.raises(DatabaseError), transaction.atomic():  # locked again after the block
        SecurityEvent._base_manager.filter(pk=other.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_may_empty_the_books():
    """A transactional test ends with a flush; tests/books_unlock.py unlocks it."""
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="x")


def test_a_line_can_never_share_its_place_in_a_chain(world):
    line = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="x")
    twin = SecurityEvent(
        kind=line.kind,
        username="x",
        chain=line.chain,
        seq=line.seq,
        prev_hash=line.prev_hash,
        hash=line.hash,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityEvent._base_manager.bulk_create([twin])  # past the chaining, as raw SQL would


@isolate_apps("qunfang.core")
def test_a_book_that_would_not_chain_is_refused_by_the_checks():
    class Forgetful(AppendOnly):  # its own Meta drops the unique (chain, seq)
        made_at = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "core"

    problems = book_problems(Forgetful)
    assert [p.id for p in problems] == [
        "qunfang.books.E001",
        "qunfang.books.E002",
        "qunfang.books.E003",
    ]
    assert book_problems(SecurityEvent) == []
