"""A quick greedy roster: the first roster shown, and the fallback where CP-SAT runs out of time.

It walks the days in order and, inside a day, fills the scarcest slots first. Each seat
goes to the eligible person furthest *behind* their fair share so far (the share grows as
the days pass; being ahead on nights counts double, and a back-to-back night or a
disliked kind of shift counts as being further ahead, by the weights below), among those
who break no hard rule; a seat stays empty rather than break one. So the greedy roster
keeps every hard rule by construction: ``model.solve`` has the independent checker
confirm that, and from then on it is a valid roster (about 20 % above the optimum's cost
on the township benchmark) that CP-SAT only has to improve. (Handed to CP-SAT as a
hint, it slowed the search down and was not improved on: ``solve`` does not hint.)
"""

from __future__ import annotations

import random

from .instance import Instance

# how much the greedy weighs a disliked kind and back-to-back nights, in shifts of load
W_SAD = 0.6
W_CONSECUTIVE = 1.0
W_NIGHT = 2.0  # a night ahead of the night share counts double: nights are the scarce load
W_SPARE_LEAD = 0.5  # an experienced member takes a night's other seats only when this far behind


class _PersonLoad:
    __slots__ = (
        "all_days",
        "busy_days",
        "load",
        "night_days",
        "nights",
        "spans",
    )

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []  # (start, end + rest)
        self.night_days: list[int] = []
        self.all_days: list[int] = []
        self.busy_days: list[int] = []
        self.load = 0
        self.nights = 0


def _window_ok(days: list[int], d: int, cap: int) -> bool:
    # every 7-day window that contains d must stay within cap after adding d
    near = [x for x in days if d - 6 <= x <= d + 6]
    if len(near) < cap:
        return True
    return all(sum(1 for x in near if w <= x <= w + 6) + 1 <= cap for w in range(d - 6, d + 1))


def greedy(inst: Instance, seed: int = 0) -> set[tuple[int, int]]:
    rng = random.Random(seed)  # noqa: S311 - tie-breaking, not secrecy
    rules = inst.rules
    people = inst.people
    state = [_PersonLoad() for _ in people]
    tie = [rng.random() for _ in people]
    # how many groups' night shifts a person could lead: keep the versatile ones for
    # the places only they can cover (a joint zone's checkpoint)
    night_groups: list[set[str]] = [set() for _ in people]
    for j, s in enumerate(inst.slots):
        if s.night:
            for i in inst.elig[j]:
                night_groups[i].add(s.group)
    reach = [len(g) for g in night_groups]

    def scarcity(j: int) -> int:
        if inst.slots[j].night:
            return sum(1 for i in inst.elig[j] if people[i].experienced)
        return len(inst.elig[j])

    order = sorted(
        (j for j in range(len(inst.slots)) if inst.elig[j]),
        key=lambda j: (inst.day[j], scarcity(j), -inst.slots[j].weight, inst.start[j]),
    )
    chosen: set[tuple[int, int]] = set()

    def can(i: int, j: int) -> bool:
        st = state[i]
        s0, s1 = inst.start[j], inst.end[j] + inst.rest
        for a, b in st.spans:
            if a < s1 and s0 < b:
                return False
        d = inst.day[j]
        if inst.slots[j].night and not _window_ok(st.night_days, d, inst.night_cap[i]):
            return False
        if rules.max_shifts_per_week is not None and not _window_ok(
            st.all_days, d, rules.max_shifts_per_week
        ):
            return False
        return not (
            inst.busy[j]
            and people[i].volunteer
            and not _window_ok(st.busy_days, d, rules.busy_volunteer_max_shifts_per_week)
        )

    def take(i: int, j: int) -> None:
        st = state[i]
        st.spans.append((inst.start[j], inst.end[j] + inst.rest))
        d = inst.day[j]
        st.all_days.append(d)
        st.load += 1
        if inst.slots[j].night:
            st.night_days.append(d)
            st.nights += 1
        if inst.busy[j] and people[i].volunteer:
            st.busy_days.append(d)
        chosen.add((i, j))

    # fair targets: the group's mean share (what the model's fairness band is built on),
    # reached in step with the days
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        groups.setdefault(p.group, []).append(i)
    target = [0.0] * len(people)
    night_target = [0.0] * len(people)
    for members in groups.values():
        mean = sum(inst.share[i] for i in members) / len(members)
        takers = [i for i in members if inst.night_share[i] > 0]
        night_mean = sum(inst.night_share[i] for i in takers) / len(takers) if takers else 0.0
        for i in members:
            target[i] = mean
            night_target[i] = night_mean if inst.night_share[i] > 0 else 0.0
    first_day = min((inst.day[j] for j in order), default=0)
    days = max((inst.day[j] for j in order), default=0) - first_day + 1

    # per person: the favourite kind's score, and how far each kind is from it (cached)
    best_pref = [max(0.0, *p.preferences.values()) if p.preferences else None for p in people]
    sad_of: dict[tuple[int, str, str], float] = {}
    volunteer = [p.volunteer for p in people]
    experienced = [p.experienced for p in people]

    def spare_rank(i: int, r: tuple[int, float, float]) -> tuple[int, float, float]:
        return (r[0], r[1] + W_SPARE_LEAD, r[2]) if experienced[i] else r

    for j in order:
        slot = inst.slots[j]
        d = inst.day[j]
        progress = (d - first_day + 1) / days
        night = slot.night
        busy_slot = inst.busy[j]
        key, place = slot.key, slot.place
        ranks: dict[int, tuple[int, float, float]] = {}
        for i in inst.elig[j]:
            st = state[i]
            ahead = st.load - target[i] * progress
            if night:
                ahead += W_NIGHT * (st.nights - night_target[i] * progress)
                nd = st.night_days
                if nd and (d - 1 in nd or d + 1 in nd):
                    ahead += W_CONSECUTIVE
            best = best_pref[i]
            if best is not None:
                # disappointment: how far this kind is from the person's favourite
                k = (i, key, place)
                sad = sad_of.get(k)
                if sad is None:
                    prefs = people[i].preferences or {}
                    sad = sad_of[k] = best - prefs.get(key, prefs.get(place, 0.0))
                ahead += W_SAD * sad
            ranks[i] = (1 if busy_slot and volunteer[i] else 0, round(ahead, 3), tie[i])

        # rank first and test the hard rules lazily: most candidates are never looked at
        cands = sorted(inst.elig[j], key=ranks.__getitem__)
        picked: list[int] = []
        if night:  # an experienced member first, or nobody at all
            leads = sorted(
                (i for i in cands if experienced[i]), key=lambda i: (reach[i] > 1, ranks[i])
            )
            first = next((i for i in leads if can(i, j)), None)
            if first is None:
                continue
            picked.append(first)
            # save experienced members for the seats only they can take
            cands.sort(key=lambda i: spare_rank(i, ranks[i]))
        for i in cands:
            if len(picked) >= slot.headcount:
                break
            if i not in picked and can(i, j):
                picked.append(i)
        for i in picked:
            take(i, j)
    return chosen
