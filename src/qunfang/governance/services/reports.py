"""Work reports to villagers (定期向群众汇报工作): the writes (reads are in `selectors.reports`).

    (nothing) ──compile──▶ draft ──compile again / remarks──▶ draft ──publish──▶ published
                                                                               (figures frozen)

A village's director or the township compiles the report of a month or a quarter that has begun:
`figures` are read from the records (`compile_figures`) — patrol hours and night coverage,
incidents by type and coarse place, mediation and upward reports, opinions, published rewards
and punishments, and whatever the apps above add through `REPORT_SECTIONS` (funds: money in and
out). No name, address, ID number or phone goes into them; a type or a place with fewer than
`SMALL` incidents is merged into "other" so that nobody can be recognised from a count.

Publishing (once the period is over) compiles the figures a last time and freezes them: the
public page and the notice on the village board say the same from then on.

Villagers answer one satisfaction question on the public page, once per phone per report: the
phone is known by a keyed hash of a long-lived random cookie the page sets (or, when the phone
refuses cookies, of its address), and the casebook's rate limiter counts answers per client
address and per village. Refusals raise ValidationError (state, input) or NotYours (who) with a
translated message, and change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.casebook.models import (
    Case,
    CaseOutcome,
    Escalation,
    MediationCase,
    MediationStatus,
    Opinion,
)
from qunfang.casebook.services.opinions import client_key, hit
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.permissions import NotYours
from qunfang.core.personal import personal_numbers_in
from qunfang.core.roles import Perm
from qunfang.governance.assessment.periods import Period, PeriodKind
from qunfang.governance.models import (
    Action,
    ReportStatus,
    Sanction,
    SanctionStatus,
    Satisfaction,
    SatisfactionAnswer,
    WorkReport,
)
from qunfang.patrols.models import Assignment, Outcome, RosterStatus

FIGURES_VERSION = 1
SMALL = 3  # a type or place with fewer incidents is merged into "other"
OTHER = ""  # the key of "other types" / "elsewhere in the village"
REWARDS = frozenset({Action.COMMENDATION, Action.BONUS, Action.SUBSIDY})
FULL = frozenset({Outcome.SERVED, Outcome.LATE})  # a patrol served: all its hours

# The phone's cookie: random, long-lived, nothing else in it.
COOKIE = "qf_phone"
COOKIE_AGE = 2 * 365 * 24 * 3600
_COOKIE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
# the rate limits of answers, each an hour: per client address (a village's wifi after a
# meeting carries many phones, so not too few) and per village
CLIENT_LIMIT, CLIENT_WINDOW = 20, 3600
VILLAGE_LIMIT, VILLAGE_WINDOW = 300, 3600
COMMENT_MAX = 300


# ---- the hook for the apps above --------------------------------------------------------------


@dataclass(frozen=True)
class ReportSection:
    """A part of the report an app above governance adds (funds: money in and out). `compute`
    gets the village, the period and the moment the records are read at and returns plain
    JSON (numbers and words, no personal data); the report pages include `template` with it as
    `section`."""

    key: str
    compute: Callable[[Region, Period, dt.datetime], dict[str, Any]]
    template: str


REPORT_SECTIONS: list[ReportSection] = []


# ---- who acts ---------------------------------------------------------------------------------


def can_run(user: User, village: Region) -> bool:
    """The village's director or the township (whoever runs its governance)."""
    return user.is_active and user.can(Perm.RUN_GOVERNANCE) and user.works_in(village)


def _check(user: User, village: Region) -> None:
    if not can_run(user, village):
        raise NotYours(_("Only the village's director or the township reports to its villagers."))


# ---- periods ----------------------------------------------------------------------------------


def report_period(text: str, *, today: dt.date) -> Period:
    """A month or a quarter that has begun by `today`; anything else is refused."""
    period = Period.parse(text)
    if period.kind == PeriodKind.YEAR:
        raise ValidationError(
            _("A work report covers a month (2026-11) or a quarter (2026-Q4), not a whole year.")
        )
    if period.first > today:
        raise ValidationError(
            _(
                "The period %(period)s has not begun yet: a report is compiled from the records "
                "of a period that has begun."
            )
            % {"period": period.key}
        )
    return period


def publish_refusal(report: WorkReport, *, today: dt.date) -> str:
    """Why the report cannot be published on `today`, or ""."""
    if report.status == ReportStatus.PUBLISHED:
        return _("This report has already been published; its figures are frozen.")
    period = Period.parse(report.period)
    if today <= period.last:
        return _(
            "The period %(period)s is not over: its report is published from %(from)s on, when "
            "every figure is final."
        ) % {"period": period.key, "from": f"{period.last + dt.timedelta(days=1):%Y-%m-%d}"}
    return ""


# ---- the figures ------------------------------------------------------------------------------


def _patrols(village: Region, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Hours served (a partial patrol half its hours) and the share of nights on which at least
    one night patrol was served. Nights are counted up to the last one that is over. One
    query."""
    today = timezone.localdate(now)
    through = min(period.last, today - dt.timedelta(days=1))
    rows = Assignment.objects.filter(
        region=village,
        shift__service_date__gte=period.first,
        shift__service_date__lte=through,
        shift__roster__status=RosterStatus.PUBLISHED,
        outcome__in=[*FULL, Outcome.PARTIAL],
    ).values_list(
        "outcome", "shift__starts_at", "shift__ends_at", "shift__night", "shift__service_date"
    )
    seconds = 0.0
    covered: set[dt.date] = set()
    shifts = 0
    for outcome, starts, ends, night, day in rows:
        length = (ends - starts).total_seconds()
        seconds += length if outcome in FULL else length / 2
        shifts += 1
        if night:
            covered.add(day)
    nights = max(0, (through - period.first).days + 1)
    return {
        "hours": round(seconds / 3600, 1),
        "patrols": shifts,
        "nights": nights,
        "nights_covered": len(covered),
        "night_coverage": round(100 * len(covered) / nights) if nights else None,
    }


def coarsen(rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """Incidents (type code, type name, English name, place) counted by type and place, with
    every small count merged: a place with fewer than SMALL incidents of a type goes to that
    type's "elsewhere", and a type with fewer than SMALL incidents in all to "other types"
    (with no places). An "elsewhere" that is itself small stays, as it names no place."""
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, tuple[str, str]] = {}
    for code, name, name_en, place in rows:
        by_type[code][place or OTHER] += 1
        names[code] = (name, name_en)
    types: list[dict[str, Any]] = []
    other = 0
    for code, places in by_type.items():
        total = sum(places.values())
        if total < SMALL:
            other += total
            continue
        named = {p: n for p, n in places.items() if p != OTHER and n >= SMALL}
        rest = total - sum(named.values())
        listed = [{"place": p, "count": n} for p, n in sorted(named.items(), key=lambda i: -i[1])]
        if rest:
            listed.append({"place": OTHER, "count": rest})
        name, name_en = names[code]
        types.append(
            {"type": code, "name": name, "name_en": name_en, "count": total, "places": listed}
        )
    types.sort(key=lambda t: (-t["count"], t["type"]))
    return {"total": len(rows), "types": types, "other": other}


def _incidents(village: Region, period: Period, now: dt.datetime) -> dict[str, Any]:
    """The cases reported in the period (not those found unfounded), by type and villager
    group: never a name, an address or a number. One query."""
    rows = Case.objects.filter(
        region=village, reported_at__gte=period.starts, reported_at__lt=min(period.ends, now)
    ).exclude(outcome=CaseOutcome.UNFOUNDED)
    values = rows.values_list(
        "case_type__code", "case_type__name", "case_type__name_en", "group__name"
    )
    return coarsen([(c or "", n or "", e or "", g or "") for c, n, e, g in values])


def _window(field: str, period: Period, now: dt.datetime) -> Q:
    return Q(**{f"{field}__gte": period.starts, f"{field}__lt": min(period.ends, now)})


def _mediation(village: Region, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Disputes brought to mediation in the period and how many ended in an agreement; cases
    reported upward to the township or the police. Two queries."""
    first, last = period.first, min(period.last, timezone.localdate(now))
    applied = Q(applied_on__gte=first, applied_on__lte=last)
    agreed = applied & (
        Q(status=MediationStatus.AGREED) | (Q(status=MediationStatus.CLOSED) & ~Q(agreement=""))
    )
    counts = MediationCase.objects.filter(region=village).aggregate(
        received=Count("id", filter=applied), agreed=Count("id", filter=agreed)
    )
    escalated = Escalation.objects.filter(
        _window("sent_at", period, now), case__region=village
    ).count()
    return {"mediated": counts["received"], "agreed": counts["agreed"], "escalated": escalated}


def _opinions(village: Region, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Entries of the opinion book received, and answers given, in the period. One query."""
    return Opinion.objects.filter(region=village).aggregate(
        received=Count("id", filter=_window("created_at", period, now)),
        answered=Count("id", filter=_window("answered_at", period, now) & ~Q(answer="")),
    )


def _sanctions(village: Region, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Rewards and punishments put on the village board in the period, counted by kind (the
    names are on the board, not here). One query."""
    counts = dict(
        Sanction.objects.filter(
            _window("published_at", period, now), region=village, status=SanctionStatus.PUBLISHED
        )
        .values_list("action")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "rewards": sum(n for action, n in counts.items() if action in REWARDS),
        "punishments": sum(n for action, n in counts.items() if action not in REWARDS),
        "by_action": {action: counts[action] for action in Action.values if action in counts},
    }


def compile_figures(village: Region, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Everything the report says, read from the records as they stand at `now`: six queries,
    plus what each registered section reads, however many records there are."""
    through = min(period.last, timezone.localdate(now))
    return {
        "version": FIGURES_VERSION,
        "period": period.key,
        "first": f"{period.first:%Y-%m-%d}",
        "through": f"{through:%Y-%m-%d}",
        "read_at": timezone.localtime(now).isoformat(timespec="minutes"),
        "patrols": _patrols(village, period, now),
        "incidents": _incidents(village, period, now),
        "mediation": _mediation(village, period, now),
        "opinions": _opinions(village, period, now),
        "sanctions": _sanctions(village, period, now),
        "sections": {
            section.key: section.compute(village, period, now) for section in REPORT_SECTIONS
        },
    }


# ---- compiling, remarks, publishing -----------------------------------------------------------


def _dated(report: WorkReport, by: User, now: dt.datetime) -> None:
    report._history_user = by
    report._history_date = now


def report_compile(
    *, village: Region, period: str, by: User, now: dt.datetime | None = None
) -> WorkReport:
    """Create the village's draft report of `period`, or compile its draft again, from the
    records as they stand now."""
    now = now or timezone.now()
    _check(by, village)
    if village.kind != RegionKind.VILLAGE:
        raise ValidationError(_("A work report is the report of one village."))
    parsed = report_period(period, today=timezone.localdate(now))
    figures = compile_figures(village, parsed, now)  # reading holds no transaction
    with transaction.atomic():
        report = (
            WorkReport.objects.select_for_update().filter(region=village, period=parsed.key).first()
        )
        if report is not None and report.status != ReportStatus.DRAFT:
            raise ValidationError(
                _("The report of %(period)s has already been published; its figures are frozen.")
                % {"period": parsed.key}
            )
        if report is None:
            report = WorkReport(region=village, period=parsed.key)
        report.figures, report.compiled_at = figures, now
        _dated(report, by, now)
        report.save()
    return report


def report_update_remarks(
    *, report: WorkReport, remarks: str, by: User, now: dt.datetime | None = None
) -> WorkReport:
    """The village's own word to its villagers, while the report is a draft."""
    now = now or timezone.now()
    _check(by, report.region)
    with transaction.atomic():
        locked = WorkReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.DRAFT:
            raise ValidationError(
                _("This report has been published; what it says can no longer be changed.")
            )
        if found := personal_numbers_in(remarks):
            raise ValidationError(
                {
                    "remarks": _(
                        "This goes on a public page and the village board: take out the phone "
                        "and ID numbers (%(found)s)."
                    )
                    % {"found": "、".join(found)}
                }
            )
        locked.remarks = remarks.strip()
        _dated(locked, by, now)
        locked.save(update_fields=["remarks"])
    return locked


def report_publish(*, report: WorkReport, by: User, now: dt.datetime | None = None) -> WorkReport:
    """Compile the figures a last time and freeze them; the report goes on the public page."""
    now = now or timezone.now()
    _check(by, report.region)
    refusal = publish_refusal(report, today=timezone.localdate(now))
    if refusal:
        raise ValidationError(refusal)
    figures = compile_figures(report.region, Period.parse(report.period), now)
    with transaction.atomic():
        locked = WorkReport.objects.select_for_update().get(pk=report.pk)
        refusal = publish_refusal(locked, today=timezone.localdate(now))
        if refusal:  # published by someone else meanwhile
            raise ValidationError(refusal)
        locked.figures, locked.compiled_at = figures, now
        locked.status = ReportStatus.PUBLISHED
        locked.published_at, locked.published_by = now, by
        _dated(locked, by, now)
        locked.save()
    return locked


# ---- the villagers' answers -------------------------------------------------------------------


def new_phone_cookie() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def phone_key(request: HttpRequest) -> str:
    """A keyed hash of the phone's cookie, or of its address when it sends none: the same
    phone gives the same key, and no key leads back to a cookie or an address."""
    cookie = request.COOKIES.get(COOKIE, "")
    if _COOKIE_SHAPE.match(cookie):
        digest = hmac.new(settings.SECRET_KEY.encode(), f"phone:{cookie}".encode(), hashlib.sha256)
        return "c" + digest.hexdigest()[:40]
    return "a" + client_key(request)


def satisfaction_answer(
    *,
    report: WorkReport,
    rating: int | str,
    comment: str,
    request: HttpRequest,
    now: dt.datetime | None = None,
) -> SatisfactionAnswer:
    """One villager's answer to a published report: once per phone, within the limits."""
    now = now or timezone.now()
    if report.status != ReportStatus.PUBLISHED:
        raise ValidationError(_("This report has not been published; it takes no answers yet."))
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if value not in Satisfaction.values:
        raise ValidationError(_("Choose one of the three answers."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("Write at most %(max)d characters, please.") % {"max": COMMENT_MAX})
    key = phone_key(request)
    already = _("This phone has already answered this report; each phone answers once. Thank you.")
    if SatisfactionAnswer.objects.filter(report=report, client=key).exists():
        raise ValidationError(already, code="answered")
    allowed = hit(
        "report-answer-client", client_key(request), limit=CLIENT_LIMIT, window=CLIENT_WINDOW
    ) and hit(
        "report-answer-village", report.region.code, limit=VILLAGE_LIMIT, window=VILLAGE_WINDOW
    )
    if not allowed:
        raise ValidationError(
            _(
                "Too many answers have been sent from your connection or to this village in the "
                "last hour. Nothing has been saved: please try again later."
            ),
            code="limited",
        )
    try:
        with transaction.atomic():
            return SatisfactionAnswer.objects.create(
                report=report,
                region_id=report.region_id,
                rating=value,
                comment=comment,
                client=key,
                answered_at=now,
            )
    except IntegrityError:  # the same phone, twice at once
        raise ValidationError(already, code="answered") from None
