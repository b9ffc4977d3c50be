"""The assessment's indicators and vetoes from the casebook: what each counts as due and done on a
small world, its time limit, the village a veto hits, and that a change made after the cut-off
changes nothing computed as of the cut-off."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.casebook.models import (
    Case,
    CaseOutcome,
    CaseStatus,
    CaseType,
    Level,
    OpinionKind,
    PlaceKind,
    ReporterKind,
    ReportPeriod,
    Severity,
)
from qunfang.casebook.services import cases, inspections, opinions, reports
from qunfang.governance.assessment.catalogue import (
    INDICATORS,
    REF_PAGES,
    VETOES,
    Context,
    Item,
    load,
)
from qunfang.governance.assessment.indicators import cases as ind
from qunfang.governance.assessment.periods import Period
from qunfang.registry.models import Person
from tests.clock import MIDWEEK, SHANGHAI

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

CUTOFF = MIDWEEK  # 2029-01-10 12:00 in Shanghai: the records are read as they stood then
LATER = dt.datetime(2029, 1, 12, 9, tzinfo=SHANGHAI)  # after the cut-off
ONE, ZERO = Decimal(1), Decimal(0)
CASE_CODES = [
    "cases_closed_in_time",
    "escalations_in_time",
    "situation_reports_in_time",
    "opinions_answered",
    "rectification_in_time",
]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def clock(time_machine):
    def to(when: dt.datetime) -> None:
        time_machine.move_to(when, tick=False)

    return to


@pytest.fixture
def person1(world):
    """The village director of village 1 is a person of the registry too."""
    return Person.objects.create(
        region=world.village1,
        name="骆金法",
        sex="M",
        birth_date=dt.date(1970, 1, 1),
        account=world.director1,
    )


def context(world, *, period="2028-12", cutoff=CUTOFF, within=None) -> Context:
    return Context(
        period=Period.parse(period),
        cutoff=cutoff,
        township=world.township.pk,
        villages=[world.village1.pk, world.village2.pk],
        within_days=within,
    )


def director(world, village):
    return world.director2 if village == world.village2 else world.director1


def by_ref(items: list[Item]) -> dict[int, tuple[int, Decimal, int | None]]:
    return {item.ref[1]: (item.village, item.done, item.person) for item in items}


def per_village(items: list[Item]) -> dict[int, tuple[Decimal, Decimal]]:
    out: dict[int, tuple[Decimal, Decimal]] = {}
    for item in items:
        done, due = out.get(item.village, (ZERO, ZERO))
        out[item.village] = (done + item.done, due + item.due)
    return out


# ---- making records at given moments ------------------------------------------------------------


def register(
    world, clock, when, *, village=None, by=None, severity=Severity.ORDINARY, code="theft", now=None
):
    """A case reported at `when`, written then (or `now`)."""
    clock(now or when)
    village = village or world.village1
    return cases.register_case(
        case=Case(
            region=village,
            case_type=CaseType.objects.get(code=code),
            severity=severity,
            title="测试案件",
            description="经过",
            occurred_at=when - dt.timedelta(minutes=30),
            reported_at=when,
            reporter_kind=ReporterKind.STAFF,
        ),
        by=by or director(world, village),
    )


def close(clock, case, when):
    clock(when)
    return cases.move(case=case, to=CaseStatus.CLOSED, by=case.owner, outcome=CaseOutcome.RESOLVED)


def entry(world, clock, when, *, village=None):
    clock(when)
    village = village or world.village1
    return opinions.enter_in_person(
        village=village,
        kind=OpinionKind.OPINION,
        text="路灯坏了",
        anonymous=True,
        name="",
        contact="",
        received_at=when,
        by=director(world, village),
    )


def answer(world, clock, opinion, when, text="已修复"):
    clock(when)
    return opinions.answer(opinion=opinion, text=text, by=director(world, opinion.region))


def order(world, clock, issued, deadline, *, village=None):
    clock(issued)
    village = village or world.village1
    by = director(world, village)
    inspection = inspections.inspection_create(
        region=village,
        place_name="楼家出租屋",
        place_kind=PlaceKind.RENTAL,
        by=by,
        planned_for=issued.date(),
    )
    items = list(inspection.items.order_by("id"))
    inspections.inspection_record(
        inspection=inspection,
        results={item.pk: (n != 0, "灭火器过期" if n == 0 else "") for n, item in enumerate(items)},
        inspectors="骆金法",
        inspected_on=issued.date(),
        by=by,
        hazards_from=[items[0].pk],
    )
    return inspections.order_issue(
        hazard=inspection.hazards.get(),
        responsible="楼家房东",
        measures="更换灭火器",
        deadline=deadline,
        by=by,
    )


def reinspect(world, clock, order, when, outcome, *, on=None, new_deadline=None):
    clock(when)
    return inspections.order_reinspect(
        order=order,
        outcome=outcome,
        on=on or when.date(),
        by=director(world, order.region),
        result="" if outcome == "verified" else "仍未整改",
        new_deadline=new_deadline,
    )


def weekly(world, clock, monday, when, *, village=None, nil=True):
    clock(when)
    village = village or world.village1
    return reports.submit_report(
        region=village,
        period=ReportPeriod.WEEKLY,
        starts_on=monday,
        nil_return=nil,
        summary="" if nil else "本周平稳",
        by=director(world, village),
    )


def daily(world, clock, on, when):
    clock(when)
    return reports.submit_report(
        region=world.village1,
        period=ReportPeriod.DAILY,
        starts_on=on,
        nil_return=True,
        summary="",
        by=world.director1,
    )


def compute_all(base: Context) -> dict[str, list[Item]]:
    """As a run does: one context, each indicator with its own time limit."""
    load()
    out = {}
    for code in CASE_CODES:
        within = base.within_days or INDICATORS[code].default_within_days
        out[code] = list(INDICATORS[code].compute(dataclasses.replace(base, within_days=within)))
    for code in ("major_case_not_reported", "rectification_long_overdue"):
        out[code] = list(VETOES[code].compute(base))
    return out


# ---- the catalogue ------------------------------------------------------------------------------


def test_the_casebook_indicators_and_vetoes_are_registered_with_their_limits():
    load()
    assert {code: INDICATORS[code].default_within_days for code in CASE_CODES} == {
        "cases_closed_in_time": 30,
        "escalations_in_time": None,
        "situation_reports_in_time": 1,
        "opinions_answered": 15,
        "rectification_in_time": None,
    }
    assert INDICATORS["escalations_in_time"].default_target == 100
    assert INDICATORS["cases_closed_in_time"].default_target == 90
    assert {"major_case_not_reported", "rectification_long_overdue"} <= set(VETOES)
    for kind in ("case", "opinion", "inspection"):
        assert kind in REF_PAGES


# ---- cases closed in time -----------------------------------------------------------------------


def test_a_case_counts_in_the_period_it_was_closed_in_time_or_ran_out_of_time(
    world, clock, person1
):
    v1, v2 = world.village1.pk, world.village2.pk
    a = register(world, clock, at("2028-11-25 10:00"))
    close(clock, a, at("2028-12-03 10:00"))  # within 10 days
    b = register(world, clock, at("2028-11-25 11:00"))
    close(clock, b, at("2028-12-08 10:00"))  # 13 days
    c = register(world, clock, at("2028-11-10 10:00"))
    close(clock, c, at("2028-11-15 10:00"))  # settled in November
    register(world, clock, at("2028-12-28 10:00"))  # its time runs out in January
    e = register(world, clock, at("2028-12-28 12:00"))
    close(clock, e, at("2028-12-30 10:00"))
    f = register(world, clock, at("2028-12-01 10:00"), village=world.village2)
    h = register(world, clock, at("2028-12-10 10:00"))
    close(clock, h, at("2028-12-25 10:00"))  # 15 days
    register(
        world, clock, at("2028-12-01 10:00"), village=world.village3, by=world.township2_officer
    )
    clock(MIDWEEK)

    ten = by_ref(ind.cases_closed_in_time(context(world, within=10)))
    person = person1.pk
    assert ten == {
        a.pk: (v1, ONE, person),
        b.pk: (v1, ZERO, person),
        e.pk: (v1, ONE, person),
        f.pk: (v2, ZERO, None),  # director 2 is nobody in the registry
        h.pk: (v1, ZERO, person),
    }
    # the scheme's limit unset: 30 days. The open case d still has time (till late January); f
    # ran out on 31 December; h was closed in time.
    thirty = by_ref(ind.cases_closed_in_time(context(world)))
    assert thirty == {
        a.pk: (v1, ONE, person),
        b.pk: (v1, ONE, person),
        e.pk: (v1, ONE, person),
        f.pk: (v2, ZERO, None),
        h.pk: (v1, ONE, person),
    }
    # November: c was closed then; a and b (reported in November) had not settled by its end
    assert set(by_ref(ind.cases_closed_in_time(context(world, period="2028-11", within=10)))) == {
        c.pk
    }
    refs = ind.cases_closed_in_time(context(world, within=10))
    assert {item.ref[2] for item in refs} >= {a.number, f.number}


def test_a_case_reopened_before_the_cut_off_is_not_closed(world, clock):
    a = register(world, clock, at("2028-12-01 10:00"))
    close(clock, a, at("2028-12-03 10:00"))
    clock(at("2028-12-20 10:00"))
    cases.move(case=a, to=CaseStatus.IN_HAND, by=world.township_officer, note="当事人再次反映")
    clock(MIDWEEK)
    assert by_ref(ind.cases_closed_in_time(context(world, within=10))) == {
        a.pk: (world.village1.pk, ZERO, None)
    }


# ---- upward reports and the major-case veto -----------------------------------------------------


@pytest.fixture
def upward(world, clock, person1):
    """m1: major, sent in time, the township acknowledged, the police not; m2 (village 2): major,
    sent an hour late and acknowledged by both; fire: its township report never sent; voluntary:
    reported upward though no rule required it; m3: major, occurred in November, due on 1
    December and never sent."""
    m1 = register(world, clock, at("2028-12-05 10:00"), severity=Severity.MAJOR)
    clock(at("2028-12-05 10:30"))
    cases.report_upward(case=m1, by=world.director1, level=None)
    clock(at("2028-12-05 10:45"))
    cases.acknowledge(
        escalation=m1.escalations.get(level=Level.TOWNSHIP), by=world.township_officer
    )
    m2 = register(
        world, clock, at("2028-12-06 10:00"), village=world.village2, severity=Severity.MAJOR
    )
    clock(at("2028-12-06 12:00"))
    cases.report_upward(case=m2, by=world.director2, level=None)
    clock(at("2028-12-06 12:10"))
    for escalation, by in (
        (m2.escalations.get(level=Level.TOWNSHIP), world.township_officer),
        (m2.escalations.get(level=Level.POLICE), world.police),
    ):
        cases.acknowledge(escalation=escalation, by=by)
    fire = register(world, clock, at("2028-12-07 10:00"), code="fire")
    voluntary = register(world, clock, at("2028-12-08 10:00"))
    clock(at("2028-12-08 10:30"))
    cases.report_upward(case=voluntary, by=world.director1, level=Level.TOWNSHIP)
    m3 = register(world, clock, at("2028-11-30 23:50"), severity=Severity.MAJOR)
    clock(MIDWEEK)
    return {"m1": m1, "m2": m2, "fire": fire, "voluntary": voluntary, "m3": m3}


def test_a_required_report_is_in_time_when_sent_by_its_due_time_and_acknowledged(
    world, upward, person1
):
    items = ind.escalations_in_time(context(world))
    got = sorted(
        (item.ref[1], item.village, item.done, item.person) for item in items
    )  # two levels per major case
    m1, m2, fire, m3 = (upward[k].pk for k in ("m1", "m2", "fire", "m3"))
    v1, v2, p = world.village1.pk, world.village2.pk, person1.pk
    assert got == sorted(
        [
            (m1, v1, ONE, p),  # township: sent in time, acknowledged
            (m1, v1, ZERO, p),  # police: sent in time, never acknowledged
            (m2, v2, ZERO, None),
            (m2, v2, ZERO, None),
            (fire, v1, ZERO, p),  # the owner, who did not send it
            (m3, v1, ZERO, p),  # due on 1 December
            (m3, v1, ZERO, p),
        ]
    )
    assert all(item.ref[2] for item in items)
    # the voluntary report is not counted; November had nothing due
    assert ind.escalations_in_time(context(world, period="2028-11")) == []


def test_a_major_case_not_reported_in_time_vetoes_its_own_village(world, upward):
    december = ind.major_case_not_reported(context(world))
    assert [(item.village, item.ref[1], item.done) for item in december] == [
        (world.village2.pk, upward["m2"].pk, ONE)  # sent an hour late
    ]
    november = ind.major_case_not_reported(context(world, period="2028-11"))
    assert [(item.village, item.ref[1]) for item in november] == [
        (world.village1.pk, upward["m3"].pk)  # occurred in November, never sent
    ]
    # read before m3's report fell due, nothing was late yet
    early = context(world, period="2028-11", cutoff=at("2028-12-01 00:30"))
    assert ind.major_case_not_reported(early) == []


# ---- situation reports --------------------------------------------------------------------------


def test_each_week_whose_report_fell_due_in_the_period_is_owed_by_each_village(world, clock):
    weekly(world, clock, day("2028-11-27"), at("2028-12-04 09:00"))  # nil return, in time
    weekly(world, clock, day("2028-12-04"), at("2028-12-12 10:00"), nil=False)  # a day late
    for n in range(7):  # the week of 11 December: a daily report every day, the next morning
        on = day("2028-12-11") + dt.timedelta(days=n)
        daily(world, clock, on, dt.datetime.combine(on, dt.time(9), SHANGHAI) + dt.timedelta(1))
    for n in range(6):  # the week of 18 December: one day missing
        on = day("2028-12-18") + dt.timedelta(days=n)
        daily(world, clock, on, dt.datetime.combine(on, dt.time(9), SHANGHAI) + dt.timedelta(1))
    # the week of 25 December falls due in January
    weekly(world, clock, day("2028-12-25"), at("2028-12-31 20:00"))
    clock(MIDWEEK)
    v1, v2 = world.village1.pk, world.village2.pk

    one_day = ind.situation_reports_in_time(context(world, within=1))
    assert [item.done for item in one_day if item.village == v1] == [ONE, ZERO, ONE, ZERO]
    assert per_village(one_day) == {v1: (2, 4), v2: (0, 4)}
    two_days = ind.situation_reports_in_time(context(world, within=2))
    assert per_village(two_days) == {v1: (3, 4), v2: (0, 4)}
    january = ind.situation_reports_in_time(context(world, period="2029-01"))
    # read at noon on 10 January: the weeks of 25 December (due 2 January) and of 1 January
    assert per_village(january) == {v1: (1, 2), v2: (0, 2)}


# ---- opinions -----------------------------------------------------------------------------------


def test_an_opinion_counts_when_answered_or_out_of_time_and_its_first_answer_counts(world, clock):
    op1 = entry(world, clock, at("2028-11-20 10:00"))
    answer(world, clock, op1, at("2028-12-02 10:00"))  # 12 days
    op2 = entry(world, clock, at("2028-11-25 10:00"))
    answer(world, clock, op2, at("2028-12-20 10:00"))  # 25 days
    entry(world, clock, at("2028-12-25 10:00"))  # its time runs out in January
    op4 = entry(world, clock, at("2028-12-01 10:00"), village=world.village2)
    answer(world, clock, op4, at("2028-12-03 10:00"))
    answer(world, clock, op4, at("2028-12-28 10:00"), text="已修复，并加装一盏")  # corrected
    op5 = entry(world, clock, at("2028-11-01 10:00"))
    answer(world, clock, op5, at("2028-11-05 10:00"))  # settled in November
    clock(MIDWEEK)
    v1, v2 = world.village1.pk, world.village2.pk

    items = ind.opinions_answered(context(world))
    assert by_ref(items) == {
        op1.pk: (v1, ONE, None),
        op2.pk: (v1, ZERO, None),
        op4.pk: (v2, ONE, None),
    }
    assert {item.ref[2] for item in items} == {"2028-11-20", "2028-11-25", "2028-12-01"}
    month = by_ref(ind.opinions_answered(context(world, within=30)))
    assert month == {op1.pk: (v1, ONE, None), op2.pk: (v1, ONE, None), op4.pk: (v2, ONE, None)}


# ---- rectification orders and the long-overdue veto --------------------------------------------


@pytest.fixture
def orders(world, clock):
    o1 = order(world, clock, at("2028-12-01 09:00"), day("2028-12-10"))
    reinspect(world, clock, o1, at("2028-12-09 10:00"), "verified")
    o2 = order(world, clock, at("2028-12-01 10:00"), day("2028-12-05"))
    reinspect(world, clock, o2, at("2028-12-05 10:00"), "not_fixed", new_deadline=day("2028-12-12"))
    reinspect(world, clock, o2, at("2028-12-11 10:00"), "verified")
    o3 = order(world, clock, at("2028-11-20 09:00"), day("2028-11-30"), village=world.village2)
    o4 = order(world, clock, at("2028-11-20 10:00"), day("2028-12-01"))
    o5 = order(world, clock, at("2028-11-28 10:00"), day("2028-12-02"))
    reinspect(world, clock, o5, at("2028-12-03 10:00"), "escalated")
    o6 = order(world, clock, at("2028-12-20 10:00"), day("2029-01-05"))
    clock(MIDWEEK)
    return {"o1": o1, "o2": o2, "o3": o3, "o4": o4, "o5": o5, "o6": o6}


def test_an_order_is_done_in_time_when_verified_by_its_first_deadline(world, orders):
    items = ind.rectification_in_time(context(world))
    v1 = world.village1.pk
    got = {item.ref[2]: (item.village, item.done) for item in items}
    assert got == {
        "2028-12-10": (v1, ONE),  # o1
        "2028-12-05": (v1, ZERO),  # o2: the new deadline does not count
        "2028-12-01": (v1, ZERO),  # o4: still open
        "2028-12-02": (v1, ZERO),  # o5: escalated, not rectified
    }
    assert {item.ref[1] for item in items} == {
        orders[k].hazard.inspection_id for k in ("o1", "o2", "o4", "o5")
    }
    # read at noon on 10 January, o6 (due 5 January) is due and not done
    january = ind.rectification_in_time(context(world, period="2029-01"))
    assert [(item.ref[2], item.done) for item in january] == [("2029-01-05", ZERO)]


def test_an_order_more_than_30_days_overdue_vetoes_its_own_village(world, orders):
    december = ind.rectification_long_overdue(context(world))
    # o3 is 31 days past on 31 December; o4 only 30
    assert [(item.village, item.ref[2]) for item in december] == [(world.village2.pk, "2028-11-30")]
    january = ind.rectification_long_overdue(context(world, period="2029-01"))
    assert sorted((item.village, item.ref[2]) for item in january) == sorted(
        [(world.village2.pk, "2028-11-30"), (world.village1.pk, "2028-12-01")]
    )


# ---- the cut-off --------------------------------------------------------------------------------


def test_a_change_after_the_cut_off_changes_nothing_computed_as_of_the_cut_off(
    world, clock, person1, upward, orders
):
    open_case = register(world, clock, at("2028-12-05 08:00"))
    opinion = entry(world, clock, at("2028-11-25 10:00"))
    clock(MIDWEEK)
    before = compute_all(context(world))
    assert all(before[code] for code in before if code != "situation_reports_in_time")
    for items in before.values():  # every record an item rests on has its page
        for item in items:
            if item.ref is not None:
                reverse(REF_PAGES[item.ref[0]], args=[item.ref[1]])

    clock(LATER)
    close(clock, open_case, LATER)
    changed = Case.objects.get(pk=open_case.pk)
    changed.closed_at = at("2028-12-06 10:00")  # as if closed in time
    changed.save()
    opinions.answer(opinion=opinion, text="已处理", by=world.director1)
    cases.report_upward(case=upward["fire"], by=world.director1, level=None)
    cases.acknowledge(escalation=upward["m1"].escalations.get(level=Level.POLICE), by=world.police)
    # a re-inspection recorded now, dated before the deadline
    inspections.order_reinspect(
        order=orders["o4"], outcome="verified", on=day("2028-11-30"), by=world.director1
    )
    weekly(world, clock, day("2028-12-18"), LATER)
    register(world, clock, at("2028-12-15 10:00"), severity=Severity.CRITICAL, now=LATER)
    persons = Person.objects.get(pk=person1.pk)
    persons.account = None
    persons.save()

    assert compute_all(context(world)) == before
    after = compute_all(context(world, cutoff=LATER))  # read now, the changes show
    assert after["cases_closed_in_time"] != before["cases_closed_in_time"]
    assert after["rectification_long_overdue"] == before["rectification_long_overdue"]
    assert after["major_case_not_reported"] != before["major_case_not_reported"]


def test_the_number_of_queries_does_not_grow_with_the_records(world, clock, person1):
    def queries() -> int:
        clock(MIDWEEK)
        with CaptureQueriesContext(connection) as captured:
            compute_all(context(world))
        return len(captured)

    def records(n: int) -> None:
        base = at("2028-12-02 10:00") + dt.timedelta(days=n)
        case = register(world, clock, base, severity=Severity.MAJOR)
        close(clock, case, base + dt.timedelta(hours=3))
        register(world, clock, base, village=world.village2)
        op = entry(world, clock, base)
        answer(world, clock, op, base + dt.timedelta(days=1))
        order(world, clock, base, base.date() + dt.timedelta(days=3))

    records(0)
    few = queries()
    for n in range(1, 5):
        records(n)
    assert queries() == few
