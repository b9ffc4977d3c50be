"""Retention of the security log (issue 10, item 3): kept at least 184 days; archiving older
lines is itself a logged, chained step, never a silent delete."""

import datetime as dt
import gzip
import hashlib
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from qunfang.core.books.retention import security_log_archive
from qunfang.core.books.verify import verify_chain
from qunfang.core.models import SecurityEvent, SecurityEventKind
from qunfang.core.triggers import books_unlocked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def logged(days_ago: int, n: int = 1) -> list[SecurityEvent]:
    at = timezone.now() - dt.timedelta(days=days_ago)
    return [
        SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username=f"u{k}", at=at)
        for k in range(n)
    ]


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def test_lines_younger_than_184_days_are_never_archived():
    logged(400, 2)
    with pytest.raises(ValidationError, match="184"):
        security_log_archive(before=days_ago(183))
    with pytest.raises(CommandError, match="184"):
        call_command("archive_security_log", f"--before={days_ago(100)}")
    assert SecurityEvent.objects.count() == 2
    with pytest.raises(DatabaseError), transaction.atomic():  # and no other way deletes them
        SecurityEvent._base_manager.all().delete()


def test_archiving_moves_old_lines_to_a_file_and_chains_a_line_saying_so(data_dir, capsys):
    old = logged(300, 3)
    young = logged(10, 2)
    call_command("archive_security_log", f"--before={days_ago(200)}")
    assert "Archived 3 lines" in capsys.readouterr().out
    mark = SecurityEvent.objects.get(kind=SecurityEventKind.LOG_ARCHIVED)
    assert list(SecurityEvent.objects.order_by("seq")) == [*young, mark]
    detail = mark.detail
    assert (detail["count"], detail["first_id"], detail["last_id"]) == (3, old[0].pk, old[2].pk)
    assert (detail["first_seq"], detail["last_seq"], detail["last_hash"]) == (1, 3, old[2].hash)
    path = data_dir / detail["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == detail["sha256"]
    assert path.stat().st_mode & 0o777 == 0o600
    with gzip.open(path, "rt", encoding="utf-8") as archived:
        records = [json.loads(line) for line in archived]
    assert [(r["id"], r["seq"], r["hash"]) for r in records] == [(e.pk, e.seq, e.hash) for e in old]
    assert records[0]["line"]["username"] == "u0"
    assert mark.seq == 6 and mark.prev_hash == young[-1].hash
    report = verify_chain("security")
    assert report.ok and report.lines == 3
    assert mark.summary().startswith(f"{days_ago(200)} 之前的 3 条记录，已归档至 {detail['file']}")


def test_nothing_old_enough_archives_nothing(capsys):
    logged(10)
    call_command("archive_security_log", f"--before={days_ago(200)}")
    assert "Nothing before" in capsys.readouterr().out
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.LOG_ARCHIVED).exists()


def test_a_second_archive_goes_on_from_the_first():
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=700), tick=False):
        logged(0, 2)
    with time_machine.travel(now - dt.timedelta(days=450), tick=False):
        first = security_log_archive(before=days_ago(200))
        logged(0, 2)
    second = security_log_archive(before=days_ago(200))
    # the first archive line went into the second archive with the lines after it
    assert (second.detail["first_seq"], second.detail["last_seq"]) == (first.seq, first.seq + 2)
    assert list(SecurityEvent.objects.all()) == [second]
    assert verify_chain("security").ok


def test_an_altered_or_missing_archive_breaks_the_chain(data_dir):
    logged(300, 2)
    logged(1)
    mark = security_log_archive(before=days_ago(200))
    path = data_dir / mark.detail["file"]
    path.write_bytes(gzip.compress(b"{}\n"))
    assert "altered" in verify_chain("security").problem
    path.unlink()
    assert "not found" in verify_chain("security").problem


def test_old_lines_removed_without_the_archive_are_found():
    lines = logged(300, 2) + logged(1)
    with books_unlocked():
        SecurityEvent._base_manager.filter(pk__in=[lines[0].pk, lines[1].pk]).delete()
    report = verify_chain("security")
    assert report.line_id == lines[2].pk
    assert report.problem == "lines 1–2 are missing and no archive line accounts for them"
