"""Pre-processing shared by the model, the greedy hint and the explanations.

Pruning is where the 16x case is won: a variable exists only for a (person, slot) pair
that could ever be true (same group, qualified, not absent, experienced where a
one-person night shift needs it), and only conflicts inside the rest window become
constraints.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from .domain import Person, Rules, Slot


@dataclass(slots=True)
class SlotStats:
    in_group: int = 0
    qualified: int = 0
    available: int = 0
    experienced: int = 0


@dataclass(slots=True)
class Instance:
    people: list[Person]
    slots: list[Slot]
    rules: Rules
    day: list[int]  # service day (ordinal) per slot
    start: list[float]  # POSIX seconds
    end: list[float]
    rest: float  # seconds
    free: list[float]  # per slot: end + minimum rest, when its people may start again
    elig: list[list[int]]  # per slot: eligible person indices
    stats: list[SlotStats]
    by_person: list[list[int]]  # per person: eligible slot indices, by start time
    night_cap: list[int]
    busy: list[bool]  # per slot: its service day is in the busy season
    share: list[float] = field(default_factory=list)  # fair expected load per person
    night_share: list[float] = field(default_factory=list)


# a day range of at most this many days is expanded into single days (fast set lookup)
_EXPAND_RANGE = 400


def _off(person: Person) -> tuple[set[int], list[tuple[int, int]], list[tuple[float, float]]]:
    """A person's absences as service-day ordinals, (long) day ranges and exact POSIX spans."""
    days: set[int] = set()
    ranges: list[tuple[int, int]] = []
    spans: list[tuple[float, float]] = []
    for item in person.unavailable:
        if isinstance(item, tuple):
            a, b = item
            if isinstance(a, datetime) and isinstance(b, datetime):
                spans.append((a.timestamp(), b.timestamp()))
            else:
                lo, hi = a.toordinal(), b.toordinal()
                if hi - lo <= _EXPAND_RANGE:
                    days.update(range(lo, hi + 1))
                else:
                    ranges.append((lo, hi))
        elif isinstance(item, date) and not isinstance(item, datetime):
            days.add(item.toordinal())
    return days, ranges, spans


def prepare(people: list[Person], slots: list[Slot], rules: Rules) -> Instance:
    tz = rules.tz
    start = [s.start.timestamp() for s in slots]
    end = [s.end.timestamp() for s in slots]
    # the service day from the local start; one zone lookup per distinct start time
    day_of: dict[datetime, int] = {}
    day: list[int] = []
    for s in slots:
        d = day_of.get(s.start)
        if d is None:
            d = day_of[s.start] = s.start.astimezone(tz).date().toordinal()
        day.append(d)
    busy_days = {d.toordinal() for d in rules.busy_season_days}
    members: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(people):
        for g in {p.group, *p.also_in}:
            members[g].append(i)
    offs = [_off(p) for p in people]
    off_days = [o[0] for o in offs]
    # only people with long ranges or exact spans need the slow test
    slow = {i for i, (_, ranges, spans) in enumerate(offs) if ranges or spans}
    qualified: dict[tuple[str, str | None], list[int]] = {}

    elig: list[list[int]] = []
    stats: list[SlotStats] = []
    for j, s in enumerate(slots):
        need = s.required_qualification
        in_group = members.get(s.group, ())
        key = (s.group, need)
        quals = qualified.get(key)
        if quals is None:
            quals = qualified[key] = (
                [i for i in in_group if need in people[i].qualifications]
                if need
                else list(in_group)
            )
        d, a0, b0 = day[j], start[j], end[j]
        ok: list[int] = []
        for i in quals:
            if d in off_days[i]:
                continue
            if i in slow:
                _, ranges, spans = offs[i]
                if any(a <= d <= b for a, b in ranges) or any(a < b0 and a0 < b for a, b in spans):
                    continue
            ok.append(i)
        experienced = sum(1 for i in ok if people[i].experienced)
        stats.append(SlotStats(len(in_group), len(quals), len(ok), experienced))
        if s.night and s.headcount > 0:
            if experienced == 0:
                ok = []  # nobody may go out without an experienced member
            elif s.headcount == 1:
                ok = [i for i in ok if people[i].experienced]
        if s.headcount <= 0:
            ok = []
        elig.append(ok)

    by_person: list[list[int]] = [[] for _ in people]
    for j in sorted(range(len(slots)), key=lambda j: (start[j], end[j], j)):
        for i in elig[j]:
            by_person[i].append(j)

    night_cap = [
        min(rules.max_nights_per_week, p.max_nights_per_week)
        if p.max_nights_per_week is not None
        else rules.max_nights_per_week
        for p in people
    ]
    inst = Instance(
        people=people,
        slots=slots,
        rules=rules,
        day=day,
        start=start,
        end=end,
        rest=rules.min_rest_hours * 3600.0,
        free=[e + rules.min_rest_hours * 3600.0 for e in end],
        elig=elig,
        stats=stats,
        by_person=by_person,
        night_cap=night_cap,
        busy=[d in busy_days for d in day],
    )
    _shares(inst)
    return inst


def _shares(inst: Instance) -> None:
    """Each slot's fillable head-count split evenly among the people who could take it."""
    share = [0.0] * len(inst.people)
    night = [0.0] * len(inst.people)
    for j, s in enumerate(inst.slots):
        e = inst.elig[j]
        if not e:
            continue
        part = min(s.headcount, len(e)) / len(e)
        for i in e:
            share[i] += part
            if s.night:
                night[i] += part
    inst.share, inst.night_share = share, night


def fair_band(values: Iterable[float]) -> tuple[int, int]:
    """The integer band [floor(mean), ceil(mean)] that a perfectly fair roster stays in."""
    vals = list(values)
    if not vals:
        return 0, 0
    mean = sum(vals) / len(vals)
    # round first so 4.9999999 does not become a band of 4..5
    mean = round(mean, 6)
    return math.floor(mean), math.ceil(mean)


def conflict_cliques(inst: Instance, slots_by_start: list[int]) -> list[list[int]]:
    """Maximal sets of mutually conflicting slots among the given ones (sorted by start).

    Two slots conflict when one starts before the other has ended plus the minimum rest:
    the intervals [start, end + rest) overlap. That is an interval graph, so the maximal
    cliques come out of one sweep and "at most one per clique" is exact.
    """
    out: list[list[int]] = []
    active: list[int] = []
    start, free = inst.start, inst.free
    n = len(slots_by_start)
    for k, j in enumerate(slots_by_start):
        t = start[j]
        if active:
            active = [a for a in active if free[a] > t]
        active.append(j)
        if len(active) > 1:
            nxt = start[slots_by_start[k + 1]] if k + 1 < n else math.inf
            # emit only if the next start drops one of them (otherwise a superset follows)
            if min(free[a] for a in active) <= nxt:
                out.append(active[:])
    return out


def rolling_windows(most: Mapping[int, int], cap: int) -> list[list[int]]:
    """Days (ordinals) of every 7-day window whose shifts could exceed ``cap``.

    ``most`` maps a day to the most shifts one person can work that day. Windows start at
    a day that has shifts; one contained in the previous window is skipped, and so is any
    window too small to break the cap.
    """
    days = sorted(d for d, n in most.items() if n > 0)
    prefix = [0]
    for d in days:
        prefix.append(prefix[-1] + most[d])
    out: list[list[int]] = []
    hi = 0
    last_hi = -1
    cap = max(cap, 0)
    for lo in range(len(days)):
        hi = max(hi, lo)
        while hi < len(days) and days[hi] <= days[lo] + 6:
            hi += 1
        if prefix[hi] - prefix[lo] > cap and hi > last_hi:
            out.append(days[lo:hi])
            last_hi = hi
    return out


def most_per_day(inst: Instance, slot_ids: list[int]) -> int:
    """How many of these slots (one day's) one person can work: greedy by earliest end
    is exact for intervals, here [start, end + rest)."""
    if len(slot_ids) == 1:
        return 1
    n = 0
    free_from = -math.inf
    for j in sorted(slot_ids, key=inst.end.__getitem__):
        if inst.start[j] >= free_from:
            n += 1
            free_from = inst.free[j]
    return n


def components(inst: Instance) -> list[tuple[list[int], list[int]]]:
    """Independent sub-problems: (people, slots) linked by eligibility.

    Villages only meet through shared people (joint zones), so a township usually falls
    apart into a few pieces that are solved one after another, exactly.
    """
    parent = list(range(len(inst.people)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for e in inst.elig:
        for i in e[1:]:
            ra, rb = find(e[0]), find(i)
            if ra != rb:
                parent[rb] = ra
    people: dict[int, list[int]] = defaultdict(list)
    slots: dict[int, list[int]] = defaultdict(list)
    for i in range(len(inst.people)):
        if inst.by_person[i]:
            people[find(i)].append(i)
    for j, e in enumerate(inst.elig):
        if e:
            slots[find(e[0])].append(j)
    return [(people[r], slots[r]) for r in sorted(people, key=lambda r: min(people[r]))]
