"""Bulletins (通报): the writes (the reads are in `selectors.bulletins`).

The township's office drafts a bulletin from a period's records (`bulletin_draft_from_period`:
the serious problems and the patrols not found on the supervision visits done in the period,
the rectification tasks overdue, the villages vetoed or at the bottom of the period's village
assessment; the good practices found and the villages at the top; the priorities for the next
period drawn from those and from the indicators the township scored worst on) or writes one by
hand (`bulletin_create`), and names the villages it concerns. Then:

    draft ──approve──▶ approved ──publish──▶ published (numbered, sent to the villages named)
      └──────withdraw (before publication: it never had a number)──────┘

A township officer other than the drafter approves (four eyes). Publishing gives the next
number of the township's series for the year under a lock, so the series has no gaps and no
number twice, and tells the directors of the villages concerned.

Refusals raise `NotYours` (not the user's to do) or ValidationError (by field where one is at
fault), translated, and change nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.permissions import NotYours
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm, Role
from qunfang.governance.assessment import catalogue
from qunfang.governance.assessment.periods import Period, PeriodKind
from qunfang.governance.models import AssessmentRun, Level, RunStatus, Score, ScoreLine
from qunfang.governance.models.bulletins import (
    Bulletin,
    BulletinMention,
    BulletinStatus,
    MentionKind,
)
from qunfang.governance.models.supervision import (
    FindingKind,
    RectificationTask,
    Severity,
    SupervisionFinding,
    TaskStatus,
    VisitStatus,
)

B = BulletinStatus
NOTICE_KIND = "supervision"  # core.notify.KIND_LABELS
MAX_TITLE = 120
MAX_SECTION = 6000
MAX_LINES = 15  # lines of one kind in a drafted section; the rest are counted
WEAK_SHARE = Decimal("0.85")  # an indicator earning less of its points than this is a priority
WEAK_INDICATORS = 3
REPORT_BY_DAYS = 14
# each quarter in words (Chinese counts them 第一…第四季度)
QUARTERS = (
    gettext_noop("Q1 %(year)s"),
    gettext_noop("Q2 %(year)s"),
    gettext_noop("Q3 %(year)s"),
    gettext_noop("Q4 %(year)s"),
)  # the villages report their rectification this many days into the next period


# ---- who acts -------------------------------------------------------------------------------


def can_write(user: User, township: Region | None = None) -> bool:
    """The township's office drafts, approves and publishes its bulletins (of `township`, when
    given)."""
    if not (user.is_active and user.can(Perm.SUPERVISE_VILLAGES)):
        return False
    return township is None or user.works_in(township)


def _require(by: User, township: Region) -> None:
    if not can_write(by, township):
        raise NotYours(_("Bulletins are drafted, approved and published by the township's office."))


def _saved(obj: Bulletin | BulletinMention, by: User | None) -> None:
    obj._history_user = by
    obj.save()


def _locked(bulletin: Bulletin) -> Bulletin:
    return (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=bulletin.pk)
    )


def _text(value: str | None, *, field: str, limit: int, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it to %(n)s characters at most.") % {"n": limit}})
    return text


def _period(value: Period | str | None, *, required: bool = True) -> Period | None:
    if isinstance(value, Period):
        return value
    if not (value or "").strip():
        if required:
            raise ValidationError({"period": _("Give the period, such as 2026-11 or 2026-Q4.")})
        return None
    try:
        return Period.parse(value or "")
    except ValidationError as exc:
        raise ValidationError({"period": exc.messages}) from None


def _township(township: Region) -> None:
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError(_("Bulletins are issued by a township."))


# ---- words ----------------------------------------------------------------------------------


def period_label(period: Period) -> str:
    """The period as a notice writes it: 2026年11月, 2026年第四季度, 2026年."""
    if period.kind == PeriodKind.MONTH:
        return _("%(month)s/%(year)s") % {"year": period.first.year, "month": period.first.month}
    if period.kind == PeriodKind.QUARTER:
        quarter = (period.first.month - 1) // 3
        return _(QUARTERS[quarter]) % {"year": period.first.year}
    return _("the year %(year)s") % {"year": period.first.year}


def next_period(period: Period) -> Period:
    """The period of the same kind that follows."""
    day = period.last + dt.timedelta(days=1)
    if period.kind == PeriodKind.MONTH:
        return Period.month_of(day)
    if period.kind == PeriodKind.QUARTER:
        return Period.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return Period.parse(str(day.year))


def _day(day: dt.date) -> str:
    return _("%(month)s/%(day)s") % {"month": day.month, "day": day.day}


def _clean(text: str) -> str:
    """A record's own words inside a sentence: one line, without its closing stop."""
    return " ".join(text.split()).rstrip("。.；;，,")


def _numbered(lines: list[str], *, more: int = 0) -> str:
    out = [f"{n}. {line}" for n, line in enumerate(lines, start=1)]
    if more:
        out.append(_("… and %(n)s more of the same kind in the records.") % {"n": more})
    return "\n".join(out)


# ---- drafting from the period's records -----------------------------------------------------


@dataclass
class Draft:
    """What a period's records say, as the three sections and the villages named."""

    title: str
    problems: str
    good_examples: str
    priorities: str
    mentions: dict[int, str] = field(default_factory=dict)  # village id -> MentionKind


def village_run(township: Region, period: Period) -> AssessmentRun | None:
    """The closed village-level assessment of the period: its own run, else the latest of the
    months (or quarters) inside it. A run still open is not final (appeals, adjustments): a
    bulletin does not publish its ranks and vetoes."""
    runs = AssessmentRun.objects.filter(
        region=township, level=Level.VILLAGE, status=RunStatus.CLOSED
    )
    exact = runs.filter(period=period.key).first()
    if exact is not None:
        return exact
    inside = [m.key for m in period.months]
    if period.kind == PeriodKind.YEAR:
        inside += [f"{period.first.year}-Q{q}" for q in range(1, 5)]
    return runs.filter(period__in=inside).order_by("-period", "-pk").first()


@dataclass
class _Reading:
    problems: list[str] = field(default_factory=list)
    problems_more: int = 0
    good: list[str] = field(default_factory=list)
    good_more: int = 0
    criticised: dict[int, str] = field(default_factory=dict)  # village id -> name
    commended: dict[int, str] = field(default_factory=dict)
    not_found: bool = False
    rectify: bool = False
    weak: list[tuple[str, int]] = field(default_factory=list)  # (indicator label, share %)

    def problem(self, village: Region, line: str) -> None:
        self.criticised[village.pk] = village.name
        if len(self.problems) < MAX_LINES * 3:
            self.problems.append(line)
        else:
            self.problems_more += 1

    def commend(self, village: Region, line: str) -> None:
        self.commended[village.pk] = village.name
        if len(self.good) < MAX_LINES * 2:
            self.good.append(line)
        else:
            self.good_more += 1


def _finding_line(finding: SupervisionFinding) -> str:
    visit = finding.visit
    day = timezone.localdate(visit.visited_at) if visit.visited_at else visit.planned_for
    return _("%(village)s: %(text)s (%(visit)s, %(day)s).") % {
        "village": finding.region.name,
        "text": _clean(finding.text),
        "visit": visit.get_kind_display(),
        "day": _day(day),
    }


def _read_findings(township: Region, period: Period, reading: _Reading) -> None:
    findings = (
        SupervisionFinding.objects.filter(
            region__parent=township,
            visit__status=VisitStatus.DONE,
            visit__visited_at__gte=period.starts,
            visit__visited_at__lt=period.ends,
        )
        .select_related("visit", "region")
        .order_by("visit__visited_at", "pk")
    )
    for finding in findings:
        if finding.kind == FindingKind.NOT_FOUND:
            reading.not_found = True
            reading.rectify = True
            reading.problem(finding.region, _finding_line(finding))
        elif finding.kind == FindingKind.PROBLEM and finding.severity == Severity.SERIOUS:
            reading.rectify = True
            reading.problem(finding.region, _finding_line(finding))
        elif finding.kind == FindingKind.GOOD:
            reading.commend(finding.region, _finding_line(finding))


def _read_overdue(township: Region, period: Period, today: dt.date, reading: _Reading) -> None:
    """Rectification tasks still open past their deadline, as of the period's end (or today,
    when the period is not over)."""
    cut = min(period.last + dt.timedelta(days=1), today)
    tasks = (
        RectificationTask.objects.filter(
            region__parent=township, status=TaskStatus.OPEN, deadline__lt=cut
        )
        .select_related("region")
        .order_by("deadline", "pk")
    )
    for task in tasks:
        reading.rectify = True
        line = _("%(village)s: the rectification “%(text)s” is overdue (deadline %(day)s).") % {
            "village": task.region.name,
            "text": _clean(task.text),
            "day": task.deadline.isoformat(),
        }
        reading.problem(task.region, line)


def _run_period(run: AssessmentRun) -> str:
    return period_label(Period.parse(run.period))


def _score_line(score: Score, run: AssessmentRun, count: int) -> str:
    return _(
        "%(village)s: %(score)s points in the %(period)s assessment, ranked %(rank)s of %(n)s."
    ) % {
        "village": score.region.name,
        "score": f"{score.final:.1f}",
        "period": _run_period(run),
        "rank": score.rank or "—",
        "n": count,
    }


def _read_scores(run: AssessmentRun, reading: _Reading) -> None:
    """The vetoed villages and those at the bottom are criticised, those at the top commended:
    a third of the villages at most at either end, three at most (the vetoed ones count towards
    the bottom's), never the same village."""
    scores = list(
        Score.objects.filter(run=run, organisation=None, person=None)
        .select_related("region")
        .order_by("rank", "-final", "region__code")
    )
    count = len(scores)
    for score in scores:
        if score.vetoed:
            line = _("%(village)s: vetoed in the %(period)s assessment (one-vote veto).") % {
                "village": score.region.name,
                "period": _run_period(run),
            }
            reading.problem(score.region, line)
    ranked = [s for s in scores if not s.vetoed]
    ends = min(3, count // 3) if count >= 3 else (1 if count == 2 else 0)
    top = ranked[:ends]
    # the vetoed villages are the bottom already: as many more as make up the end
    more = max(0, ends - (count - len(ranked)))
    bottom = [s for s in ranked[-more:] if s not in top] if more else []
    for score in top:
        reading.commend(score.region, _score_line(score, run, count))
    for score in bottom:
        reading.problem(score.region, _score_line(score, run, count))
    # the indicators the township as a whole earned least of (villages' lines, vetoes aside)
    catalogue.load()
    sums = (
        ScoreLine.objects.filter(score__in=[s.pk for s in scores], is_veto=False)
        .exclude(due=0)  # nothing was due: the indicator did not apply to that village
        .values("indicator")
        .annotate(points=Sum("points"), weight=Sum("weight"))
        .order_by("indicator")
    )
    shares = []
    for row in sums:
        if not row["weight"]:
            continue
        share = Decimal(row["points"]) / Decimal(row["weight"])
        if share < WEAK_SHARE:
            found = catalogue.INDICATORS.get(row["indicator"])
            label = str(found.label) if found else row["indicator"]
            shares.append((share, label))
    shares.sort()
    reading.weak = [(label, int(share * 100)) for share, label in shares[:WEAK_INDICATORS]]


def _names(villages: dict[int, str]) -> str:
    return pgettext("list separator", ", ").join(villages.values())


def _priorities(reading: _Reading, period: Period) -> list[str]:
    following = next_period(period)
    nxt = period_label(following)
    lines = []
    if reading.rectify:
        report_by = following.first + dt.timedelta(days=REPORT_BY_DAYS)
        lines.append(
            _(
                "The villages criticised above put their problems right and report to the "
                "township by %(day)s; the township re-checks each at its next visit."
            )
            % {"day": report_by.isoformat()}
        )
    if reading.not_found:
        lines.append(
            _(
                "Whoever checks in for a patrol is out on patrol: the township goes on with "
                "unannounced night checks in %(next)s."
            )
            % {"next": nxt}
        )
    for label, share in reading.weak:
        lines.append(
            _(
                "Strengthen “%(indicator)s”: across the township it earned %(share)s%% of its "
                "points in %(period)s."
            )
            % {"indicator": label, "share": share, "period": period_label(period)}
        )
    if reading.criticised:
        lines.append(
            _(
                "The township leaders in charge of %(villages)s visit them in %(next)s and help "
                "them draw up how they catch up."
            )
            % {"villages": _names(reading.criticised), "next": nxt}
        )
    if reading.commended:
        lines.append(
            _(
                "Every village learns from %(villages)s: their practice is presented at the next "
                "meeting of the township's committee."
            )
            % {"villages": _names(reading.commended)}
        )
    lines.append(
        _(
            "In %(next)s every village keeps up its patrols, the mediation of disputes and the "
            "records of both."
        )
        % {"next": nxt}
    )
    return lines


def draft_from_records(township: Region, period: Period, *, today: dt.date) -> Draft:
    """The three sections of the period's bulletin in the site's language, and the villages
    they name. Reads only."""
    reading = _Reading()
    with translation.override(settings.LANGUAGE_CODE):
        _read_findings(township, period, reading)
        _read_overdue(township, period, today, reading)
        run = village_run(township, period)
        if run is not None:
            _read_scores(run, reading)
        label = period_label(period)
        problems = _numbered(reading.problems, more=reading.problems_more) or _(
            "No prominent problem was found in %(period)s."
        ) % {"period": label}
        good = _numbered(reading.good, more=reading.good_more) or _(
            "No good practice was recorded in %(period)s."
        ) % {"period": label}
        priorities = _numbered(_priorities(reading, period))
        title = _("%(township)s bulletin on public security work, %(period)s") % {
            "township": township.name,
            "period": label,
        }
    mentions: dict[int, str] = dict.fromkeys(reading.commended, MentionKind.GOOD.value)
    mentions.update(
        dict.fromkeys(reading.criticised, MentionKind.PROBLEM.value)
    )  # criticism counts
    return Draft(
        title=title[:MAX_TITLE],
        problems=problems[:MAX_SECTION],
        good_examples=good[:MAX_SECTION],
        priorities=priorities[:MAX_SECTION],
        mentions=mentions,
    )


@transaction.atomic
def bulletin_draft_from_period(
    *, township: Region, period: Period | str, by: User, now: dt.datetime | None = None
) -> Bulletin:
    """Draft the period's bulletin from its records: the three sections written out and the
    villages they name as concerned. One draft per period at a time."""
    _township(township)
    _require(by, township)
    found = _period(period)
    assert found is not None
    now = now or timezone.now()
    today = timezone.localdate(now)
    if found.last >= today:
        raise ValidationError(
            {
                "period": _("%(period)s is not over yet: a bulletin reports on what happened.")
                % {"period": found.key}
            }
        )
    waiting = Bulletin.objects.filter(region=township, period=found.key).exclude(status=B.PUBLISHED)
    if waiting.exists():
        raise ValidationError(
            {
                "period": _(
                    "A bulletin for %(period)s is already being drafted: change that one, or "
                    "withdraw it first."
                )
                % {"period": found.key}
            }
        )
    draft = draft_from_records(township, found, today=today)
    bulletin = Bulletin(
        region=township,
        year=found.last.year,
        period=found.key,
        title=draft.title,
        problems=draft.problems,
        good_examples=draft.good_examples,
        priorities=draft.priorities,
        drafted_by=by,
    )
    _saved(bulletin, by)
    BulletinMention.objects.bulk_create(
        BulletinMention(bulletin=bulletin, region_id=pk, kind=kind)
        for pk, kind in sorted(draft.mentions.items())
    )
    return bulletin


# ---- by hand --------------------------------------------------------------------------------


def _sections(
    *, title: str, period: str, problems: str, good_examples: str, priorities: str
) -> dict[str, Any]:
    found = _period(period, required=False)
    values = {
        "title": _text(
            title, field="title", limit=MAX_TITLE, required=_("Give the bulletin a title.")
        ),
        "period": found.key if found else "",
        "problems": _text(problems, field="problems", limit=MAX_SECTION),
        "good_examples": _text(good_examples, field="good_examples", limit=MAX_SECTION),
        "priorities": _text(priorities, field="priorities", limit=MAX_SECTION),
    }
    if not (values["problems"] or values["good_examples"] or values["priorities"]):
        raise ValidationError(
            _("Write at least one section: the problems, the good examples or the priorities.")
        )
    return values


@transaction.atomic
def bulletin_create(
    *,
    township: Region,
    title: str,
    period: str = "",
    problems: str = "",
    good_examples: str = "",
    priorities: str = "",
    by: User,
    now: dt.datetime | None = None,
) -> Bulletin:
    """A bulletin written by hand, as a draft."""
    _township(township)
    _require(by, township)
    values = _sections(
        title=title,
        period=period,
        problems=problems,
        good_examples=good_examples,
        priorities=priorities,
    )
    year = timezone.localdate(now or timezone.now()).year
    bulletin = Bulletin(region=township, year=year, drafted_by=by, **values)
    _saved(bulletin, by)
    return bulletin


def _draft_only(bulletin: Bulletin) -> None:
    if bulletin.status != B.DRAFT:
        raise ValidationError(
            _("Only a draft is changed: this bulletin is %(status)s.")
            % {"status": bulletin.get_status_display()}
        )


@transaction.atomic
def bulletin_update(
    *,
    bulletin: Bulletin,
    title: str,
    period: str = "",
    problems: str = "",
    good_examples: str = "",
    priorities: str = "",
    by: User,
) -> Bulletin:
    """Change a draft's title, period and sections."""
    locked = _locked(bulletin)
    _require(by, locked.region)
    _draft_only(locked)
    values = _sections(
        title=title,
        period=period,
        problems=problems,
        good_examples=good_examples,
        priorities=priorities,
    )
    for name, value in values.items():
        setattr(locked, name, value)
    _saved(locked, by)
    return locked


# ---- the villages concerned -----------------------------------------------------------------


@transaction.atomic
def bulletin_mention_add(
    *, bulletin: Bulletin, village: Region, kind: str = MentionKind.NOTED, by: User
) -> BulletinMention:
    """Name a village of the township as concerned (criticised, commended or concerned); a
    village named already takes the new kind."""
    locked = _locked(bulletin)
    _require(by, locked.region)
    _draft_only(locked)
    if kind not in MentionKind.values:
        raise ValidationError({"kind": _("Choose how the bulletin concerns the village.")})
    if village.kind != RegionKind.VILLAGE or village.parent_id != locked.region_id:
        raise ValidationError(
            {
                "village": _(
                    "%(village)s is not a village of %(township)s: a bulletin names only the "
                    "villages of its own township."
                )
                % {"village": village.name, "township": locked.region.name}
            }
        )
    mention = BulletinMention.objects.filter(bulletin=locked, region=village).first()
    mention = mention or BulletinMention(bulletin=locked, region=village)
    mention.kind = kind
    _saved(mention, by)
    return mention


@transaction.atomic
def bulletin_mention_remove(*, bulletin: Bulletin, village: Region, by: User) -> None:
    locked = _locked(bulletin)
    _require(by, locked.region)
    _draft_only(locked)
    deleted, _rows = BulletinMention.objects.filter(bulletin=locked, region=village).delete()
    if not deleted:
        raise ValidationError(
            {"village": _("%(village)s is not named in this bulletin.") % {"village": village.name}}
        )


# ---- approval, publication, withdrawal ------------------------------------------------------


@transaction.atomic
def bulletin_approve(*, bulletin: Bulletin, by: User, now: dt.datetime | None = None) -> Bulletin:
    """A township officer other than the drafter approves the draft (four eyes)."""
    locked = _locked(bulletin)
    _require(by, locked.region)
    if locked.status != B.DRAFT:
        raise ValidationError(_("This bulletin has already been approved."))
    if locked.drafted_by_id == by.pk:
        raise ValidationError(
            _("You drafted this bulletin: another officer of the township approves it (four eyes).")
        )
    locked.status, locked.approved_by, locked.approved_at = B.APPROVED, by, now or timezone.now()
    _saved(locked, by)
    notify(
        locked.drafted_by,
        NOTICE_KIND,
        Phrase(gettext_noop("The bulletin “%(title)s” was approved."), title=locked.title),
        locked.get_absolute_url(),
    )
    return locked


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, by: User, now: dt.datetime | None = None) -> Bulletin:
    """Publish an approved bulletin: the next number of the township's series for the year of
    publication, and a message to the directors of the villages it names."""
    locked = _locked(bulletin)
    _require(by, locked.region)
    if locked.status == B.PUBLISHED:
        raise ValidationError(_("This bulletin has already been published."))
    if locked.status != B.APPROVED:
        raise ValidationError(
            _("A bulletin is published once another officer of the township has approved it.")
        )
    now = now or timezone.now()
    year = timezone.localdate(now).year
    # one publication of the township at a time: the township's row is the series' lock (the
    # unique constraint stops a second number anyway, where a database does not lock rows)
    Region.objects.select_for_update().filter(pk=locked.region_id).exists()
    last = Bulletin.objects.filter(region=locked.region_id, year=year).aggregate(n=Max("number"))
    locked.year, locked.number = year, (last["n"] or 0) + 1
    locked.status, locked.published_at = B.PUBLISHED, now
    _saved(locked, by)
    _tell_villages(locked)
    return locked


def _tell_villages(bulletin: Bulletin) -> None:
    villages = BulletinMention.objects.filter(bulletin=bulletin).values("region")
    directors = User.objects.filter(
        is_active=True, region__in=villages, roles__role=Role.VILLAGE_DIRECTOR
    ).distinct()
    message = Phrase(
        gettext_noop("The township published bulletin [%(year)s] No. %(number)s: %(title)s."),
        year=bulletin.year,
        number=bulletin.number,
        title=bulletin.title,
    )
    for director in directors:
        notify(director, NOTICE_KIND, message, bulletin.get_absolute_url())


@transaction.atomic
def bulletin_withdraw(*, bulletin: Bulletin, by: User) -> None:
    """Withdraw a bulletin not yet published: it had no number, so the series keeps no gap."""
    locked = _locked(bulletin)
    _require(by, locked.region)
    if locked.status == B.PUBLISHED:
        raise ValidationError(
            _("A published bulletin keeps its number in the series and is not withdrawn.")
        )
    locked._history_user = by
    locked.delete()
