"""Assessment schemes (考核办法) and responsibility letters (综治目标管理责任书): the writes (the
reads are in `selectors.schemes`).

A township sets, per level (villages, organisations, people), what it scores: indicators of the
catalogue (`assessment.catalogue`) with weights adding up to exactly 100 and the target at which
each earns full marks (a rate's in percent, an amount's per month), grades from a lowest score
up (the lowest starting at 0), one-vote vetoes (一票否决) and the days an appeal may be lodged.

    draft ──activate──▶ in use ──retire──▶ retired
      └───────────────retire──────────────────┘

A draft is edited; putting it in use retires the scheme in use at its level (one per township
and level). A scheme in use or retired never changes: "copy to a new draft" starts its
successor (`replaces`). Each year a village signs a letter with its own targets for indicators
of the villages' scheme in use; `scheme_spec` hands a run the scheme and those targets as plain
data. Only the township's own office writes (Perm.SUPERVISE_VILLAGES and `works_in`): others are
refused with `NotYours`. Every other refusal raises ValidationError with a translated message
and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.permissions import NotYours
from qunfang.governance.assessment import catalogue
from qunfang.governance.assessment.catalogue import INDICATORS, VETOES, Indicator, Unit
from qunfang.governance.models import (
    LetterTarget,
    Level,
    ResponsibilityLetter,
    Scheme,
    SchemeGrade,
    SchemeIndicator,
    SchemeStatus,
    SchemeVeto,
)
from qunfang.governance.selectors.schemes import (
    may_configure,
    number,
    readiness,
    scheme_in_use,
)

MAX_NAME = 100
MAX_GRADE = 20
MAX_SIGNATORY = 50
MAX_COMMITMENTS = 4000
MAX_WITHIN_DAYS = 365
MAX_APPEAL_DAYS = 60
FIRST_YEAR = 2000
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
MAX_AMOUNT = Decimal("99999999.99")  # the target column: ten digits, two after the point

DEFAULT_APPEAL_DAYS = 7
DEFAULT_NAMES = {
    Level.VILLAGE: gettext_noop("%(township)s assessment of the villages"),
    Level.ORGANISATION: gettext_noop("%(township)s assessment of the organisations"),
    Level.PERSON: gettext_noop("%(township)s assessment of the people on duty"),
}


# ---- who acts --------------------------------------------------------------------------------


def _require(by: User, township: Region) -> None:
    if not may_configure(by, township):
        raise NotYours(
            _("Assessment schemes and responsibility letters are set by the township's office.")
        )


def _saved(obj: Scheme | ResponsibilityLetter, by: User) -> None:
    obj._history_user = by
    obj.save()


# ---- checks shared by the writes -------------------------------------------------------------


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the scheme a name.")})
    if len(name) > MAX_NAME:
        raise ValidationError(
            {"name": _("The name is too long (at most %(n)s characters).") % {"n": MAX_NAME}}
        )
    return name


def _appeal_days(value: int | None) -> int:
    if value is None or not 1 <= value <= MAX_APPEAL_DAYS:
        raise ValidationError(
            {
                "appeal_days": _("An appeal may be lodged for 1 to %(n)s days.")
                % {"n": MAX_APPEAL_DAYS}
            }
        )
    return value


def _decimal(value: Any, *, field: str, message: str) -> Decimal:
    """`value` as a Decimal of at most two decimal places, else refused with `message`."""
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: message}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field: message})
    return amount.quantize(CENT)


def _weight(value: Any) -> Decimal:
    weight = _decimal(
        value, field="weight", message=_("Give the weight as a number, at most two decimals.")
    )
    if not ZERO < weight <= HUNDRED:
        raise ValidationError({"weight": _("A weight is more than 0 and at most 100.")})
    return weight


def _target(value: Any, item: Indicator, *, field: str = "target") -> Decimal:
    """A target for `item`: more than 0; a rate's a percentage (at most 100)."""
    label = str(item.label)
    target = _decimal(
        value,
        field=field,
        message=_("Give the target for “%(indicator)s” as a number, at most two decimals.")
        % {"indicator": label},
    )
    if target <= ZERO:
        raise ValidationError(
            {field: _("The target for “%(indicator)s” must be more than 0.") % {"indicator": label}}
        )
    if item.unit == Unit.RATE and target > HUNDRED:
        raise ValidationError(
            {
                field: _("The target for “%(indicator)s” is a percentage: at most 100.")
                % {"indicator": label}
            }
        )
    if target > MAX_AMOUNT:
        raise ValidationError(
            {field: _("The target for “%(indicator)s” is too large.") % {"indicator": label}}
        )
    return target


def _within_days(value: int | None, item: Indicator) -> int | None:
    if item.default_within_days is None:
        if value is not None:
            raise ValidationError(
                {
                    "within_days": _("“%(indicator)s” has no time limit to set.")
                    % {"indicator": str(item.label)}
                }
            )
        return None
    if value is None:
        return item.default_within_days
    if not 1 <= value <= MAX_WITHIN_DAYS:
        raise ValidationError(
            {"within_days": _("The time limit is 1 to %(n)s days.") % {"n": MAX_WITHIN_DAYS}}
        )
    return value


def _indicator(code: str) -> Indicator:
    catalogue.load()
    item = INDICATORS.get(code or "")
    if item is None:
        raise ValidationError({"indicator": _("Choose an indicator from the list.")})
    return item


def _township(region: Region) -> Region:
    if region.kind != RegionKind.TOWNSHIP:
        raise ValidationError(
            _("%(region)s is not a township: assessment schemes are set by a township.")
            % {"region": region.name}
        )
    return region


def _lock_draft(scheme: Scheme) -> Scheme:
    """The scheme, locked, when it is a draft; else refused: it is copied to change it."""
    locked = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    if locked.status == SchemeStatus.ACTIVE:
        raise ValidationError(
            _("“%(name)s” is in use and no longer changes: copy it to a new draft to change it.")
            % {"name": locked.name}
        )
    if locked.status == SchemeStatus.RETIRED:
        raise ValidationError(
            _("“%(name)s” is retired and no longer changes: copy it to a new draft to change it.")
            % {"name": locked.name}
        )
    return locked


# ---- schemes -----------------------------------------------------------------------------------


@transaction.atomic
def scheme_create(
    *, township: Region, name: str, level: str, appeal_days: int | None, by: User
) -> Scheme:
    """A new draft scheme of the township at `level`."""
    _township(township)
    _require(by, township)
    if level not in Level.values:
        raise ValidationError({"level": _("Choose whom the scheme scores.")})
    scheme = Scheme(
        region=township,
        name=_name(name),
        level=level,
        appeal_days=_appeal_days(appeal_days),
        created_by=by,
    )
    _saved(scheme, by)
    return scheme


@transaction.atomic
def scheme_edit(*, scheme: Scheme, name: str, appeal_days: int | None, by: User) -> Scheme:
    """Rename a draft, or change its days to lodge an appeal."""
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    locked.name, locked.appeal_days = _name(name), _appeal_days(appeal_days)
    _saved(locked, by)
    return locked


@transaction.atomic
def scheme_indicator_set(
    *,
    scheme: Scheme,
    code: str,
    weight: Any,
    target: Any = None,
    within_days: int | None = None,
    by: User,
) -> SchemeIndicator:
    """Add an indicator to a draft, or change its weight, target and time limit. Without a
    target, the catalogue's; without a time limit (for an indicator that has one), its
    default."""
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    item = _indicator(code)
    values = {
        "weight": _weight(weight),
        "target": _target(item.default_target if target is None else target, item),
        "within_days": _within_days(within_days, item),
    }
    row, _created = SchemeIndicator.objects.update_or_create(
        scheme=locked, indicator=item.code, defaults=values
    )
    return row


@transaction.atomic
def scheme_indicator_remove(*, scheme: Scheme, code: str, by: User) -> None:
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    deleted, _rows = SchemeIndicator.objects.filter(scheme=locked, indicator=code).delete()
    if not deleted:
        raise ValidationError(_("This indicator is not in the scheme."))


@transaction.atomic
def scheme_grade_add(*, scheme: Scheme, label: str, min_score: Any, by: User) -> SchemeGrade:
    """A grade from `min_score` up (to the next grade's); the lowest must start at 0."""
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    text = (label or "").strip()
    if not text:
        raise ValidationError({"label": _("Name the grade (优秀, 良好, 合格…).")})
    if len(text) > MAX_GRADE:
        raise ValidationError(
            {"label": _("The name is too long (at most %(n)s characters).") % {"n": MAX_GRADE}}
        )
    score = _decimal(
        min_score,
        field="min_score",
        message=_("Give the score as a number, at most two decimals."),
    )
    if not ZERO <= score <= HUNDRED:
        raise ValidationError({"min_score": _("A grade starts at a score from 0 to 100.")})
    grades = SchemeGrade.objects.filter(scheme=locked)
    if grades.filter(label=text).exists():
        raise ValidationError(
            {"label": _("The scheme already has the grade “%(grade)s”.") % {"grade": text}}
        )
    same = grades.filter(min_score=score).first()
    if same is not None:
        raise ValidationError(
            {
                "min_score": _("The grade “%(grade)s” already starts at %(score)s.")
                % {"grade": same.label, "score": number(score)}
            }
        )
    return SchemeGrade.objects.create(scheme=locked, label=text, min_score=score)


@transaction.atomic
def scheme_grade_remove(*, scheme: Scheme, grade_id: int, by: User) -> None:
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    deleted, _rows = SchemeGrade.objects.filter(scheme=locked, pk=grade_id).delete()
    if not deleted:
        raise ValidationError(_("This grade is not in the scheme."))


@transaction.atomic
def scheme_veto_add(*, scheme: Scheme, code: str, by: User) -> SchemeVeto:
    """A one-vote veto (一票否决): whoever it hits is put in the lowest grade."""
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    catalogue.load()
    if code not in VETOES:
        raise ValidationError({"veto": _("Choose a veto item from the list.")})
    if SchemeVeto.objects.filter(scheme=locked, veto=code).exists():
        raise ValidationError(
            {"veto": _("“%(veto)s” is already in the scheme.") % {"veto": str(VETOES[code].label)}}
        )
    return SchemeVeto.objects.create(scheme=locked, veto=code)


@transaction.atomic
def scheme_veto_remove(*, scheme: Scheme, code: str, by: User) -> None:
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    deleted, _rows = SchemeVeto.objects.filter(scheme=locked, veto=code).delete()
    if not deleted:
        raise ValidationError(_("This veto item is not in the scheme."))


@transaction.atomic
def scheme_activate(*, scheme: Scheme, by: User) -> Scheme:
    """Put a draft in use: refused unless it has an indicator, its weights add up to exactly
    100 and a grade starts at 0. The scheme in use at its level, if any, is retired."""
    _require(by, scheme.region)
    locked = _lock_draft(scheme)
    problems = readiness(locked)
    if problems:
        raise ValidationError(problems)
    previous = Scheme.objects.select_for_update(of=("self",)).filter(
        region=locked.region_id, level=locked.level, status=SchemeStatus.ACTIVE
    )
    for old in previous:
        old.status = SchemeStatus.RETIRED
        _saved(old, by)
    locked.status = SchemeStatus.ACTIVE
    try:
        with transaction.atomic():  # another scheme put in use at the same instant
            _saved(locked, by)
    except IntegrityError:
        raise ValidationError(
            _("Another scheme was put in use at this level just now: reload the page.")
        ) from None
    return locked


@transaction.atomic
def scheme_retire(*, scheme: Scheme, by: User) -> Scheme:
    """Retire a scheme in use (the township then has none at its level until it puts one in
    use), or set a draft aside."""
    _require(by, scheme.region)
    locked = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    if locked.status == SchemeStatus.RETIRED:
        raise ValidationError(_("“%(name)s” is already retired.") % {"name": locked.name})
    locked.status = SchemeStatus.RETIRED
    _saved(locked, by)
    return locked


@transaction.atomic
def scheme_copy(*, scheme: Scheme, by: User) -> Scheme:
    """A new draft with the scheme's indicators, grades and vetoes, replacing it once in use."""
    _require(by, scheme.region)
    source = Scheme.objects.get(pk=scheme.pk)
    draft = Scheme(
        region=source.region,
        name=source.name,
        level=source.level,
        appeal_days=source.appeal_days,
        replaces=source,
        created_by=by,
    )
    _saved(draft, by)
    SchemeIndicator.objects.bulk_create(
        SchemeIndicator(
            scheme=draft,
            indicator=i.indicator,
            weight=i.weight,
            target=i.target,
            within_days=i.within_days,
        )
        for i in SchemeIndicator.objects.filter(scheme=source)
    )
    SchemeGrade.objects.bulk_create(
        SchemeGrade(scheme=draft, label=g.label, min_score=g.min_score)
        for g in SchemeGrade.objects.filter(scheme=source)
    )
    SchemeVeto.objects.bulk_create(
        SchemeVeto(scheme=draft, veto=v.veto) for v in SchemeVeto.objects.filter(scheme=source)
    )
    return draft


# ---- the defaults ------------------------------------------------------------------------------


def even_weights(n: int) -> list[Decimal]:
    """`n` whole weights adding up to 100, the larger ones first (3: 34, 33, 33)."""
    if n <= 0:
        return []
    base, extra = divmod(100, n)
    return [Decimal(base + (1 if k < extra else 0)) for k in range(n)]


def default_codes(level: str) -> list[str]:
    """The catalogue's indicators a default scheme at `level` scores: every one for the
    villages; for organisations and people the rates only (a rate does not apply where nothing
    was due, while an amount — hours of training, say — would count a zero against every
    organisation or person it is not about)."""
    catalogue.load()
    return sorted(
        code
        for code, item in INDICATORS.items()
        if level == Level.VILLAGE or item.unit == Unit.RATE
    )


def default_grades() -> list[tuple[str, Decimal]]:
    return [
        (pgettext("grade", "Excellent"), Decimal(90)),
        (pgettext("grade", "Good"), Decimal(80)),
        (pgettext("grade", "Pass"), Decimal(60)),
        (pgettext("grade", "Fail"), ZERO),
    ]


@transaction.atomic
def default_schemes(township: Region, by: User) -> list[Scheme]:
    """A scheme in use at every level where the township has none, from the catalogue: its
    indicators with even weights (adding up to 100) and their default targets and time limits,
    the grades 优秀 90, 良好 80, 合格 60, 不合格 0, every veto item, 7 days to appeal. Levels with
    a scheme in use are left as they are; returns the schemes made (none when every level has
    one). Texts in the site's language: from then on they are the township's own."""
    _township(township)
    _require(by, township)
    catalogue.load()
    made: list[Scheme] = []
    with translation.override(settings.LANGUAGE_CODE):
        grades = default_grades()
        for level in Level.values:
            codes = default_codes(level)
            if not codes or scheme_in_use(township.pk, level) is not None:
                continue
            scheme = Scheme(
                region=township,
                name=_(DEFAULT_NAMES[Level(level)]) % {"township": township.name},
                level=level,
                status=SchemeStatus.ACTIVE,
                appeal_days=DEFAULT_APPEAL_DAYS,
                created_by=by,
            )
            _saved(scheme, by)
            SchemeIndicator.objects.bulk_create(
                SchemeIndicator(
                    scheme=scheme,
                    indicator=code,
                    weight=weight,
                    target=INDICATORS[code].default_target,
                    within_days=INDICATORS[code].default_within_days,
                )
                for code, weight in zip(codes, even_weights(len(codes)), strict=True)
            )
            SchemeGrade.objects.bulk_create(
                SchemeGrade(scheme=scheme, label=label, min_score=score) for label, score in grades
            )
            SchemeVeto.objects.bulk_create(
                SchemeVeto(scheme=scheme, veto=code) for code in sorted(VETOES)
            )
            made.append(scheme)
    return made


# ---- what a run reads ---------------------------------------------------------------------------


def scheme_spec(scheme: Scheme, year: int) -> dict[str, Any]:
    """The scheme as plain data for a run, with the targets the township's villages signed for
    `year` (only for the scheme's indicators): decimals as strings.

    {"scheme": id, "name", "level", "appeal_days",
     "indicators": [{"code", "weight", "target", "within_days"}],
     "grades": [{"label", "min_score"}], "vetoes": [codes],
     "targets": {"<village id>": {"<code>": "<target>"}}}"""
    indicators = list(
        SchemeIndicator.objects.filter(scheme=scheme).order_by("-weight", "indicator")
    )
    codes = [i.indicator for i in indicators]
    targets: dict[str, dict[str, str]] = {}
    signed = (
        LetterTarget.objects.filter(
            letter__year=year, letter__region__parent=scheme.region_id, indicator__in=codes
        )
        .order_by("letter__region_id", "indicator")
        .values_list("letter__region_id", "indicator", "target")
    )
    for village, code, target in signed:
        targets.setdefault(str(village), {})[code] = str(target)
    return {
        "scheme": scheme.pk,
        "name": scheme.name,
        "level": scheme.level,
        "appeal_days": scheme.appeal_days,
        "indicators": [
            {
                "code": i.indicator,
                "weight": str(i.weight),
                "target": str(i.target),
                "within_days": i.within_days,
            }
            for i in indicators
        ],
        "grades": [
            {"label": g.label, "min_score": str(g.min_score)}
            for g in SchemeGrade.objects.filter(scheme=scheme).order_by("-min_score")
        ],
        "vetoes": list(
            SchemeVeto.objects.filter(scheme=scheme).order_by("veto").values_list("veto", flat=True)
        ),
        "targets": targets,
    }


# ---- responsibility letters ---------------------------------------------------------------------


@dataclass(frozen=True)
class LetterDetails:
    """What a letter says: when and by whom it was signed, the other commitments, and the
    village's own targets by indicator code (an indicator left out takes the scheme's)."""

    signed_on: dt.date | None = None
    village_signatory: str = ""
    township_signatory: str = ""
    commitments: str = ""
    targets: Mapping[str, Any] = field(default_factory=dict)


def _short(value: str, *, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError({field: _("Keep it to %(n)s characters at most.") % {"n": limit}})
    return text


def _letter_targets(village: Region, targets: Mapping[str, Any]) -> dict[str, Decimal]:
    """The targets checked against the villages' scheme in use of the village's township."""
    given = {code: value for code, value in targets.items() if value not in (None, "")}
    if not given:
        return {}
    scheme = scheme_in_use(village.parent_id or 0, Level.VILLAGE)
    if scheme is None:
        raise ValidationError(
            _(
                "The township has no scheme in use for its villages: targets are set for the "
                "indicators of that scheme, once it has one."
            )
        )
    in_scheme = set(
        SchemeIndicator.objects.filter(scheme=scheme).values_list("indicator", flat=True)
    )
    catalogue.load()
    checked: dict[str, Decimal] = {}
    for code in sorted(given):
        item = INDICATORS.get(code)
        if code not in in_scheme or item is None:
            raise ValidationError(
                _(
                    "“%(indicator)s” is not an indicator of the villages' scheme in use "
                    "“%(scheme)s”."
                )
                % {"indicator": str(item.label) if item else code, "scheme": scheme.name}
            )
        checked[code] = _target(given[code], item, field=f"target_{code}")
    return checked


def _check_letter(details: LetterDetails, village: Region, year: int) -> dict[str, Any]:
    signed = details.signed_on
    if signed is not None and signed > timezone.localdate():
        raise ValidationError({"signed_on": _("The date is in the future.")})
    if signed is not None and not year - 1 <= signed.year <= year:
        raise ValidationError(
            {
                "signed_on": _(
                    "A letter for %(year)s is signed in %(year)s or in the year before it."
                )
                % {"year": year}
            }
        )
    targets = _letter_targets(village, details.targets)
    if signed is not None:
        # what was signed holds: the scheme's targets at signing are written into the letter,
        # so a later change of the scheme does not change the terms the village signed
        targets = {**_scheme_targets(village), **targets}
    return {
        "signed_on": details.signed_on,
        "village_signatory": _short(
            details.village_signatory, field="village_signatory", limit=MAX_SIGNATORY
        ),
        "township_signatory": _short(
            details.township_signatory, field="township_signatory", limit=MAX_SIGNATORY
        ),
        "commitments": _short(details.commitments, field="commitments", limit=MAX_COMMITMENTS),
        "targets": targets,
    }


def _scheme_targets(village: Region) -> dict[str, Decimal]:
    """The targets of the villages' scheme in use of the village's township, by indicator."""
    scheme = scheme_in_use(village.parent_id or 0, Level.VILLAGE)
    if scheme is None:
        return {}
    return dict(
        SchemeIndicator.objects.filter(scheme=scheme, target__isnull=False).values_list(
            "indicator", "target"
        )
    )


def _write_targets(letter: ResponsibilityLetter, targets: dict[str, Decimal], by: User) -> None:
    """The letter's targets become exactly `targets` (history kept per target)."""
    current = {t.indicator: t for t in LetterTarget.objects.filter(letter=letter)}
    for code, row in current.items():
        if code not in targets:
            row._history_user = by
            row.delete()
    for code, value in targets.items():
        row_or_none = current.get(code)
        if row_or_none is not None and row_or_none.target == value:
            continue
        row = row_or_none or LetterTarget(letter=letter, indicator=code)
        row.target = value
        row._history_user = by
        row.save()


@transaction.atomic
def letter_create(
    *, village: Region, year: int | None, details: LetterDetails, by: User
) -> ResponsibilityLetter:
    """The village's responsibility letter for `year` (one a year)."""
    if village.kind != RegionKind.VILLAGE or village.parent is None:
        raise ValidationError({"village": _("A responsibility letter is signed by a village.")})
    _require(by, village.parent)
    last = timezone.localdate().year + 1
    if year is None or not FIRST_YEAR <= year <= last:
        raise ValidationError(
            {
                "year": _("Give a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": last}
            }
        )
    values = _check_letter(details, village, year)
    if ResponsibilityLetter.objects.filter(region=village, year=year).exists():
        raise ValidationError({"year": letter_exists_message(village, year)})
    targets = values.pop("targets")
    letter = ResponsibilityLetter(region=village, year=year, created_by=by, **values)
    try:
        with transaction.atomic():  # the same letter drawn up at the same instant
            _saved(letter, by)
    except IntegrityError:
        raise ValidationError({"year": letter_exists_message(village, year)}) from None
    _write_targets(letter, targets, by)
    return letter


def letter_exists_message(village: Region, year: int) -> str:
    return _("%(village)s already has a responsibility letter for %(year)s: edit that one.") % {
        "village": village.name,
        "year": year,
    }


@transaction.atomic
def letter_edit(
    *, letter: ResponsibilityLetter, details: LetterDetails, by: User
) -> ResponsibilityLetter:
    """Change what a letter says; its targets become those given."""
    village = letter.region
    if village.parent is None:
        raise ValidationError(_("A responsibility letter is signed by a village."))
    _require(by, village.parent)
    locked = ResponsibilityLetter.objects.select_for_update(of=("self",)).get(pk=letter.pk)
    values = _check_letter(details, village, locked.year)
    targets = values.pop("targets")
    for name, value in values.items():
        setattr(locked, name, value)
    _saved(locked, by)
    _write_targets(locked, targets, by)
    return locked
