"""A naive round-robin roster: what a village secretary does by hand in a spreadsheet.

Walk the slots in time order and hand each one to the next members of the group's
rotation who hold the qualification and have not declared an absence that day. It knows
nothing of rest, weekly limits, experience or other places, which is the point: the
benchmark compares the solver with it.
"""

from __future__ import annotations

from collections import defaultdict

from .domain import Person, Rules, Slot


def naive_roster(people: list[Person], slots: list[Slot], rules: Rules) -> dict[str, list[str]]:
    tz = rules.tz
    rotation: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        for g in (p.group, *sorted(p.also_in)):
            rotation[g].append(p)
    turn: dict[str, int] = defaultdict(int)
    out: dict[str, list[str]] = {}
    for s in sorted(slots, key=lambda s: (s.start, s.id)):
        ring = rotation.get(s.group, [])
        day = s.start.astimezone(tz).date()
        picked: list[str] = []
        for _ in range(len(ring)):
            if len(picked) >= s.headcount:
                break
            p = ring[turn[s.group] % len(ring)]
            turn[s.group] += 1
            if s.required_qualification and s.required_qualification not in p.qualifications:
                continue
            if day in p.unavailable:
                continue
            picked.append(p.id)
        out[s.id] = picked
    return out
