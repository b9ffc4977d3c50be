"""The CP-SAT roster model and the ``solve`` entry point.

Variables
    x[p, s]   one boolean per *eligible* (person, slot) pair (see ``instance.prepare``);
    over/under per person, for total and for night load: shifts outside the group's band;
    c[p, d]   person p works the nights of both d and d + 1.
Hard constraints
    head-count: sum_p x[p, s] <= headcount(s). Empty seats are allowed at a high cost, so
    there is always a roster to show, and ``explain`` says why a seat stayed empty;
    one shift at a time and minimum rest: at most one x per maximal clique of slots whose
    [start, end + rest) intervals overlap (exact: it is an interval graph);
    caps in any 7 consecutive service days: nights (the stricter of rule and person), all
    shifts, and volunteers' shifts on busy-season days;
    night shifts: inexperienced <= (headcount - 1) * experienced, so nobody goes out at
    night without an experienced member (and a one-person night is always experienced).
Objective (minimised, integers, every term a cost >= 0)
    sum_s round(short_penalty * weight(s)) * empty seats(s)
    + fairness: f per shift outside [floor, ceil] of the group's mean fair share, 3f beyond
    + back-to-back nights + volunteers on busy days + preference disappointment.
Solving
    The problem falls apart into independent components (villages, or villages joined by
    a joint zone); each gets its own model, which is exact because nothing spans two.
    Phase 1 hands CP-SAT the greedy roster as a complete hint and stops at the first fully
    staffed solution; phase 2 re-solves each part without the hint, two parts at a time
    on one core each, until it is proven optimal or the time is up. The gap reported is
    (objective - bound) / max(1, |objective|) over the whole roster.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter

from ortools.sat.python import cp_model

from .domain import Person, Problem, RosterResult, Rules, Slot
from .explain import explain_shortfall, precheck, validate
from .hint import greedy
from .instance import (
    Instance,
    components,
    conflict_cliques,
    fair_band,
    most_per_day,
    prepare,
    rolling_windows,
)


def pref_cost(rules: Rules, person: Person, slot: Slot) -> int:
    """Disappointment: how far this shift is from the person's favourite kind (>= 0).

    Measured from the favourite rather than paid as a bonus, so every term of the
    objective is a cost and the relative gap means something.
    """
    prefs = person.preferences
    if not prefs:
        return 0
    best = max(0.0, *prefs.values())
    here = prefs.get(slot.key, prefs.get(slot.place, 0.0))
    return round((best - here) * rules.preference_weight)


def seat_cost(rules: Rules, slot: Slot) -> int:
    """What one empty seat costs: the slot weight tilts staffing toward hot hours and places."""
    return max(1, round(rules.short_penalty * slot.weight))


INF = cp_model.INT_MAX
NINF = cp_model.INT_MIN


class _Part:
    """One independent component: its model, its best roster and how the search went.

    The model is written straight into the proto with integer indices: the Python
    expression API costs microseconds per term, which at 16x (800,000 pairs) adds up to
    more time than the first solution is allowed.
    """

    def __init__(self, inst: Instance, people: list[int], slots: list[int]) -> None:
        self.inst, self.people, self.slots = inst, people, slots
        rules = inst.rules
        self.m = cp_model.CpModel()
        proto = self.m.proto
        self._vars = proto.variables
        self._cons = proto.constraints
        self.nvars = 0
        obj_vars: list[int] = []
        obj_coeffs: list[int] = []
        self.x: dict[tuple[int, int], int] = {}
        self.constant = 0
        self.fill_bound = 0
        floor = 0  # every other term is a cost >= 0, so seats nobody can take bound it below
        x = self.x
        new_var = self._vars.add
        sad: dict[tuple[int, str, str], int] = {}  # preference costs, by person and kind
        for j in slots:
            s = inst.slots[j]
            cost = seat_cost(rules, s)
            elig = inst.elig[j]
            self.constant += cost * s.headcount
            self.fill_bound += min(s.headcount, len(elig))
            floor += cost * (s.headcount - min(s.headcount, len(elig)))
            busy = inst.busy[j]
            first = self.nvars
            for k, i in enumerate(elig):
                new_var().domain.extend((0, 1))
                x[i, j] = first + k
                p = inst.people[i]
                c = -cost
                if p.preferences:
                    key = (i, s.key, s.place)
                    if key not in sad:
                        sad[key] = pref_cost(rules, p, s)
                    c += sad[key]
                if busy and p.volunteer:
                    c += rules.busy_volunteer_penalty
                obj_coeffs.append(c)
            self.nvars += len(elig)
            xs = list(range(first, self.nvars))
            obj_vars.extend(xs)
            if len(xs) > s.headcount:
                self._linear(xs, [1] * len(xs), 0, s.headcount)
            if s.night and s.headcount >= 2:
                # inexperienced <= (headcount - 1) x experienced: none at all without a lead
                lead = [x[i, j] for i in elig if inst.people[i].experienced]
                rest = [x[i, j] for i in elig if not inst.people[i].experienced]
                if rest:
                    self._linear(
                        rest + lead, [1] * len(rest) + [1 - s.headcount] * len(lead), NINF, 0
                    )
        self.xidx = list(x.values())

        # per person: one "at most one" per clique of clashing slots (overlap or too little
        # rest), rolling-week caps, back-to-back nights, and the loads for fairness
        self.pairs: list[tuple[int, list[int], list[int]]] = []
        self.bands: list[tuple[list[int], int, int, int, int, int, int]] = []
        by_group: dict[str, list[int]] = defaultdict(list)
        loads: dict[int, tuple[list[int], list[int]]] = {}
        busy_days = {d.toordinal() for d in rules.busy_season_days}
        for i in people:
            p = inst.people[i]
            by_group[p.group].append(i)
            js = inst.by_person[i]
            for clique in conflict_cliques(inst, js):
                self._cons.add().at_most_one.literals.extend([x[i, j] for j in clique])
            on_day: dict[int, list[int]] = defaultdict(list)
            for j in js:
                on_day[inst.day[j]].append(j)
            y: dict[int, list[int]] = {}
            n: dict[int, list[int]] = {}
            most: dict[int, int] = {}
            most_n: dict[int, int] = {}
            for d, day_js in on_day.items():
                most[d] = most_per_day(inst, day_js)
                y[d] = [x[i, j] for j in day_js]
                nights = [j for j in day_js if inst.slots[j].night]
                if nights:
                    most_n[d] = most_per_day(inst, nights)
                    n[d] = [x[i, j] for j in nights]
            cap = inst.night_cap[i]
            for w in rolling_windows(most_n, cap):
                self._cap([n[d] for d in w], cap)
            if rules.max_shifts_per_week is not None:
                cap = rules.max_shifts_per_week
                for w in rolling_windows(most, cap):
                    self._cap([y[d] for d in w], cap)
            if p.volunteer and busy_days:
                cap = rules.busy_volunteer_max_shifts_per_week
                busy = {d: k for d, k in most.items() if d in busy_days}
                for w in rolling_windows(busy, cap):
                    self._cap([y[d] for d in w], cap)
            if rules.consecutive_night_penalty and inst.night_cap[i] >= 2:
                for d, today in n.items():
                    tomorrow = n.get(d + 1)
                    if tomorrow is not None:
                        both = today + tomorrow
                        c = self._var(0, most_n[d] + most_n[d + 1] - 1)
                        self._linear([*both, c], [1] * len(both) + [-1], NINF, 1)
                        obj_vars.append(c)
                        obj_coeffs.append(rules.consecutive_night_penalty)
                        self.pairs.append((c, today, tomorrow))
            loads[i] = ([v for vs in y.values() for v in vs], [v for vs in n.values() for v in vs])

        # fairness: everyone inside the band [floor(mean), ceil(mean)] of the group's fair
        # shares, f per shift outside and 3f for each further one. Unlike max - min this
        # keeps the LP bound tight.
        for members in by_group.values():
            lo, hi = fair_band(inst.share[i] for i in members)
            night_members = [i for i in members if loads[i][1]]
            nlo, nhi = fair_band(inst.night_share[i] for i in night_members)
            for i in members:
                self._band(
                    loads[i][0],
                    len(inst.by_person[i]),
                    lo,
                    hi,
                    rules.fair_penalty,
                    obj_vars,
                    obj_coeffs,
                )
            for i in night_members:
                most_nights = sum(1 for j in inst.by_person[i] if inst.slots[j].night)
                self._band(
                    loads[i][1],
                    most_nights,
                    nlo,
                    nhi,
                    rules.night_fair_penalty,
                    obj_vars,
                    obj_coeffs,
                )

        obj = proto.objective
        obj.vars.extend(obj_vars)
        obj.coeffs.extend(obj_coeffs)
        obj.offset = self.constant
        obj.scaling_factor = 1.0
        self.size = len(self.x)
        self.best: set[tuple[int, int]] | None = None
        self.objective: float | None = None
        self.bound = float(floor)
        self.status = "UNKNOWN"
        self.trace: list[tuple[float, int]] = []  # (seconds since solve() began, seats filled)

    def _var(self, lo: int, hi: int) -> int:
        self._vars.add().domain.extend([lo, hi])
        self.nvars += 1
        return self.nvars - 1

    def _linear(self, vs: list[int], cs: list[int], lo: int, hi: int) -> None:
        lin = self._cons.add().linear
        lin.vars.extend(vs)
        lin.coeffs.extend(cs)
        lin.domain.extend([lo, hi])

    def _cap(self, groups: list[list[int]], cap: int) -> None:
        vs = [v for g in groups for v in g]
        self._linear(vs, [1] * len(vs), NINF, cap)

    def _band(
        self, parts: list[int], most: int, lo: int, hi: int, f: int, ov: list[int], oc: list[int]
    ) -> None:
        o1 = o2 = u1 = u2 = -1
        k = len(parts)
        if most > hi:
            o1, o2 = self._var(0, 1), self._var(0, most - hi)
            self._linear([*parts, o1, o2], [1] * k + [-1, -1], NINF, hi)
            ov += [o1, o2]
            oc += [f, 3 * f]
        if lo > 0:
            u1, u2 = self._var(0, 1), self._var(0, lo)
            self._linear([*parts, u1, u2], [1] * k + [1, 1], lo, INF)
            ov += [u1, u2]
            oc += [f, 3 * f]
        if o1 >= 0 or u1 >= 0:
            self.bands.append((parts, lo, hi, o1, o2, u1, u2))

    def hint(self, chosen: set[tuple[int, int]]) -> None:
        """Hint every variable, so CP-SAT can take the roster as its first solution."""
        val = self._values(chosen)
        self.m.clear_hints()
        h = self.m.proto.solution_hint
        h.vars.extend(range(self.nvars))
        h.values.extend(val)

    def evaluate(self, chosen: set[tuple[int, int]]) -> int:
        """The objective of a roster, for one CP-SAT never saw (its solve timed out)."""
        val = self._values(chosen)
        obj = self.m.proto.objective
        return self.constant + sum(c * val[v] for v, c in zip(obj.vars, obj.coeffs, strict=True))

    def _values(self, chosen: set[tuple[int, int]]) -> list[int]:
        """Every variable's value for a roster: x from it, the rest as the model defines."""
        val = [0] * self.nvars
        for key, v in self.x.items():
            if key in chosen:
                val[v] = 1
        for c, today, tomorrow in self.pairs:
            val[c] = max(0, sum(val[k] for k in today) + sum(val[k] for k in tomorrow) - 1)
        for parts, lo, hi, o1, o2, u1, u2 in self.bands:
            load = sum(val[k] for k in parts)
            if o1 >= 0:
                d = max(0, load - hi)
                val[o1], val[o2] = min(1, d), max(0, d - 1)
            if u1 >= 0:
                d = max(0, lo - load)
                val[u1], val[u2] = min(1, d), max(0, d - 1)
        return val

    def filled_best(self) -> int:
        return len(self.best) if self.best is not None else 0

    def filled(self, solution: list[int]) -> int:
        return sum(solution[k] for k in self.xidx)

    def run(
        self, seconds: float, t0: float, *, workers: int, seed: int, stop_when_full: bool, log: bool
    ) -> None:
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = max(1, min(workers, 2))
        prm.random_seed = seed
        prm.max_time_in_seconds = max(0.05, seconds)
        prm.log_search_progress = log
        # Measured on the township benchmark: presolve spends seconds on this model (and
        # delays the hinted first solution) while gaining nothing, and the full LP from the
        # first node gives CP-SAT its bound in under a second.
        prm.cp_model_presolve = False
        prm.linearization_level = 2
        prm.add_lp_constraints_lazily = False
        if stop_when_full:
            prm.linearization_level = 0  # phase 1 wants the hint back, not an LP
        watch = _Watch(self, t0, stop_when_full)
        status = solver.status_name(solver.solve(self.m, watch))
        if status in ("OPTIMAL", "FEASIBLE", "UNKNOWN"):
            # a search stopped early still leaves a valid bound (its LP, say)
            self.bound = max(self.bound, solver.best_objective_bound)
        if status in ("OPTIMAL", "FEASIBLE"):
            obj = solver.objective_value
            if self.objective is None or obj <= self.objective:
                self.objective = obj
                sol = list(solver.response_proto.solution)
                self.best = {key for key, v in self.x.items() if sol[v]}
            if self.status != "OPTIMAL":
                self.status = status
            if status == "OPTIMAL":
                self.bound = self.objective


class _Watch(cp_model.CpSolverSolutionCallback):
    def __init__(self, part: _Part, t0: float, stop_when_full: bool) -> None:
        super().__init__()
        self.part, self.t0, self.stop = part, t0, stop_when_full

    def on_solution_callback(self) -> None:
        filled = self.part.filled(list(self.response_proto.solution))
        self.part.trace.append((perf_counter() - self.t0, filled))
        if self.stop and filled >= self.part.fill_bound:
            self.stop_search()  # a fully staffed roster is on the table: show it


def solve(
    people: list[Person],
    slots: list[Slot],
    rules: Rules | None = None,
    *,
    time_limit_s: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    log: bool = False,
) -> RosterResult:
    """Build the roster. Always returns one; ``problems`` says what could not be met."""
    t0 = perf_counter()
    rules = rules or Rules()
    people, slots = list(people), list(slots)
    bad = validate(people, slots, rules)
    if bad:
        return RosterResult(
            "invalid", {}, problems=bad, seconds=perf_counter() - t0, solver_status="MODEL_INVALID"
        )
    timings: dict[str, float] = {}
    mark = perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = perf_counter()
        timings[name] = timings.get(name, 0.0) + now - mark
        mark = now

    inst = prepare(people, slots, rules)
    comps = components(inst)
    proven = precheck(inst, comps)
    lap("prepare")
    hint = greedy(inst, seed=seed)
    lap("greedy")
    # seats that nobody can take are a fixed cost of every roster
    fixed = sum(seat_cost(rules, s) * s.headcount for j, s in enumerate(slots) if not inst.elig[j])

    def left() -> float:
        return time_limit_s - (perf_counter() - t0)

    # phase 1: a complete roster fast. Building is Python work, so the parts go one after
    # another; each stops at its first fully staffed solution (usually the hint itself).
    # CP-SAT releases the GIL, so a thread checks each part's hint while the next is built
    parts: list[_Part] = []
    total = sum(len(e) for e in inst.elig) or 1
    with ThreadPoolExecutor(1) as first:
        runs = []
        for pids, sids in comps:
            part = _Part(inst, pids, sids)
            part.hint(hint)
            # a full hint comes straight back (the budget only guards a busy machine);
            # otherwise CP-SAT gets a moment to fill the seats the greedy left
            full = sum(1 for key in part.x if key in hint) >= part.fill_bound
            budget = 2.0 if full else max(2.0, 0.05 * time_limit_s * part.size / total)
            runs.append(
                first.submit(
                    part.run,
                    min(budget, max(0.05, left())),
                    t0,
                    workers=1 if full else workers,
                    seed=seed,
                    stop_when_full=True,
                    log=log,
                )
            )
            parts.append(part)
        lap("build")
        for r in runs:
            r.result()
    lap("first_solve")

    # phase 2: improve. CP-SAT releases the GIL, so with several parts each of the
    # `workers` threads solves one part at a time on one core; a single part gets them all.
    # parts with empty seats first, then small before large: when time runs short, the
    # most parts get solved (a part needs roughly as much time as it is large)
    todo = sorted(
        (p for p in parts if p.status != "OPTIMAL"),
        key=lambda p: (p.filled_best() >= p.fill_bound, p.size),
    )
    threads = max(1, min(workers, len(todo)))
    per_part = max(1, workers // threads)
    lock = threading.Lock()
    pending = [sum(p.size for p in todo)]

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                part = todo.pop(0)
                # a fair share of what is left, with room to spare: parts that finish
                # early hand their time on to the rest
                share = left() * threads * part.size / max(1, pending[0])
                pending[0] -= part.size
            # a part with empty seats may need longer to fill them: it comes first anyway
            budget = min(
                left(),
                2.0 * share if part.filled_best() >= part.fill_bound else max(10.0, 4.0 * share),
            )
            if budget < 0.05:
                continue
            # no hint here: CP-SAT follows a complete hint for seconds before its
            # LP-guided search starts, and that search finds the good rosters quickly
            # (phase 1's roster is kept if nothing better turns up)
            part.m.clear_hints()
            part.run(budget, t0, workers=per_part, seed=seed, stop_when_full=False, log=log)

    if threads == 1:
        work()
    else:
        with ThreadPoolExecutor(threads) as pool:
            for f in [pool.submit(work) for _ in range(threads)]:
                f.result()

    lap("improve")
    chosen: set[tuple[int, int]] = set()
    for part in parts:
        if part.best is None:  # CP-SAT never answered in time: keep the greedy roster
            part.best = {k for k in part.x if k in hint}
            part.objective = part.evaluate(part.best)
        chosen |= part.best
    assignments: dict[str, list[str]] = {s.id: [] for s in slots}
    for i, j in sorted(chosen):
        assignments[slots[j].id].append(people[i].id)
    short = sum(s.headcount for s in slots) - len(chosen)
    problems: list[Problem] = proven + explain_shortfall(inst, chosen, proven)

    objective = fixed + sum(p.objective or 0.0 for p in parts)
    bound = fixed + sum(p.bound for p in parts)
    gap = (objective - bound) / max(1.0, abs(objective))
    optimal = all(p.status == "OPTIMAL" for p in parts)
    firsts: list[float] = []
    feasible: list[float] = []
    for p in parts:
        if not p.trace:
            continue
        firsts.append(p.trace[0][0])
        final = sum(1 for k in p.x if k in chosen)
        feasible.append(next((t for t, f in p.trace if f >= final), p.trace[-1][0]))
    complete = len(firsts) == len(parts)
    if short > 0:
        status = "infeasible"
    elif optimal:
        status = "optimal"
    else:
        status = "feasible"
    return RosterResult(
        status=status,
        assignments=assignments,
        objective=objective,
        bound=bound,
        gap=gap,
        first_solution_s=max(firsts, default=0.0) if complete else None,
        first_feasible_s=max(feasible, default=0.0) if complete else None,
        seconds=perf_counter() - t0,
        problems=problems,
        solver_status="OPTIMAL" if optimal else ("FEASIBLE" if complete else "UNKNOWN"),
        shortfall=short,
        components=len(parts),
        variables=sum(p.size for p in parts),
        timings={k: round(v, 3) for k, v in timings.items()},
    )
