"""A large import checks its rows outside any transaction and writes in one short one.

On SQLite a transaction holds the database's write lock (IMMEDIATE), and check-ins, sign-ins and
security-log lines wait at most 5 s for it, so checking 20,000 rows inside the transaction (the
old code) made them fail. The writes first compare a mark of what the checks read with the
mark taken before them: a register changed meanwhile means nothing is written.
"""

import datetime as dt
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from qunfang.core.audit import security_event_record
from qunfang.core.models import Job, JobStatus, Region, SecurityEvent, SecurityEventKind
from qunfang.core.spreadsheets import staging
from qunfang.registry import spreadsheets
from qunfang.registry.models import Household, Membership, Organisation, OrgKind, Person, Post
from qunfang.registry.tasks import IMPORT_IN_REQUEST_ROWS, start_import
from tests.registry.test_spreadsheets import (
    MAN,
    MEMBERSHIP_HEADER,
    PEOPLE_ROWS,
    an_id,
    history_rows,
    run,
    xlsx,
)
from tests.worker import DB_TASKS, run_worker_once

BUSY_TIMEOUT_S = 5  # dburl.SQLITE_OPTIONS
NOBODY = an_id("19600101", 3)  # nobody in the register holds it
CHANGED = (
    "The register changed while this file was being imported, so nothing was written. "
    "Import it again."
)


def hold_the_checks(monkeypatch, meanwhile) -> None:
    """Run `meanwhile()` in the middle of every import's checks: after the village's households
    and groups, and the people holding the file's ID numbers, are read."""
    # households and people look `_people_by_bidx` up in `register` (`VillagePeople`),
    # memberships in its own module
    importers = (spreadsheets.register, spreadsheets.memberships)
    real = spreadsheets.register._people_by_bidx

    def held(*args, **kwargs):
        found = real(*args, **kwargs)
        meanwhile()
        return found

    for module in importers:
        monkeypatch.setattr(module, "_people_by_bidx", held)


# ---- a short write while a large import is being checked --------------------------------


@pytest.mark.django_db(transaction=True)  # file-backed SQLite, one connection per thread
def test_a_security_log_line_is_written_while_a_large_import_is_checked(
    world, monkeypatch, settings, tmp_path
):
    # both through the fixture: an @override_settings around a test that also sets `settings`
    # is undone first, and the fixture's undo then brings its TASKS back for later tests
    settings.MEDIA_ROOT, settings.TASKS = tmp_path, DB_TASKS
    count = IMPORT_IN_REQUEST_ROWS + 100
    data = xlsx([["户号", "地址"], *([f"{n:04d}", f"{n}号"] for n in range(1, count + 1))])
    checking, logged = threading.Event(), threading.Event()

    def wait_for_the_log_line():
        checking.set()
        logged.wait(timeout=8)  # the checks "still running" until the line is written

    hold_the_checks(monkeypatch, wait_for_the_log_line)
    upload = SimpleUploadedFile("户.xlsx", data)
    staged, _ticket = staging.stage(
        upload, layout="households", village=world.village1.pk, by=world.director1.pk
    )
    job = start_import(staged=staged, village=world.village1, by=world.director1, columns=None)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing ran in the request

    worker = threading.Thread(target=run_worker_once)
    worker.start()
    try:
        assert checking.wait(timeout=30), "the worker never reached the checks"
        began = time.monotonic()
        line = security_event_record(kind=SecurityEventKind.LOGIN_SUCCEEDED, user=world.patrol1)
        took = time.monotonic() - began
    finally:
        logged.set()
        worker.join(timeout=60)
    assert SecurityEvent.objects.filter(pk=line.pk).exists()
    assert took < BUSY_TIMEOUT_S / 5, f"the log line waited {took:.1f} s for the import"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == count, job.error
    assert Household.objects.filter(region=world.village1).count() == count


# ---- a register changed between the checks and the writes -------------------------------


def _edit_a_household(world):
    household = Household.objects.get(region=world.village1, number="0001")
    household.address = "改过的地址"
    household.save()


def _add_a_household(world):
    Household.objects.create(region=world.village1, number="0999")


def _add_a_person(world):
    Person.objects.create(
        region=world.group1, name="新来的", sex="F", birth_date=dt.date(1990, 1, 1)
    )


def _move_a_person_away(world):
    person = Person.objects.get(name="楼阿根")
    person.region = world.village2
    person.save()


def _delete_a_person(world):
    Person.objects.get(name="骆小明").delete()


def _someone_elsewhere_takes_a_head_id(world):
    born = dt.date(1960, 1, 1)
    Person.objects.create(
        region=world.village2, name="斯伟东", sex="M", birth_date=born, id_number=NOBODY
    )


def _rename_the_group(world):
    group = Region.objects.get(pk=world.group1.pk)
    group.name = "一组"
    group.save()


@pytest.fixture
def register(world):
    """Two households and the three people of PEOPLE_ROWS, as an earlier import left them."""
    header = ["户号", "村民小组", "户主身份证号", "地址"]
    first = [header, ["0001", "第一村民小组", "", ""], ["0002", "", "", ""]]
    assert run("households", world.village1, xlsx(first)).written
    assert run("people", world.village1, xlsx(PEOPLE_ROWS)).written
    again = [["0001", "第一村民小组", MAN, "一组1号"], ["0002", "", "", "一组2号"]]
    return xlsx([header, *again, ["0003", "", NOBODY, "一组3号"]])  # that head: a notice


@pytest.mark.parametrize(
    "change",
    [
        _edit_a_household,
        _add_a_household,
        _add_a_person,
        _move_a_person_away,
        _delete_a_person,
        _someone_elsewhere_takes_a_head_id,
        _rename_the_group,
    ],
)
def test_a_household_file_checked_against_a_register_that_changed_writes_nothing(
    world, register, monkeypatch, change
):
    hold_the_checks(monkeypatch, lambda: change(world))
    before = history_rows()
    report = run("households", world.village1, register)
    assert report.file_error == gettext(CHANGED) and not report.written
    assert (report.created, report.updated) == (0, 0)
    assert history_rows() - before <= 1  # the change's own line; none of the import's
    assert not Household.objects.filter(number="0003").exists()
    assert Household.objects.get(region=world.village1, number="0001").head is None


def test_a_people_file_checked_against_a_register_that_changed_writes_nothing(
    world, register, monkeypatch
):
    changed = [row[:] for row in PEOPLE_ROWS]
    changed[1][4] = "13700002222"
    hold_the_checks(monkeypatch, lambda: _edit_a_household(world))
    report = run("people", world.village1, xlsx(changed))
    assert report.file_error == gettext(CHANGED)
    assert Person.objects.get(name="楼阿根").phone == "13700001111"


def test_a_membership_file_checked_against_a_register_that_changed_writes_nothing(
    world, register, monkeypatch
):
    org = Organisation.objects.create(
        region=world.village1, name="枫源村治保会", kind=OrgKind.SECURITY_COMMITTEE
    )
    post = Post.objects.create(organisation=org, title="治保委员", seats=1, min_age=18)

    def the_post_changes_meanwhile():
        post.duties = "夜间巡逻"
        post.save()

    hold_the_checks(monkeypatch, the_post_changes_meanwhile)
    rows = [MEMBERSHIP_HEADER, [MAN, "枫源村治保会", "治保委员", "2024-01-01", "", ""]]
    report = run("memberships", world.village1, xlsx(rows))
    assert report.file_error == gettext(CHANGED) and not Membership.objects.exists()


def test_a_change_in_another_village_does_not_stop_the_import(world, register, monkeypatch):
    def elsewhere():
        Household.objects.create(region=world.village2, number="0001")
        Person.objects.create(
            region=world.village2, name="斯伟东", sex="M", birth_date=dt.date(1970, 1, 1)
        )

    hold_the_checks(monkeypatch, elsewhere)
    report = run("households", world.village1, register)
    assert report.written and (report.created, report.updated) == (1, 2), report.file_error
    assert Household.objects.get(region=world.village1, number="0001").head.name == "楼阿根"


def test_people_written_in_bulk_keep_their_history_and_blind_index(world, register):
    changed = [row[:] for row in PEOPLE_ROWS]
    changed[1][4] = "13700002222"
    report = run("people", world.village1, xlsx(changed), filename="第二次.xlsx")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    man = Person.objects.get(name="楼阿根")
    assert man.phone == "13700002222" and man.id_number_bidx
    created, updated = man.history.order_by("history_id")
    assert (created.history_type, updated.history_type) == ("+", "~")
    assert "file.xlsx" in created.history_change_reason
    assert "第二次.xlsx" in updated.history_change_reason and updated.phone == "13700002222"
