"""Indicators from the governance and registry records: meetings held, meeting attendance,
training hours, the rules each organisation must have in force, decisions done in time.

Each reads its records as they stood at the run's cut-off (`ctx.rows`) and judges them the way
the governance books do: a meeting is missed as `selectors.meetings.missed_meetings` says (past
its day and not held, or an occurrence of a schedule never put in the book; a cancelled one is
not missed), the rules an organisation must have are its township's mandate or the defaults
(`selectors.rules.required_for`), and "came" is present or late (`services.meetings.HERE`).

The changeable dates (when a meeting is scheduled, a decision due, a training held) are read
with a window of WINDOW around the period, then judged on the values as they stood at the
cut-off: a record moved by more than that before the cut-off may be judged on its older date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.days import local_midnight
from qunfang.governance.assessment.asof import Row
from qunfang.governance.assessment.catalogue import (
    ONE,
    ZERO,
    Context,
    Indicator,
    Item,
    Ref,
    Unit,
    indicator,
    ref_page,
)
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    Enrolment,
    Mandate,
    Meeting,
    MeetingSchedule,
    MeetingStatus,
    Rule,
    RuleKind,
)
from qunfang.governance.selectors.rules import CHECKED_KINDS, required_for
from qunfang.governance.services.meetings import HERE, occurrences
from qunfang.registry.models import Organisation, OrgStatus, TrainingRecord

WINDOW = dt.timedelta(days=92)  # how far a changeable date is looked for beyond the period
# at a held meeting: present or late came (the roll's "here"); absent, or left unmarked (holding
# the meeting marks the unmarked absent), did not; an excused absence is not due
CAME = frozenset(HERE)
ATTENDANCE_DUE = frozenset({*HERE, AttendanceStatus.ABSENT, AttendanceStatus.INVITED})
# a failed examination keeps its hours, as in the training book (it qualifies for nothing)
FAILED_HOURS_COUNT = True

ref_page("meeting", "governance:meeting_detail")
ref_page("meeting_schedule", "governance:meeting_schedule_edit")
ref_page("course", "governance:course_detail")
ref_page("training", "registry:person_detail")  # a record entered in the registry: its person
ref_page("rule", "governance:rule_detail")
ref_page("organisation", "registry:organisation_detail")  # a rule never adopted


def _last_day(ctx: Context) -> dt.date:
    """The last day read: the period's last, or the cut-off's day if that comes first."""
    return timezone.localdate(ctx.ends - dt.timedelta(microseconds=1))


def _cutoff_day(ctx: Context) -> dt.date:
    return timezone.localdate(ctx.cutoff)


def _day_label(value: dt.date | dt.datetime) -> str:
    # the project's zone: `timezone.localdate` asks the thread-local active one, costly per row
    day = (
        value.astimezone(timezone.get_default_timezone()).date()
        if isinstance(value, dt.datetime)
        else value
    )
    return f"{day:%m-%d}"


def organisations(ctx: Context) -> dict[int, Row]:
    """The villages' organisations as they stood at the cut-off (kind, status), by id."""

    def read() -> dict[int, Row]:
        rows = ctx.rows(Organisation, ["region_id", "kind", "status"], region__in=ctx.villages)
        return {row["id"]: row for row in rows}

    result: dict[int, Row] = ctx.shared("governance.organisations", read)
    return result


def period_meetings(ctx: Context) -> list[Row]:
    """The villages' meetings scheduled within WINDOW of the period, as they stood at the
    cut-off, each with its village; read once per run (the meetings and the attendance read
    them)."""

    def read() -> list[Row]:
        rows = ctx.rows(
            Meeting,
            ["organisation_id", "schedule_id", "scheduled_at", "status", "held_at"],
            organisation__region__in=ctx.villages,
            scheduled_at__gte=ctx.starts - WINDOW,
            scheduled_at__lt=ctx.ends + WINDOW,
        )
        known = {pk: row["region_id"] for pk, row in organisations(ctx).items()}
        return [
            {**row, "village": known[row["organisation_id"]]}
            for row in rows
            if row["organisation_id"] in known  # else an organisation written after the cut-off
        ]

    result: list[Row] = ctx.shared("governance.meetings", read)
    return result


def _held_by_cutoff(ctx: Context, row: Row) -> bool:
    return (
        row["status"] == MeetingStatus.HELD
        and row["held_at"] is not None
        and row["held_at"] <= ctx.cutoff
    )


# ---- meetings held ----------------------------------------------------------------------------


def meetings_held(ctx: Context) -> list[Item]:
    """One item per meeting that fell due in the period: done if held by the cut-off. A
    cancelled meeting is not due; a planned one is missed once its day is over (until then it
    is not due yet); an occurrence of a schedule never put in the book is missed."""
    day_over = local_midnight(_cutoff_day(ctx))
    items = []
    covered: set[tuple[int, dt.datetime]] = set()
    for row in period_meetings(ctx):
        if row["schedule_id"] is not None:
            covered.add((row["schedule_id"], row["scheduled_at"]))
        if not ctx.starts <= row["scheduled_at"] < ctx.ends:
            continue
        held = _held_by_cutoff(ctx, row)
        if row["status"] == MeetingStatus.CANCELLED or (
            not held and row["scheduled_at"] >= day_over
        ):
            continue
        items.append(
            Item(
                village=row["village"],
                organisation=row["organisation_id"],
                done=ONE if held else ZERO,
                ref=("meeting", row["id"], _day_label(row["scheduled_at"])),
            )
        )
    items.extend(_never_booked(ctx, covered))
    return items


SCHEDULE_FIELDS = [
    "organisation_id",
    "frequency",
    "weekday",
    "day_of_month",
    "time",
    "starts_on",
    "ends_on",
]


def _never_booked(ctx: Context, covered: set[tuple[int, dt.datetime]]) -> list[Item]:
    """The occurrences of the schedules (as they stood at the cut-off), from the period's first
    day to the day before the cut-off, that no meeting was put in the book for: missed, as the
    meetings book counts them. A dissolved organisation's schedules plan nothing."""
    first, last = ctx.period.first, min(ctx.period.last, _cutoff_day(ctx) - dt.timedelta(days=1))
    if first > last:
        return []
    orgs = organisations(ctx)
    items = []
    for row in ctx.rows(MeetingSchedule, SCHEDULE_FIELDS, organisation__region__in=ctx.villages):
        org = orgs.get(row["organisation_id"])
        if org is None or org["status"] == OrgStatus.DISSOLVED:
            continue
        schedule = MeetingSchedule(**{f: row[f] for f in SCHEDULE_FIELDS})
        for at in occurrences(schedule, first, last):
            if (row["id"], at) not in covered:
                items.append(
                    Item(
                        village=org["region_id"],
                        organisation=row["organisation_id"],
                        done=ZERO,
                        ref=("meeting_schedule", row["id"], _day_label(at)),
                    )
                )
    return items


indicator(
    Indicator(
        code="meetings_held",
        label=_("Meetings held"),
        explanation=_(
            "Of the meetings each organisation had scheduled in the period, the share held by "
            "the cut-off. A meeting called off with a reason does not count; one still planned "
            "after its day, or a scheduled one never put in the book, counts as missed."
        ),
        unit=Unit.RATE,
        default_target=ONE * 100,
        compute=meetings_held,
    )
)


# ---- meeting attendance -----------------------------------------------------------------------


def meeting_attendance(ctx: Context) -> list[Item]:
    """One item per invitation to a meeting held in the period (by when it was held, as the
    minutes book counts them) by the cut-off: done if the person came (present or late); an
    excused absence is not due."""
    held = {
        row["id"]: row
        for row in period_meetings(ctx)
        if _held_by_cutoff(ctx, row) and ctx.starts <= row["held_at"] < ctx.ends
    }
    if not held:
        return []
    # one ref per meeting, shared by its roll (a dozen invitations each)
    refs: dict[int, Ref] = {
        pk: ("meeting", pk, _day_label(row["held_at"])) for pk, row in held.items()
    }
    items = []
    for row in ctx.rows(Attendance, ["meeting_id", "person_id", "status"], meeting__in=list(held)):
        if row["status"] not in ATTENDANCE_DUE:
            continue
        items.append(
            Item(
                village=held[row["meeting_id"]]["village"],
                person=row["person_id"],
                done=ONE if row["status"] in CAME else ZERO,
                ref=refs[row["meeting_id"]],
            )
        )
    return items


indicator(
    Indicator(
        code="meeting_attendance",
        label=_("Meeting attendance"),
        explanation=_(
            "Of the invitations to meetings held in the period, the share where the person came "
            "(present or late). An excused absence does not count; anyone left unmarked on the "
            "roll counts as absent."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=meeting_attendance,
    )
)


# ---- training hours ---------------------------------------------------------------------------


def training_hours(ctx: Context) -> list[Item]:
    """One item per training record of the villages' people held in the period (by the
    cut-off's day): its hours, none for a failed examination. A record from a course links to
    the course, one entered in the registry to its person."""
    last = _last_day(ctx)
    rows = [
        row
        for row in ctx.rows(
            TrainingRecord,
            ["person_id", "held_on", "hours", "passed", "person__region_id"],
            person__region__in=ctx.villages,
            held_on__gte=ctx.period.first - WINDOW,
            held_on__lte=last + WINDOW,
        )
        if ctx.period.first <= row["held_on"] <= last
    ]
    if not rows:
        return []
    courses: dict[int, int] = dict(
        Enrolment.objects.filter(record__in=[row["id"] for row in rows]).values_list(
            "record_id", "course_id"
        )
    )
    items = []
    for row in rows:
        failed = row["passed"] is False and not FAILED_HOURS_COUNT
        label = _day_label(row["held_on"])
        course = courses.get(row["id"])
        ref: Ref = ("course", course, label) if course else ("training", row["person_id"], label)
        items.append(
            Item(
                village=row["person__region_id"],
                person=row["person_id"],
                done=ZERO if failed else Decimal(row["hours"]),
                due=ZERO,
                ref=ref,
            )
        )
    return items


indicator(
    Indicator(
        code="training_hours",
        label=_("Training hours"),
        explanation=_(
            "The hours of training on each person's training records in the period, from "
            "courses and from records entered in the registry. A course whose examination the "
            "person failed earns no hours."
        ),
        unit=Unit.AMOUNT,
        default_target=ONE * 2,
        compute=training_hours,
        unit_label=_("hours"),
    )
)


# ---- rules in force ---------------------------------------------------------------------------


def rules_in_force(ctx: Context) -> list[Item]:
    """One item per rule a working organisation must have in force (its township's mandate,
    else the defaults, as the rules book judges them): done if a rule of that kind was in force
    on the period's last day (or the cut-off's, if earlier), as the records stood at the
    cut-off."""
    day = _last_day(ctx)
    mandates = ctx.rows(Mandate, ["org_kind", "required_rules"], region=ctx.township)
    table = {
        (ctx.township, row["org_kind"]): tuple(
            k for k in CHECKED_KINDS if k in {str(v) for v in row["required_rules"] or ()}
        )
        for row in mandates
    }
    working = {
        pk: row for pk, row in organisations(ctx).items() if row["status"] == OrgStatus.ACTIVE
    }
    if not working:
        return []
    # per organisation and kind: the rule in force on the day, else the latest one adopted
    in_force: dict[tuple[int, str], Row] = {}
    latest: dict[tuple[int, str], Row] = {}
    for row in ctx.rows(
        Rule,
        ["organisation_id", "kind", "title", "adopted_on", "repealed_on"],
        organisation__in=list(working),
    ):
        key = (row["organisation_id"], row["kind"])
        if row["adopted_on"] > day:
            continue
        if row["repealed_on"] is None or row["repealed_on"] > day:
            in_force[key] = row
        elif key not in latest or latest[key]["adopted_on"] <= row["adopted_on"]:
            latest[key] = row
    items = []
    for pk, org in working.items():
        for kind in required_for(table, ctx.township, org["kind"]):
            rule = in_force.get((pk, kind)) or latest.get((pk, kind))
            ref: Ref = (
                ("rule", rule["id"], rule["title"])
                if rule is not None
                else ("organisation", pk, str(RuleKind(kind).label))
            )
            items.append(
                Item(
                    village=org["region_id"],
                    organisation=pk,
                    done=ONE if (pk, kind) in in_force else ZERO,
                    ref=ref,
                )
            )
    return items


indicator(
    Indicator(
        code="rules_in_force",
        label=_("Rules in force"),
        explanation=_(
            "Of the rules each working organisation must have in force (its township's mandate, "
            "or the defaults where the township set none), the share in force on the last day "
            "of the period."
        ),
        unit=Unit.RATE,
        default_target=ONE * 100,
        compute=rules_in_force,
    )
)


# ---- decisions done in time -------------------------------------------------------------------


def decisions_done_in_time(ctx: Context) -> list[Item]:
    """One item per decision of the villages' meetings due in the period (by the cut-off's
    day): done if it was done by its due day, as it stood at the cut-off. A dropped decision
    is not due (it was called off, with a reason)."""
    last = _last_day(ctx)
    items = []
    for row in ctx.rows(
        Decision,
        [
            "meeting_id",
            "owner_id",
            "due_on",
            "status",
            "done_on",
            "meeting__organisation__region_id",
        ],
        meeting__organisation__region__in=ctx.villages,
        due_on__gte=ctx.period.first - WINDOW,
        due_on__lte=last + WINDOW,
    ):
        if not ctx.period.first <= row["due_on"] <= last or row["status"] == DecisionStatus.DROPPED:
            continue
        in_time = (
            row["status"] == DecisionStatus.DONE
            and row["done_on"] is not None
            and row["done_on"] <= row["due_on"]
        )
        items.append(
            Item(
                village=row["meeting__organisation__region_id"],
                person=row["owner_id"],
                done=ONE if in_time else ZERO,
                ref=("meeting", row["meeting_id"], _day_label(row["due_on"])),
            )
        )
    return items


indicator(
    Indicator(
        code="decisions_done_in_time",
        label=_("Decisions done in time"),
        explanation=_(
            "Of the decisions of meetings due in the period, the share their owners had done by "
            "the day they were due. A dropped decision does not count."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=decisions_done_in_time,
    )
)
