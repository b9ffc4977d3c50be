"""The one bulk writer (core/bulk.py) that the demo's year and the benchmarks write through:
ids given after the table's highest, parents resolved, values prepared as the ORM would
(encrypted columns encrypted), books chained, and the plain-rows path refused for a book."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from qunfang.casebook.models import Case, CaseEvent, CaseEventKind, CaseType, Opinion, ReporterKind
from qunfang.core.books.verify import verify_books
from qunfang.core.bulk import insert, insert_rows, update_rows
from qunfang.patrols.models import Absence, DutyLedgerEntry

pytestmark = pytest.mark.django_db


def cases(world, n: int) -> list[Case]:
    at = timezone.now() - dt.timedelta(days=1)
    theft = CaseType.objects.get(code="theft")
    return [
        Case(
            region=world.village1,
            case_type=theft,
            title=f"案件{k}",
            occurred_at=at,
            reported_at=at,
            reporter_kind=ReporterKind.PERSON,
            owner=world.director1,
            registered_by=world.director1,
            year=at.year,
            serial=k + 1,
        )
        for k in range(n)
    ]


def test_it_gives_ids_after_the_highest_and_rows_point_at_the_parents_made_with_them(world):
    first, *rest, last = cases(world, 4)
    first.save()
    made = insert(Case, rest)
    assert [c.pk for c in made] == [first.pk + 1, first.pk + 2]
    assert not made[0]._state.adding
    lines = [
        CaseEvent(case=c, kind=CaseEventKind.NOTE, note="记一笔", by=world.director1) for c in made
    ]
    insert(CaseEvent, lines)  # the cases had no id when the lines were made
    assert list(CaseEvent.objects.order_by("pk").values_list("case_id", flat=True)) == [
        c.pk for c in made
    ]
    last.save()  # the ORM's next id follows them (PostgreSQL's sequence is moved past)
    assert last.pk == made[-1].pk + 1


def test_a_book_is_chained_as_it_is_written_and_refused_as_plain_rows(world):
    made = insert(Case, cases(world, 2))
    CaseEvent.objects.create(
        case=made[0], kind=CaseEventKind.NOTE, note="先写一行", by=world.director1
    )
    insert(
        CaseEvent,
        [
            CaseEvent(case=c, kind=CaseEventKind.NOTE, note="再写", by=world.director1)
            for c in made
            for _ in range(2)
        ],
    )
    reports = list(verify_books(only="casebook"))
    assert reports and all(r.ok for r in reports), [str(r) for r in reports]
    assert sum(r.lines for r in reports) == 5
    with pytest.raises(TypeError, match="book"):
        insert_rows(DutyLedgerEntry, ["note"], [("x",)])


def test_values_are_prepared_as_the_orm_prepares_them(world):
    opinion = Opinion(
        region=world.village1,
        kind="complaint",
        text="路灯坏了",
        name="楼阿根",
        contact="13700001111",
        channel="in_person",
        entered_by=world.director1,
    )
    insert(Opinion, [opinion])
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM casebook_opinion WHERE id = %s", [opinion.pk])
        (stored,) = cursor.fetchone()
    assert "13700001111" not in stored  # encrypted, as the field itself writes it
    assert Opinion.objects.get(pk=opinion.pk).contact == "13700001111"


def test_an_empty_auto_now_add_gets_the_time_and_a_given_one_is_kept(world, records):
    long_ago = timezone.now() - dt.timedelta(days=40)
    given, empty = (
        Absence(
            person=records.person,
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date(2026, 5, 3),
            declared_by=world.director1,
            created_at=at,
        )
        for at in (long_ago, None)
    )
    insert(Absence, [given, empty])
    stored = dict(Absence.objects.values_list("pk", "created_at"))
    assert stored[given.pk] == long_ago
    assert timezone.now() - stored[empty.pk] < dt.timedelta(minutes=1)


def test_plain_rows_are_written_column_by_column(world, records):
    at = timezone.now() - dt.timedelta(days=3)
    columns = ["id", "person", "starts_on", "ends_on", "reason", "declared_by", "created_at"]
    row = (
        700,
        records.person.pk,
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 3),
        "外出务工",
        world.director1.pk,
        at,
    )
    insert_rows(Absence, columns, [row])
    absence = Absence.objects.get(pk=700)
    assert (absence.person_id, absence.starts_on, absence.ends_on, absence.reason) == row[1:5]
    assert (absence.declared_by_id, absence.created_at) == (world.director1.pk, at)


def test_plain_rows_are_updated_by_id_and_the_others_left(world, records):
    made = [
        Absence.objects.create(
            person=records.person,
            starts_on=dt.date(2026, 5, day),
            ends_on=dt.date(2026, 5, day + 1),
            reason="原因",
            declared_by=world.director1,
        )
        for day in (1, 10, 20)
    ]
    update_rows(
        Absence,
        ["ends_on", "reason"],
        [(dt.date(2026, 5, 5), "外出务工", made[0].pk), (dt.date(2026, 5, 25), "住院", made[2].pk)],
    )
    stored = {a.pk: (a.ends_on, a.reason) for a in Absence.objects.all()}
    assert stored == {
        made[0].pk: (dt.date(2026, 5, 5), "外出务工"),
        made[1].pk: (dt.date(2026, 5, 11), "原因"),
        made[2].pk: (dt.date(2026, 5, 25), "住院"),
    }
    with pytest.raises(TypeError, match="book"):
        update_rows(DutyLedgerEntry, ["note"], [("x", 1)])
