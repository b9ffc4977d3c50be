"""Assessment periods as users write them: a month `2026-11`, a quarter `2026-Q4`, a year
`2026`. A period's bounds are Shanghai days, like every other day in the product."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qunfang.core.days import local_midnight

_FORMS = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    key: str
    kind: PeriodKind
    first: dt.date  # the first day
    last: dt.date  # the last day, inclusive

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026-11`, `2026-Q4` or `2026`; anything else is refused with the forms it takes."""
        found = _FORMS.match(text.strip().upper())
        year = int(found["year"]) if found else 0
        if (
            not found
            or not 2000 <= year <= 2100
            or (found["month"] and not 1 <= int(found["month"]) <= 12)
        ):
            raise ValidationError(
                _(
                    "“%(text)s” is not a period: write a month as 2026-11, a quarter as 2026-Q4 "
                    "or a year as 2026."
                ),
                code="period",
                params={"text": text},
            )
        if found["month"]:
            month = int(found["month"])
            first = dt.date(year, month, 1)
            return cls(f"{year}-{month:02d}", PeriodKind.MONTH, first, _month_end(first))
        if found["quarter"]:
            quarter = int(found["quarter"])
            first = dt.date(year, 3 * quarter - 2, 1)
            last = _month_end(dt.date(year, 3 * quarter, 1))
            return cls(f"{year}-Q{quarter}", PeriodKind.QUARTER, first, last)
        return cls(str(year), PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        return cls.parse(f"{day:%Y-%m}")

    @property
    def starts(self) -> dt.datetime:
        """The first instant of the period (Shanghai)."""
        return local_midnight(self.first)

    @property
    def ends(self) -> dt.datetime:
        """The first instant after the period: records at `starts <= t < ends` are in it."""
        return local_midnight(self.last + dt.timedelta(days=1))

    @property
    def months(self) -> list[Period]:
        out, day = [], self.first
        while day <= self.last:
            out.append(Period.month_of(day))
            day = _month_end(day) + dt.timedelta(days=1)
        return out

    def __str__(self) -> str:
        return self.key


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)
