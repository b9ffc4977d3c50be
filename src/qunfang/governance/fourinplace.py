"""四落实: whether each village has its organisation, people, work and pay in place (§2.1
"落实好组织、人员、工作、报酬四个方面"), judged from the records, each with its reasons in plain
words ("pay: the patrol team has no pay arrangement"; "work: no patrol logged for 21 days")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.functional import Promise

from qunfang.core.models import Region

ASPECTS = ("organisation", "people", "work", "pay")


@dataclass(frozen=True)
class Aspect:
    code: str  # one of ASPECTS
    in_place: bool
    reasons: list[str | Promise] = field(default_factory=list)  # why not (or what holds it up)


@dataclass(frozen=True)
class FourInPlace:
    village_id: int
    aspects: list[Aspect]  # in the order of ASPECTS

    @property
    def count(self) -> int:
        """How many of the four are in place."""
        return sum(aspect.in_place for aspect in self.aspects)


def four_in_place(villages: list[Region], on: dt.date) -> dict[int, FourInPlace]:
    """Each village's four, from its records as they stand on `on`; a fixed number of queries
    whatever the number of villages."""
    raise NotImplementedError  # the organisation-health book fills it
