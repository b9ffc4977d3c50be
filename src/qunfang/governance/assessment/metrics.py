"""The performance terms of a security contract (治安承包, `registry.PerformanceTerm`) measured
from the records over the contract's term, as the records stood at a cut-off.

The term runs from `starts_on` to `ends_on`, both days included (Shanghai days). The area is the
contract's `area` (villages, or villager groups of its village), else its whole village. Every
record that can change later is read through `asof.rows_as_of`, so measuring again with the same
cut-off gives the same figures however the records changed since.

- PATROL_HOURS: hours per month of the shifts the contractor attended (served, late or part of
  it, as the assessment counts attendance) in the area's villages. The contractor is the person,
  or for a team every person holding a post in that organisation on the shift's day.
- PATROL_COMPLETION: of those people's shifts in the area that were due (excused ones do not
  count; one still "planned" after it ended counts as missed), the share attended, in %.
- THEFTS: cases of theft (盗窃, and 入室盗窃: a burglary is a theft too) that occurred in the
  area during the term, per month; INCIDENTS: every case, per month. A case closed as unfounded
  (查无实据) is not counted.
- RESPONSE_MINUTES: the median, over the cases reported in the area during the term, of the
  minutes from the report to the first handling: the case being taken up (its first move out of
  "registered"; a case registered already taken up was handled at its registration). A case not
  yet handled at the cut-off counts with the minutes it had waited by then.

A month is a calendar month; a term that covers part of one counts that part (15 of 31 days:
15/31 of a month), so a term of a whole year has exactly twelve.

Each measure returns the actual figure (two places) or None when there is nothing to measure (no
shift was due, no case was reported), and the records behind it as `(kind, id, label)` refs:
labels are dates and case numbers only."""

from __future__ import annotations

import datetime as dt
import statistics
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.models import Case, CaseEvent, CaseEventKind, CaseOutcome, CaseStatus
from qunfang.casebook.models import CaseType as CaseTypeModel
from qunfang.core.days import local_midnight
from qunfang.core.models import RegionKind
from qunfang.governance.assessment.asof import Row, rows_as_of
from qunfang.governance.assessment.catalogue import Ref, ref_page
from qunfang.governance.assessment.indicators.patrols import ATTENDED, DUE
from qunfang.patrols.models import Assignment, Roster, RosterStatus, Shift
from qunfang.registry.models import Membership, Metric, SecurityContract

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_REFS = 300  # records kept per term
THEFT_CODES = ("theft", "burglary")  # casebook.reference.CASE_TYPES
CASE_FIELDS = ["year", "serial", "region_id", "group_id", "case_type_id", "occurred_at"]
CASE_FIELDS += ["reported_at", "status", "outcome"]

ref_page("shift", "patrols:shift_detail")
ref_page("case", "casebook:case_detail")

EXPLANATIONS: dict[str, Promise] = {
    Metric.PATROL_HOURS: _(
        "Hours of the shifts the contractor attended (served, late or part of it) in the area, "
        "per month of the term. For a team: its members' shifts, on the days they held a post "
        "in it."
    ),
    Metric.PATROL_COMPLETION: _(
        "Of the contractor's shifts in the area that were due in the term, the share attended. "
        "Excused shifts do not count; a shift not closed by the director counts as missed."
    ),
    Metric.THEFTS: _(
        "Cases of theft and burglary that occurred in the area during the term, per month. "
        "Cases closed as unfounded are not counted."
    ),
    Metric.INCIDENTS: _(
        "Cases of every type that occurred in the area during the term, per month. Cases closed "
        "as unfounded are not counted."
    ),
    Metric.RESPONSE_MINUTES: _(
        "The median of the minutes from a case's report to its first handling (the case taken "
        "up), over the cases reported in the area during the term. A case not yet taken up "
        "counts with the minutes it had waited by the cut-off."
    ),
}
# what the records listed with a term are
REFS_CAPTIONS: dict[str, Promise] = {
    Metric.PATROL_HOURS: _("Shifts attended"),
    Metric.PATROL_COMPLETION: _("Shifts missed"),
    Metric.THEFTS: _("Thefts"),
    Metric.INCIDENTS: _("Cases"),
    Metric.RESPONSE_MINUTES: _("Cases and minutes to their first handling"),
}


class Measure(NamedTuple):
    actual: Decimal | None
    refs: list[Ref]


@dataclass(frozen=True)
class Scope:
    """What a contract's terms are measured over."""

    first: dt.date
    last: dt.date
    cutoff: dt.datetime
    villages: frozenset[int]  # shifts are counted in these
    whole_villages: frozenset[int]  # cases anywhere in these …
    groups: frozenset[int]  # … or in these villager groups
    person: int | None
    team: int | None

    @property
    def starts(self) -> dt.datetime:
        return local_midnight(self.first)

    @property
    def ends(self) -> dt.datetime:
        return local_midnight(self.last + dt.timedelta(days=1))

    @cached_property
    def months(self) -> Decimal:
        """Calendar months covered, a part of one counted by its days."""
        total, day = Decimal(0), self.first.replace(day=1)
        while day <= self.last:
            length = monthrange(day.year, day.month)[1]
            month_end = day.replace(day=length)
            covered = (min(month_end, self.last) - max(day, self.first)).days + 1
            total += Decimal(covered) / Decimal(length)
            day = month_end + dt.timedelta(days=1)
        return total


def scope_of(contract: SecurityContract, cutoff: dt.datetime) -> Scope:
    area = list(contract.area.all())
    whole = {r.pk for r in area if r.kind != RegionKind.GROUP}
    groups = {r.pk for r in area if r.kind == RegionKind.GROUP}
    parents = {r.parent_id for r in area if r.kind == RegionKind.GROUP and r.parent_id}
    if not area:
        whole = {contract.region_id}
    return Scope(
        first=contract.starts_on,
        last=contract.ends_on,
        cutoff=cutoff,
        villages=frozenset(whole | parents),
        whole_villages=frozenset(whole),
        groups=frozenset(groups),
        person=contract.contractor_person_id,
        team=contract.contractor_team_id,
    )


def _per_month(amount: Decimal, scope: Scope) -> Decimal:
    return (amount / scope.months).quantize(CENT, ROUND_HALF_UP)


def _day(value: dt.date) -> str:
    return f"{value:%Y-%m-%d}"


def _number(row: Row) -> str:
    return f"{row['year']}-{row['serial']:04d}"


class Records:
    """The records of one contract's term, each read once however many terms use them."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    # ---- patrols --------------------------------------------------------------------------

    @cached_property
    def shifts(self) -> dict[int, Row]:
        """The shifts in the area's villages in the term that had ended by the cut-off, on
        rosters that were published then."""
        s = self.scope
        found: dict[int, Row] = {
            row["id"]: dict(row)
            for row in Shift.objects.filter(
                region__in=s.villages,
                service_date__range=(s.first, s.last),
                ends_at__lte=s.cutoff,
            ).values("id", "roster_id", "service_date", "starts_at", "ends_at")
        }
        rosters = {row["roster_id"] for row in found.values()}
        published = {
            row["id"]
            for row in rows_as_of(
                Roster, ["status"], s.cutoff, existed="created_at", pk__in=sorted(rosters)
            )
            if row["status"] == RosterStatus.PUBLISHED
        }
        return {pk: row for pk, row in found.items() if row["roster_id"] in published}

    @cached_property
    def _held(self) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
        """For a team: who held a post in it, and when (as the posts stood at the cut-off)."""
        held: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
        if self.scope.team is None:
            return held
        for row in rows_as_of(
            Membership,
            ["person_id", "started_on", "ended_on"],
            self.scope.cutoff,
            post__organisation_id=self.scope.team,
        ):
            held.setdefault(row["person_id"], []).append((row["started_on"], row["ended_on"]))
        return held

    def _contractor_on(self, person: int, day: dt.date) -> bool:
        if self.scope.person is not None:
            return person == self.scope.person
        return any(
            start <= day and (end is None or end >= day)
            for start, end in self._held.get(person, [])
        )

    @cached_property
    def assignments(self) -> list[Row]:
        """The contractor's assignments on those shifts, as they stood at the cut-off, in the
        order of the shifts."""
        s, shifts = self.scope, self.shifts
        out = []
        for row in rows_as_of(
            Assignment,
            ["shift_id", "person_id", "outcome"],
            s.cutoff,
            shift__region__in=sorted(s.villages),
            shift__service_date__range=(s.first, s.last),
        ):
            shift = shifts.get(row["shift_id"])
            if shift is not None and self._contractor_on(row["person_id"], shift["service_date"]):
                out.append({**row, "shift": shift})
        out.sort(key=lambda row: (row["shift"]["starts_at"], row["id"]))
        return out

    # ---- cases ----------------------------------------------------------------------------

    @cached_property
    def cases(self) -> list[Row]:
        """The cases of the area as they stood at the cut-off (those written by then)."""
        s = self.scope
        rows = rows_as_of(
            Case,
            CASE_FIELDS,
            s.cutoff,
            existed="reported_at",
            region__in=sorted(s.whole_villages | s.villages),
        )
        return [
            row
            for row in rows
            if row["region_id"] in s.whole_villages or row["group_id"] in s.groups
        ]

    def counted_cases(self, types: set[int] | None = None) -> list[Row]:
        """Cases that occurred in the term (of `types`, if given), unfounded ones left out."""
        s = self.scope
        return sorted(
            (
                row
                for row in self.cases
                if s.starts <= row["occurred_at"] < s.ends
                and not (
                    row["status"] == CaseStatus.CLOSED and row["outcome"] == CaseOutcome.UNFOUNDED
                )
                and (types is None or row["case_type_id"] in types)
            ),
            key=lambda row: (row["occurred_at"], row["id"]),
        )

    @cached_property
    def first_handled(self) -> dict[int, dt.datetime]:
        """Each case's first handling by the cut-off: registered already taken up, or its first
        move out of "registered"."""
        ids = {row["id"] for row in self.cases}
        handled: dict[int, dt.datetime] = {}
        for event in rows_as_of(
            CaseEvent,
            ["case_id", "kind", "from_status", "to_status", "at"],
            self.scope.cutoff,
            existed="at",
            case__region__in=sorted(self.scope.whole_villages | self.scope.villages),
            kind__in=[CaseEventKind.REGISTERED, CaseEventKind.TRANSITION],
        ):
            if event["case_id"] not in ids:
                continue
            took_up = (
                event["kind"] == CaseEventKind.REGISTERED
                and event["to_status"] != CaseStatus.REGISTERED
            ) or (
                event["kind"] == CaseEventKind.TRANSITION
                and event["from_status"] == CaseStatus.REGISTERED
            )
            if took_up:
                case = event["case_id"]
                handled[case] = min(handled.get(case, event["at"]), event["at"])
        return handled


# ---- the measures ---------------------------------------------------------------------------


def _shift_ref(row: Row) -> Ref:
    return ("shift", row["shift_id"], _day(row["shift"]["service_date"]))


def _unique(refs: Iterable[Ref]) -> list[Ref]:
    seen: set[tuple[str, int]] = set()
    out: list[Ref] = []
    for ref in refs:
        if (ref[0], ref[1]) not in seen and len(out) < MAX_REFS:
            seen.add((ref[0], ref[1]))
            out.append(ref)
    return out


def patrol_hours(records: Records) -> Measure:
    attended = [row for row in records.assignments if row["outcome"] in ATTENDED]
    seconds = sum(
        int((row["shift"]["ends_at"] - row["shift"]["starts_at"]).total_seconds())
        for row in attended
    )
    hours = Decimal(seconds) / Decimal(3600)
    return Measure(_per_month(hours, records.scope), _unique(map(_shift_ref, attended)))


def patrol_completion(records: Records) -> Measure:
    due = [row for row in records.assignments if row["outcome"] in DUE]
    if not due:
        return Measure(None, [])
    attended = sum(1 for row in due if row["outcome"] in ATTENDED)
    share = (Decimal(attended) * HUNDRED / Decimal(len(due))).quantize(CENT, ROUND_HALF_UP)
    missed = [row for row in due if row["outcome"] not in ATTENDED]
    return Measure(share, _unique(map(_shift_ref, missed)))


def _case_count(records: Records, types: set[int] | None) -> Measure:
    cases = records.counted_cases(types)
    refs = _unique(("case", row["id"], _number(row)) for row in cases)
    return Measure(_per_month(Decimal(len(cases)), records.scope), refs)


def thefts(records: Records) -> Measure:
    types = set(CaseTypeModel.objects.filter(code__in=THEFT_CODES).values_list("pk", flat=True))
    return _case_count(records, types)


def incidents(records: Records) -> Measure:
    return _case_count(records, None)


def response_minutes(records: Records) -> Measure:
    s = records.scope
    reported = sorted(
        (row for row in records.cases if s.starts <= row["reported_at"] < s.ends),
        key=lambda row: (row["reported_at"], row["id"]),
    )
    if not reported:
        return Measure(None, [])
    minutes: list[Decimal] = []
    refs: list[Ref] = []
    for row in reported:
        handled = records.first_handled.get(row["id"], s.cutoff)
        waited = max(0, int((handled - row["reported_at"]).total_seconds() // 60))
        minutes.append(Decimal(waited))
        refs.append(("case", row["id"], f"{_number(row)} · {waited}′"))
    median = Decimal(statistics.median(minutes)).quantize(CENT, ROUND_HALF_UP)
    return Measure(median, _unique(refs))


MEASURES: dict[str, Callable[[Records], Measure]] = {
    Metric.PATROL_HOURS: patrol_hours,
    Metric.PATROL_COMPLETION: patrol_completion,
    Metric.THEFTS: thefts,
    Metric.INCIDENTS: incidents,
    Metric.RESPONSE_MINUTES: response_minutes,
}


def measure(
    contract: SecurityContract, metrics: Iterable[str], cutoff: dt.datetime
) -> dict[str, Measure]:
    """Each of `metrics` measured over the contract's term from the records as they stood at
    `cutoff`: the actual figure (None when there is nothing to measure) and the records behind
    it. Pure reading."""
    records = Records(scope_of(contract, cutoff))
    return {metric: MEASURES[metric](records) for metric in metrics}
