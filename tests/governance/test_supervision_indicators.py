"""The supervision indicators against hand-counted records: the visits' mean score, the
rectification tasks put right by their (earliest) deadline, and the people found on patrol by
night checks — each read as the records stood at the cut-off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qunfang.governance.assessment.catalogue import INDICATORS, ZERO, Context
from qunfang.governance.assessment.indicators import supervision as ind
from qunfang.governance.assessment.periods import Period
from qunfang.governance.services import supervision as svc
from qunfang.registry.models import Organisation
from tests.clock import MIDWEEK
from tests.governance.supervision_factories import (
    check_in,
    local,
    night_shift,
    on_shift,
    person_in,
    problem,
    visit_done,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
DEC = dt.date(2028, 12, 1)


def d(n: int) -> dt.date:
    return DEC + dt.timedelta(days=n - 1)


def context(world, *, period="2028-12", cutoff=MIDWEEK) -> Context:
    return Context(
        period=Period.parse(period),
        cutoff=cutoff,
        township=world.township.pk,
        villages=[world.village1.pk, world.village2.pk],
    )


def per_village(items) -> dict[int, tuple[Decimal, Decimal]]:
    out: dict[int, tuple[Decimal, Decimal]] = {}
    for item in items:
        done, due = out.get(item.village, (ZERO, ZERO))
        out[item.village] = (done + item.done, due + item.due)
    return out


def test_the_indicators_are_in_the_catalogue():
    assert {"supervision_score", "rectification_tasks_in_time", "night_checks_found"} <= set(
        INDICATORS
    )


def test_the_supervision_score_is_the_mean_of_the_visits_made_in_the_period(world):
    v1, v2 = world.village1, world.village2
    visit_done(world, v1, day=d(5), score="90")
    visit_done(world, v1, day=d(20), score="70")
    visit_done(world, v2, day=dt.date(2028, 11, 28), score="50")  # November
    visit_done(world, v2, day=d(28), score=None)  # not scored
    svc.visit_create(
        village=v2, kind="spot", planned_for=d(30), by=world.township_officer, now=local(d(1), 9)
    )  # never made
    items = ind.supervision_score(context(world))
    assert per_village(items) == {v1.pk: (Decimal("1.6"), Decimal(2))}  # (90 + 70) / 2 = 80%
    assert all(item.person is None and item.organisation is None for item in items)
    # as of the 10th, the visit of the 20th was still to be made
    early = ind.supervision_score(context(world, cutoff=local(d(10), 12)))
    assert per_village(early) == {v1.pk: (Decimal("0.9"), Decimal(1))}


def _task(world, finding, deadline, at, **kw):
    return svc.task_create(
        finding=finding, text="整改", deadline=deadline, by=world.township_officer, now=at, **kw
    )


def test_tasks_count_by_their_earliest_deadline_and_a_report_made_by_it(world):
    officer, director = world.township_officer, world.director1
    visit = visit_done(world, world.village1, day=d(1))
    finding = problem(world, visit, now=local(d(1), 12))
    org = Organisation.objects.create(
        region=world.village1, name="枫源村治保会", kind="security_committee"
    )
    keeper = person_in(world.village1, "责任人甲")
    at = local(d(2), 9)

    def report(task, day):
        return svc.task_report(task=task, report="已整改", by=director, now=local(day, 10))

    def recheck(task, day, passed=True, again=None):
        return svc.task_recheck(
            task=task,
            passed=passed,
            note="复查",
            new_deadline=again,
            by=officer,
            now=local(day, 15),
        )

    t1 = _task(world, finding, d(10), at, organisation=org, person=keeper)
    recheck(report(t1, d(8)), d(9))  # in time
    t2 = _task(world, finding, d(12), at)
    recheck(report(t2, d(14)), d(15))  # reported late
    t3 = _task(world, finding, d(15), at)
    recheck(report(t3, d(13)), d(14), passed=False, again=d(25))
    recheck(report(t3, d(20)), d(21))  # verified, but on a report after its first deadline
    t4 = _task(world, finding, d(20), at)  # left open
    _task(world, finding, dt.date(2029, 1, 5), at)  # falls due next month
    t6 = _task(world, finding, d(18), at)
    svc.task_cancel(task=t6, reason="重复", by=officer, now=local(d(3), 9))

    items = ind.rectification_tasks_in_time(context(world))
    assert {item.ref[1]: item.done for item in items} == {
        t1.pk: 1,
        t2.pk: 0,
        t3.pk: 0,
        t4.pk: 0,
    }
    first = next(item for item in items if item.ref[1] == t1.pk)
    assert (first.organisation, first.person) == (org.pk, keeper.pk)
    # as of the 11th, only the first had fallen due, and it was put right
    early = ind.rectification_tasks_in_time(context(world, cutoff=local(d(11), 12)))
    assert [(item.ref[1], item.done) for item in early] == [(t1.pk, 1)]


def test_night_checks_count_who_checked_in_and_was_found(world):
    day = d(6)
    shift = night_shift(world, world.village1, day)
    a, b, c = (person_in(world.village1, n) for n in ("甲", "乙", "丙"))
    check_in(world, on_shift(shift, a), local(day, 20, 10))
    check_in(world, on_shift(shift, b), local(day, 21, 30))
    on_shift(shift, c)  # never checked in: no claim, no item
    visit = svc.visit_create(
        village=world.village1,
        kind="night",
        planned_for=None,
        shift=shift,
        by=world.township_officer,
        now=local(day, 8),
    )
    svc.visit_record(
        visit=visit,
        visited_at=local(day, 23),
        inspectors="陈建国",
        score="60",
        summary="",
        found_people=[a],
        by=world.township_officer,
        now=local(day, 23, 30),
    )
    items = ind.night_checks_found(context(world))
    assert sorted((i.person, i.done, i.village) for i in items) == sorted(
        [(a.pk, 1, world.village1.pk), (b.pk, 0, world.village1.pk)]
    )
    # before the check was recorded nothing counts
    assert ind.night_checks_found(context(world, cutoff=local(day, 22))) == []
