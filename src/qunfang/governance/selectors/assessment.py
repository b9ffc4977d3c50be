"""Reads of the assessments (考核): the runs of a township, a village's own scores across periods,
a run's ranking, the scheme a run used (from its stored `scheme_spec`), a score line by line with
the records behind each line, adjustments and appeals, and the home panel.

Every read starts from `.visible_to(user)`. A run belongs to its township: its officers see it
whole. A village reaches a run only through its own scores (`Score.region` is the village), so a
village's director opens the run's page with their own village's scores on it and never another
village's figure. The writes are in `services.assessment`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from qunfang.core.models import Region, RegionKind, User
from qunfang.governance.assessment import catalogue
from qunfang.governance.assessment.catalogue import INDICATORS, REF_PAGES, VETOES, Unit
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import (
    Adjustment,
    Appeal,
    AppealStatus,
    Approval,
    AssessmentRun,
    Level,
    RunStatus,
    Score,
    ScoreLine,
)
from qunfang.governance.services.assessment import can_assess

HUNDRED = Decimal(100)
PANEL_RUNS = 4  # the latest runs the township's home panel lists
PANEL_SCORES = 3  # the latest village scores the village's home panel lists
DECIDED = (AppealStatus.UPHELD, AppealStatus.DISMISSED)


def plain(value: Decimal | None) -> str:
    """2.00 → "2", 95.50 → "95.5": measures read as people write them."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def is_township_view(user: User) -> bool:
    """A township's (or county's) account looks at runs; a village's, at its own scores."""
    region = user.region if user.region_id else None
    return region is None or region.kind not in (RegionKind.VILLAGE, RegionKind.GROUP)


# ---- who runs ---------------------------------------------------------------------------------


def assessing_townships(user: User) -> list[Region]:
    """The townships whose assessments the user runs (a township's officers: their own)."""
    townships = Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")
    return [township for township in townships if can_assess(user, township)]


# ---- runs and scores --------------------------------------------------------------------------


def run_list(user: User) -> QuerySet[AssessmentRun]:
    """The runs the user sees (a township's), newest period first, each with how many scores it
    holds and how many appeals and adjustments wait: one query for the page."""
    return (
        AssessmentRun.objects.visible_to(user)
        .select_related("region", "scheme")
        .annotate(
            score_count=Count("scores", distinct=True),
            appeals_waiting=Count(
                "scores__appeals",
                filter=Q(scores__appeals__status=AppealStatus.LODGED),
                distinct=True,
            ),
            adjustments_waiting=Count(
                "scores__adjustments",
                filter=Q(scores__adjustments__status=Approval.PENDING),
                distinct=True,
            ),
        )
        .order_by("-period_last", "-period", "region__path", "level", "pk")
    )


def own_scores(user: User) -> QuerySet[Score]:
    """The scores the user sees across periods (a village's own), newest period first."""
    return (
        Score.objects.visible_to(user)
        .select_related("run", "region", "organisation", "person")
        .order_by("-run__period_last", "-run__period", "run__level", "rank", "pk")
    )


def run_reached(user: User, pk: int) -> tuple[AssessmentRun, bool] | None:
    """The run `pk` and whether the user sees it whole (its township's accounts), or only
    through their own scores in it (a village); None when the user sees neither."""
    runs = AssessmentRun.objects.select_related("region", "scheme", "computed_by", "closed_by")
    run = runs.visible_to(user).filter(pk=pk).first()
    if run is not None:
        return run, True
    if Score.objects.visible_to(user).filter(run_id=pk).exists():
        return runs.get(pk=pk), False
    return None


def ranking(user: User, run: AssessmentRun, village: str = "") -> list[Score]:
    """The run's scores the user sees (of one village's, by its code, when given), by rank,
    each with the appeals and adjustments waiting for a decision: one query."""
    scores = Score.objects.visible_to(user).filter(run=run)
    if village:
        scores = scores.filter(region__code=village)
    return list(
        scores.select_related("region", "organisation", "person")
        .annotate(
            appeals_waiting=Count(
                "appeals", filter=Q(appeals__status=AppealStatus.LODGED), distinct=True
            ),
            adjustments_waiting=Count(
                "adjustments", filter=Q(adjustments__status=Approval.PENDING), distinct=True
            ),
        )
        .order_by("rank", "region__code", "pk")
    )


def waiting(run: AssessmentRun) -> dict[str, int]:
    """What keeps the run from being closed: appeals and adjustments waiting (two counts)."""
    return {
        "appeals": Appeal.objects.filter(score__run=run, status=AppealStatus.LODGED).count(),
        "adjustments": Adjustment.objects.filter(score__run=run, status=Approval.PENDING).count(),
    }


# ---- the scheme a run used ----------------------------------------------------------------------


@dataclass
class SchemeRow:
    code: str
    label: str | Promise
    explanation: str | Promise
    unit: str
    unit_label: str | Promise
    weight: str
    target: str
    within_days: int | None


@dataclass
class SchemeUsed:
    name: str
    appeal_days: int | None
    indicators: list[SchemeRow]
    vetoes: list[tuple[str, str | Promise, str | Promise]]  # code, label, explanation
    grades: list[tuple[str, str]]  # label, from score
    # the villages' own targets (their responsibility letters), for the villages the user sees
    targets: list[tuple[Region, list[str]]] = field(default_factory=list)


def scheme_used(user: User, run: AssessmentRun) -> SchemeUsed:
    """The scheme as the run used it, with the catalogue's labels; the letters' targets of the
    villages the user sees (one query, none without letters)."""
    catalogue.load()
    spec: dict[str, Any] = run.scheme_spec or {}
    rows = []
    for row in spec.get("indicators", []):
        known = INDICATORS.get(row["code"])
        unit = str(known.unit) if known else Unit.RATE
        rows.append(
            SchemeRow(
                code=row["code"],
                label=known.label if known else row["code"],
                explanation=known.explanation if known else "",
                unit=unit,
                unit_label=(known.unit_label or "") if known else "",
                weight=plain(Decimal(str(row["weight"]))),
                target=plain(Decimal(str(row["target"]))),
                within_days=row.get("within_days")
                or (known.default_within_days if known else None),
            )
        )
    vetoes: list[tuple[str, str | Promise, str | Promise]] = []
    for code in spec.get("vetoes", []):
        veto = VETOES.get(code)
        vetoes.append((code, veto.label, veto.explanation) if veto else (code, code, ""))
    grades = sorted(
        ((g["label"], plain(Decimal(str(g["min_score"])))) for g in spec.get("grades", [])),
        key=lambda grade: -Decimal(grade[1]),
    )
    own: dict[str, dict[str, Any]] = spec.get("targets") or {}
    targets: list[tuple[Region, list[str]]] = []
    ids = [int(pk) for pk in own if str(pk).isdigit()]
    if ids:
        villages = Region.objects.visible_to(user).filter(pk__in=ids).order_by("code")
        for village in villages:
            theirs = own.get(str(village.pk), {})
            targets.append(
                (
                    village,
                    [plain(Decimal(str(theirs[r.code]))) if r.code in theirs else "" for r in rows],
                )
            )
    return SchemeUsed(
        name=str(spec.get("name") or (run.scheme.name if run.scheme_id else "")),
        appeal_days=spec.get("appeal_days"),
        indicators=rows,
        vetoes=vetoes,
        grades=grades,
        targets=targets,
    )


# ---- one score ----------------------------------------------------------------------------------


def score_for_detail(user: User) -> QuerySet[Score]:
    return Score.objects.visible_to(user).select_related(
        "run__region", "run__scheme", "region", "organisation", "person"
    )


@dataclass
class RefLink:
    label: str
    url: str


@dataclass
class LineView:
    """A score line as the page shows it."""

    code: str
    label: str | Promise
    explanation: str | Promise
    is_veto: bool
    unit: str  # "rate" | "amount"
    applies: bool
    done: str
    due: str
    rate: str  # done of due in percent, for a rate
    hits: int  # for a veto
    target: str
    unit_label: str | Promise
    weight: str
    points: Decimal
    refs: list[RefLink]
    mean: bool  # a rate of shares (a visit's score out of 100): shown as an average


def _links(refs: list[Any]) -> list[RefLink]:
    """The records behind a line, each linked to its page once (a record that counted several
    times, such as one report's answers, says how many); a kind without a page is left out."""
    out: dict[str, RefLink] = {}
    times: Counter[str] = Counter()
    for ref in refs or []:
        try:
            kind, pk, label = ref[0], int(ref[1]), str(ref[2])
            url = reverse(REF_PAGES[kind], args=[pk])
        except (KeyError, IndexError, TypeError, ValueError, NoReverseMatch):
            continue
        out.setdefault(url, RefLink(label=label, url=url))
        times[url] += 1
    return [
        RefLink(label=f"{link.label} ×{times[url]}" if times[url] > 1 else link.label, url=url)
        for url, link in out.items()
    ]


def lines_of(score: Score) -> list[LineView]:
    """The score's lines, indicators by weight then the veto hits: one query."""
    catalogue.load()
    out = []
    line: ScoreLine
    for line in score.lines.all():
        indicator = INDICATORS.get(line.indicator)
        veto = VETOES.get(line.indicator) if line.is_veto else None
        if line.is_veto:
            label = veto.label if veto else line.indicator
            explanation = veto.explanation if veto else ""
            unit = Unit.AMOUNT
        else:
            label = indicator.label if indicator else line.indicator
            explanation = indicator.explanation if indicator else ""
            unit = indicator.unit if indicator else (Unit.AMOUNT if line.due is None else Unit.RATE)
        is_rate = unit == Unit.RATE and line.due is not None
        applies = not line.is_veto and (not is_rate or bool(line.due))
        rate = ""
        if is_rate and line.due:
            rate = plain((line.done * HUNDRED / line.due).quantize(Decimal("0.1")))
        out.append(
            LineView(
                code=line.indicator,
                label=label,
                explanation=explanation,
                is_veto=line.is_veto,
                unit=str(Unit.RATE if is_rate else Unit.AMOUNT),
                applies=applies,
                done=plain(line.done),
                due=plain(line.due),
                rate=rate,
                hits=int(line.done) if line.is_veto else 0,
                target=plain(line.target),
                unit_label=(indicator.unit_label or "") if indicator else "",
                weight=plain(line.weight),
                points=line.points,
                refs=_links(line.refs),
                mean=is_rate and line.done != line.done.to_integral_value(),
            )
        )
    return out


def adjustments_of(score: Score) -> list[Adjustment]:
    return list(
        score.adjustments.select_related("proposed_by", "decided_by", "appeal").order_by(
            "proposed_at", "pk"
        )
    )


def appeals_of(score: Score) -> list[Appeal]:
    return list(score.appeals.select_related("lodged_by", "decided_by").order_by("-lodged_at"))


def indicator_label(code: str) -> str | Promise:
    catalogue.load()
    if code in INDICATORS:
        return INDICATORS[code].label
    return VETOES[code].label if code in VETOES else code


# ---- appeals ------------------------------------------------------------------------------------


def appeal_list(user: User, *, status: str = "") -> QuerySet[Appeal]:
    """The appeals the user sees, newest first: `lodged` (waiting) or `decided`."""
    appeals = Appeal.objects.visible_to(user).select_related(
        "score__run__region", "score__region", "score__organisation", "score__person", "lodged_by"
    )
    if status == "lodged":
        appeals = appeals.filter(status=AppealStatus.LODGED)
    elif status == "decided":
        appeals = appeals.filter(status__in=DECIDED)
    return appeals.order_by("-lodged_at", "-pk")


def appeal_for_detail(user: User) -> QuerySet[Appeal]:
    return Appeal.objects.visible_to(user).select_related(
        "score__run__region",
        "score__region",
        "score__organisation",
        "score__person",
        "lodged_by",
        "decided_by",
    )


def adjustment_of(appeal: Appeal) -> Adjustment | None:
    return Adjustment.objects.filter(appeal=appeal).first()


# ---- the home panel -----------------------------------------------------------------------------


def assessment_summary(user: User) -> dict[str, Any]:
    """The home panel. A township's: the latest runs and what waits for a decision (three
    queries). A village's: its latest village scores and its appeals waiting (two queries)."""
    lodged = Appeal.objects.visible_to(user).filter(status=AppealStatus.LODGED).count()
    if is_township_view(user):
        runs = list(
            AssessmentRun.objects.visible_to(user)
            .select_related("region")
            .order_by("-computed_at", "-pk")[:PANEL_RUNS]
        )
        pending = (
            Adjustment.objects.visible_to(user).filter(status=Approval.PENDING).count()
            if runs
            else 0
        )
        return {
            "township_view": True,
            "runs": runs,
            "appeals_waiting": lodged,
            "adjustments_waiting": pending,
            "open": RunStatus.OPEN,
        }
    scores = list(
        Score.objects.visible_to(user)
        .filter(run__level=Level.VILLAGE, run__is_provisional=False)  # results, not a look
        .select_related("run", "region")
        .order_by("-run__period_last", "-run__period", "-pk")[:PANEL_SCORES]
    )
    return {"township_view": False, "scores": scores, "appeals_waiting": lodged}


def appeals_until(township: Region, level: str, period: Period) -> dt.datetime | None:
    """Until when the period's run at `level` takes appeals, if it has been computed."""
    return (
        AssessmentRun.objects.filter(region=township, level=level, period=period.key)
        .values_list("appeals_until", flat=True)
        .first()
    )


def ranked_villages(user: User, run: AssessmentRun) -> list[tuple[str, str]]:
    """(code, name) of the villages the user sees scores of in the run, to filter its ranking
    of organisations or people by. One query."""
    return list(
        Score.objects.visible_to(user)
        .filter(run=run)
        .order_by("region__code")
        .values_list("region__code", "region__name")
        .distinct()
    )
