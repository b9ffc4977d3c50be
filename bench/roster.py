"""Roster figures: CP-SAT against a naive round-robin, for a township-month and 4x, 16x.

1x is one township for March 2026 (30 days): 20 villages of 25-35 members, each split into
ten-household groups of about ten. Every village-day has a day patrol (08-16, 2 people),
one ten-household watch per group (16-20, 1 person from that group), a night patrol
(20-04, 3 vetted people, at least one experienced; Friday and Saturday nights weigh 1.5)
and, every fifth day, a market duty (06-12, 2 people with traffic training, weight 1.2).
Each village has four vetted, experienced backbone members; of the rest 90 % are vetted,
30 % traffic-trained and 25 % experienced; 65 % are volunteers; 5 % of person-days are
declared absences; a fifth dislike nights, some prefer day or night patrols. Rules: 8 h
rest, at most 2 nights and 4 shifts in any 7 days, and 16-22 March is the spring planting
week, when a volunteer takes at most 2 shifts. ``--joint-zones 2`` also pairs villages into
joint zones with a Friday/Saturday checkpoint (22-06, 2 vetted) staffed from both. Run:

    .venv/bin/python bench/roster.py [--scales 1 4 16] [--time-limit 30] [--json]

Time limits (``--time-limit`` is the 1x one): 30 s at 1x, 90 s (x3) at 4x, 300 s (x10) at
16x, so the three runs take about seven minutes. A part (a village) takes CP-SAT about
1.2 s of one core to prove optimal (about 1.6 s with building its model and the rest),
and the solver runs two parts at a time: 16x is 320 parts, about 260 s on an idle
two-core machine, which the previous 165 s limit could never reach. On a busy machine
the solver runs out of time sooner and says so in the gap; ``cpu_s`` (process CPU
seconds during the solve; 2 x ``seconds`` is all of an idle two-core machine) and
``load`` (the one-minute load average when the run began) show how much of the machine
it had.

``first_feasible_s`` is when a complete roster that the independent checker passes first
existed (the greedy roster, checked, for every part it fully staffs); ``gap`` is
(objective - bound) / max(1, |objective|) as ``solve`` reports it. Violations are counted
by the independent checker, not by the solver, and include seats left empty (a hard
head-count rule); the naive roster is a round-robin over each group's members that skips
the unqualified and the absent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import process_time

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qunfang.patrols.solver import (  # noqa: E402
    SHANGHAI,
    Person,
    Rules,
    Slot,
    check_roster,
    load_spread,
    naive_roster,
    solve,
)
from qunfang.patrols.solver.checker import shortfall  # noqa: E402

MONTH_START = date(2026, 3, 1)
DAYS = 30
TIME_FACTOR = {1: 1.0, 4: 3.0, 16: 10.0}


def _at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour % 24), tzinfo=SHANGHAI) + timedelta(days=hour // 24)


def township(
    scale: int, seed: int = 0, zone_size: int = 0
) -> tuple[list[Person], list[Slot], Rules]:
    rng = random.Random(seed)
    days = [MONTH_START + timedelta(days=k) for k in range(DAYS)]
    busy = frozenset(date(2026, 3, d) for d in range(16, 23))
    rules = Rules(
        min_rest_hours=8,
        max_nights_per_week=2,
        max_shifts_per_week=4,
        busy_season_days=busy,
        busy_volunteer_max_shifts_per_week=2,
    )
    people: list[Person] = []
    slots: list[Slot] = []
    for v in range(20 * scale):
        village = f"V{v + 1:03d}"
        zone = f"Z{v // zone_size + 1:02d}" if zone_size else ""
        n = rng.randint(25, 35)
        tens = [f"{village}-T{t + 1}" for t in range((n + 9) // 10)]
        for k in range(n):
            lead = k < 4  # every team has a few vetted, experienced backbone members
            quals = {q for q, p in (("vetted", 0.9), ("traffic", 0.3)) if lead or rng.random() < p}
            also = {tens[k % len(tens)]}
            if zone and "vetted" in quals and (k == 0 or rng.random() < 0.2):
                also.add(zone)  # serves the joint zone's checkpoint too
            r = rng.random()
            prefs = (
                {"night": -1.0}
                if r < 0.2
                else {"day": 1.0}
                if r < 0.35
                else {"night": 1.0}
                if r < 0.45
                else None
            )
            people.append(
                Person(
                    id=f"{village}-{k + 1:02d}",
                    group=village,
                    qualifications=frozenset(quals),
                    experienced=lead or rng.random() < 0.25,
                    unavailable=frozenset(d for d in days if rng.random() < 0.05),
                    preferences=prefs,
                    volunteer=rng.random() < 0.65,
                    also_in=frozenset(also),
                )
            )
        for d in days:
            tag = f"{village}-{d:%m%d}"
            slots.append(
                Slot(
                    f"{tag}-day",
                    village,
                    _at(d, 8),
                    _at(d, 16),
                    headcount=2,
                    place=f"{village} 日巡",
                    kind="day",
                )
            )
            for t in tens:
                slots.append(
                    Slot(
                        f"{tag}-{t[-2:]}",
                        t,
                        _at(d, 16),
                        _at(d, 20),
                        headcount=1,
                        place=f"{t} 十户联防",
                        kind="watch",
                    )
                )
            hot = 1.5 if d.weekday() in (4, 5) else 1.0
            slots.append(
                Slot(
                    f"{tag}-night",
                    village,
                    _at(d, 20),
                    _at(d, 28),
                    night=True,
                    headcount=3,
                    required_qualification="vetted",
                    weight=hot,
                    place=f"{village} 夜巡",
                    kind="night",
                )
            )
            if (d.day + v) % 5 == 0:
                slots.append(
                    Slot(
                        f"{tag}-market",
                        village,
                        _at(d, 6),
                        _at(d, 12),
                        headcount=2,
                        required_qualification="traffic",
                        weight=1.2,
                        place=f"{village} 集市",
                        kind="market",
                    )
                )
    for z in range(20 * scale // zone_size if zone_size else 0):
        zone = f"Z{z + 1:02d}"
        for d in (d for d in days if d.weekday() in (4, 5)):  # Friday and Saturday nights
            slots.append(
                Slot(
                    f"{zone}-{d:%m%d}-check",
                    zone,
                    _at(d, 22),
                    _at(d, 30),
                    night=True,
                    headcount=2,
                    required_qualification="vetted",
                    place=f"{zone} 卡口",
                    kind="checkpoint",
                )
            )
    return people, slots, rules


def measure(scale: int, time_limit: float, seed: int, zone_size: int) -> dict:
    people, slots, rules = township(scale, seed, zone_size)
    load = os.getloadavg()[0]
    cpu = process_time()
    result = solve(people, slots, rules, time_limit_s=time_limit, workers=2, seed=seed)
    cpu = process_time() - cpu
    violations = check_roster(people, slots, rules, result.assignments)
    naive = naive_roster(people, slots, rules)
    naive_violations = check_roster(people, slots, rules, naive)

    def r(x: float | None, n: int = 3) -> float | None:
        return None if x is None else round(x, n)

    return {
        "scale": scale,
        "people": len(people),
        "slots": len(slots),
        "seats": sum(s.headcount for s in slots),
        "variables": result.variables,
        "components": result.components,
        "time_limit_s": time_limit,
        "status": result.status,
        "first_feasible_s": r(result.first_feasible_s),
        "seconds": r(result.seconds, 1),
        "objective": result.objective,
        "bound": r(result.bound, 1),
        "gap": r(result.gap, 4),
        "violations": len(violations),
        "empty_seats": sum(shortfall(violations, slots, result.assignments).values()),
        "spread_total": load_spread(people, slots, result.assignments),
        "spread_night": load_spread(people, slots, result.assignments, night=True),
        "timings": result.timings,
        "cpu_s": round(cpu, 1),
        "load": round(load, 2),
        "naive": {
            "violations": len(naive_violations),
            "by_rule": dict(Counter(v.code for v in naive_violations).most_common()),
            "empty_seats": sum(shortfall(naive_violations, slots, naive).values()),
            "spread_total": load_spread(people, slots, naive),
            "spread_night": load_spread(people, slots, naive, night=True),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds at 1x")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--joint-zones", type=int, default=0, metavar="N", help="villages per joint zone"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = []
    for scale in args.scales:
        limit = args.time_limit * TIME_FACTOR.get(scale, scale / 2)
        sizes.append(measure(scale, limit, args.seed, args.joint_zones))
        if not args.json:
            print(f"scale {scale} done in {sizes[-1]['seconds']} s", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"sizes": sizes}))
        return
    cols = [
        ("scale", "scale"),
        ("people", "people"),
        ("slots", "slots"),
        ("vars", "variables"),
        ("first s", "first_feasible_s"),
        ("secs", "seconds"),
        ("objective", "objective"),
        ("bound", "bound"),
        ("gap", "gap"),
        ("viol", "violations"),
        ("empty", "empty_seats"),
        ("spread", "spread_total"),
        ("night", "spread_night"),
    ]
    print("  ".join(f"{h:>9}" for h, _ in cols) + "  | naive: viol  empty  spread  night")
    for s in sizes:
        n = s["naive"]
        row = "  ".join(f"{s[k]!s:>9}" for _, k in cols)
        print(
            f"{row}  | {n['violations']:>11}  {n['empty_seats']:>5}  {n['spread_total']:>6}"
            f"  {n['spread_night']:>5}"
        )


if __name__ == "__main__":
    main()
