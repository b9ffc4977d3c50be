"""An independent checker: re-verifies every hard rule of a roster from scratch.

It shares only the plain dataclasses with the solver, none of its pruning, cliques or
windows, so a bug in the model shows up here instead of being repeated. The tests and the
benchmark trust this, not the solver's own report.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from .domain import Person, Rules, Slot, Violation


def _day(slot: Slot, rules: Rules) -> date:
    return slot.start.astimezone(rules.tz).date()  # a shift belongs to the day it starts


def _absent(person: Person, slot: Slot, rules: Rules) -> bool:
    d = _day(slot, rules)
    for item in person.unavailable:
        if isinstance(item, tuple):
            a, b = item
            if isinstance(a, datetime):
                if a < slot.end and slot.start < b:
                    return True
            elif a <= d <= b:
                return True
        elif item == d and not isinstance(item, datetime):
            return True
    return False


def _in_group(person: Person, slot: Slot) -> bool:
    return slot.group == person.group or slot.group in person.also_in


def _too_many_in_a_week(days: list[date], cap: int) -> list[date]:
    """Start days of 7-day windows holding more than cap of the given days."""
    days = sorted(days)
    bad: list[date] = []
    for k, d in enumerate(days):
        if k and days[k - 1] == d:
            continue
        # days[k:] are >= d, so those up to d + 6 are a slice of the sorted list
        if bisect_right(days, d + timedelta(days=6)) - k > cap:
            bad.append(d)
    return bad


def person_breaks(person: Person, assigned: Iterable[Slot], rules: Rules) -> list[Violation]:
    """The rules about one person's own shifts: one place at a time, rest, weekly caps."""
    out: list[Violation] = []
    mine = sorted(assigned, key=lambda s: (s.start, s.end))
    rest = timedelta(hours=rules.min_rest_hours)
    for k, a in enumerate(mine):
        for b in mine[k + 1 :]:
            if b.start >= a.end + rest:
                break  # later ones start later still
            if b.start < a.end:
                detail = f"in two places at once: {a.id} ({a.place}) and {b.id} ({b.place})"
                out.append(Violation("overlap", b.id, person.id, _day(b, rules), detail))
            else:
                gap = (b.start - a.end).total_seconds() / 3600
                detail = (
                    f"{gap:g} h rest between {a.id} and {b.id}, needs {rules.min_rest_hours:g} h"
                )
                out.append(Violation("rest", b.id, person.id, _day(b, rules), detail))
    days = [_day(s, rules) for s in mine]
    cap = rules.max_nights_per_week
    if person.max_nights_per_week is not None:
        cap = min(cap, person.max_nights_per_week)
    nights = [d for s, d in zip(mine, days, strict=True) if s.night]
    for d in _too_many_in_a_week(nights, cap):
        out.append(
            Violation(
                "night_limit", None, person.id, d, f"more than {cap} nights in the week from {d}"
            )
        )
    if rules.max_shifts_per_week is not None:
        for d in _too_many_in_a_week(days, rules.max_shifts_per_week):
            detail = f"more than {rules.max_shifts_per_week} shifts in the week from {d}"
            out.append(Violation("weekly_limit", None, person.id, d, detail))
    if person.volunteer and rules.busy_season_days:
        busy = [d for d in days if d in rules.busy_season_days]
        cap_b = rules.busy_volunteer_max_shifts_per_week
        for d in _too_many_in_a_week(busy, cap_b):
            detail = f"volunteer has more than {cap_b} busy-season shifts in the week from {d}"
            out.append(Violation("busy_season", None, person.id, d, detail))
    return out


def check_roster(
    people: Iterable[Person],
    slots: Iterable[Slot],
    rules: Rules,
    assignments: Mapping[str, Iterable[str]],
) -> list[Violation]:
    """Every broken hard rule, one Violation each; an empty list means the roster is valid."""
    persons = {p.id: p for p in people}
    slot_by_id = {s.id: s for s in slots}
    out: list[Violation] = []
    mine: dict[str, list[Slot]] = defaultdict(list)
    filled: Counter[str] = Counter()
    for sid, pids in assignments.items():
        slot = slot_by_id.get(sid)
        if slot is None:
            out.append(
                Violation("unknown_slot", sid, detail="roster names a slot that does not exist")
            )
            continue
        pids = list(pids)
        d = _day(slot, rules)
        for pid, n in Counter(pids).items():
            if n > 1:
                out.append(Violation("duplicate", sid, pid, d, f"listed {n} times on one slot"))
        pids = list(dict.fromkeys(pids))
        filled[sid] = len(pids)
        if len(pids) > slot.headcount:
            detail = f"{len(pids)} assigned, head-count is {slot.headcount}"
            out.append(Violation("over_headcount", sid, None, d, detail))
        for pid in pids:
            p = persons.get(pid)
            if p is None:
                out.append(Violation("unknown_person", sid, pid, d, "no such person"))
                continue
            mine[pid].append(slot)
            if not _in_group(p, slot):
                out.append(Violation("wrong_group", sid, pid, d, f"{p.group} is not {slot.group}"))
            need = slot.required_qualification
            if need and need not in p.qualifications:
                out.append(Violation("unqualified", sid, pid, d, f"lacks {need}"))
            if _absent(p, slot, rules):
                out.append(Violation("unavailable", sid, pid, d, "declared absent"))
        if slot.night and pids and not any(persons[q].experienced for q in pids if q in persons):
            out.append(
                Violation(
                    "no_experienced", sid, None, d, "night shift without an experienced member"
                )
            )
    for slot in slot_by_id.values():
        if filled[slot.id] < slot.headcount:
            short = slot.headcount - filled[slot.id]
            detail = f"needs {slot.headcount}, has {filled[slot.id]}: {short} short"
            out.append(Violation("understaffed", slot.id, None, _day(slot, rules), detail))
    for pid, assigned in mine.items():
        out.extend(person_breaks(persons[pid], assigned, rules))
    return out


def shortfall(
    violations: Iterable[Violation], slots: Iterable[Slot], assignments: Mapping[str, Iterable[str]]
) -> dict[str, int]:
    """Missing people per understaffed slot, from the checker's findings."""
    heads = {s.id: s.headcount for s in slots}
    return {
        v.slot: heads[v.slot] - len(set(assignments.get(v.slot, ())))
        for v in violations
        if v.code == "understaffed" and v.slot is not None
    }


def load_spread(
    people: Iterable[Person],
    slots: Iterable[Slot],
    assignments: Mapping[str, Iterable[str]],
    *,
    night: bool = False,
) -> int:
    """Worst (max - min) shifts per person inside a home group.

    Counts only members qualified for at least one such slot of their group, so a
    person who may not do nights does not count as a zero night load.
    """
    slots = list(slots)
    kind = [s for s in slots if s.night or not night]
    load: Counter[str] = Counter()
    night_ids = {s.id for s in kind}
    for sid, pids in assignments.items():
        if sid in night_ids:
            load.update(set(pids))
    needs: dict[str, set[str | None]] = defaultdict(set)  # group -> qualifications asked
    for s in kind:
        needs[s.group].add(s.required_qualification)
    groups: dict[str, list[int]] = defaultdict(list)
    for p in people:
        asked = needs.get(p.group, set())
        if None in asked or asked & p.qualifications:
            groups[p.group].append(load[p.id])
    return max((max(v) - min(v) for v in groups.values()), default=0)
