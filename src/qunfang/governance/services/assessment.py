"""Assessment runs (考核): the writes (reads are in `selectors.assessment`).

A run applies a township's scheme in use for one level to one period. It reads the records as
they stand at the moment it runs (its cut-off), scores every village, organisation or person
line by line, and keeps the scheme it used as plain data, so `run_check` can compute every score
again from the records as of that cut-off and list what differs. Running an open period again
reads the records afresh; a closed period is final.

    computed (open) ──close──▶ closed

Manual adjustments carry a reason and count once another township officer approves them (four
eyes). A village lodges an appeal (申诉) against its score until `appeals_until`; the township
upholds it (the score changes through an approved adjustment naming the appeal) or dismisses it,
with reasons either way. A period is closed only when nothing waits for a decision and the time
for appeals is over; nothing of a closed period changes again.

Refusals raise ValidationError with a translated message and change nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.core.bulk import insert_rows, update_rows
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.governance.assessment import catalogue, engine
from qunfang.governance.assessment.catalogue import INDICATORS, VETOES, Context, Item, Unit
from qunfang.governance.assessment.periods import Period
from qunfang.governance.assessment.subjects import Subjects, subjects_for, villages_of
from qunfang.governance.models import (
    Adjustment,
    Appeal,
    AppealStatus,
    Approval,
    AssessmentRun,
    Level,
    RunStatus,
    Scheme,
    SchemeStatus,
    Score,
    ScoreLine,
)

NOTICE_KIND = "assessment"  # core.notify.KIND_LABELS
MAX_ADJUSTMENT = Decimal(100)

# ---- who acts -------------------------------------------------------------------------------


def can_assess(user: User, township: Region) -> bool:
    """The township's officers run, adjust, close and decide appeals, in their own township."""
    return user.is_active and user.can(Perm.SUPERVISE_VILLAGES) and user.works_in(township)


def can_appeal(user: User, score: Score) -> bool:
    """Whoever runs the village's governance (its director, not the township that scored it)
    appeals its scores; a person appeals their own score through their account."""
    if not user.is_active:
        return False
    person = score.person
    if person is not None and person.account_id == user.pk:
        return True
    own = user.region is not None and user.region.path.startswith(score.region.path)
    return own and user.can(Perm.RUN_GOVERNANCE)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# ---- computing ------------------------------------------------------------------------------


@dataclass
class Computed:
    subjects: Subjects
    results: list[engine.Result]


def compute(
    spec: Mapping[str, Any],
    township: Region,
    period: Period,
    cutoff: dt.datetime,
    reads: dict[str, Any] | None = None,
) -> Computed:
    """Score every subject of `spec` from the records as they stood at `cutoff`. Pure reading:
    no transaction is held while it runs. `reads`: what runs at the same cut-off of the same
    township and period have read already (the levels of one month read the same records)."""
    catalogue.load()
    villages = villages_of(township)
    base = Context(
        period=period,
        cutoff=cutoff,
        township=township.pk,
        villages=list(villages),
        _cache=reads if reads is not None else {},
    )
    subjects = subjects_for(base, villages)
    items: dict[str, list[Item]] = {}
    units: dict[str, Unit] = {}
    for row in spec["indicators"]:
        indicator = INDICATORS.get(row["code"])
        if indicator is None:
            raise ValidationError(
                _("The scheme names an indicator this system does not know: %(code)s.")
                % {"code": row["code"]}
            )
        within = row.get("within_days") or indicator.default_within_days
        # an indicator's items do not depend on the level: the levels of one moment count once
        items[row["code"]] = base.shared(
            f"items:{row['code']}:{within}",
            functools.partial(
                _items, indicator.compute, dataclasses.replace(base, within_days=within)
            ),
        )
        units[row["code"]] = indicator.unit
    hits: dict[str, list[Item]] = {}
    for code in spec["vetoes"]:
        if code not in VETOES:
            raise ValidationError(
                _("The scheme names a veto item this system does not know: %(code)s.")
                % {"code": code}
            )
        hits[code] = base.shared(
            f"hits:{code}", functools.partial(_items, VETOES[code].compute, base)
        )
    results = engine.measure(spec, subjects, items, hits, units, len(period.months))
    return Computed(subjects, results)


def _items(count: catalogue.Compute, ctx: Context) -> list[Item]:
    return list(count(ctx))


def scheme_in_use(township: Region, level: str) -> Scheme | None:
    return Scheme.objects.filter(region=township, level=level, status=SchemeStatus.ACTIVE).first()


def run_assess(
    *,
    township: Region,
    level: str,
    period: Period,
    by: User | None,
    now: dt.datetime | None = None,
    reads: dict[str, Any] | None = None,
) -> AssessmentRun:
    """Compute (or compute again) the period's scores at `level` with the township's scheme in
    use. `by` None: the scheduled command. Refused for a closed period or without a scheme.
    Several levels at one moment (`now`) share their `reads` (see `compute`)."""
    from qunfang.governance.services.schemes import scheme_spec

    if by is not None:
        _require(can_assess(by, township))
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError(_("Assessments are run by a township."))
    now = now or timezone.now()
    if period.starts > now:
        raise ValidationError(_("The period %(period)s has not begun.") % {"period": period})
    if _closed(township, level, period):
        raise ValidationError(_("The period %(period)s is closed.") % {"period": period})
    scheme = scheme_in_use(township, level)
    if scheme is None:
        raise ValidationError(
            _("The township has no assessment scheme in use for %(level)s.")
            % {"level": Level(level).label}
        )
    spec = scheme_spec(scheme, period.first.year)
    computed = compute(spec, township, period, now, reads)
    with transaction.atomic():
        run, _created = AssessmentRun.objects.select_for_update(of=("self",)).get_or_create(
            region=township,
            level=level,
            period=period.key,
            defaults={
                "scheme": scheme,
                "scheme_spec": spec,
                "cutoff": now,
                "computed_at": now,
                "appeals_until": now,
            },
        )
        if run.is_closed:  # closed while this one was computing
            raise ValidationError(_("The period %(period)s is closed.") % {"period": period})
        run.scheme, run.scheme_spec, run.cutoff = scheme, spec, now
        run.computed_at, run.computed_by = now, by
        changed = _store(run, computed)
        # the time for appeals runs from when the scores last changed: computing again with the
        # same result gives nobody a new reason to appeal, so it does not hold the period open
        # (a look before the period is over gives that time from the period's end)
        if _created or changed:
            start = max(now, period.ends)
            run.appeals_until = start + dt.timedelta(days=int(spec["appeal_days"]))
        run.save()
    return run


def _closed(township: Region, level: str, period: Period) -> bool:
    return AssessmentRun.objects.filter(
        region=township, level=level, period=period.key, status=RunStatus.CLOSED
    ).exists()


def _subject_fields(key: engine.Key, village: int) -> dict[str, Any]:
    kind, pk = key
    return {
        "region_id": village,
        "organisation_id": pk if kind == "organisation" else None,
        "person_id": pk if kind == "person" else None,
    }


def key_of(score: Score) -> engine.Key:
    if score.person_id is not None:
        return ("person", score.person_id)
    if score.organisation_id is not None:
        return ("organisation", score.organisation_id)
    return ("village", score.region_id)


FINAL_FIELDS = ["adjustment", "final", "grade", "rank"]
LINE_COLUMNS = [
    "score_id",
    "indicator",
    "done",
    "due",
    "target",
    "weight",
    "points",
    "is_veto",
    "refs",
]
FIELDS = ["computed", "vetoed", *FINAL_FIELDS]


def _approved(run: AssessmentRun) -> dict[int, Decimal]:
    """The sum of each score's approved adjustments, by score id."""
    return {
        row["score"]: row["total"]
        for row in Adjustment.objects.filter(score__run=run, status=Approval.APPROVED)
        .values("score")
        .annotate(total=Sum("points"))
        .order_by()  # no default ordering in the GROUP BY
    }


def _store(run: AssessmentRun, computed: Computed) -> bool:
    """The run's scores and lines as computed, with their final figures, grades and ranks: a
    subject's row is kept (its adjustments and appeals point at it), its lines written anew; a
    subject no longer scored goes, unless someone has adjusted or appealed its score. Whether
    any subject's figures changed, or a subject came or went."""
    existing = {key_of(score): score for score in run.scores.all()}
    approved = _approved(run)
    engine.finalise(
        computed.results,
        run.scheme_spec["grades"],
        {key: approved[s.pk] for key, s in existing.items() if s.pk in approved},
    )
    new, kept, moved = [], [], []
    for result in computed.results:
        score = existing.pop(result.key, None)
        if score is None:
            score = Score(run=run, **_subject_fields(result.key, result.village))
            new.append(score)
        else:
            kept.append(score)
            if any(getattr(score, name) != getattr(result, name) for name in FIELDS):
                moved.append(score)
        for name in FIELDS:
            setattr(score, name, getattr(result, name))
    changed = bool(new or moved or existing)
    Score.objects.bulk_create(new, batch_size=500)
    update_rows(Score, FIELDS, [[getattr(s, name) for name in FIELDS] + [s.pk] for s in moved])
    stale = [score.pk for score in existing.values()]
    questioned = Score.objects.filter(pk__in=stale).filter(
        Q(adjustments__isnull=False) | Q(appeals__isnull=False)
    )
    Score.objects.filter(pk__in=stale).exclude(pk__in=questioned.values("pk")).delete()
    ScoreLine.objects.filter(score__run=run).delete()
    scores = {key_of(score): score.pk for score in [*new, *kept]}
    # one prepared statement for all the lines (bulk_create compiles its SQL again for every
    # hundred rows on SQLite, most of a run's time); the database numbers them
    insert_rows(
        ScoreLine,
        LINE_COLUMNS,
        [
            (
                scores[result.key],
                line.indicator,
                line.done,
                line.due,
                line.target,
                line.weight,
                line.points if line.points is not None else Decimal(0),
                line.is_veto,
                [list(ref) for ref in line.refs],
            )
            for result in computed.results
            for line in result.lines
        ],
    )
    return changed


def refinalise(run: AssessmentRun) -> None:
    """Each score's final figure, grade and rank from its computed score and the adjustments
    approved so far; only the scores whose figures change are written."""
    approved = _approved(run)
    scores = list(run.scores.all())
    results = [engine.Result(key_of(s), s.region_id, s.computed, s.vetoed, []) for s in scores]
    engine.finalise(
        results,
        run.scheme_spec["grades"],
        {key_of(s): approved[s.pk] for s in scores if s.pk in approved},
    )
    changed = []
    for score, result in zip(scores, results, strict=True):
        figures = [getattr(result, name) for name in FINAL_FIELDS]
        if [getattr(score, name) for name in FINAL_FIELDS] != figures:
            changed.append([*figures, score.pk])
    update_rows(Score, FINAL_FIELDS, changed)


# ---- checking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    who: str
    indicator: str
    stored: str
    recomputed: str

    def __str__(self) -> str:
        return f"{self.who}\t{self.indicator}\t{self.stored}\t{self.recomputed}"


def _who(key: engine.Key, subjects: Subjects) -> str:
    kind, pk = key
    table: Mapping[int, Any] = {
        "village": subjects.villages,
        "organisation": {k: v[1] for k, v in subjects.organisations.items()},
        "person": {k: v[1] for k, v in subjects.people.items()},
    }[kind]
    return f"{kind}:{pk}:{table.get(pk, '?')}"


def run_check(run: AssessmentRun, reads: dict[str, Any] | None = None) -> list[Difference]:
    """Compute the run's scores again from the records as of its cut-off with its stored scheme;
    every stored figure that differs from the recomputed one (the computed score, a line's
    measure or points, a veto), and every subject only one side has. `reads`: as for `compute`,
    shared by runs of the same township, period and cut-off."""
    computed = compute(run.scheme_spec, run.region, Period.parse(run.period), run.cutoff, reads)
    fresh = {r.key: r for r in computed.results}
    stored = {key_of(s): s for s in run.scores.prefetch_related("lines")}
    out: list[Difference] = []
    for key in sorted(set(fresh) | set(stored)):
        who = _who(key, computed.subjects)
        score, result = stored.get(key), fresh.get(key)
        if score is None or result is None:
            out.append(
                Difference(
                    who,
                    "score",
                    str(score.computed) if score else "—",
                    str(result.computed) if result else "—",
                )
            )
            continue
        if score.computed != result.computed or score.vetoed != result.vetoed:
            out.append(
                Difference(
                    who,
                    "score",
                    _figure(score.computed, score.vetoed),
                    _figure(result.computed, result.vetoed),
                )
            )
        lines = {line.indicator: line for line in score.lines.all()}
        for line in result.lines:
            kept = lines.pop(line.indicator, None)
            now_says = _line_figure(line.done, line.due, line.points)
            then_said = _line_figure(kept.done, kept.due, kept.points) if kept else "—"
            if kept is None or then_said != now_says:
                out.append(Difference(who, line.indicator, then_said, now_says))
        for code, kept in lines.items():
            if kept.is_veto or kept.points:
                out.append(
                    Difference(who, code, _line_figure(kept.done, kept.due, kept.points), "—")
                )
    return out


def _figure(value: Decimal, vetoed: bool) -> str:
    return f"{value}{' veto' if vetoed else ''}"


def _line_figure(done: Decimal, due: Decimal | None, points: Decimal | None) -> str:
    measure = f"{done:.2f}/{due:.2f}" if due is not None else f"{done:.2f}"
    return f"{measure}={points or Decimal(0):.2f}"


# ---- closing --------------------------------------------------------------------------------


def run_close(*, run: AssessmentRun, by: User, now: dt.datetime | None = None) -> AssessmentRun:
    """Make the period final. Refused while an adjustment or an appeal waits for a decision, or
    while appeals may still be lodged."""
    _require(can_assess(by, run.region))
    now = now or timezone.now()
    with transaction.atomic():
        run = AssessmentRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if run.is_closed:
            raise ValidationError(_("This assessment is already closed."))
        if run.is_provisional:
            raise ValidationError(
                _(
                    "This assessment read the records before the period was over: compute it "
                    "again after the period's end, then close it."
                )
            )
        if Adjustment.objects.filter(score__run=run, status=Approval.PENDING).exists():
            raise ValidationError(_("An adjustment is waiting for approval."))
        if Appeal.objects.filter(score__run=run, status=AppealStatus.LODGED).exists():
            raise ValidationError(_("An appeal is waiting for a decision."))
        if now < run.appeals_until:
            raise ValidationError(
                _("Appeals may be lodged until %(until)s; close the assessment after that.")
                % {"until": timezone.localtime(run.appeals_until).strftime("%Y-%m-%d %H:%M")}
            )
        run.status, run.closed_at, run.closed_by = RunStatus.CLOSED, now, by
        run.save(update_fields=["status", "closed_at", "closed_by"])
    return run


def _open_run(score: Score) -> AssessmentRun:
    run = AssessmentRun.objects.select_for_update(of=("self",)).get(pk=score.run_id)
    if run.is_closed:
        raise ValidationError(
            _("The period %(period)s is closed: its scores no longer change.")
            % {"period": run.period}
        )
    return run


# ---- adjustments ----------------------------------------------------------------------------


def _points(value: Any) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(engine.CENT)
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"points": _("Enter a number of points, such as 2 or -1.5.")}
        ) from None
    if points == 0 or abs(points) > MAX_ADJUSTMENT:
        raise ValidationError({"points": _("An adjustment is between -100 and 100 points, not 0.")})
    return points


def adjustment_propose(*, score: Score, points: Any, reason: str, by: User) -> Adjustment:
    run = score.run
    _require(can_assess(by, run.region))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    value = _points(points)
    with transaction.atomic():
        _open_run(score)
        return Adjustment.objects.create(score=score, points=value, reason=reason, proposed_by=by)


def adjustment_decide(
    *, adjustment: Adjustment, approve: bool, by: User, now: dt.datetime | None = None
) -> Adjustment:
    """Another township officer approves or rejects an adjustment (four eyes). An upheld
    appeal's adjustment approved decides the appeal for good, and its village is told; rejected,
    the appeal waits again for a decision."""
    run = adjustment.score.run
    _require(can_assess(by, run.region))
    now = now or timezone.now()
    with transaction.atomic():
        run = _open_run(adjustment.score)
        adjustment = Adjustment.objects.select_for_update(of=("self",)).get(pk=adjustment.pk)
        if adjustment.status != Approval.PENDING:
            raise ValidationError(_("This adjustment has already been decided."))
        if adjustment.proposed_by_id == by.pk:
            raise ValidationError(
                _("An adjustment is approved by someone other than who proposed it.")
            )
        adjustment.status = Approval.APPROVED if approve else Approval.REJECTED
        adjustment.decided_by, adjustment.decided_at = by, now
        appeal = adjustment.appeal
        if appeal is not None and not approve:
            # the upholding is undone: the appeal goes back to the township's desk (its first
            # decision stays in its history), and the rejected change no longer names it
            appeal.status, appeal.decision = AppealStatus.LODGED, ""
            appeal.decided_by, appeal.decided_at = None, None
            appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
            adjustment.appeal = None
        adjustment.save(update_fields=["status", "decided_by", "decided_at", "appeal"])
        if approve:
            refinalise(run)
    if appeal is not None and approve:
        _tell_decided(appeal, run)
    return adjustment


# ---- appeals --------------------------------------------------------------------------------


def appeal_lodge(
    *, score: Score, grounds: str, indicator: str = "", by: User, now: dt.datetime | None = None
) -> Appeal:
    _require(can_appeal(by, score))
    now = now or timezone.now()
    grounds = grounds.strip()
    if not grounds:
        raise ValidationError({"grounds": _("Say why the score is wrong.")})
    if indicator and not score.lines.filter(indicator=indicator).exists():
        raise ValidationError({"indicator": _("This score has no such indicator.")})
    with transaction.atomic():
        run = _open_run(score)
        if run.is_provisional:
            raise ValidationError(
                _(
                    "This assessment was computed before the period ended on %(end)s: appeal "
                    "once the township has computed it after the period's end."
                )
                % {"end": run.period_last.isoformat()}
            )
        if now > run.appeals_until:
            raise ValidationError(
                _("Appeals against this assessment could be lodged until %(until)s.")
                % {"until": timezone.localtime(run.appeals_until).strftime("%Y-%m-%d %H:%M")}
            )
        if Appeal.objects.filter(score=score, status=AppealStatus.LODGED).exists():
            raise ValidationError(
                _("An appeal against this score is already waiting for a decision.")
            )
        appeal = Appeal.objects.create(
            score=score, grounds=grounds, indicator=indicator, lodged_by=by, lodged_at=now
        )
    for officer in _officers(run.region):
        notify(
            officer,
            NOTICE_KIND,
            Phrase(
                gettext_noop("An appeal against the %(period)s assessment of %(who)s."),
                period=run.period,
                who=str(score.subject),
            ),
            appeal.get_absolute_url(),
        )
    return appeal


def appeal_decide(
    *,
    appeal: Appeal,
    upheld: bool,
    decision: str,
    points: Any = None,
    by: User,
    now: dt.datetime | None = None,
) -> Appeal:
    """Uphold (the score is to change by `points`, through an adjustment naming the appeal,
    which counts once another officer approves it: four eyes, as for any adjustment) or dismiss,
    with the reasons. The one who lodged it is told once the decision is final."""
    run = appeal.score.run
    _require(can_assess(by, run.region))
    decision = decision.strip()
    if not decision:
        raise ValidationError({"decision": _("Give the reasons for the decision.")})
    value = _upheld_points(points) if upheld else None
    now = now or timezone.now()
    with transaction.atomic():
        run = _open_run(appeal.score)
        appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
        if appeal.status != AppealStatus.LODGED:
            raise ValidationError(_("This appeal has already been decided."))
        if value is not None:
            _within_ceiling(value, appeal)
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
        appeal.decision, appeal.decided_by, appeal.decided_at = decision, by, now
        appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
        if value is not None:
            Adjustment.objects.create(
                score=appeal.score,
                points=value,
                reason=decision[:300],
                proposed_by=by,
                appeal=appeal,
            )
    if value is None:
        _tell_decided(appeal, run)
    else:
        for officer in _officers(run.region):
            if officer.pk != by.pk:
                notify(
                    officer,
                    NOTICE_KIND,
                    Phrase(
                        gettext_noop(
                            "An upheld appeal's change to the %(period)s score of %(who)s "
                            "waits for your approval."
                        ),
                        period=run.period,
                        who=str(appeal.score.subject),
                    ),
                    appeal.score.get_absolute_url(),
                )
    return appeal


def appeal_ceiling(appeal: Appeal) -> Decimal:
    """The most an upheld appeal may give back: what the appealed indicator cost the score (its
    weight not earned, over the weights that applied), and never beyond 100."""
    score = appeal.score
    room = max(engine.HUNDRED - score.final, Decimal(0))
    if not appeal.indicator:
        return room
    lines = [line for line in score.lines.all() if not line.is_veto]
    applied = [line for line in lines if line.due is None or line.due > 0]
    weights = sum((line.weight for line in applied), Decimal(0))
    line = next((line for line in applied if line.indicator == appeal.indicator), None)
    if line is None or not weights:  # it did not apply: what it would give is not known
        return room
    lost = ((line.weight - line.points) * engine.HUNDRED / weights).quantize(
        engine.CENT, rounding=ROUND_CEILING
    )
    return min(lost, room)


def _upheld_points(value: Any) -> Decimal:
    try:
        raises = Decimal(str(value)) > 0
    except (InvalidOperation, ValueError):
        raises = True  # not a number: said as for any adjustment
    if not raises:
        raise ValidationError(
            {"points": _("An upheld appeal raises the score: give the points as more than 0.")}
        )
    return _points(value)


def _within_ceiling(points: Decimal, appeal: Appeal) -> None:
    most = appeal_ceiling(appeal)
    if points > most:
        if appeal.indicator:
            message = _(
                "The appealed indicator cost the score %(most)s points: an upheld appeal gives "
                "back at most that."
            )
        else:
            message = _("The score can rise by at most %(most)s points (to 100).")
        raise ValidationError({"points": message % {"most": most}})


def _tell_decided(appeal: Appeal, run: AssessmentRun) -> None:
    notify(
        appeal.lodged_by,
        NOTICE_KIND,
        Phrase(
            gettext_noop("Your appeal against the %(period)s assessment has been decided."),
            period=run.period,
        ),
        appeal.get_absolute_url(),
    )


def _officers(township: Region) -> list[User]:
    officers = User.objects.filter(region=township, is_active=True)
    return [user for user in officers if user.can(Perm.SUPERVISE_VILLAGES)]


# ---- the command ----------------------------------------------------------------------------


def townships_in(region: Region | None) -> list[Region]:
    """The townships a command's `--region` names: the region's own, or those under it."""
    if region is None:
        return list(Region.objects.filter(kind=RegionKind.TOWNSHIP).order_by("code"))
    if region.kind in (RegionKind.VILLAGE, RegionKind.GROUP):
        above: Region | None = region
        while above is not None and above.kind != RegionKind.TOWNSHIP:
            above = above.parent
        return [above] if above is not None else []
    if region.kind == RegionKind.TOWNSHIP:
        return [region]
    return list(
        Region.objects.filter(kind=RegionKind.TOWNSHIP, path__startswith=region.path).order_by(
            "code"
        )
    )


def levels_in_use(township: Region) -> list[str]:
    in_use = set(
        Scheme.objects.filter(region=township, status=SchemeStatus.ACTIVE).values_list(
            "level", flat=True
        )
    )
    return [level for level in Level.values if level in in_use]
