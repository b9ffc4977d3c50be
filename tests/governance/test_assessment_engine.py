"""The scoring engine on plain data: weights, targets, indicators that do not apply, vetoes,
grades and ranks, with properties over generated items."""

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from qunfang.governance.assessment.catalogue import Item, Unit
from qunfang.governance.assessment.engine import finalise, measure
from qunfang.governance.assessment.subjects import Subjects

VILLAGES = {1: "枫源村", 2: "乐山村", 3: "齐东村"}
GRADES = [
    {"label": "优秀", "min_score": "90"},
    {"label": "合格", "min_score": "60"},
    {"label": "不合格", "min_score": "0"},
]
UNITS = {"shifts": Unit.RATE, "cases": Unit.RATE, "hours": Unit.AMOUNT}


def spec(weights=("60", "30", "10"), vetoes=(), targets=None, level="village"):
    """A scheme of the indicators given a weight (shifts, cases, hours in that order)."""
    return {
        "level": level,
        "indicators": [
            {"code": code, "weight": weight, "target": "8" if code == "hours" else "100"}
            for code, weight in zip(UNITS, weights, strict=False)
        ],
        "grades": GRADES,
        "vetoes": list(vetoes),
        "targets": targets or {},
    }


def subjects(people=None, member_of=None):
    return Subjects(
        villages=dict(VILLAGES),
        organisations={10: (1, "枫源村治保会")},
        people=people or {},
        member_of=member_of or {},
    )


def rate(village, done, person=None):
    return Item(village=village, done=Decimal(done), person=person, ref=("shift", 1, "01-01"))


def scores(results):
    return {r.key[1]: r.computed for r in results}


def test_a_village_earns_each_indicator_s_weight_in_proportion_to_its_target():
    items = {
        "shifts": [rate(1, 1), rate(1, 1), rate(1, 1), rate(1, 0)],  # 75 % of 100 % → 45 of 60
        "cases": [rate(1, 1)],  # 100 % → 30
        "hours": [Item(village=1, done=Decimal(4), due=Decimal(0))],  # 4 of 8 h → 5 of 10
    }
    results = measure(spec(), subjects(), items, {}, UNITS, months=1)
    assert scores(results)[1] == Decimal("80.00")
    line = next(line for line in results[0].lines if line.indicator == "shifts")
    assert (line.done, line.due, line.points) == (Decimal(3), Decimal(4), Decimal("45.00"))
    assert line.refs == [("shift", 1, "01-01")]  # only the record that cost points


def test_an_amount_target_is_a_month_s_and_grows_with_the_period():
    items = {"hours": [Item(village=1, done=Decimal(8), due=Decimal(0))]}
    month = measure(spec(weights=("40", "40", "20")), subjects(), items, {}, UNITS, months=1)
    quarter = measure(spec(weights=("40", "40", "20")), subjects(), items, {}, UNITS, months=3)
    hours = next(line for line in month[0].lines if line.indicator == "hours")
    assert hours.points == Decimal("20.00")
    hours = next(line for line in quarter[0].lines if line.indicator == "hours")
    assert hours.points == Decimal("6.67")  # 8 of 24 hours


def test_an_indicator_with_nothing_due_does_not_apply_and_its_weight_is_shared():
    # village 2 had no cases: it is scored on shifts and hours alone, out of 100
    items = {
        "shifts": [rate(2, 1), rate(2, 0)],  # 50 % → 30 of 60
        "hours": [Item(village=2, done=Decimal(8), due=Decimal(0))],  # 10 of 10
    }
    results = {r.key[1]: r for r in measure(spec(), subjects(), items, {}, UNITS, months=1)}
    cases = next(line for line in results[2].lines if line.indicator == "cases")
    assert cases.points is None
    assert results[2].computed == Decimal("57.14")  # 40 of 70 weights that apply
    # a village with nothing at all is still scored (0): a paralysed village is not skipped
    assert results[3].computed == Decimal("0.00")


def test_a_village_s_own_letter_target_replaces_the_scheme_s():
    items = {"shifts": [rate(1, 1)] * 9 + [rate(1, 0)], "cases": [rate(1, 1)]}
    plain = measure(spec(), subjects(), items, {}, UNITS, months=1)
    lenient = measure(spec(targets={"1": {"shifts": "90"}}), subjects(), items, {}, UNITS, 1)
    shifts = [next(ln for ln in r[0].lines if ln.indicator == "shifts") for r in (plain, lenient)]
    assert shifts[0].points == Decimal("54.00")
    assert shifts[1].points == Decimal("60.00")  # 90 % reached the village's own target


def test_a_person_s_items_count_for_the_organisations_they_served_in():
    people = {7: (1, "何小军"), 8: (1, "楼建平")}
    world = subjects(people=people, member_of={7: {10}, 8: {10}})
    items = {"shifts": [rate(1, 1, person=7), rate(1, 0, person=8)]}
    by_person = measure(spec(("70", "30"), level="person"), world, items, {}, UNITS, months=1)
    assert scores(by_person) == {7: Decimal("100.00"), 8: Decimal("0.00")}
    by_org = measure(spec(("70", "30"), level="organisation"), world, items, {}, UNITS, months=1)
    assert scores(by_org) == {10: Decimal("50.00")}


def test_someone_with_nothing_due_is_not_scored():
    world = subjects(people={7: (1, "何小军"), 9: (1, "陈立新")}, member_of={7: {10}, 9: {10}})
    items = {"shifts": [rate(1, 1, person=7)]}
    assert set(
        scores(measure(spec(("70", "30"), level="person"), world, items, {}, UNITS, months=1))
    ) == {7}


def test_a_veto_puts_a_village_in_the_lowest_grade_and_below_everyone_not_vetoed():
    items = {"shifts": [rate(1, 1), rate(2, 0), rate(3, 1)]}
    hits = {"major_case": [Item(village=1, done=Decimal(1), ref=("case", 5, "2026-0005"))]}
    results = measure(
        spec(("70", "30"), vetoes=["major_case"]), subjects(), items, hits, UNITS, months=1
    )
    finalise(results, GRADES, {})
    by_village = {r.key[1]: r for r in results}
    assert by_village[1].computed == Decimal("100.00")
    assert by_village[1].vetoed and by_village[1].grade == "不合格"
    assert [by_village[v].rank for v in (3, 2, 1)] == [1, 2, 3]
    veto = next(line for line in by_village[1].lines if line.is_veto)
    assert veto.refs == [("case", 5, "2026-0005")]


def test_adjustments_move_the_final_score_within_0_and_100_and_ranks_are_shared():
    items = {"shifts": [rate(1, 1), rate(2, 1), rate(3, 0)]}
    results = measure(spec(("70", "30")), subjects(), items, {}, UNITS, months=1)
    finalise(results, GRADES, {("village", 3): Decimal(60), ("village", 1): Decimal(5)})
    by_village = {r.key[1]: r for r in results}
    assert by_village[1].final == Decimal(100)  # not 105
    assert by_village[3].final == Decimal(60)
    assert by_village[3].grade == "合格"
    assert [by_village[v].rank for v in (1, 2, 3)] == [1, 1, 3]


# ---- properties ---------------------------------------------------------------------------

dones = st.lists(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1)]), max_size=12)
weights = st.integers(min_value=1, max_value=98).flatmap(
    lambda a: st.integers(min_value=1, max_value=99 - a).map(lambda b: (a, b, 100 - a - b))
)


@st.composite
def worlds(draw):
    items = {
        "shifts": [rate(v, d) for v in VILLAGES for d in draw(dones)],
        "cases": [rate(v, d) for v in VILLAGES for d in draw(dones)],
        "hours": [
            Item(village=v, done=Decimal(draw(st.integers(0, 20))), due=Decimal(0))
            for v in VILLAGES
        ],
    }
    chosen = draw(weights)
    return spec(weights=tuple(str(w) for w in chosen)), items


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_every_score_is_between_0_and_100_and_the_same_when_computed_again(world):
    scheme, items = world
    first = measure(scheme, subjects(), items, {}, UNITS, months=1)
    again = measure(scheme, subjects(), items, {}, UNITS, months=1)
    assert [(r.key, r.computed, [ln.points for ln in r.lines]) for r in first] == [
        (r.key, r.computed, [ln.points for ln in r.lines]) for r in again
    ]
    assert all(Decimal(0) <= r.computed <= Decimal(100) for r in first)


@settings(max_examples=150, deadline=None)
@given(worlds(), st.sampled_from(list(VILLAGES)))
def test_doing_one_more_due_thing_never_lowers_a_score(world, village):
    scheme, items = world
    before = scores(measure(scheme, subjects(), items, {}, UNITS, months=1))
    better = dict(items)
    better["shifts"] = [
        Item(village=i.village, done=Decimal(1), ref=i.ref) if i.village == village else i
        for i in items["shifts"]
    ]
    after = scores(measure(scheme, subjects(), better, {}, UNITS, months=1))
    assert after[village] >= before[village]
    assert {v: s for v, s in after.items() if v != village} == {
        v: s for v, s in before.items() if v != village
    }


@settings(max_examples=100, deadline=None)
@given(worlds(), st.sets(st.sampled_from(list(VILLAGES))))
def test_ranks_follow_final_scores_with_every_vetoed_village_last(world, vetoed):
    scheme, items = world
    scheme = {**scheme, "vetoes": ["veto"]}
    hits = {"veto": [Item(village=v, done=Decimal(1)) for v in vetoed]}
    results = measure(scheme, subjects(), items, hits, UNITS, months=1)
    finalise(results, GRADES, {})
    standing = sorted(results, key=lambda r: r.rank)
    assert [r.vetoed for r in standing] == sorted(r.vetoed for r in results)
    for better, worse in itertools.pairwise(standing):
        if better.vetoed == worse.vetoed:
            assert better.final >= worse.final
            assert (better.rank == worse.rank) == (better.final == worse.final)
    assert all(r.grade == "不合格" for r in results if r.vetoed)
