"""The roster is solved by a real task worker, off the request and outside any transaction: a
patrol member checks in while CP-SAT is still searching, within SQLite's busy timeout.

A file-backed SQLite database (the test profile's), the database task backend, and the
django-tasks-db worker in a thread with its own connection, as `qunfang worker` runs it. The
solver is held at its start until the check-in has finished (or 8 s have passed), so the test
does not depend on how fast this machine solves: with the solver inside `transaction.atomic`
(the old code) the worker holds SQLite's write lock all that time and the check-in fails with
"database is locked" after the 5 s busy timeout. (On PostgreSQL, where a transaction locks
rows rather than the database, the test shows the same worker path there.)
"""

import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.test import override_settings

from qunfang.core.models import Job, JobStatus
from qunfang.patrols.models import CheckIn, CheckInKind, Roster
from qunfang.patrols.services import checkin, rostering
from qunfang.patrols.services.checkin import Scan
from qunfang.patrols.services.rostering import RosterRequest
from qunfang.patrols.tasks import start_roster
from tests.patrols.conftest import MONDAY
from tests.patrols.test_checkin import live_roster
from tests.worker import DB_TASKS, run_worker_once

pytestmark = pytest.mark.django_db(transaction=True)

BUSY_TIMEOUT_S = 5  # dburl.SQLITE_OPTIONS


@override_settings(TASKS=DB_TASKS)
def test_a_check_in_succeeds_while_a_roster_is_being_solved(world, patrol, monkeypatch):
    on_duty = live_roster(world, patrol)  # a shift going on now, patrol1 on it
    solving, checked_in = threading.Event(), threading.Event()
    real_solve = rostering.solver.solve

    def held_solve(*args, **kwargs):
        solving.set()
        checked_in.wait(timeout=8)  # CP-SAT "searching" until the check-in is done
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(rostering.solver, "solve", held_solve)
    req = RosterRequest(region=world.village1, starts_on=MONDAY, ends_on=MONDAY)
    rostering.check_roster_request(req, by=world.director1)
    job = start_roster(req, by=world.director1)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing ran in the request

    worker = threading.Thread(target=run_worker_once)
    worker.start()
    try:
        assert solving.wait(timeout=30), "the worker never reached the solver"
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
        began = time.monotonic()
        record, created = checkin.check_in(
            assignment=on_duty.mine,
            user=world.patrol1,
            scan=Scan(
                client_id=uuid.uuid4(),
                kind=CheckInKind.START,
                latitude=Decimal("29.7121"),
                longitude=Decimal("120.2400"),
                accuracy_m=10,
            ),
        )
        took = time.monotonic() - began
    finally:
        checked_in.set()
        worker.join(timeout=60)
    assert created and record.accepted and CheckIn.objects.filter(pk=record.pk).exists()
    assert took < BUSY_TIMEOUT_S / 5, f"the check-in waited {took:.1f} s for the solver"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    roster = Roster.objects.exclude(pk=on_duty.roster.pk).get()
    assert job.result_url == roster.get_absolute_url() and roster.shifts.exists()
