"""The roster solver on small hand-made cases whose right answer is known.

Pure Python (no database). Every roster the solver returns is re-verified by the
independent checker; each hard rule also gets a case where breaking it would pay off for
the objective, so a missing constraint would show.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qunfang.patrols.solver import (
    Person,
    Rules,
    Slot,
    check_roster,
    load_spread,
    naive_roster,
    service_day,
    solve,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: float) -> datetime:
    """March 2026, Shanghai time; hours past 24 run into the next morning."""
    return datetime(2026, 3, day, tzinfo=TZ) + timedelta(hours=hour)


def day_slot(sid: str, day: int, group: str = "V1", **kw) -> Slot:
    return Slot(sid, group, at(day, 8), at(day, 16), **kw)


def night_slot(sid: str, day: int, group: str = "V1", **kw) -> Slot:
    return Slot(sid, group, at(day, 20), at(day, 28), night=True, **kw)


def member(pid: str, group: str = "V1", **kw) -> Person:
    kw.setdefault("experienced", True)
    return Person(pid, group, **kw)


def run(people, slots, rules=None, **kw):
    """Solve, then insist the independent checker agrees with everything the solver says."""
    rules = rules or Rules()
    kw.setdefault("time_limit_s", 10)
    kw.setdefault("workers", 1)
    result = solve(people, slots, rules, **kw)
    assert result.status != "invalid", [p.message for p in result.problems]
    violations = check_roster(people, slots, rules, result.assignments)
    assert [v for v in violations if v.code != "understaffed"] == []
    # every empty seat is explained by a problem on that very slot, with the right count
    short = Counter({v.slot: int(v.detail.split(": ")[1].split()[0]) for v in violations})
    explained = Counter()
    for p in result.problems:
        if p.slot is not None:
            explained[p.slot] += p.short
    assert short == explained
    assert (result.status == "infeasible") == bool(short)
    return result


def loads(result) -> Counter:
    return Counter(pid for pids in result.assignments.values() for pid in pids)


# ---- the happy path ---------------------------------------------------------------------


def test_it_staffs_a_week_of_day_and_night_patrols_without_breaking_a_rule():
    people = [member(f"p{k}", experienced=k < 4) for k in range(8)]
    slots = [day_slot(f"d{d}", d, headcount=2) for d in range(2, 9)]
    slots += [night_slot(f"n{d}", d, headcount=2) for d in range(2, 9)]
    result = run(people, slots)
    assert result.status == "optimal"
    assert all(len(pids) == 2 for pids in result.assignments.values())
    assert result.objective is not None and result.bound is not None
    assert result.gap == pytest.approx(0.0)
    assert result.first_feasible_s is not None and result.first_feasible_s <= result.seconds
    assert result.problems == []


# ---- each hard rule holds, and binds ----------------------------------------------------


def test_it_never_uses_a_person_on_a_day_they_declared_absent():
    people = [member("a"), member("b", unavailable={date(2026, 3, 4)})]
    slots = [day_slot("d4", 4, headcount=2)]
    result = run(people, slots)
    assert result.assignments["d4"] == ["a"]
    (problem,) = result.problems
    assert (problem.code, problem.constraint) == ("too_few_eligible", "availability")
    assert (problem.day, problem.needed, problem.available, problem.short) == (
        date(2026, 3, 4),
        2,
        1,
        1,
    )


def test_an_absence_given_as_exact_times_blocks_only_overlapping_shifts():
    away = (at(4, 10), at(4, 12))
    people = [member("a", unavailable={away})]
    slots = [day_slot("d4", 4), Slot("eve", "V1", at(4, 18), at(4, 22))]
    result = run(people, slots, Rules(min_rest_hours=0))
    assert result.assignments == {"d4": [], "eve": ["a"]}


def test_a_person_works_one_shift_at_a_time():
    people = [member("a")]
    slots = [day_slot("gate", 4, place="校门"), day_slot("market", 4, place="集市")]
    result = run(people, slots)
    assert sorted(len(p) for p in result.assignments.values()) == [0, 1]
    (problem,) = [p for p in result.problems if p.code == "simultaneous_demand"]
    assert (problem.needed, problem.available, problem.short) == (2, 1, 1)


def test_minimum_rest_keeps_the_day_shift_off_the_night_shift():
    # a day shift ending 16:00 and a night shift from 20:00 leave 4 h of rest
    people = [member("a")]
    slots = [day_slot("d4", 4), night_slot("n4", 4)]
    assert sum(map(len, run(people, slots, Rules(min_rest_hours=8)).assignments.values())) == 1
    # with the rule relaxed, the same person covers both: so the rule was what bound
    assert sum(map(len, run(people, slots, Rules(min_rest_hours=4)).assignments.values())) == 2


def test_nights_are_capped_in_any_seven_consecutive_days():
    people = [member("a")]
    slots = [night_slot(f"n{d}", d) for d in range(2, 16)]  # two weeks of one-person nights
    result = run(people, slots, Rules(max_nights_per_week=2, consecutive_night_penalty=0))
    worked = sorted(service_day(s).day for s in slots if result.assignments[s.id])
    assert len(worked) == 4  # e.g. the 2nd, 3rd, 9th and 10th: every rolling week holds 2
    assert all(sum(1 for d in worked if w <= d < w + 7) <= 2 for w in range(1, 16))
    assert any(p.code == "lead_capacity" and p.short == 5 for p in result.problems)


def test_a_personal_night_limit_is_stricter_than_the_rule():
    people = [member("a", max_nights_per_week=1), member("b", experienced=False)]
    slots = [night_slot(f"n{d}", d) for d in range(2, 5)]
    result = run(people, slots, Rules(max_nights_per_week=3))
    assert sum(1 for pids in result.assignments.values() if pids) == 1


def test_weekly_shift_limit_holds():
    people = [member("a")]
    slots = [day_slot(f"d{d}", d) for d in range(2, 12)]
    result = run(people, slots, Rules(max_shifts_per_week=3))
    worked = sorted(service_day(s).day for s in slots if result.assignments[s.id])
    assert all(sum(1 for d in worked if w <= d < w + 7) <= 3 for w in range(1, 12))
    assert len(worked) == 6  # e.g. the 2nd-4th and 9th-11th: no rolling week holds more than 3


def test_a_slot_that_needs_a_qualification_only_gets_qualified_people():
    people = [member("vetted", qualifications=frozenset({"vetted"})), member("new")]
    slots = [day_slot("check", 4, headcount=2, required_qualification="vetted")]
    result = run(people, slots)
    assert result.assignments["check"] == ["vetted"]
    assert result.problems[0].constraint == "qualification"


def test_head_count_is_never_exceeded_although_every_extra_person_would_pay():
    people = [member(f"p{k}") for k in range(5)]
    slots = [day_slot("d4", 4, headcount=2)]
    result = run(people, slots)
    assert len(result.assignments["d4"]) == 2


def test_no_night_shift_goes_out_without_an_experienced_member():
    lead = member("lead", unavailable={date(2026, 3, 4)})
    people = [lead, member("x", experienced=False), member("y", experienced=False)]
    slots = [night_slot("n4", 4, headcount=2)]
    result = run(people, slots)
    assert result.assignments["n4"] == []  # x and y could fill it, but not alone
    (problem,) = result.problems
    assert (problem.code, problem.short, problem.day) == ("no_experienced", 2, date(2026, 3, 4))


def test_an_experienced_member_leads_and_the_others_follow():
    people = [member("lead"), member("x", experienced=False), member("y", experienced=False)]
    slots = [night_slot("n4", 4, headcount=3)]
    assert sorted(run(people, slots).assignments["n4"]) == ["lead", "x", "y"]


def test_a_one_person_night_shift_must_be_experienced():
    people = [member("x", experienced=False)]
    result = run(people, [night_slot("n4", 4)])
    assert result.assignments["n4"] == []
    assert result.problems[0].short == 1


# ---- a shift belongs to the day it starts -------------------------------------------------


def test_an_overnight_shift_belongs_to_the_day_it_starts():
    slot = night_slot("n4", 4)
    assert slot.end.date() == date(2026, 3, 5)
    assert service_day(slot) == date(2026, 3, 4)
    # the Shanghai date counts, whatever zone the times arrive in
    utc = Slot("late", "V1", datetime(2026, 3, 3, 16, 30, tzinfo=UTC), at(4, 4))
    assert service_day(utc) == date(2026, 3, 4)


def test_a_day_absence_removes_that_days_shifts_not_the_night_before():
    people = [member("a", unavailable={date(2026, 3, 5)})]
    slots = [night_slot("n4", 4), night_slot("n5", 5)]
    result = run(people, slots)
    assert result.assignments == {"n4": ["a"], "n5": []}
    assert [p.day for p in result.problems] == [date(2026, 3, 5)]


def test_the_busy_season_counts_an_overnight_shift_on_its_start_day():
    volunteer = member("v", volunteer=True)
    slots = [night_slot("n4", 4), day_slot("d5", 5)]  # n4 runs 20:00 on the 4th to 04:00

    def busy_on(day: int):
        rules = Rules(
            busy_season_days=frozenset({date(2026, 3, day)}),
            busy_volunteer_max_shifts_per_week=0,
            min_rest_hours=0,
        )
        return run([volunteer], slots, rules).assignments

    assert busy_on(4) == {"n4": [], "d5": ["v"]}
    assert busy_on(5) == {"n4": ["v"], "d5": []}


# ---- infeasibility in plain words ---------------------------------------------------------


def test_it_says_which_day_and_how_many_people_short():
    people = [member("a", group="枫源村")]
    slots = [night_slot("n4", 4, group="枫源村", headcount=3, place="枫源村 夜巡")]
    result = run(people, slots)
    assert result.status == "infeasible"
    (problem,) = result.problems
    assert (problem.day, problem.slot, problem.needed, problem.available, problem.short) == (
        date(2026, 3, 4),
        "n4",
        3,
        1,
        2,
    )
    assert problem.constraint == "group_size"
    assert (
        "2026-03-04 n4 (枫源村 夜巡): needs 3, only 1 eligible person — 2 short" in problem.message
    )
    assert result.assignments["n4"] == ["a"]  # the useful part of the roster is still there


def test_more_slots_at_once_than_people_gets_a_clear_answer():
    people = [member("a"), member("b")]
    slots = [day_slot(f"post{k}", 4) for k in range(3)]
    result = run(people, slots)
    assert result.status == "infeasible"
    assert sum(map(len, result.assignments.values())) == 2
    (problem,) = [p for p in result.problems if p.code == "simultaneous_demand"]
    assert (problem.needed, problem.available, problem.short) == (3, 2, 1)
    assert "3 slots at the same time" in problem.message


def test_a_night_without_a_free_lead_is_explained_by_the_leads_limits():
    people = [member("lead"), member("x", experienced=False), member("y", experienced=False)]
    slots = [night_slot(f"n{d}", d, headcount=2) for d in range(2, 5)]
    result = run(people, slots, Rules(max_nights_per_week=2, consecutive_night_penalty=0))
    (empty,) = [p for p in result.problems if p.code == "understaffed"]
    assert empty.params["lead_missing"] and empty.constraint == "night_limit"
    assert "no experienced member is free" in empty.message


def test_a_person_listed_in_two_groups_is_rejected_with_a_reason():
    people = [member("a", group="V1"), member("a", group="Z1")]
    result = solve(people, [day_slot("d4", 4)], Rules(), time_limit_s=5, workers=1)
    assert result.status == "invalid"
    assert "listed twice" in result.problems[0].message
    assert "also_in" in result.problems[0].message


def test_a_person_in_a_village_and_a_joint_zone_is_never_in_two_places():
    people = [member("a", also_in=frozenset({"Z1"}))]
    slots = [night_slot("village", 4), Slot("zone", "Z1", at(4, 22), at(4, 30), night=True)]
    result = run(people, slots)
    assert sorted(map(len, result.assignments.values())) == [0, 1]


def test_it_rejects_times_without_a_time_zone_and_backwards_slots():
    naive = Slot("s", "V1", datetime(2026, 3, 4, 8), datetime(2026, 3, 4, 16))
    backwards = Slot("b", "V1", at(4, 16), at(4, 8))
    away = (datetime(2026, 3, 4, 8), datetime(2026, 3, 4, 9))
    person = member("a", unavailable={away})
    result = solve([person], [naive, backwards], Rules(), time_limit_s=5, workers=1)
    assert result.status == "invalid"
    assert len(result.problems) == 3
    assert all(p.code == "invalid_input" for p in result.problems)


# ---- soft goals ---------------------------------------------------------------------------


def test_a_symmetric_case_spreads_total_and_night_load_within_one():
    people = [member(f"p{k}") for k in range(4)]
    slots = [day_slot(f"d{d}", d) for d in range(2, 16)]
    slots += [night_slot(f"n{d}", d) for d in range(2, 16)]
    result = run(people, slots, Rules(max_nights_per_week=7))
    assert result.status == "optimal"
    assert load_spread(people, slots, result.assignments) <= 1
    assert load_spread(people, slots, result.assignments, night=True) <= 1


def test_weights_tilt_full_staffing_toward_the_heavy_slot_when_people_are_short():
    people = [member(f"p{k}") for k in range(3)]
    slots = [
        day_slot("quiet", 4, headcount=2, weight=1.0),
        day_slot("hot", 4, headcount=2, weight=3.0),  # a forecast hot spot
    ]
    result = run(people, slots)
    assert (len(result.assignments["hot"]), len(result.assignments["quiet"])) == (2, 1)
    flipped = [
        day_slot("quiet", 4, headcount=2, weight=3.0),
        day_slot("hot", 4, headcount=2, weight=1.0),
    ]
    result = run(people, flipped)
    assert (len(result.assignments["hot"]), len(result.assignments["quiet"])) == (1, 2)


def test_the_busy_season_lowers_volunteer_load():
    people = [member(f"v{k}", volunteer=True) for k in range(2)]
    people += [member(f"s{k}", volunteer=False) for k in range(2)]
    slots = [day_slot(f"d{d}", d) for d in range(2, 9)]
    calm = run(people, slots, Rules(fair_penalty=1))
    busy = run(
        people,
        slots,
        Rules(
            fair_penalty=1,
            busy_season_days=frozenset(date(2026, 3, d) for d in range(2, 9)),
            busy_volunteer_max_shifts_per_week=1,
        ),
    )

    def volunteer_shifts(result) -> int:
        return sum(n for pid, n in loads(result).items() if pid.startswith("v"))

    assert volunteer_shifts(calm) >= 3
    assert volunteer_shifts(busy) <= 1  # the two staff members carry the planting week
    assert busy.status == "optimal"


def test_preferences_decide_between_otherwise_equal_rosters():
    people = [
        member("owl", preferences={"night": 1.0}),
        member("lark", preferences={"night": -1.0}),
    ]
    slots = [day_slot("d4", 4), night_slot("n4", 4)]
    result = run(people, slots)
    assert result.assignments == {"d4": ["lark"], "n4": ["owl"]}


def test_back_to_back_nights_are_avoided_when_possible():
    people = [member("a"), member("b")]
    slots = [night_slot(f"n{d}", d) for d in range(2, 6)]
    result = run(people, slots, Rules(max_nights_per_week=4))
    on = {d: result.assignments[f"n{d}"][0] for d in range(2, 6)}
    assert all(on[d] != on[d + 1] for d in range(2, 5))


def test_it_is_deterministic_with_one_worker_and_a_seed():
    people = [member(f"p{k}", experienced=k % 2 == 0) for k in range(8)]
    slots = [day_slot(f"d{d}", d, headcount=2) for d in range(2, 9)]
    slots += [night_slot(f"n{d}", d, headcount=2) for d in range(2, 9)]
    first = solve(people, slots, Rules(), time_limit_s=10, workers=1, seed=7)
    second = solve(people, slots, Rules(), time_limit_s=10, workers=1, seed=7)
    assert first.status == "optimal"
    assert first.assignments == second.assignments
    assert first.objective == second.objective


def test_a_roster_cp_sat_never_saw_is_priced_exactly_as_the_model_prices_it():
    from qunfang.patrols.solver.instance import components, prepare
    from qunfang.patrols.solver.model import _Part

    people = [member(f"p{k}", experienced=k < 3, preferences={"night": -1.0}) for k in range(5)]
    slots = [day_slot(f"d{d}", d, headcount=2) for d in range(2, 9)]
    slots += [night_slot(f"n{d}", d, headcount=2) for d in range(2, 9)]
    rules = Rules(busy_season_days=frozenset({date(2026, 3, 5)}))
    inst = prepare(people, slots, rules)
    (comp,) = components(inst)
    part = _Part(inst, *comp)
    part.run(5, 0.0, workers=1, seed=0, stop_when_full=False, log=False)
    assert part.best is not None and part.status == "OPTIMAL"
    assert part.evaluate(part.best) == part.objective


# ---- the checker can fail ---------------------------------------------------------------


def test_the_checker_catches_violations_planted_by_hand():
    rules = Rules(
        min_rest_hours=8,
        max_nights_per_week=1,
        max_shifts_per_week=2,
        busy_season_days=frozenset({date(2026, 3, 6)}),
        busy_volunteer_max_shifts_per_week=0,
    )
    people = [
        member("a"),
        member("b", experienced=False, unavailable={date(2026, 3, 2)}),
        member("c", group="V2", volunteer=True),
    ]
    slots = [
        day_slot("d2", 2, headcount=1),
        Slot("d2b", "V1", at(2, 10), at(2, 12)),  # overlaps d2
        night_slot("n2", 2),
        night_slot("n3", 3),
        day_slot("d4", 4, required_qualification="vetted"),
        day_slot("d6", 6, group="V2"),
        day_slot("d7", 7, headcount=2),
    ]
    planted = {
        "d2": ["a", "b"],  # over head-count; b declared absent
        "d2b": ["a"],  # a is in two places at once
        "n2": ["a"],  # 4 h after d2: too little rest
        "n3": ["b"],  # a night without an experienced member
        "d4": ["a", "a", "c"],  # unqualified, listed twice, wrong group
        "d6": ["c"],  # a volunteer in the busy season with a cap of 0
        "ghost": ["a"],  # no such slot
        "d7": ["nobody"],  # no such person, and one short
    }
    codes = Counter(v.code for v in check_roster(people, slots, rules, planted))
    for code in [
        "over_headcount",
        "unavailable",
        "overlap",
        "rest",
        "no_experienced",
        "unqualified",
        "duplicate",
        "wrong_group",
        "busy_season",
        "unknown_slot",
        "unknown_person",
        "understaffed",
        "weekly_limit",
    ]:
        assert codes[code] >= 1, code
    nights = {"n2": ["a"], "n3": ["a"]}
    assert "night_limit" in {v.code for v in check_roster(people, slots, rules, nights)}


def test_the_naive_round_robin_is_what_the_checker_is_for():
    people = [member("a"), member("b")]
    slots = [day_slot(f"d{d}", d) for d in range(2, 5)] + [
        night_slot(f"n{d}", d) for d in range(2, 5)
    ]
    naive = naive_roster(people, slots, Rules())
    assert all(len(p) == 1 for p in naive.values())
    # b gets every night: three in a week against a limit of two
    assert {v.code for v in check_roster(people, slots, Rules(), naive)} == {"night_limit"}


# ---- property: whatever comes in, the solver's output passes the checker ----------------


@st.composite
def instances(draw):
    groups = ["V1", "V2"]
    n_people = draw(st.integers(1, 6))
    people = [
        Person(
            f"p{k}",
            draw(st.sampled_from(groups)),
            qualifications=frozenset(draw(st.sets(st.sampled_from(["vetted", "traffic"])))),
            experienced=draw(st.booleans()),
            unavailable=frozenset(
                draw(
                    st.sets(
                        st.builds(date, st.just(2026), st.just(3), st.integers(2, 5)), max_size=2
                    )
                )
            ),
            max_nights_per_week=draw(st.one_of(st.none(), st.integers(0, 2))),
            preferences=draw(st.one_of(st.none(), st.just({"night": -1.0}), st.just({"day": 1.0}))),
            volunteer=draw(st.booleans()),
            also_in=frozenset(draw(st.sets(st.sampled_from(["Z1"]), max_size=1))),
        )
        for k in range(n_people)
    ]
    slots = []
    for k in range(draw(st.integers(1, 8))):
        start = at(draw(st.integers(2, 5)), draw(st.integers(0, 23)))
        night = draw(st.booleans())
        slots.append(
            Slot(
                f"s{k}",
                draw(st.sampled_from([*groups, "Z1"])),
                start,
                start + timedelta(hours=draw(st.integers(2, 10))),
                night=night,
                headcount=draw(st.integers(0, 3)),
                required_qualification=draw(st.sampled_from([None, None, "vetted", "traffic"])),
                weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
                kind="night" if night else "day",
            )
        )
    rules = Rules(
        min_rest_hours=draw(st.sampled_from([0, 4, 8])),
        max_nights_per_week=draw(st.integers(0, 3)),
        max_shifts_per_week=draw(st.sampled_from([None, 1, 3])),
        busy_season_days=frozenset(
            draw(st.sets(st.builds(date, st.just(2026), st.just(3), st.integers(2, 5)), max_size=2))
        ),
        busy_volunteer_max_shifts_per_week=draw(st.integers(0, 2)),
    )
    return people, slots, rules


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances())
def test_random_small_instances_always_pass_the_independent_checker(case):
    people, slots, rules = case
    result = run(people, slots, rules, time_limit_s=3)
    # and nothing is left empty that anyone could still fill
    assert all(p.constraint != "not_chosen" for p in result.problems)


# ---- the greedy first roster, and how the time is shared --------------------------------


def township_fortnight(villages: int = 2, members: int = 14, days: int = 14):
    """A small township: day, household-watch and night patrols, absences, preferences."""
    import random

    rng = random.Random(villages * 1000 + members)
    people, slots = [], []
    for v in range(villages):
        village = f"V{v}"
        for k in range(members):
            people.append(
                Person(
                    f"{village}-{k}",
                    village,
                    qualifications=frozenset({"vetted"} if k < 4 or rng.random() < 0.9 else ()),
                    experienced=k < 4 or rng.random() < 0.25,
                    unavailable=frozenset(
                        date(2026, 3, d) for d in range(2, 2 + days) if rng.random() < 0.05
                    ),
                    preferences={"night": -1.0} if rng.random() < 0.2 else None,
                    volunteer=rng.random() < 0.6,
                    also_in=frozenset({f"{village}-T{k % 2}"}),
                )
            )
        for d in range(2, 2 + days):
            slots.append(day_slot(f"{village}-d{d}", d, village, headcount=2))
            for t in range(2):
                group = f"{village}-T{t}"
                slots.append(Slot(f"{group}-w{d}", group, at(d, 16), at(d, 20), kind="watch"))
            slots.append(
                night_slot(
                    f"{village}-n{d}", d, village, headcount=2, required_qualification="vetted"
                )
            )
    rules = Rules(
        max_shifts_per_week=4,
        busy_season_days=frozenset(date(2026, 3, d) for d in range(9, 12)),
        busy_volunteer_max_shifts_per_week=2,
    )
    return people, slots, rules


def test_the_greedy_first_roster_passes_the_independent_checker_and_fills_every_seat():
    from qunfang.patrols.solver.hint import greedy
    from qunfang.patrols.solver.instance import prepare

    people, slots, rules = township_fortnight()
    chosen = greedy(prepare(people, slots, rules))
    assignments = {s.id: [] for s in slots}
    for i, j in chosen:
        assignments[slots[j].id].append(people[i].id)
    assert check_roster(people, slots, rules, assignments) == []


def test_the_first_feasible_roster_is_the_checked_greedy_one_and_comes_before_the_end():
    people, slots, rules = township_fortnight()
    result = run(people, slots, rules, time_limit_s=10, workers=2)
    assert result.status in ("optimal", "feasible")
    assert result.first_feasible_s is not None
    assert 0 < result.first_feasible_s <= result.seconds
    # every part was fully staffed by the greedy roster, so the roster existed once the
    # checker had passed it: before any CP-SAT model was built
    before_models = sum(result.timings[k] for k in ("prepare", "greedy", "check"))
    assert result.first_feasible_s <= before_models + 0.05
    assert result.objective is not None and result.bound is not None
    assert result.objective >= result.bound
    assert result.gap == pytest.approx(
        (result.objective - result.bound) / max(1.0, abs(result.objective))
    )


def test_without_time_for_cp_sat_the_greedy_roster_is_returned_and_priced():
    from qunfang.patrols.solver.hint import greedy
    from qunfang.patrols.solver.instance import prepare

    people, slots, rules = township_fortnight()
    result = run(people, slots, rules, time_limit_s=0.001)
    assert result.status == "feasible"  # complete, but nothing proven
    assert result.first_feasible_s is not None and result.first_feasible_s <= result.seconds
    chosen = greedy(prepare(people, slots, rules))
    expected = {s.id: [] for s in slots}
    for i, j in sorted(chosen):
        expected[slots[j].id].append(people[i].id)
    assert result.assignments == expected
    assert result.objective is not None and result.objective > 0
    assert result.gap is not None and 0 < result.gap <= 1


def test_cp_sat_improves_on_the_greedy_roster_given_time():
    people, slots, rules = township_fortnight()
    quick = run(people, slots, rules, time_limit_s=0.001)
    full = run(people, slots, rules, time_limit_s=20, workers=2)
    assert full.objective <= quick.objective
    assert full.bound >= quick.bound
    assert full.gap <= quick.gap


def test_a_greedy_roster_the_checker_rejects_is_never_returned(monkeypatch):
    from qunfang.patrols.solver import hint, model

    people = [member("a"), member("b")]
    slots = [day_slot("gate", 4, place="校门"), day_slot("market", 4, place="集市")]

    def broken_greedy(inst, seed=0):
        return {(0, 0), (0, 1)}  # a in two places at once

    monkeypatch.setattr(model, "greedy", broken_greedy)
    assert hint.greedy is not broken_greedy
    result = run(people, slots)  # run() insists the checker passes what comes back
    assert sorted(map(len, result.assignments.values())) == [1, 1]
    assert result.status == "optimal"
    # the greedy roster was no roster at all, so the first one came from CP-SAT
    assert result.first_feasible_s is not None
    checked = sum(result.timings[k] for k in ("prepare", "greedy", "check"))
    assert checked < result.first_feasible_s <= result.seconds


def test_when_nothing_better_arrives_a_rejected_greedy_roster_falls_back_to_empty(monkeypatch):
    from qunfang.patrols.solver import model

    people = [member("a"), member("b")]
    slots = [day_slot("gate", 4, place="校门"), day_slot("market", 4, place="集市")]
    monkeypatch.setattr(model, "greedy", lambda inst, seed=0: {(0, 0), (0, 1)})
    monkeypatch.setattr(model._Part, "run", lambda self, *a, **kw: None)  # CP-SAT never answers
    result = run(people, slots)
    assert result.assignments == {"gate": [], "market": []}
    assert result.status == "infeasible"
    assert {p.slot for p in result.problems} == {"gate", "market"}
    assert all(p.message for p in result.problems)


def test_an_impossible_demand_still_gets_plain_words_on_the_quick_path():
    people, slots, rules = township_fortnight(villages=1, members=3, days=3)
    result = run(people, slots, rules, time_limit_s=0.001)
    assert result.status == "infeasible"
    assert result.problems
    for problem in result.problems:
        assert "short" in problem.message and problem.short > 0
        assert problem.day is not None


class _FakePart:
    def __init__(self, size: int, filled: int = 10, bound: int = 10):
        self.size, self.mode = size, ""
        self._filled, self.fill_bound = filled, bound
        self.proved, self.run_seconds, self.root_seconds = False, 0.0, None

    def filled_best(self) -> int:
        return self._filled


def test_the_scheduler_proves_parts_optimal_while_there_is_time_then_buys_bounds():
    from qunfang.patrols.solver.model import _Scheduler

    clock = {"left": 100.0}
    plan = _Scheduler(pending=10 * 1000, threads=2, left=lambda: clock["left"])
    first = _FakePart(1000)
    assert plan.budget(first) == pytest.approx(2 * 100 * 2 * 1000 / 10_000)  # twice its share
    for _ in range(2):  # two parts proven optimal: 2 s each, root bound after 0.8 s
        done = _FakePart(1000)
        done.mode, done.proved, done.run_seconds, done.root_seconds = "share", True, 2.0, 0.8
        plan.learn(done)
    # plenty of time: the part gets enough to be proven optimal
    roomy = _FakePart(1000)
    assert plan.budget(roomy) >= 1.5 * 2.0 and roomy.mode == "full"
    # little time for the rest: a root bound each is worth more than one optimal part
    clock["left"] = 5.0
    tight = _FakePart(1000)
    assert plan.budget(tight) == pytest.approx(1.5 * 0.8) and tight.mode == "root"
    # a part with empty seats is never cut short to buy bounds elsewhere
    empty = _FakePart(1000, filled=8)
    assert plan.budget(empty) == 5.0


def test_the_scheduler_learns_when_the_machine_is_slower_than_measured():
    from qunfang.patrols.solver.model import _Scheduler

    plan = _Scheduler(pending=100 * 1000, threads=2, left=lambda: 1000.0)
    for _ in range(2):
        done = _FakePart(1000)
        done.proved, done.run_seconds, done.root_seconds = True, 1.0, 0.4
        plan.learn(done)
    assert plan.rates() == pytest.approx((1e-3, 4e-4))
    slow = _FakePart(1000)
    slow.mode, slow.run_seconds = "full", 3.0  # a "full" budget that was not enough
    plan.learn(slow)
    assert plan.rates()[0] == pytest.approx(3e-3)


@given(st.lists(st.integers(0, 40), max_size=25), st.integers(0, 4))
def test_the_checkers_rolling_week_agrees_with_counting_every_window(offsets, cap):
    from qunfang.patrols.solver.checker import _too_many_in_a_week

    days = [date(2026, 3, 1) + timedelta(days=k) for k in offsets]
    brute = sorted(
        {d for d in days if sum(1 for x in days if d <= x <= d + timedelta(days=6)) > cap}
    )
    assert _too_many_in_a_week(days, cap) == brute


def test_long_and_short_absence_ranges_block_the_same_days():
    away_long = (date(2020, 1, 1), date(2026, 3, 4))  # longer than the expanded ranges
    away_short = (date(2026, 3, 3), date(2026, 3, 4))
    slots = [day_slot(f"d{d}", d) for d in range(2, 7)]
    for away in (away_long, away_short):
        result = run([member("a", unavailable={away})], slots)
        worked = sorted(sid for sid, pids in result.assignments.items() if pids)
        expected = ["d5", "d6"] if away is away_long else ["d2", "d5", "d6"]
        assert worked == expected


def test_seats_the_greedy_roster_leaves_empty_are_filled_by_cp_sat():
    from qunfang.patrols.solver.hint import greedy
    from qunfang.patrols.solver.instance import prepare

    # the greedy takes the night of the 4th first and gives it to a (b dislikes nights);
    # then only a may do the market of the 5th, 2 h after that night: too little rest
    people = [
        member("a", qualifications=frozenset({"traffic"})),
        member("b", preferences={"night": -1.0}),
    ]
    slots = [
        night_slot("n4", 4),
        Slot("m5", "V1", at(5, 6), at(5, 12), required_qualification="traffic"),
    ]
    chosen = greedy(prepare(people, slots, Rules()))
    assert chosen == {(0, 0)}  # the market stays empty
    result = run(people, slots)
    assert result.assignments == {"n4": ["b"], "m5": ["a"]}
    assert result.status == "optimal"
    # the first fully staffed roster came from CP-SAT, after the greedy one was checked
    checked = sum(result.timings[k] for k in ("prepare", "greedy", "check"))
    assert checked < result.first_feasible_s <= result.seconds


def test_the_scheduler_learns_from_parts_that_ran_out_of_time_before_any_finished():
    from qunfang.patrols.solver.model import _Scheduler

    plan = _Scheduler(pending=100 * 1000, threads=2, left=lambda: 1000.0)
    assert plan.rates() is None
    for _ in range(2):
        slow = _FakePart(1000)
        slow.mode, slow.run_seconds = "share", 4.0  # no solution within 4 s
        plan.learn(slow)
    full, root = plan.rates()
    assert full == pytest.approx(1.5 * 4e-3)
    assert root == pytest.approx(full / 2.5)
