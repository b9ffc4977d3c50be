"""Scoped reads for the planning screens: lists with their counts in one query, the villages'
rule on positions, the roster grid (day x shift) in three queries however big the roster,
solver findings in plain words, a joint zone's hours per village, and the roster's sheets for
Excel."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from qunfang.core.days import local_midnight
from qunfang.core.models import Region, RegionKind
from qunfang.core.scoping import visible_or_404
from qunfang.core.spreadsheets import Sheet
from qunfang.patrols.models import (
    Assignment,
    JointZone,
    Outcome,
    PatrolPoint,
    PatrolRoute,
    PatrolSettings,
    Roster,
    RosterStatus,
    RouteStop,
    Shift,
    ShiftPattern,
)
from qunfang.patrols.selectors.common import (
    may_change,
    on_published_roster,
    seated,
)

CREDITED = (Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL)
PROBLEMS_SHOWN = 200


# ---- lists -------------------------------------------------------------------------------


def points(*, user):
    return (
        PatrolPoint.objects.visible_to(user)
        .select_related("region")
        .annotate(n_routes=Count("stops__route", distinct=True))
        .order_by("region__path", "name", "id")
    )


def village_rules(user) -> list[Region]:
    """The user's villages, each with `positions_required` and whether the user may change it
    (`may_set`): one query."""
    required = PatrolSettings.objects.filter(region=OuterRef("pk"), positions_required=True)
    villages = (
        Region.objects.visible_to(user)
        .filter(kind=RegionKind.VILLAGE)
        .annotate(positions_required=Exists(required))
        .select_related("parent")
        .order_by("path")
    )
    rows: list[Any] = list(villages)  # each a Region, with `may_set` added
    for village in rows:
        village.may_set = may_change(user, village)
    return rows


def routes(*, user):
    return (
        PatrolRoute.objects.visible_to(user)
        .select_related("region")
        .prefetch_related(Prefetch("stops", queryset=_stops()))
    )


def _stops():
    return RouteStop.objects.select_related("point").order_by("order")


def route(*, user, pk: int) -> PatrolRoute:
    return visible_or_404(
        PatrolRoute.objects.select_related("region").prefetch_related(
            Prefetch("stops", queryset=_stops())
        ),
        user,
        pk=pk,
    )


def patterns(*, user):
    return ShiftPattern.objects.visible_to(user).select_related(
        "region", "zone__region", "route", "household_group"
    )


def pattern_times(pattern: ShiftPattern) -> dict:
    """Start, end and whether the shift ends on the next day (it still belongs to its start day)."""
    start = dt.datetime.combine(dt.date(2000, 1, 1), pattern.starts_at)
    end = start + dt.timedelta(minutes=pattern.duration_minutes)
    return {
        "start": start.time(),
        "end": end.time(),
        "next_day": end.date() > start.date(),
        "hours": Decimal(pattern.duration_minutes) / 60,
        "weekday_names": weekday_names(pattern.weekdays),
    }


def weekday_names(weekdays: str) -> str:
    if set(weekdays) >= set("1234567"):
        return _("every day")
    monday = dt.date(2024, 1, 1)
    return "、".join(
        date_format(monday + dt.timedelta(days=int(d) - 1), "D")
        for d in sorted(set(weekdays))
        if d in "1234567"
    )


def zones(*, user):
    return (
        JointZone.objects.visible_to(user)
        .select_related("region")
        .prefetch_related("shares__village")
        .annotate(n_members=Count("members", distinct=True))
        .order_by("region__path", "name", "id")
    )


def rosters(*, user, status: str = ""):
    """The rosters the user sees, newest first; `count_seats()` adds the counts to a page."""
    qs = Roster.objects.visible_to(user).select_related("region", "zone", "created_by")
    if status in RosterStatus.values:
        qs = qs.filter(status=status)
    return qs


def count_seats(rosters: list[Roster]) -> list[Roster]:
    """Each roster's seats, seats filled and seats empty, in two grouped queries for the page
    alone: as subqueries of the list, SQLite counted every roster's seats before sorting, the
    page's and all the others' (two fifths of the list's time)."""
    ids = [r.pk for r in rosters]
    seats = dict(
        Shift.objects.filter(roster_id__in=ids)
        .values("roster_id")
        .annotate(n=Sum("headcount"))
        .values_list("roster_id", "n")
    )
    filled = dict(
        Assignment.objects.filter(shift__roster_id__in=ids)
        .values("shift__roster_id")
        .annotate(n=Count("id"))
        .values_list("shift__roster_id", "n")
    )
    for roster in rosters:
        roster.seats, roster.filled = seats.get(roster.pk, 0), filled.get(roster.pk, 0)
        roster.unfilled = roster.seats - roster.filled
    return rosters


def unfilled_shifts(*, user, since: dt.date):
    """Seats still empty on published rosters, from `since` on, soonest first."""
    return (
        Shift.objects.visible_to(user)
        .filter(on_published_roster(), starts_at__gte=local_midnight(since))
        .annotate(n=seated())
        .filter(n__lt=F("headcount"))
        .annotate(short=F("headcount") - F("n"))
        .select_related("pattern", "region", "zone", "roster")
        .order_by("starts_at", "id")
    )


# ---- the roster grid ---------------------------------------------------------------------


@dataclass(slots=True)
class Cell:
    """One shift in the grid: who is on it (name, household number or "") and the seats left."""

    people: list[tuple[str, str]]
    missing: int
    missing_text: str = ""


@dataclass
class Section:
    """One village (or the zone, or the township's own patterns): its patterns as columns and
    one row per day."""

    title: str
    patterns: list[ShiftPattern]
    rows: list[dict] = field(default_factory=list)
    shifts: int = 0
    seats: int = 0
    missing: int = 0

    def weeks(self, starts_on: dt.date) -> list[dict]:
        """The rows cut into weeks of seven days from the roster's first day, each with the
        patterns as rows and the days as columns (the printable week grid)."""
        out = []
        for k in range(0, len(self.rows), 7):
            days = self.rows[k : k + 7]
            out.append(
                {
                    "days": [r["day"] for r in days],
                    "lines": [
                        {"pattern": p, "cells": [r["cells"][i] for r in days]}
                        for i, p in enumerate(self.patterns)
                    ],
                }
            )
        return out


def roster_grid(roster: Roster) -> list[Section]:
    """Sections by place, each a day x pattern table. Four queries however big the roster:
    the shifts and the seats (as plain values), their patterns and their places."""
    shifts = list(
        roster.shifts.values_list("id", "region_id", "pattern_id", "service_date", "headcount")
    )
    people: dict[int, list[tuple[str, str]]] = defaultdict(list)
    seats = (
        Assignment.objects.filter(shift__roster=roster)
        .order_by("id")
        .values_list("shift_id", "person__name", "household__number")
    )
    for shift_id, name, household in seats:
        people[shift_id].append((name, household or ""))
    patterns = ShiftPattern.objects.in_bulk({s[2] for s in shifts})
    places = Region.objects.in_bulk({s[1] for s in shifts})
    days = [
        roster.starts_on + dt.timedelta(days=k)
        for k in range((roster.ends_on - roster.starts_on).days + 1)
    ]
    labels = {d: (date_format(d, "m-d"), date_format(d, "D")) for d in days}
    by_place: dict[int, list[tuple]] = defaultdict(list)
    for s in shifts:
        by_place[s[1]].append(s)
    sections = []
    for place_id in sorted(by_place, key=lambda pk: places[pk].path):
        place_shifts = by_place[place_id]
        columns = sorted(
            {patterns[s[2]] for s in place_shifts}, key=lambda p: (p.starts_at, p.name, p.pk)
        )
        column = {p.pk: i for i, p in enumerate(columns)}
        table: dict[dt.date, list[Cell | None]] = {d: [None] * len(columns) for d in days}
        section = Section(
            title=roster.zone.name if roster.zone is not None else places[place_id].name,
            patterns=columns,
        )
        for shift_id, _place, pattern_id, day, headcount in place_shifts:
            on = people.get(shift_id, [])
            missing = max(0, headcount - len(on))
            cell = Cell(
                people=on, missing=missing, missing_text=empty_words(missing) if missing else ""
            )
            if day in table:
                table[day][column[pattern_id]] = cell
            section.shifts += 1
            section.seats += headcount
            section.missing += cell.missing
        section.rows = [{"day": d, "label": labels[d], "cells": table[d]} for d in days]
        sections.append(section)
    return sections


@functools.lru_cache(maxsize=64)
def _empty_words(n: int, language: str) -> str:
    return ngettext("%(n)d empty", "%(n)d empty", n) % {"n": n}


def empty_words(n: int) -> str:
    """'2 empty', translated once per number and language: a big grid has thousands."""
    return _empty_words(n, get_language())


def grid_totals(sections: list[Section]) -> dict:
    return {
        "shifts": sum(s.shifts for s in sections),
        "seats": sum(s.seats for s in sections),
        "missing": sum(s.missing for s in sections),
    }


# ---- solver findings in plain words ------------------------------------------------------


def _constraint_words() -> dict[str, str]:
    return {
        "group_size": _("not enough members in the team"),
        "qualification": _("too few hold the required qualification"),
        "availability": _("too many have declared an absence"),
        "experienced": _("no experienced member"),
        "simultaneous": _("one shift at a time"),
        "overlap": _("already on a shift at the same time"),
        "rest": _("would not get the minimum rest"),
        "night_limit": _("reached the night limit for the week"),
        "weekly_limit": _("reached the shift limit for the week"),
        "busy_season": _("reached the volunteer limit for the busy farming season"),
        "not_chosen": _(
            "could still serve, but the solver ran out of time "
            "or the seat weighs less than the extra load"
        ),
        "household": _("no household could send an eligible member"),
        "input": _("the data is not valid"),
    }


def _day(value) -> str:
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{date_format(day, 'Y-m-d')} {date_format(day, 'D')}"


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def problem_sentence(problem: dict) -> str:
    """One translated sentence for a finding recorded on a roster (see `problem_record` in
    services/rostering.py and `fill_household_shifts` in services/rotation.py)."""
    words = _constraint_words()
    params = problem.get("params") or {}
    values = {
        "day": _day(problem.get("day")),
        "shift": problem.get("shift") or "",
        "village": problem.get("village") or "",
        "needed": _int(problem.get("needed")),
        "available": _int(problem.get("available")),
        "short": _int(problem.get("short")),
        "reason": words.get(problem.get("constraint") or "", problem.get("constraint") or ""),
        "start": params.get("start", ""),
        "until": _day(params.get("until")),
        "count": _int(params.get("count")),
        "assigned": _int(params.get("assigned")),
        "detail": params.get("detail", ""),
    }
    code = problem.get("code")
    if code == "too_few_eligible":
        text = _(
            "%(day)s %(shift)s (%(village)s): needs %(needed)d, only %(available)d eligible — "
            "%(short)d short (%(reason)s)."
        )
    elif code == "no_experienced":
        text = _(
            "%(day)s %(shift)s (%(village)s): a night shift needs at least one experienced "
            "member, and none of the %(available)d eligible people is — %(short)d short."
        )
    elif code == "simultaneous_demand":
        text = _(
            "%(day)s from %(start)s: %(count)d shifts at the same time (or within the rest "
            "period) need %(needed)d people, but only %(available)d can serve them at once — "
            "%(short)d short."
        )
    elif code == "lead_capacity":
        text = _(
            "%(day)s to %(until)s: %(needed)d night shifts need an experienced member, but the "
            "%(count)d experienced members may lead at most %(available)d within their weekly "
            "night limit — %(short)d night shifts cannot go out."
        )
    elif code == "understaffed":
        values["reason"] = _blocked(params.get("blocked"), words) or values["reason"]
        text = _(
            "%(day)s %(shift)s (%(village)s): needs %(needed)d, assigned %(assigned)d — "
            "%(short)d short; why nobody else could: %(reason)s."
        )
    elif code == "household_short":
        text = _(
            "%(day)s %(shift)s (%(village)s): the ten-household rotation needs %(needed)d, "
            "only %(available)d households could send an eligible member — %(short)d short."
        )
    elif code == "invalid_input":
        text = _("The roster could not be built from this data: %(detail)s.")
    else:
        text = _("%(day)s %(shift)s: %(short)d short.")
    return text % values


def _blocked(raw, words: dict[str, str]) -> str:
    """{'rest': 2, 'night_limit': 1} -> '2 would not get the minimum rest; …'."""
    if not isinstance(raw, dict):
        return ""
    parts = sorted(raw.items(), key=lambda kv: -_int(kv[1]))
    return "; ".join(
        _("%(n)d %(reason)s") % {"n": _int(n), "reason": words.get(str(code), str(code))}
        for code, n in parts
    )


def problem_lines(roster: Roster) -> dict:
    problems = roster.problems or []
    shown = problems[:PROBLEMS_SHOWN]
    counts: dict[str, int] = defaultdict(int)
    for p in problems:
        counts[p.get("code") or "?"] += _int(p.get("short"))
    return {
        "lines": [
            {
                "text": problem_sentence(p),
                "proven": bool(p.get("proven", True)),
                "code": p.get("code"),
            }
            for p in shown
        ],
        "total": len(problems),
        "hidden": len(problems) - len(shown),
    }


# ---- joint zones -------------------------------------------------------------------------


def zone_report(*, zone: JointZone, user, first: dt.date, last: dt.date) -> dict:
    """Hours served on the zone's rosters in [first, last], credited to each member's village,
    next to the village's cost share. Partial shifts count with their full length."""
    length = ExpressionWrapper(
        F("shift__ends_at") - F("shift__starts_at"), output_field=DurationField()
    )
    served = (
        Assignment.objects.visible_to(user)
        .filter(
            shift__roster__zone=zone,
            outcome__in=CREDITED,
            shift__service_date__gte=first,
            shift__service_date__lte=last,
        )
        .values("person__region_id", "person__region__name")
        .annotate(
            shifts=Count("id"),
            partial=Count("id", filter=Q(outcome=Outcome.PARTIAL)),
            length=Sum(length),
        )
        .order_by("person__region__name")
    )
    hours = {}
    for row in served:
        seconds = row["length"].total_seconds() if row["length"] else 0
        hours[row["person__region_id"]] = {
            "name": row["person__region__name"],
            "shifts": row["shifts"],
            "partial": row["partial"],
            "hours": Decimal(seconds / 3600).quantize(Decimal("0.1")),
        }
    total_hours = sum((h["hours"] for h in hours.values()), Decimal(0))
    rows = []
    for share in zone.shares.select_related("village"):
        served_row = hours.pop(share.village_id, {"shifts": 0, "partial": 0, "hours": Decimal(0)})
        rows.append({"village": share.village.name, "cost_share": share.cost_share, **served_row})
    for row in hours.values():  # members of a village that has since left the zone
        rows.append({"village": row["name"], "cost_share": None, **row})
    for row in rows:
        row["hours_share"] = (
            (row["hours"] * 100 / total_hours).quantize(Decimal("0.1")) if total_hours else None
        )
        row["difference"] = (
            row["hours_share"] - row["cost_share"]
            if row["hours_share"] is not None and row["cost_share"] is not None
            else None
        )
    return {
        "rows": rows,
        "total_hours": total_hours,
        "total_shifts": sum(r["shifts"] for r in rows),
    }


# ---- Excel -------------------------------------------------------------------------------


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones


def roster_sheets(roster: Roster) -> list[Sheet]:
    """Sheet 1: one row per shift and person. Sheet 2: the seats left empty. Two queries, plain
    values, however big the roster; the rows are read as the workbook is written."""
    where = roster.zone.name if roster.zone is not None else None
    yes, no = _("yes"), _("no")
    outcomes = dict(Outcome.choices)
    weekday: dict[dt.date, str] = {}

    def common(day, place, pattern, starts, ends) -> list:
        if day not in weekday:
            weekday[day] = date_format(day, "D")
        return [day, weekday[day], where or place, pattern, _local(starts), _local(ends)]

    def seats():
        order = ("shift__service_date", "shift__starts_at", "shift__region__path", "shift_id", "id")
        rows = (
            Assignment.objects.filter(shift__roster=roster)
            .order_by(*order)
            .values_list(
                "shift__service_date",
                "shift__region__name",
                "shift__pattern__name",
                "shift__starts_at",
                "shift__ends_at",
                "shift__night",
                "person__name",
                "person__region__name",
                "household__number",
                "outcome",
            )
        )
        for day, place, pattern, starts, ends, night, name, village, household, outcome in rows:
            yield [
                *common(day, place, pattern, starts, ends),
                yes if night else no,
                name,
                village,
                household or "",
                outcomes.get(outcome, outcome),
            ]

    def short():
        rows = (
            roster.shifts.annotate(n=Count("assignments"))
            .filter(n__lt=F("headcount"))
            .order_by("service_date", "starts_at", "region__path", "id")
            .values_list(
                "service_date",
                "region__name",
                "pattern__name",
                "starts_at",
                "ends_at",
                "headcount",
                "n",
            )
        )
        for day, place, pattern, starts, ends, headcount, n in rows:
            yield [*common(day, place, pattern, starts, ends), headcount, n, headcount - n]

    shift = [_("Date"), _("Weekday"), _("Village or zone"), _("Shift"), _("Starts"), _("Ends")]
    return [
        Sheet(
            _("Roster"),
            [
                *shift,
                _("Night"),
                _("Person"),
                _("Person's village"),
                _("Household on duty"),
                _("Outcome"),
            ],
            seats(),
            widths=[12, 8, 14, 14, 17, 17, 6, 12, 12, 12, 10],
        ),
        Sheet(
            _("Unfilled seats"),
            [*shift, _("Needed"), _("Assigned"), _("Unfilled")],
            short(),
            widths=[12, 8, 14, 14, 17, 17, 8, 8, 8],
        ),
    ]
