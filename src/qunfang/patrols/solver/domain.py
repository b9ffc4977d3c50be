"""Plain data for the roster solver: people, slots, rules, findings and results.

No Django here: the patrols app will turn its models into these objects. Everything that
is a point in time is a timezone-aware ``datetime``; a slot belongs to the local date on
which it starts (a night shift 20:00-04:00 is that evening's shift), in ``Rules.tz``.

"Per week" always means *any seven consecutive service days* (a rolling week), so nobody
can be given three nights on Sunday and three more from Monday.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A declared absence: a whole service day, an inclusive range of service days, or an exact
# (start, end) interval of aware datetimes. A day absence removes the shifts that *belong*
# to that day, so "away on the 5th" still allows the night shift that starts on the 4th.
Absence = date | tuple[date, date] | tuple[datetime, datetime]

Status = Literal["optimal", "feasible", "infeasible", "invalid"]


@dataclass(slots=True)
class Person:
    id: str
    group: str  # home village or joint zone; fairness is measured inside it
    qualifications: frozenset[str] = frozenset()
    experienced: bool = False
    unavailable: Collection[Absence] = frozenset()
    max_nights_per_week: int | None = None  # personal cap; the stricter of this and Rules wins
    preferences: Mapping[str, float] | None = None  # slot kind or place -> -1 (avoid) .. +1 (like)
    volunteer: bool = True
    also_in: frozenset[str] = frozenset()  # further groups served: ten-household group, joint zone


@dataclass(slots=True)
class Slot:
    id: str
    group: str
    start: datetime
    end: datetime
    night: bool = False
    headcount: int = 1
    required_qualification: str | None = None
    weight: float = 1.0  # importance of full strength; a forecast raises it for hot hours/places
    place: str = ""
    kind: str = ""  # preference key; empty means "night" or "day"

    @property
    def key(self) -> str:
        return self.kind or ("night" if self.night else "day")


@dataclass(slots=True)
class Rules:
    min_rest_hours: float = 8.0
    max_nights_per_week: int = 2
    max_shifts_per_week: int | None = None
    busy_season_days: frozenset[date] = frozenset()  # farming calendar: planting, harvest
    busy_volunteer_max_shifts_per_week: int = 1  # a volunteer's shifts on busy days, per week
    tz: ZoneInfo = SHANGHAI
    # Soft goals, as integer costs. A missing person on a weight-1.0 slot costs
    # short_penalty, so staffing always comes before comfort.
    short_penalty: int = 1000
    fair_penalty: int = 10  # per shift outside the group's fair band (x3 beyond the first)
    night_fair_penalty: int = 10
    consecutive_night_penalty: int = 6
    busy_volunteer_penalty: int = 4  # per volunteer shift on a busy day
    preference_weight: int = 3  # x (favourite - this kind) per assignment; preferences in -1..1


# Plain-English sentences keyed by code; the UI translates codes (whole sentences with
# named placeholders, so translators see the full text).
MESSAGES: dict[str, str] = {
    "invalid_input": "Invalid input: {detail}.",
    "too_few_eligible": (
        "{day} {where}: needs {needed}, only {available} eligible "
        "{person_word} — {short} short (of {in_group} in {group}, {qualified} qualified, "
        "{available} available)."
    ),
    "no_experienced": (
        "{day} {where}: a night shift needs at least one experienced member, and "
        "none of the {available} eligible people is experienced — {short} short."
    ),
    "simultaneous_demand": (
        "{day} from {start}: {count} slots at the same time (or within the rest period) "
        "need {needed} people, but only {available} can serve them at once — {short} short."
    ),
    "lead_capacity": (
        "{day} to {until} in {group}: {needed} night shifts need an experienced member, but "
        "the {count} experienced members may lead at most {available} within their weekly "
        "night limit — {short} night shifts cannot go out."
    ),
    "understaffed": (
        "{day} {where}: needs {needed}, assigned {assigned} — {short} short; {reasons}."
    ),
}

CONSTRAINT_WORDS: dict[str, str] = {
    "group_size": "not enough members in the group",
    "qualification": "too few hold the required qualification",
    "availability": "too many declared absent",
    "experienced": "no experienced member",
    "simultaneous": "one shift at a time",
    "overlap": "already on a shift at the same time",
    "rest": "would not get the minimum rest",
    "night_limit": "reached the night limit for the week",
    "weekly_limit": "reached the shift limit for the week",
    "busy_season": "reached the volunteer cap for the busy farming season",
    "not_chosen": (
        "could still serve "
        "(the solver ran out of time, or the seat weighs less than the extra load)"
    ),
}


@dataclass(slots=True)
class Problem:
    """A plain-language finding: which constraint, which day, how many people short.

    Codes: invalid_input; proven before any search: too_few_eligible, no_experienced (per
    slot), simultaneous_demand (slots at the same time), lead_capacity (a week of nights);
    after the search: understaffed (per slot, with what kept each candidate out). The
    per-slot findings add up to exactly the seats left empty.
    """

    code: str
    constraint: str
    day: date | None = None
    slot: str | None = None
    group: str | None = None
    needed: int = 0
    available: int = 0
    short: int = 0
    proven: bool = True  # False: found by the solver within its time limit, not proven
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        values = {
            "day": self.day.isoformat() if self.day else "",
            "slot": self.slot or "",
            "group": self.group or "",
            "needed": self.needed,
            "available": self.available,
            "short": self.short,
            "person_word": "person" if self.available == 1 else "people",
            "where": f"{self.slot} ({place})"
            if (place := self.params.get("place"))
            else self.slot or "",
            **self.params,
        }
        return MESSAGES[self.code].format_map(_Default(values))

    def __str__(self) -> str:
        return self.message


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(slots=True)
class Violation:
    """A broken hard constraint found by the independent checker."""

    code: str
    slot: str | None = None
    person: str | None = None
    day: date | None = None
    detail: str = ""

    def __str__(self) -> str:
        where = " ".join(str(v) for v in (self.day, self.slot, self.person) if v)
        return f"{self.code}: {where} {self.detail}".strip()


@dataclass(slots=True)
class RosterResult:
    """What ``solve`` found.

    status: "optimal" (every seat filled, proven best), "feasible" (every seat filled, not
    proven best within the time limit), "infeasible" (some seats stay empty: the roster is
    the best partial one, and ``problems`` says why, slot by slot) or "invalid" (bad input,
    nothing solved). ``assignments`` maps every slot id to the people on it.
    ``gap = (objective - bound) / max(1, |objective|)``: 0 when proven optimal.
    """

    status: Status
    assignments: dict[str, list[str]]
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    # seconds from the call until every part of the roster had a valid solution (the
    # greedy roster once the independent checker passed it, or one from CP-SAT) ...
    first_solution_s: float | None = None
    # ... and one as fully staffed as the final roster
    first_feasible_s: float | None = None
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    solver_status: str = ""  # OPTIMAL when every component was proven optimal
    shortfall: int = 0  # person-slots left empty
    components: int = 0
    variables: int = 0  # x[person, slot] pairs left after pruning
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage of solve()


def service_day(slot: Slot, tz: ZoneInfo = SHANGHAI) -> date:
    """The date a shift belongs to: the local date on which it starts."""
    return slot.start.astimezone(tz).date()
