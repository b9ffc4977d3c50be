"""Scores from items: pure, plain data in and out, so a stored run can be computed again.

Per subject and indicator the items add up to `done` of `due` (a rate, in percent against a
target in percent) or to an amount (against a target amount). An indicator earns its weight times
the share of the target reached, at most the whole weight. An indicator with nothing due for a
subject does not apply to it: the score is the points earned over the weights that apply, out of
100, so a village without a single rectification order is neither rewarded nor punished for it.
A veto hit puts the subject in the lowest grade and below everyone not vetoed, whatever the
score. Ranks are shared on equal scores (1, 2, 2, 4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from qunfang.governance.assessment.catalogue import ONE, ZERO, Item, Ref, Unit
from qunfang.governance.assessment.subjects import Subjects

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_REFS = 20  # records kept per line: those that cost points (or made an amount)

# a subject: ("village" | "organisation" | "person", id)
Key = tuple[str, int]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    indicator: str
    done: Decimal
    due: Decimal | None  # None for an amount
    target: Decimal | None
    weight: Decimal
    points: Decimal | None  # None: does not apply
    refs: list[Ref] = field(default_factory=list)
    is_veto: bool = False


@dataclass
class Result:
    key: Key
    village: int
    computed: Decimal
    vetoed: bool
    lines: list[Line]
    # set by `finalise`
    adjustment: Decimal = ZERO
    final: Decimal = ZERO
    grade: str = ""
    rank: int | None = None


@dataclass
class _Tally:
    done: Decimal = ZERO
    due: Decimal = ZERO
    refs: list[Ref] = field(default_factory=list)


def keys_of(item: Item, level: str, subjects: Subjects) -> list[Key]:
    """Whom an item counts for at `level`: its village; its person; the organisation it names, or
    those its person held a post in."""
    if level == "village":
        return [("village", item.village)]
    if level == "person":
        return [("person", item.person)] if item.person is not None else []
    if item.organisation is not None:
        return [("organisation", item.organisation)]
    if item.person is not None:
        return [("organisation", org) for org in sorted(subjects.member_of.get(item.person, ()))]
    return []


def subject_keys(level: str, subjects: Subjects) -> list[tuple[Key, int]]:
    """Every subject of the level with its village, in a stable order."""
    if level == "village":
        return [(("village", pk), pk) for pk in sorted(subjects.villages)]
    table = subjects.organisations if level == "organisation" else subjects.people
    return [((level, pk), table[pk][0]) for pk in sorted(table)]


def _tally(items: Iterable[Item], level: str, subjects: Subjects, unit: Unit) -> dict[Key, _Tally]:
    tallies: dict[Key, _Tally] = defaultdict(_Tally)
    for item in items:
        for key in keys_of(item, level, subjects):
            tally = tallies[key]
            tally.done += item.done
            tally.due += item.due
            keep = item.done < item.due if unit == Unit.RATE else item.done > 0
            if keep and item.ref is not None and len(tally.refs) < MAX_REFS:
                tally.refs.append(item.ref)
    return tallies


def _points(unit: Unit, tally: _Tally | None, target: Decimal, weight: Decimal) -> Decimal | None:
    if unit == Unit.RATE:
        if tally is None or tally.due == 0:
            return None
        reached = tally.done * HUNDRED / tally.due / target
    else:
        reached = (tally.done if tally else ZERO) / target
    return cents(weight * min(ONE, reached))


def measure(
    spec: Mapping[str, Any],
    subjects: Subjects,
    items: Mapping[str, list[Item]],
    hits: Mapping[str, list[Item]],
    units: Mapping[str, Unit],
    months: int,
) -> list[Result]:
    """The computed score of every subject of `spec["level"]`, line by line. `items` and `hits`
    are the items of each of the spec's indicators and vetoes; `units`, each indicator's unit;
    `months`, the period's length: an amount's target is a month's, so a quarter's is three."""
    level = spec["level"]
    targets: Mapping[str, Mapping[str, str]] = spec.get("targets", {})
    tallies = {
        row["code"]: _tally(items.get(row["code"], ()), level, subjects, units[row["code"]])
        for row in spec["indicators"]
    }
    veto_tallies = {
        code: _tally(hits.get(code, ()), level, subjects, Unit.AMOUNT) for code in spec["vetoes"]
    }
    results = []
    for key, village in subject_keys(level, subjects):
        lines = []
        for row in spec["indicators"]:
            code, unit, weight = row["code"], units[row["code"]], Decimal(row["weight"])
            own = targets.get(str(village), {}).get(code) if level == "village" else None
            target = Decimal(own or row["target"])
            if unit == Unit.AMOUNT:
                target *= months
            tally = tallies[code].get(key)
            lines.append(
                Line(
                    indicator=code,
                    done=tally.done if tally else ZERO,
                    due=(tally.due if tally else ZERO) if unit == Unit.RATE else None,
                    target=target,
                    weight=weight,
                    points=_points(unit, tally, target, weight),
                    refs=tally.refs if tally else [],
                )
            )
        for code in spec["vetoes"]:
            tally = veto_tallies[code].get(key)
            if tally is not None and tally.done > 0:
                lines.append(
                    Line(code, tally.done, None, None, ZERO, ZERO, tally.refs, is_veto=True)
                )
        applies = [line for line in lines if line.points is not None and not line.is_veto]
        weights = sum((line.weight for line in applies), ZERO)
        earned = sum((line.points or ZERO for line in applies), ZERO)
        computed = cents(earned * HUNDRED / weights) if weights else ZERO
        if level != "village" and not applies:
            continue  # nothing was due of this person or organisation: nothing to assess
        vetoed = any(line.is_veto for line in lines)
        results.append(Result(key, village, computed, vetoed, lines))
    return results


def finalise(
    results: list[Result], grades: list[Mapping[str, Any]], adjustments: Mapping[Key, Decimal]
) -> None:
    """Each result's final score (the computed one and its approved adjustments, within 0–100),
    grade and rank; `grades` as the spec keeps them: [{"label", "min_score"}]."""
    ordered = sorted(grades, key=lambda grade: Decimal(grade["min_score"]), reverse=True)
    lowest = ordered[-1]["label"] if ordered else ""
    for result in results:
        result.adjustment = adjustments.get(result.key, ZERO)
        result.final = min(HUNDRED, max(ZERO, result.computed + result.adjustment))
        result.grade = (
            lowest
            if result.vetoed
            else next(
                (g["label"] for g in ordered if result.final >= Decimal(g["min_score"])), lowest
            )
        )
    standing = sorted(results, key=lambda r: (r.vetoed, -r.final, r.key))
    previous: tuple[bool, Decimal] | None = None
    for position, result in enumerate(standing, start=1):
        if (result.vetoed, result.final) != previous:
            rank, previous = position, (result.vetoed, result.final)
        result.rank = rank
