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
    The greedy roster comes first: where the independent checker passes it, it is that
    part's roster at once (``first_feasible_s`` is then well under a second for a
    township-month). CP-SAT then improves every part, those the greedy left short first,
    two parts at a time on one core each while the main thread builds the next models;
    ``_Scheduler`` shares out the time. (An earlier first phase handed CP-SAT the greedy
    roster as a hint to get a first solution: with the checked greedy roster it is not
    needed, and for parts the greedy leaves short the LP-guided search without a hint
    fills the seats sooner.) The gap reported is (objective - bound) / max(1, |objective|)
    over the whole roster.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter

from ortools.sat.python import cp_model

from .checker import check_roster
from .domain import Person, Problem, RosterResult, Rules, Slot, Status
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


# CP-SAT's root LP bound is usually the optimum here; finding a roster that matches it
# takes as long again: proving a part optimal takes about 2-2.6 x the time to its root
# bound (measured on the township benchmark)
ROOT_TO_OPTIMAL = 2.5
RECENT = 9  # the scheduler's estimates come from this many of the latest runs

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
                busy_most = {d: k for d, k in most.items() if d in busy_days}
                for w in rolling_windows(busy_most, cap):
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
        self.greedy: set[tuple[int, int]] = set()  # the fallback roster (checker-valid)
        # the last CP-SAT run, for the scheduler: how long it took, how long until the
        # bound stopped rising before its first solution, and whether it proved optimality
        self.run_seconds = 0.0
        self.root_seconds: float | None = None
        self.proved = False
        self.mode = ""  # the budget the scheduler gave: "fill", "share", "full" or "root"

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
        # Measured on the township benchmark: presolve spends seconds on this model while
        # gaining nothing, and the full LP from the first node gives CP-SAT its bound in
        # under a second. (Other search and cut settings tried made no difference or were
        # slower; so was a hint: CP-SAT does not improve the greedy roster it is given.)
        prm.cp_model_presolve = False
        prm.linearization_level = 2
        prm.add_lp_constraints_lazily = False
        began = perf_counter()
        bounds: list[float] = []  # when the bound rose, for the scheduler's estimates
        solver.best_bound_callback = lambda _: bounds.append(perf_counter())
        watch = _Watch(self, t0, stop_when_full)
        status = solver.status_name(solver.solve(self.m, watch))
        self.run_seconds = perf_counter() - began
        # the root bound: the last rise before the first solution (unknown without one)
        self.root_seconds = (
            max((b for b in bounds if b <= watch.first), default=began) - began
            if watch.first is not None
            else None
        )
        self.proved = status == "OPTIMAL"
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
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = perf_counter()
        if self.first is None:
            self.first = now
        filled = self.part.filled(list(self.response_proto.solution))
        self.part.trace.append((now - self.t0, filled))
        if self.stop and filled >= self.part.fill_bound:
            self.stop_search()  # a fully staffed roster is on the table: show it


def _fill_bound(inst: Instance, slots: list[int]) -> int:
    return sum(min(inst.slots[j].headcount, len(inst.elig[j])) for j in slots)


def _checked_hint(
    inst: Instance, comps: list[tuple[list[int], list[int]]], hint: set[tuple[int, int]]
) -> list[bool]:
    """Per component: does the independent checker pass the greedy roster there?

    Empty seats aside (they are counted, not forbidden), a component whose part of the
    greedy roster breaks no hard rule holds a valid roster as it stands. The greedy keeps
    every rule by construction; this is the proof, from code that shares none of it.
    """
    people, slots = inst.people, inst.slots
    assignments: dict[str, list[str]] = {s.id: [] for s in slots}
    for i, j in hint:
        assignments[slots[j].id].append(people[i].id)
    broken = [
        v for v in check_roster(people, slots, inst.rules, assignments) if v.code != "understaffed"
    ]
    ok = [True] * len(comps)
    if not broken:
        return ok
    comp_of_slot: dict[str, int] = {}
    comp_of_person: dict[str, int] = {}
    for k, (pids, sids) in enumerate(comps):
        for i in pids:
            comp_of_person[people[i].id] = k
        for j in sids:
            comp_of_slot[slots[j].id] = k
    for v in broken:
        found = (comp_of_slot.get(v.slot or ""), comp_of_person.get(v.person or ""))
        hit = {k for k in found if k is not None}
        if not hit:
            return [False] * len(comps)  # cannot tell where: trust none of it
        for k in hit:
            ok[k] = False
    return ok


class _Scheduler:
    """Hands each part its time for phase 2, from what the parts before it took.

    Rates are wall seconds per model variable, measured on this run (so a machine busy
    with other work is measured as it is): to prove a part optimal, and to CP-SAT's root
    bound (the last rise of the bound before its first solution). With time to spare
    every part gets a generous share (it stops once proven optimal). When the time left
    cannot prove every part optimal, a part is solved to the end only if the time left
    after it still buys every remaining part its root bound; the others get just long
    enough for that bound. Per second that shrinks the gap most: in this model the root
    bound is usually the optimum already, and the search for a roster that matches it
    takes as long again, while a part that gets no time at all keeps the greedy roster
    against a bound of 0. Parts cut short keep the greedy roster unless CP-SAT finds a
    better one in their time; time left over at the end goes to them again.
    """

    def __init__(self, pending: int, threads: int, left: Callable[[], float]) -> None:
        self.pending = pending  # variables in the parts not started yet
        self.threads, self.left = threads, left
        self.full: list[float] = []  # seconds per variable to prove a part optimal
        self.root: list[float] = []  # seconds per variable to the root bound
        self.short: list[float] = []  # ... given a budget to do so, and it was too short
        self.lock = threading.Lock()

    @staticmethod
    def _rate(values: list[float]) -> float:
        # the median of the latest runs: the first parts run while the main thread is
        # still building models, and the machine may get busier or quieter as it goes
        recent = sorted(values[-RECENT:])
        return recent[len(recent) // 2]

    def rates(self) -> tuple[float, float] | None:
        """Seconds per variable to prove a part optimal, and to its root bound."""
        if len(self.full) >= 2:
            full = self._rate(self.full)
        elif self.root:
            full = ROOT_TO_OPTIMAL * self._rate(self.root)
        elif len(self.short) >= 2:  # nothing finished yet: it takes longer than that
            full = 1.5 * self._rate(self.short)
        else:
            return None
        if self.short:  # the machine got slower than measured (other work on it)
            full = max(full, self._rate(self.short))
        root = self._rate(self.root) if self.root else full / ROOT_TO_OPTIMAL
        return full, root

    def budget(self, part: _Part) -> float:
        with self.lock:
            left = self.left()
            share = left * self.threads * part.size / max(1, self.pending)
            self.pending -= part.size
            part.mode = "share"
            if part.filled_best() < part.fill_bound:
                # seats the greedy left empty come before anything else: such a part is
                # first in line and may take long (it stops once proven optimal, which
                # also proves that no roster fills more seats)
                part.mode = "fill"
                return min(left, max(30.0, 4.0 * share))
            rates = self.rates()
            if rates is None:  # nothing measured yet: the parts that finish early
                return min(left, 2.0 * share)  # hand their time on to the rest
            full, root = rates
            # thread-seconds left once this part is proven optimal, against what the
            # parts after it need for their root bounds
            spare = left * self.threads - 1.2 * full * part.size
            if spare >= 1.5 * root * self.pending:
                part.mode = "full"
                return min(left, max(2.0 * share, 1.5 * full * part.size))
            part.mode = "root"
            return min(left, 1.5 * root * part.size)

    def learn(self, part: _Part) -> None:
        if not part.size:
            return
        with self.lock:
            if part.proved:
                self.full.append(part.run_seconds / part.size)
            elif part.mode in ("share", "full"):  # meant to be proven optimal, and was not
                self.short.append(part.run_seconds / part.size)
            if part.root_seconds is not None:
                self.root.append(part.root_seconds / part.size)


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
    """Build the roster. Always returns one; ``problems`` says what could not be met.

    The greedy roster (``hint.greedy``) comes first. Each independent part of it that the
    independent checker passes is a valid roster at once, and ``first_feasible_s`` is the
    moment the checker passed it (for a part it leaves less staffed than the final
    roster, the moment CP-SAT found one as fully staffed). CP-SAT then improves each part
    within ``time_limit_s``; a part it cannot improve in time keeps its greedy roster.

    ``objective`` is the model's cost of the returned roster (empty seats, fairness,
    back-to-back nights, busy-season volunteers, preferences: every term >= 0), ``bound``
    a proven lower bound of every roster's cost, and
    ``gap = (objective - bound) / max(1, |objective|)``, 0 when proven optimal.
    """
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

    def left() -> float:
        return time_limit_s - (perf_counter() - t0)

    inst = prepare(people, slots, rules)
    comps = components(inst)
    lap("prepare")
    hint = greedy(inst, seed=seed)
    lap("greedy")
    usable = _checked_hint(inst, comps, hint)
    hint_at = perf_counter() - t0
    lap("check")
    proven = precheck(inst, comps)
    lap("precheck")
    # seats that nobody can take are a fixed cost of every roster
    fixed = sum(seat_cost(rules, s) * s.headcount for j, s in enumerate(slots) if not inst.elig[j])
    hint_fill = [0] * len(comps)
    comp_of = [-1] * len(slots)
    for k, (_, sids) in enumerate(comps):
        for j in sids:
            comp_of[j] = k
    for _, j in hint:
        hint_fill[comp_of[j]] += 1
    sizes = [sum(len(inst.elig[j]) for j in sids) for _, sids in comps]
    full = [
        usable[k] and hint_fill[k] >= _fill_bound(inst, sids) for k, (_, sids) in enumerate(comps)
    ]

    parts: list[_Part | None] = [None] * len(comps)

    def build(k: int) -> _Part:
        part = _Part(inst, *comps[k])
        mine = {key for key in part.x if key in hint}
        # a valid greedy roster is the part's roster until CP-SAT finds a better one;
        # otherwise the empty roster (always valid) is the fallback
        part.greedy = mine if usable[k] else set()
        if usable[k]:
            part.best, part.objective = mine, float(part.evaluate(mine))
            part.status = "FEASIBLE"
            part.trace.append((hint_at, len(mine)))
        parts[k] = part
        return part

    # improve: parts the greedy roster left short (or got wrong) first, then small before
    # large (when time runs short, the most parts get solved: a part needs roughly as much
    # time as it is large). The main thread builds the parts in that order while
    # `workers` threads solve them, one part each on one core (a single part gets every
    # core): CP-SAT releases the GIL. No hint: CP-SAT follows a complete hint for seconds
    # before its LP-guided search starts, and that search finds the good rosters (and
    # fills the seats the greedy left empty) quickly; the greedy roster is kept if
    # nothing better turns up.
    def key(k: int) -> tuple[bool, int]:
        return full[k], sizes[k]

    order = sorted(range(len(comps)), key=key)
    threads = max(1, min(workers, len(order)))
    per_part = max(1, workers // threads)
    ready: queue.Queue[_Part | None] = queue.Queue()
    plan = _Scheduler(sum(sizes[k] for k in order), threads, left)

    def work() -> None:
        while (part := ready.get()) is not None:
            budget = plan.budget(part)
            if budget < 0.05:
                continue
            part.run(budget, t0, workers=per_part, seed=seed, stop_when_full=False, log=log)
            plan.learn(part)

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(work) for _ in range(threads)]
        try:
            for k in order:
                ready.put(build(k))
            lap("build")
        finally:
            for _ in range(threads):
                ready.put(None)
        for f in futures:
            f.result()

    # time left over (parts proven optimal sooner than budgeted): another go at the parts
    # still open, widest gap first, each with all the time that is left
    again: queue.Queue[_Part | None] = queue.Queue()
    for part in sorted(
        (p for p in parts if p is not None and p.status != "OPTIMAL" and p.objective is not None),
        key=lambda p: p.bound - (p.objective or 0.0),
    ):
        again.put(part)

    def rework() -> None:
        while (part := again.get()) is not None:
            if left() >= 0.5:
                part.run(left(), t0, workers=per_part, seed=seed, stop_when_full=False, log=log)

    if again.qsize() and left() >= 0.5:
        threads = min(threads, again.qsize())
        per_part = max(1, workers // threads)
        for _ in range(threads):
            again.put(None)
        with ThreadPoolExecutor(threads) as pool:
            for f in [pool.submit(rework) for _ in range(threads)]:
                f.result()
    lap("improve")

    chosen: set[tuple[int, int]] = set()
    done = [p for p in parts if p is not None]
    for part in done:
        if part.best is None:  # CP-SAT never answered in time: keep the fallback roster
            part.best = part.greedy
            part.objective = float(part.evaluate(part.best))
        chosen |= part.best
    assignments: dict[str, list[str]] = {s.id: [] for s in slots}
    for i, j in sorted(chosen):
        assignments[slots[j].id].append(people[i].id)
    short = sum(s.headcount for s in slots) - len(chosen)
    problems: list[Problem] = proven + explain_shortfall(inst, chosen, proven)

    objective = fixed + sum(p.objective or 0.0 for p in done)
    bound = fixed + sum(p.bound for p in done)
    gap = (objective - bound) / max(1.0, abs(objective))
    optimal = all(p.status == "OPTIMAL" for p in done)
    firsts: list[float] = []
    feasible: list[float] = []
    for p in done:
        if not p.trace:
            continue
        firsts.append(p.trace[0][0])
        final = sum(1 for k in p.x if k in chosen)
        feasible.append(next((t for t, f in p.trace if f >= final), p.trace[-1][0]))
    complete = len(firsts) == len(done)
    status: Status
    if short > 0:
        status = "infeasible"
    elif optimal:
        status = "optimal"
    else:
        status = "feasible"
    lap("explain")
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
        components=len(done),
        variables=sum(p.size for p in done),
        timings={k: round(v, 3) for k, v in timings.items()},
    )
