"""The books' hash chain (issue 10, item 2): each line carries the hash of its content and of
the line before it, one chain per book and village; `verify-books` names the first line that
was altered, removed, inserted or moved behind the application's back, and anchors kept
outside the database find lines removed from a chain's end."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qunfang.casebook.models import CaseEvent, CaseEventKind
from qunfang.core.books.chain import GENESIS
from qunfang.core.books.verify import anchor_document, verify_chain
from qunfang.core.models import ChainHead, SecurityEvent, SecurityEventKind
from qunfang.core.triggers import books_unlocked, ensure_append_only_triggers, trigger_name
from tests.core.test_books import a_case

pytestmark = pytest.mark.django_db


def log(n: int, **fields) -> list[SecurityEvent]:
    return [
        SecurityEvent.objects.create(
            kind=SecurityEventKind.LOGIN_FAILED, username=f"user{k}", detail={"try": k}, **fields
        )
        for k in range(n)
    ]


def behind_the_back(table: str, sql: str, params=()) -> None:
    """What someone holding the database file (or a superuser's psql) can do: drop the
    triggers, change the rows, put the triggers back."""
    on = f" ON {table}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for op in ("update", "delete", "truncate"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table, op)}{on}")
        cursor.execute(sql, params)
    ensure_append_only_triggers(connection, [table])


def verify(*args: str) -> tuple[list[str], str]:
    """verify-books' lines, and its error ("" when every chain is whole)."""
    out = io.StringIO()
    try:
        call_command("verify_books", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue().splitlines(), str(exc)
    return out.getvalue().splitlines(), ""


def test_each_line_carries_its_hash_and_the_one_before(db):
    first, second, third = log(3)
    assert (first.chain, first.seq, first.prev_hash) == ("security", 1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert (third.seq, third.prev_hash) == (3, second.hash)
    assert len({first.hash, second.hash, third.hash}) == 3
    head = ChainHead.objects.get(name="security")
    assert (head.seq, head.hash) == (3, third.hash)


def test_case_books_keep_one_chain_per_village_even_when_bulk_written(world):
    ours, theirs = a_case(world), a_case(world, world.village2)
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, kind=CaseEventKind.NOTE, note=f"第{k}笔", by=world.director1)
        for k, case in enumerate([ours, theirs, ours, ours])
    )
    mine = list(CaseEvent.objects.filter(case=ours).order_by("seq"))
    assert [e.chain for e in mine] == [f"casebook/{world.village1.pk}"] * 3
    assert [e.seq for e in mine] == [1, 2, 3] and mine[1].prev_hash == mine[0].hash
    assert CaseEvent.objects.get(case=theirs).chain == f"casebook/{world.village2.pk}"
    assert verify_chain(f"casebook/{world.village1.pk}").ok


def test_values_hash_alike_before_the_insert_and_read_back(db):
    """Times in another zone, decimals, JSON with tuples and number keys, IPv6: what was
    hashed before the insert is what comes back from the database."""
    shanghai = timezone.get_default_timezone()
    SecurityEvent.objects.create(
        kind=SecurityEventKind.DATA_EXPORTED,
        at=dt.datetime(2026, 5, 4, 8, 30, 0, 7, shanghai),
        ip_address="2001:0db8::0001",
        detail={"rows": (1, 2), 3: 1.5, "名单": "户籍"},
    )
    assert verify_chain("security").ok


def test_verify_books_says_ok_for_each_untouched_chain(world):
    log(3)
    CaseEvent.objects.create(case=a_case(world), kind=CaseEventKind.NOTE, by=world.director1)
    lines, error = verify()
    head = ChainHead.objects.get(name="security")  # the accounts' creation is logged too
    assert f"security {head.seq} {head.hash[:16]} ok" in lines
    assert f"casebook/{world.village1.pk} 1 " in lines[0] and lines[0].endswith(" ok")
    assert error == ""
    assert verify("--only", "casebook")[0] == lines[:1]


def test_an_altered_line_is_named(db):
    lines = log(4)
    behind_the_back(
        "core_securityevent",
        "UPDATE core_securityevent SET username = 'x' WHERE id = %s",
        [lines[2].pk],
    )
    out, error = verify("--only", "security")
    assert out == [
        f"security 2 {lines[1].hash[:16]} BROKEN at id {lines[2].pk}: content altered: "
        "the line does not match its hash"
    ]
    assert f"security at id {lines[2].pk}" in error


def test_a_removed_line_is_named_by_the_gap_it_leaves(db):
    lines = log(4)
    with books_unlocked():
        SecurityEvent._base_manager.filter(pk=lines[1].pk).delete()
    report = verify_chain("security")
    assert (report.line_id, report.problem) == (
        lines[2].pk,
        "line 2 is missing (removed); this is line 3",
    )


def test_lines_moved_out_of_order_are_named(db):
    lines = log(4)
    swap = "UPDATE core_securityevent SET seq = %s WHERE id = %s"
    for seq, line in ((100, lines[1]), (2, lines[2]), (3, lines[1])):
        behind_the_back("core_securityevent", swap, [seq, line.pk])
    report = verify_chain("security")
    assert report.line_id == lines[2].pk and "does not follow the line before it" in report.problem


def test_a_line_added_behind_the_head_is_named(db):
    lines = log(3)
    ChainHead.objects.filter(name="security").update(seq=2, hash=lines[1].hash)
    report = verify_chain("security")
    assert report.line_id == lines[2].pk and "written behind the head" in report.problem


def test_a_removed_tail_is_found_by_the_head_and_when_that_is_rewound_by_an_anchor(tmp_path):
    lines = log(5)
    anchors = tmp_path / "manifest.json"
    anchors.write_text(json.dumps(anchor_document()))
    with books_unlocked():
        SecurityEvent._base_manager.filter(pk__in=[lines[3].pk, lines[4].pk]).delete()
    report = verify_chain("security")
    assert report.line_id == lines[2].pk
    assert report.problem == "the head says 5 lines, the book ends at line 3: lines removed"
    ChainHead.objects.filter(name="security").update(seq=3, hash=lines[2].hash)  # rewound too
    assert verify("--only", "security")[1] == ""
    out, error = verify("--only", "security", "--anchors", str(anchors))
    assert out == [
        f"security 3 {lines[2].hash[:16]} BROKEN at id {lines[2].pk}: an anchor kept outside "
        "has line 5, the book ends at line 3: lines removed"
    ]
    assert error


def test_a_short_anchor_as_printed_is_enough(db, tmp_path):
    lines = log(2)
    anchors = tmp_path / "digest.json"
    anchors.write_text(json.dumps({"chains": {"security": {"seq": 2, "hash": lines[1].hash[:16]}}}))
    assert verify("--anchors", str(anchors))[1] == ""
    anchors.write_text(json.dumps({"chains": {"security": {"seq": 2, "hash": "0" * 16}}}))
    assert "differs from the anchor" in verify("--anchors", str(anchors))[1]


def test_a_chain_that_vanished_entirely_is_named_by_its_anchor(db, tmp_path):
    log(2)
    anchors = tmp_path / "manifest.json"
    anchors.write_text(json.dumps(anchor_document()))
    with books_unlocked():
        SecurityEvent._base_manager.all().delete()
    ChainHead.objects.all().delete()
    out, error = verify("--anchors", str(anchors))
    assert out == [f"security 0 {GENESIS[:16]} BROKEN at id -: the chain's head is gone"]
    assert "1 of 1 chains broken" in error


def test_writers_to_one_chain_take_turns_on_its_head(db):
    """PostgreSQL locks the head row until the line's transaction ends; SQLite's IMMEDIATE
    transactions let one writer in at a time. Either way (chain, seq) stays unique."""
    with CaptureQueriesContext(connection) as queries:
        log(1)
    locks = [q["sql"] for q in queries if "core_chainhead" in q["sql"] and "SELECT" in q["sql"]]
    assert locks
    if connection.features.has_select_for_update:
        assert all("FOR UPDATE" in sql for sql in locks)


def test_an_unknown_only_is_refused(db):
    with pytest.raises(CommandError, match="no chain or book called nothing"):
        call_command("verify_books", only="nothing")


def test_heads_written_by_verify_books_find_a_removed_tail_later(tmp_path):
    """PostgreSQL deployments (pg_dump writes no manifest) keep heads this way."""
    lines = log(3)
    call_command("verify_books", f"--write-anchors={tmp_path / 'heads.json'}", stdout=io.StringIO())
    with books_unlocked():
        SecurityEvent._base_manager.filter(pk=lines[2].pk).delete()
    ChainHead.objects.filter(name="security").update(seq=2, hash=lines[1].hash)
    assert "lines removed" in verify("--anchors", str(tmp_path / "heads.json"))[1]
