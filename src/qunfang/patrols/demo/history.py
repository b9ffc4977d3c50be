"""The published past of the demo year, in bulk: every village-month (and the joint zone's)
rostered in memory by the solver's own greedy first roster, which keeps every hard rule, and
the ten-household rotation; its log made up by `turns.py`; then written by `core.bulk` a few
statements per table, so that the step stays well within a minute (no history rows: the
demo's past is its starting point)."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from qunfang.core.bulk import insert, large_cache
from qunfang.core.demo import VILLAGE_1, VILLAGE_2
from qunfang.patrols import solver
from qunfang.patrols.demo.township import ABSENCE_REASONS, Township
from qunfang.patrols.demo.turns import Turns, write_scans
from qunfang.patrols.models import (
    Absence,
    Assignment,
    CheckIn,
    DutyLedgerEntry,
    Roster,
    RosterStatus,
    Shift,
    SwapRequest,
)
from qunfang.patrols.services.rostering import (
    RosterRequest,
    build_shifts,
    problem_record,
    solver_people,
    solver_slots,
)
from qunfang.patrols.services.rotation import fill_household_shifts
from qunfang.patrols.solver.explain import explain_shortfall, precheck
from qunfang.patrols.solver.hint import greedy
from qunfang.patrols.solver.instance import components, prepare
from qunfang.registry.models import Person


class History:
    """Every published month but the current one of the villages the real solver rosters."""

    def __init__(self, t: Township, turns: Turns):
        self.t, self.rng, self.turns = t, t.rng, turns

    def build(self) -> None:
        """Every published month but the current one of the solver's villages: rostered in
        memory, logged in memory, then written in a few statements."""
        rng = self.rng
        self.absences_ahead()
        busy_map: dict[int, list] = defaultdict(list)  # person pk -> shifts they are on
        rosters, shifts, assignments = [], [], []
        household = defaultdict(list)  # village pk -> its household shifts of the year
        roster_of = {}  # (village or zone region pk, month) -> roster
        for k, (first, last) in enumerate(self.t.months):
            current = k == len(self.t.months) - 1
            jobs = []
            if self.t.zone_obj and not current:
                req = RosterRequest(
                    region=self.t.township, zone=self.t.zone_obj, starts_on=first, ends_on=last
                )
                jobs.append((req, self.t.zone_members, self.t.township_user))
            for v in self.t.villages:
                if not (current and v.code in (VILLAGE_1, VILLAGE_2)):
                    jobs.append(
                        (
                            RosterRequest(region=v, starts_on=first, ends_on=last),
                            self.t.pool[v.pk],
                            self.t.recorder[v.pk],
                        )
                    )
            for req, people, by in jobs:
                roster, month_shifts, month_assignments = self.plan(req, people, busy_map, by)
                if req.region.pk == self.t.paralysed_id:  # its patrols stopped: no shift since
                    month_shifts = [s for s in month_shifts if s.service_date < self.t.stopped_on]
                    month_assignments = [
                        a for a in month_assignments if a.shift.service_date < self.t.stopped_on
                    ]
                rosters.append(roster)
                shifts += month_shifts
                assignments += month_assignments
                roster_of[req.region.pk, first] = roster
                for shift in month_shifts:
                    if shift.pattern.household_group_id:
                        household[shift.region_id].append(shift)
        rules = solver.Rules(min_rest_hours=8, tz=self.t.tz)
        for village_shifts in household.values():  # the rotation runs on over the months
            more, problems = fill_household_shifts(village_shifts, busy_map, rules)
            assignments += more
            for problem in problems:
                day = dt.date.fromisoformat(problem["day"])
                roster = roster_of[village_shifts[0].region_id, day.replace(day=1)]
                roster.problems.append(problem)
                roster.solver_status = "infeasible"
        assignments.sort(key=lambda a: (a.shift.starts_at, a.shift.region_id, a.person_id))
        scans: list[CheckIn] = []
        ledger: list[DutyLedgerEntry] = []
        swaps = []
        for a in assignments:
            self.turns.settle(a, scans, ledger)
            swappable = a.region_id in self.t.main_ids and a.household is None
            if swappable and a.shift.starts_at < self.t.now and rng.random() < 0.03:
                swaps.append(self.turns.past_swap(a))
        with large_cache(CheckIn):
            self.write(rosters, shifts, assignments, scans, ledger, swaps)

    def write(self, rosters, shifts, assignments, scans, ledger, swaps) -> None:
        insert(Roster, rosters)
        insert(Shift, shifts)
        insert(Assignment, assignments)
        write_scans(scans)
        insert(DutyLedgerEntry, ledger)  # a book: chained as it is written
        insert(SwapRequest, swaps)
        self.t.stats["rosters"] += len(rosters)
        self.t.stats["shifts"] += len(shifts)
        self.t.stats["check_ins"] += len(scans)

    def absences_ahead(self) -> None:
        """Members who said in time that they would be away: the roster leaves them out."""
        rng, rows = self.rng, []
        for first, last in self.t.months:
            for v in self.t.villages:
                for _ in range(rng.choice([0, 0, 1, 1, 2])):
                    person = rng.choice(self.t.pool[v.pk])
                    start = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                    end = min(start + dt.timedelta(days=rng.randint(2, 10)), last)
                    declared = dt.datetime.combine(
                        first - dt.timedelta(days=rng.randint(2, 12)),
                        dt.time(19, 30),
                        tzinfo=self.t.tz,
                    )
                    rows.append(
                        Absence(
                            person=person,
                            starts_on=start,
                            ends_on=end,
                            reason=rng.choice(ABSENCE_REASONS),
                            declared_by=self.t.recorder[v.pk],
                            created_at=declared,
                        )
                    )
        insert(Absence, rows)

    def plan(self, req: RosterRequest, people: list[Person], busy_map, by):
        """One published month's patrol shifts, filled by the solver's greedy first roster."""
        rng = self.rng
        published = dt.datetime.combine(
            req.starts_on - dt.timedelta(days=rng.randint(3, 8)),
            dt.time(rng.randint(9, 17), rng.randint(0, 59)),
            tzinfo=self.t.tz,
        )
        roster = Roster(
            region=req.region,
            zone=req.zone,
            starts_on=req.starts_on,
            ends_on=req.ends_on,
            status=RosterStatus.PUBLISHED,
            created_by=by,
            created_at=published - dt.timedelta(hours=20),
            published_by=by,
            published_at=published,
        )
        shifts = build_shifts(req, roster)
        patrol = [s for s in shifts if s.pattern.household_group_id is None]
        t0 = time.perf_counter()
        persons = solver_people(req, people)
        month_start = dt.datetime.combine(req.starts_on, dt.time(), tzinfo=self.t.tz)
        for p in persons:  # still resting from last month's last night
            spans = [span for span in busy_map.get(int(p.id), ()) if span[1] > month_start]
            if spans:
                p.unavailable = [*p.unavailable, *spans]
        days = frozenset(d for d in self.t.busy if req.starts_on <= d <= req.ends_on)
        rules = solver.Rules(
            min_rest_hours=req.min_rest_hours,
            max_nights_per_week=req.max_nights_per_week,
            busy_season_days=days,
            tz=self.t.tz,
        )
        slots = solver_slots(req, patrol)
        inst = prepare(persons, slots, rules)
        chosen = greedy(inst, seed=rng.randrange(1 << 30))
        proven = precheck(inst, components(inst))
        problems = proven + explain_shortfall(inst, chosen, proven)
        by_id = {str(p.pk): p for p in people}
        assignments = []
        for i, j in sorted(chosen, key=lambda ij: (ij[1], ij[0])):
            shift = patrol[j]
            person = by_id[persons[i].id]
            assignments.append(
                Assignment(shift=shift, region=shift.region, zone=req.zone, person=person)
            )
            busy_map[person.pk].append((shift.starts_at, shift.ends_at))
        shift_of = {str(k): s for k, s in enumerate(patrol)}
        roster.problems = [problem_record(p, shift_of) for p in problems]
        roster.solver_status = "infeasible" if roster.problems else "feasible"
        roster.first_feasible_s = roster.seconds = round(time.perf_counter() - t0, 3)
        return roster, shifts, assignments
