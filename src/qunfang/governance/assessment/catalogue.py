"""What an assessment can measure: indicators, one-vote vetoes and the records they point at.

An indicator reads the records of a period (as they stood at the run's cut-off) and yields
`Item`s: one per thing that was due (a shift, a case, a report…) with how much of it was done,
or one per amount (training hours). The engine adds the items up per village, organisation or
person. A veto yields one item per hit. Each module under `assessment/indicators/` registers
its own with `indicator()` and `veto()`; the scheme stores only their codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar, cast

from django.db import models
from django.utils.functional import Promise

from qunfang.governance.assessment.asof import Row, rows_as_of
from qunfang.governance.assessment.periods import Period

T = TypeVar("T")
ONE = Decimal(1)
ZERO = Decimal(0)


class Unit(StrEnum):
    RATE = "rate"  # done of due, the target a percentage
    AMOUNT = "amount"  # a sum (hours), the target that sum


# a record an item rests on: (kind, id, label); `kind` names a page in REF_PAGES
Ref = tuple[str, int, str]

# kind -> URL name taking the record's id: how a score line links to the records
REF_PAGES: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class Item:
    """One thing an indicator counted for a village, and for a person or organisation of it."""

    village: int
    done: Decimal  # for a rate, 0 or 1 (or a share); for an amount, the amount
    due: Decimal = ONE  # for a rate, 1; for an amount, 0
    person: int | None = None
    organisation: int | None = None
    ref: Ref | None = None


@dataclass
class Context:
    """What an indicator is given: the period, the moment the records are read at, the
    township's villages and the parameters the scheme set for it."""

    period: Period
    cutoff: dt.datetime
    township: int
    villages: list[int]
    within_days: int | None = None  # the scheme's time limit for this indicator, if any
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def rows(
        self,
        model: type[models.Model],
        fields: Iterable[str],
        *,
        existed: str | None = None,
        **scope: Any,
    ) -> list[Row]:
        """`model`'s rows in `scope` as they stood at the cut-off (`asof.rows_as_of`)."""
        return rows_as_of(model, fields, self.cutoff, existed=existed, **scope)

    def shared(self, key: str, make: Callable[[], T]) -> T:
        """Something several indicators read (the period's shifts, say), made once per run."""
        if key not in self._cache:
            self._cache[key] = make()
        return cast(T, self._cache[key])

    @cached_property
    def starts(self) -> dt.datetime:
        """The period's first instant (once: indicators compare every row with it)."""
        return self.period.starts

    @cached_property
    def ends(self) -> dt.datetime:
        """The end of what is read: the period's end, or the cut-off if that comes first."""
        return min(self.period.ends, self.cutoff)


Compute = Callable[[Context], Iterable[Item]]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    explanation: Promise  # how it is measured, in a sentence, shown with the scheme and scores
    unit: Unit
    default_target: Decimal  # a percentage for a rate
    compute: Compute
    default_within_days: int | None = None  # set for the indicators with a time limit
    unit_label: Promise | None = None  # "hours" for an amount


@dataclass(frozen=True)
class Veto:
    code: str
    label: Promise
    explanation: Promise
    compute: Compute  # one item per hit


INDICATORS: dict[str, Indicator] = {}
VETOES: dict[str, Veto] = {}


def indicator(item: Indicator) -> Indicator:
    INDICATORS[item.code] = item
    return item


def veto(item: Veto) -> Veto:
    VETOES[item.code] = item
    return item


def ref_page(kind: str, url_name: str) -> None:
    REF_PAGES[kind] = url_name


def load() -> None:
    """Register every indicator and veto (their modules register on import)."""
    from qunfang.governance.assessment.indicators import (  # noqa: F401
        cases,
        governance,
        patrols,
        supervision,
        villagers,
    )
