"""Plain-language answers: bad input, demands that cannot be met, and seats left empty.

Three layers: ``validate`` rejects input that makes no sense (a person listed in two
groups, a slot that ends before it starts); ``precheck`` proves shortages before any
search (too few eligible people for a slot, or for slots that run at the same time);
``explain_shortfall`` says, for each seat the solver still left empty, which rule
stopped each eligible person from taking it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ortools.graph.python import max_flow

from .checker import person_breaks
from .domain import CONSTRAINT_WORDS, Person, Problem, Rules, Slot
from .instance import Instance, conflict_cliques, most_per_day


def _invalid(detail: str) -> Problem:
    return Problem("invalid_input", "input", params={"detail": detail})


def _aware(t: object) -> bool:
    return isinstance(t, datetime) and t.tzinfo is not None and t.utcoffset() is not None


def validate(people: Iterable[Person], slots: Iterable[Slot], rules: Rules) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, Person] = {}
    for p in people:
        if p.id in seen:
            other = seen[p.id]
            out.append(
                _invalid(
                    f"person {p.id} is listed twice (in {other.group} and in {p.group}); list a "
                    "person once and name further groups in also_in, so the solver never puts "
                    "them in two places at once"
                )
            )
            continue
        seen[p.id] = p
        for item in p.unavailable:
            if isinstance(item, tuple):
                a, b = item
                if isinstance(a, datetime) or isinstance(b, datetime):
                    if not (_aware(a) and _aware(b)):
                        out.append(_invalid(f"absence of {p.id} has a time without a time zone"))
                    elif b <= a:
                        out.append(_invalid(f"absence of {p.id} ends before it starts"))
                elif b < a:
                    out.append(_invalid(f"absence of {p.id} ends before it starts"))
            elif not isinstance(item, date):
                out.append(_invalid(f"absence of {p.id} is neither a date nor a (start, end) pair"))
        if p.max_nights_per_week is not None and p.max_nights_per_week < 0:
            out.append(_invalid(f"person {p.id} has a negative night limit"))
    ids: set[str] = set()
    for s in slots:
        if s.id in ids:
            out.append(_invalid(f"slot {s.id} is listed twice"))
        ids.add(s.id)
        if not (_aware(s.start) and _aware(s.end)):
            out.append(_invalid(f"slot {s.id} has a time without a time zone"))
        elif s.end <= s.start:
            out.append(_invalid(f"slot {s.id} ends before it starts"))
        if s.headcount < 0:
            out.append(_invalid(f"slot {s.id} has a negative head-count"))
        if not (s.weight >= 0 and math.isfinite(s.weight)):
            out.append(_invalid(f"slot {s.id} has weight {s.weight}; use a number >= 0"))
    if rules.min_rest_hours < 0:
        out.append(_invalid("minimum rest is negative"))
    caps = [rules.max_nights_per_week, rules.busy_volunteer_max_shifts_per_week]
    if rules.max_shifts_per_week is not None:
        caps.append(rules.max_shifts_per_week)
    if any(c < 0 for c in caps):
        out.append(_invalid("a weekly limit is negative"))
    return out


def precheck(inst: Instance, comps: list[tuple[list[int], list[int]]]) -> list[Problem]:
    """Shortages that hold for every possible roster, found without search."""
    out: list[Problem] = []
    for j, s in enumerate(inst.slots):
        st = inst.stats[j]
        e = len(inst.elig[j])
        if s.headcount <= 0 or e >= s.headcount:
            continue
        common: dict[str, Any] = {
            "day": date.fromordinal(inst.day[j]),
            "slot": s.id,
            "group": s.group,
            "needed": s.headcount,
        }
        params = {"place": s.place, "in_group": st.in_group, "qualified": st.qualified}
        if s.night and st.available and not st.experienced:
            out.append(
                Problem(
                    "no_experienced",
                    "experienced",
                    available=st.available,
                    short=s.headcount,
                    params=params,
                    **common,
                )
            )
            continue
        if st.in_group < s.headcount:
            why = "group_size"
        elif st.qualified < s.headcount:
            why = "qualification"
        elif st.available < s.headcount:
            why = "availability"
        else:
            why = "experienced"  # a one-person night shift must be an experienced member
        out.append(
            Problem(
                "too_few_eligible", why, available=e, short=s.headcount - e, params=params, **common
            )
        )
    for _, slot_ids in comps:
        order = sorted(slot_ids, key=lambda j: (inst.start[j], inst.end[j], j))
        for clique in conflict_cliques(inst, order):
            p = _simultaneous(inst, clique)
            if p is not None:
                out.append(p)
    out += _lead_capacity(inst)
    return out


def _lead_capacity(inst: Instance) -> list[Problem]:
    """Night shifts in a week against what the experienced members may lead in it.

    Every staffed night shift needs one experienced member, and each of them may work
    only so many nights a week: if a group's week has more night shifts than that, the
    surplus cannot go out at all, whatever the roster.
    """
    nights: dict[str, list[int]] = defaultdict(list)
    for j, s in enumerate(inst.slots):
        if s.night and inst.elig[j]:
            nights[s.group].append(j)
    out: list[Problem] = []
    for group, js in nights.items():
        days = sorted({inst.day[j] for j in js})
        leads = {i for j in js for i in inst.elig[j] if inst.people[i].experienced}
        per_day = Counter(inst.day[j] for j in js)
        busiest = max(sum(per_day[d] for d in range(d0, d0 + 7)) for d0 in days)
        if sum(inst.night_cap[i] for i in leads) >= busiest:
            continue  # cheap test: enough even if every lead could take every night
        found: list[tuple[int, int, int, int]] = []  # (first day, demand, supply, leads)
        for d0 in days:
            window = [j for j in js if d0 <= inst.day[j] <= d0 + 6]
            mine: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
            for j in window:
                for i in inst.elig[j]:
                    if inst.people[i].experienced:
                        mine[i][inst.day[j]].append(j)
            supply = sum(
                min(
                    inst.night_cap[i], sum(most_per_day(inst, day_js) for day_js in by_day.values())
                )
                for i, by_day in mine.items()
            )
            if len(window) > supply:
                found.append((d0, len(window), supply, len(mine)))
        last_end = -1
        for run in _runs(found):
            d0, demand, supply, lead_count = max(run, key=lambda w: w[1] - w[2])
            if d0 <= last_end:
                continue
            last_end = d0 + 6
            out.append(
                Problem(
                    "lead_capacity",
                    "night_limit",
                    day=date.fromordinal(d0),
                    group=group,
                    needed=demand,
                    available=supply,
                    short=demand - supply,
                    params={"until": date.fromordinal(d0 + 6).isoformat(), "count": lead_count},
                )
            )
    return out


def _runs(windows: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """Overlapping 7-day windows in runs, so one shortage is reported once."""
    runs: list[list[tuple[int, int, int, int]]] = []
    for w in windows:
        if runs and w[0] <= runs[-1][-1][0] + 6:
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def _simultaneous(inst: Instance, clique: list[int]) -> Problem | None:
    """Slots nobody can combine: can their eligible people cover all of them at once?"""
    need = {j: min(inst.slots[j].headcount, len(inst.elig[j])) for j in clique}
    total = sum(need.values())
    used: set[int] = set()
    got = 0
    for j in sorted(clique, key=lambda j: len(inst.elig[j])):  # cheap first try
        free = [i for i in inst.elig[j] if i not in used][: need[j]]
        used.update(free)
        got += len(free)
    if got == total:
        return None
    people = sorted({i for j in clique for i in inst.elig[j]})
    node = {i: k + 1 for k, i in enumerate(people)}
    sink = len(people) + len(clique) + 1
    flow = max_flow.SimpleMaxFlow()
    for i in people:
        flow.add_arc_with_capacity(0, node[i], 1)
    for k, j in enumerate(clique):
        sn = len(people) + 1 + k
        for i in inst.elig[j]:
            flow.add_arc_with_capacity(node[i], sn, 1)
        flow.add_arc_with_capacity(sn, sink, need[j])
    flow.solve(0, sink)
    best = flow.optimal_flow()
    if best >= total:
        return None
    first = min(clique, key=lambda j: inst.start[j])
    start = inst.slots[first].start.astimezone(inst.rules.tz)
    groups = sorted({inst.slots[j].group for j in clique})
    return Problem(
        "simultaneous_demand",
        "simultaneous",
        day=date.fromordinal(inst.day[first]),
        group=", ".join(groups),
        needed=total,
        available=best,
        short=total - best,
        params={
            "start": start.strftime("%H:%M"),
            "count": len(clique),
            "slots": [inst.slots[j].id for j in clique],
        },
    )


def explain_shortfall(
    inst: Instance, chosen: set[tuple[int, int]], proven: list[Problem]
) -> list[Problem]:
    """For seats left empty beyond the proven shortages: what kept each candidate out."""
    rules: Rules = inst.rules
    explained = Counter[str]()
    for p in proven:
        if p.slot is not None:
            explained[p.slot] += p.short
    on_slot: dict[int, list[int]] = {}
    mine: dict[int, list[Slot]] = {}
    for i, j in chosen:
        on_slot.setdefault(j, []).append(i)
        mine.setdefault(i, []).append(inst.slots[j])
    out: list[Problem] = []
    for j, s in enumerate(inst.slots):
        assigned = on_slot.get(j, [])
        short = s.headcount - len(assigned) - explained[s.id]
        if short <= 0:
            continue
        why: Counter[str] = Counter()
        lead_missing = s.night and not any(inst.people[i].experienced for i in assigned)
        for i in inst.elig[j]:
            person = inst.people[i]
            if i in assigned or (lead_missing and not person.experienced):
                continue  # without a lead, only an experienced member could change it
            before = {v.code for v in person_breaks(person, mine.get(i, []), rules)}
            after = {v.code for v in person_breaks(person, [*mine.get(i, []), s], rules)}
            for code in (after - before) or {"not_chosen"}:
                why[code] += 1
        main = (
            why.most_common(1)[0][0] if why else ("experienced" if lead_missing else "simultaneous")
        )
        reasons = "; ".join(f"{n} {CONSTRAINT_WORDS[c]}" for c, n in why.most_common())
        if lead_missing:
            reasons = f"no experienced member is free ({reasons or 'none eligible'})"
        reasons = reasons or "nobody else is eligible"
        out.append(
            Problem(
                "understaffed",
                main,
                day=date.fromordinal(inst.day[j]),
                slot=s.id,
                group=s.group,
                needed=s.headcount,
                available=len(inst.elig[j]),
                short=short,
                proven=False,
                params={
                    "place": s.place,
                    "assigned": len(assigned),
                    "reasons": reasons,
                    "blocked": dict(why),
                    "lead_missing": lead_missing,
                },
            )
        )
    return out
