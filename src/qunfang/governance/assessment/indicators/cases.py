"""Indicators from the casebook: cases closed in time, upward reports sent in time, the weekly
situation reports, opinions answered, rectification orders done by their deadline; and the
one-vote vetoes (一票否决) of a major case not reported upward and of a rectification order left
long overdue.

Each thing with a time limit counts once, in the period in which it was settled: a case or an
opinion in the period in which it was closed or answered within its limit, or else in the one in
which its limit ran out; an upward report, a weekly report and a rectification order in the
period in which it fell due. So consecutive months together count what their year counts, and a
case registered at the end of a month is not lost between two months.

Everything is read as it stood at the run's cut-off (`Context.rows`); a time after the cut-off
is no time at all. The owner of a case counts as the person responsible when their account
belongs to a person of the registry (`Person.account`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.models import (
    Case,
    Escalation,
    Opinion,
    OrderStatus,
    RectificationOrder,
    ReportPeriod,
    Severity,
    SituationReport,
)
from qunfang.core.days import local_midnight
from qunfang.governance.assessment.asof import Row
from qunfang.governance.assessment.catalogue import (
    ONE,
    ZERO,
    Context,
    Indicator,
    Item,
    Unit,
    Veto,
    indicator,
    ref_page,
    veto,
)
from qunfang.registry.models import Person

CASE_DAYS = 30  # a case closed within this many days of its report (unless the scheme says)
REPORT_DAYS = 1  # a weekly report sent within this many days after its week
OPINION_DAYS = 15  # an opinion answered within this many days of its entry
LONG_OVERDUE_DAYS = 30  # a rectification order this many days past its deadline: a veto
CHUNK = 2000  # ids in one query

CASE_FIELDS = ["region_id", "year", "serial", "reported_at", "closed_at", "owner_id"]
ESCALATION_FIELDS = ["case_id", "required", "due_at", "sent_at", "sent_by_id", "acknowledged_at"]
ORDER_FIELDS = [
    "deadline",
    "status",
    "reinspected_on",
    "hazard__inspection_id",
    "hazard__inspection__region_id",
]
SETTLED = frozenset({OrderStatus.VERIFIED, OrderStatus.ESCALATED})

ref_page("case", "casebook:case_detail")
ref_page("opinion", "casebook:opinion_detail")
ref_page("inspection", "casebook:inspection_detail")


# ---- reading ---------------------------------------------------------------------------------


def _history(model: type[models.Model]) -> Any:
    """The rows of the model's history table (django-simple-history)."""
    history: Any = getattr(model, "history", None)
    return history.model._base_manager


def _by_cutoff(ctx: Context, moment: dt.datetime | None) -> dt.datetime | None:
    """A time that had come by the cut-off; a later one is no time at all."""
    return moment if moment is not None and moment <= ctx.cutoff else None


def _days(ctx: Context, default: int) -> int:
    return ctx.within_days if ctx.within_days is not None else default


def _settled_in(ctx: Context, limit: dt.datetime, finished: dt.datetime | None) -> bool:
    """Whether a thing with a time limit counts in the period: the earlier of its limit and the
    time it was finished (if it was, by the cut-off) fell in it."""
    moment = limit if finished is None else min(limit, finished)
    return ctx.starts <= moment < ctx.ends


def _last_day(ctx: Context) -> dt.date:
    """The last day of what is read: the period's last, or the cut-off's if that comes first."""
    return timezone.localdate(ctx.ends - dt.timedelta(microseconds=1))


def _day(instant: dt.datetime) -> str:
    """A record's local day as a line's label (the project's zone, not the active one)."""
    return f"{instant.astimezone(timezone.get_default_timezone()):%Y-%m-%d}"


def _rows_of(
    ctx: Context, model: type[models.Model], fields: list[str], lookup: str, ids: Iterable[int]
) -> list[Row]:
    """`ctx.rows` of the records whose `lookup` is one of `ids`, a few thousand ids a query."""
    ordered, out = sorted(set(ids)), []
    for start in range(0, len(ordered), CHUNK):
        scope: dict[str, Any] = {lookup: ordered[start : start + CHUNK]}
        out += ctx.rows(model, fields, **scope)
    return out


def _number(row: Row) -> str:
    return f"{row['year']}-{row['serial']:04d}"


def _people(ctx: Context, accounts: Iterable[int | None]) -> dict[int, int]:
    """account id -> the registry person the account belonged to at the cut-off, for those that
    belonged to one; remembered for the run."""
    known: dict[int, int | None] = ctx.shared("casebook.people", dict)
    wanted = {pk for pk in accounts if pk is not None}
    missing = sorted(wanted - set(known))
    if missing:
        candidates: set[int] = set()
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            for table in (Person._base_manager, _history(Person)):
                candidates.update(table.filter(account__in=chunk).values_list("id", flat=True))
        found: dict[int, int | None] = dict.fromkeys(missing)
        for row in _rows_of(ctx, Person, ["account_id"], "id__in", candidates):
            if row["account_id"] in found:
                found[row["account_id"]] = row["id"]
        known.update(found)
    return {pk: person for pk in wanted if (person := known[pk]) is not None}


def _cases(ctx: Context, ids: Iterable[int]) -> dict[int, Row]:
    """The cases with these ids as they stood at the cut-off; remembered for the run."""
    known: dict[int, Row] = ctx.shared("casebook.cases", dict)
    missing = sorted(set(ids) - set(known))
    if missing:
        known.update(
            (row["id"], row) for row in _rows_of(ctx, Case, CASE_FIELDS, "id__in", missing)
        )
    return known


def _responsible(ctx: Context, rows: list[tuple[Row, Row]]) -> list[int | None]:
    """Who each upward report (with its case) counts for: whoever sent it by the cut-off, else
    the case's owner."""
    accounts = [
        row["sent_by_id"] if _by_cutoff(ctx, row["sent_at"]) else case["owner_id"]
        for row, case in rows
    ]
    people = _people(ctx, accounts)
    return [people.get(account) for account in accounts]


# ---- cases -----------------------------------------------------------------------------------


def cases_closed_in_time(ctx: Context) -> list[Item]:
    """One item per case settled in the period: done if closed within its limit."""
    within = dt.timedelta(days=_days(ctx, CASE_DAYS))
    rows = ctx.rows(
        Case,
        CASE_FIELDS,
        existed="reported_at",
        region__in=ctx.villages,
        reported_at__gte=ctx.starts - within,
        reported_at__lt=ctx.ends,
    )
    cases: dict[int, Row] = ctx.shared("casebook.cases", dict)
    cases.update((row["id"], row) for row in rows)
    people = _people(ctx, {row["owner_id"] for row in rows})
    items = []
    for row in rows:
        limit, closed = row["reported_at"] + within, _by_cutoff(ctx, row["closed_at"])
        if _settled_in(ctx, limit, closed):
            items.append(
                Item(
                    village=row["region_id"],
                    person=people.get(row["owner_id"]),
                    done=ONE if closed is not None and closed <= limit else ZERO,
                    ref=("case", row["id"], _number(row)),
                )
            )
    return items


# ---- upward reports --------------------------------------------------------------------------


def _sent_in_time(ctx: Context, row: Row) -> bool:
    sent = _by_cutoff(ctx, row["sent_at"])
    return sent is not None and sent <= row["due_at"]


def escalations_in_time(ctx: Context) -> list[Item]:
    """One item per required upward report due in the period: done if sent by its due time and
    acknowledged by the cut-off."""
    rows = [
        row
        for row in ctx.rows(
            Escalation,
            ESCALATION_FIELDS,
            case__region__in=ctx.villages,
            due_at__gte=ctx.starts,
            due_at__lt=ctx.ends,
        )
        if row["required"]
    ]
    cases = _cases(ctx, {row["case_id"] for row in rows})
    # (a case written after the cut-off is not read, nor are its reports)
    pairs = [(row, cases[row["case_id"]]) for row in rows if row["case_id"] in cases]
    return [
        Item(
            village=case["region_id"],
            person=person,
            done=ONE
            if _sent_in_time(ctx, row) and _by_cutoff(ctx, row["acknowledged_at"]) is not None
            else ZERO,
            ref=("case", case["id"], _number(case)),
        )
        for (row, case), person in zip(pairs, _responsible(ctx, pairs), strict=True)
    ]


def major_case_not_reported(ctx: Context) -> list[Item]:
    """One hit per major (or critical) case that occurred in the period and whose required
    upward report had not been sent by its due time, as the records stood at the cut-off."""
    cases = ctx.rows(
        Case,
        CASE_FIELDS,
        existed="reported_at",
        region__in=ctx.villages,
        severity__gte=Severity.MAJOR,
        occurred_at__gte=ctx.starts,
        occurred_at__lt=ctx.ends,
    )
    late: dict[int, Row] = {}
    for row in _rows_of(ctx, Escalation, ESCALATION_FIELDS, "case__in", [c["id"] for c in cases]):
        if row["required"] and row["due_at"] <= ctx.cutoff and not _sent_in_time(ctx, row):
            late.setdefault(row["case_id"], row)
    pairs = [(late[case["id"]], case) for case in cases if case["id"] in late]
    return [
        Item(
            village=case["region_id"],
            person=person,
            done=ONE,
            ref=("case", case["id"], _number(case)),
        )
        for (_row, case), person in zip(pairs, _responsible(ctx, pairs), strict=True)
    ]


# ---- situation reports -----------------------------------------------------------------------


def _weeks_due(ctx: Context, days: int) -> list[tuple[dt.date, dt.datetime]]:
    """The weeks (their Mondays) whose report fell due in the period, with the due time: the
    end of the week and `days` more."""
    first = ctx.period.first - dt.timedelta(days=7 + days)
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while (due := local_midnight(monday + dt.timedelta(days=7 + days))) < ctx.ends:
        if due >= ctx.starts:
            weeks.append((monday, due))
        monday += dt.timedelta(days=7)
    return weeks


def situation_reports_in_time(ctx: Context) -> list[Item]:
    """One item per village and week whose report fell due in the period: done if the weekly
    report, or a daily report for each of its days, was sent by the due time."""
    weeks = _weeks_due(ctx, _days(ctx, REPORT_DAYS))
    if not weeks:
        return []
    weekly: dict[tuple[int, dt.date], dt.datetime] = {}
    daily: dict[tuple[int, dt.date], list[Row]] = defaultdict(list)
    for row in ctx.rows(
        SituationReport,
        ["region_id", "period", "starts_on", "submitted_at"],
        existed="submitted_at",
        region__in=ctx.villages,
        starts_on__gte=weeks[0][0],
        starts_on__lt=weeks[-1][0] + dt.timedelta(days=7),
    ):
        if _by_cutoff(ctx, row["submitted_at"]) is None:
            continue
        day: dt.date = row["starts_on"]
        if row["period"] == ReportPeriod.WEEKLY:
            weekly[row["region_id"], day] = row["submitted_at"]
        else:
            daily[row["region_id"], day - dt.timedelta(days=day.weekday())].append(row)
    items = []
    for village in ctx.villages:
        for monday, due in weeks:
            sent = weekly.get((village, monday))
            every_day = {
                row["starts_on"] for row in daily[village, monday] if row["submitted_at"] <= due
            }
            done = (sent is not None and sent <= due) or len(every_day) == 7
            items.append(Item(village=village, done=ONE if done else ZERO))
    return items


# ---- opinions --------------------------------------------------------------------------------


def opinions_answered(ctx: Context) -> list[Item]:
    """One item per entry of the opinion book settled in the period: done if first answered
    within its limit."""
    within = dt.timedelta(days=_days(ctx, OPINION_DAYS))
    rows = ctx.rows(
        Opinion,
        ["region_id", "created_at", "answered_at"],
        existed="created_at",
        region__in=ctx.villages,
        created_at__gte=ctx.starts - within,
        created_at__lt=ctx.ends,
    )
    # a corrected answer moves `answered_at`: the first answer is the one that counts
    first = dict(
        _history(Opinion)
        .filter(
            region__in=ctx.villages,
            created_at__gte=ctx.starts - within,
            created_at__lt=ctx.ends,
            history_date__lte=ctx.cutoff,
            answered_at__isnull=False,
        )
        .values("id")
        .annotate(first=Min("answered_at"))
        .values_list("id", "first")
    )
    items = []
    for row in rows:
        times = [t for t in (first.get(row["id"]), _by_cutoff(ctx, row["answered_at"])) if t]
        answered, limit = min(times, default=None), row["created_at"] + within
        if _settled_in(ctx, limit, answered):
            items.append(
                Item(
                    village=row["region_id"],
                    done=ONE if answered is not None and answered <= limit else ZERO,
                    ref=("opinion", row["id"], _day(row["created_at"])),
                )
            )
    return items


# ---- rectification orders --------------------------------------------------------------------


def period_orders(ctx: Context) -> list[Row]:
    """The rectification orders of the township's villages whose deadline came by the period's
    last day, as they stood at the cut-off; read once per run. The `deadline` is the earliest
    one set on the order by the cut-off: a new one set at a failed re-inspection does not move
    it."""

    def read() -> list[Row]:
        scope: dict[str, Any] = {"hazard__inspection__region__in": ctx.villages}
        earliest = dict(
            _history(RectificationOrder)
            .filter(history_date__lte=ctx.cutoff, **scope)
            .values("id")
            .annotate(earliest=Min("deadline"))
            .values_list("id", "earliest")
        )
        out = []
        for row in ctx.rows(RectificationOrder, ORDER_FIELDS, **scope):
            deadline = min(row["deadline"], earliest.get(row["id"], row["deadline"]))
            if deadline <= ctx.period.last:
                out.append({**row, "deadline": deadline})
        return out

    return ctx.shared("casebook.orders", read)


def _order_ref(row: Row) -> tuple[str, int, str]:
    return ("inspection", row["hazard__inspection_id"], f"{row['deadline']:%Y-%m-%d}")


def rectification_in_time(ctx: Context) -> list[Item]:
    """One item per order whose (earliest) deadline fell in the period: done if verified on a
    re-inspection made by the deadline."""
    return [
        Item(
            village=row["hazard__inspection__region_id"],
            done=ONE
            if row["status"] == OrderStatus.VERIFIED
            and row["reinspected_on"] is not None
            and row["reinspected_on"] <= row["deadline"]
            else ZERO,
            ref=_order_ref(row),
        )
        for row in period_orders(ctx)
        if ctx.period.first <= row["deadline"]
        and local_midnight(row["deadline"] + dt.timedelta(days=1)) <= ctx.ends
    ]


def rectification_long_overdue(ctx: Context) -> list[Item]:
    """One hit per order more than 30 days past its deadline on the period's last day and by
    then neither verified nor escalated to the case register."""
    last = _last_day(ctx)
    latest = last - dt.timedelta(days=LONG_OVERDUE_DAYS + 1)
    return [
        Item(village=row["hazard__inspection__region_id"], done=ONE, ref=_order_ref(row))
        for row in period_orders(ctx)
        if row["deadline"] <= latest
        and not (
            row["status"] in SETTLED
            and row["reinspected_on"] is not None
            and row["reinspected_on"] <= last
        )
    ]


# ---- the catalogue ---------------------------------------------------------------------------

indicator(
    Indicator(
        code="cases_closed_in_time",
        label=_("Cases closed in time"),
        explanation=_(
            "Of the cases whose time limit (the days the scheme allows from the report) ran out "
            "in the period, or that were closed in the period before it, the share closed "
            "within the limit. A case counts for the person who owned it at the cut-off."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=cases_closed_in_time,
        default_within_days=CASE_DAYS,
    )
)
indicator(
    Indicator(
        code="escalations_in_time",
        label=_("Upward reports in time"),
        explanation=_(
            "Of the upward reports the escalation rules required whose due time fell in the "
            "period, the share sent by the due time and acknowledged by the receiving level by "
            "the cut-off. A report counts for whoever sent it, or for the case's owner when it "
            "was not sent."
        ),
        unit=Unit.RATE,
        default_target=ONE * 100,
        compute=escalations_in_time,
    )
)
indicator(
    Indicator(
        code="situation_reports_in_time",
        label=_("Situation reports in time"),
        explanation=_(
            "Each village owes one situation report for every week (Monday to Sunday) whose "
            "report fell due in the period, due at the end of the week plus the days the scheme "
            "allows; it is in time when the weekly report, or a daily report for each of the "
            "seven days, was sent by then. A nil return (零上报) counts as a report."
        ),
        unit=Unit.RATE,
        default_target=ONE * 100,
        compute=situation_reports_in_time,
        default_within_days=REPORT_DAYS,
    )
)
indicator(
    Indicator(
        code="opinions_answered",
        label=_("Opinions answered in time"),
        explanation=_(
            "Of the entries in the opinion book whose time limit (the days the scheme allows "
            "from the entry) ran out in the period, or that were answered in the period before "
            "it, the share answered within the limit. Correcting an answer later does not move "
            "the time it was first given."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=opinions_answered,
        default_within_days=OPINION_DAYS,
    )
)
indicator(
    Indicator(
        code="rectification_in_time",
        label=_("Rectification orders done in time"),
        explanation=_(
            "Of the rectification orders whose deadline fell in the period, the share verified "
            "on a re-inspection made by the deadline. The earliest deadline set on the order "
            "counts: a later one set at a failed re-inspection does not move it, and an order "
            "escalated to the case register was not rectified."
        ),
        unit=Unit.RATE,
        default_target=ONE * 90,
        compute=rectification_in_time,
    )
)
veto(
    Veto(
        code="major_case_not_reported",
        label=_("Major case not reported upward"),
        explanation=_(
            "A case of major or critical severity that occurred in the period and whose "
            "required upward report was not sent by its due time, as the records stood at the "
            "cut-off."
        ),
        compute=major_case_not_reported,
    )
)
veto(
    Veto(
        code="rectification_long_overdue",
        label=_("Rectification order long overdue"),
        explanation=_(
            "A rectification order more than 30 days past its earliest deadline on the last day "
            "of the period, and by then neither verified on a re-inspection nor escalated to the "
            "case register."
        ),
        compute=rectification_long_overdue,
    )
)
