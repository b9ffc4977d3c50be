"""Reads of the assessment schemes (考核办法) and the responsibility letters (综治目标管理责任书).

A scheme belongs to its township: the township's accounts (and the county's above it) see all
of its schemes, drafts too; the accounts of its villages read the schemes that are or were in
use (never a draft, the township's working paper), since those are what their villages are
assessed by. Another township's schemes are never seen. A letter belongs to its village and is
read from `.visible_to(user)`: the township sees all of its villages' letters, a village its
own. The catalogue (`assessment.catalogue`) gives each code its label, explanation and unit.
The writes are in `services.schemes`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.core.scoping import scope_filter
from qunfang.governance.assessment import catalogue
from qunfang.governance.assessment.catalogue import INDICATORS, VETOES, Indicator, Unit
from qunfang.governance.models import (
    LetterTarget,
    ResponsibilityLetter,
    Scheme,
    SchemeGrade,
    SchemeIndicator,
    SchemeStatus,
    SchemeVeto,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def number(value: Decimal) -> str:
    """A decimal as people write it: 95, 12.5, 33.33 (no trailing zeros, never 1E+2)."""
    return format(value.normalize(), "f")


# ---- who sees which scheme ------------------------------------------------------------------


def _ancestor_paths(region: Region) -> list[str]:
    """The paths of the regions above `region` (a village's: its county's and township's)."""
    codes = region.path.strip("/").split("/")
    return ["".join(f"{c}/" for c in codes[:k]) for k in range(1, len(codes))]


def schemes_visible(user: User) -> QuerySet[Scheme]:
    """The schemes the user reads: every scheme of the townships in the user's jurisdiction;
    for a village's accounts, their township's schemes that are or were in use."""
    own = scope_filter(Scheme, user)
    region = user.region if user.is_active and user.region_id else None
    if region is None or user.is_system_admin or region.kind != RegionKind.VILLAGE:
        return Scheme.objects.filter(own)
    townships = Region.objects.filter(path__in=_ancestor_paths(region), kind=RegionKind.TOWNSHIP)
    above = Q(region__in=townships.values("pk")) & ~Q(status=SchemeStatus.DRAFT)
    return Scheme.objects.filter(own | above)


def may_configure(user: User, township: Region | None = None) -> bool:
    """Sets schemes and letters (of `township`, when given): the township's own office."""
    if not (user.is_active and user.can(Perm.SUPERVISE_VILLAGES)):
        return False
    return township is None or user.works_in(township)


def configured_townships(user: User) -> list[Region]:
    """The townships whose schemes and letters the user sets, in tree order."""
    if not (user.is_active and user.can(Perm.SUPERVISE_VILLAGES)):
        return []
    return [
        t
        for t in Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")
        if user.works_in(t)
    ]


def townships_read(user: User) -> list[Region]:
    """The townships whose schemes the user reads: their own, or the one above their village."""
    townships = list(
        Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")
    )
    if townships or not user.region_id or user.region is None:
        return townships
    return list(
        Region.objects.filter(
            path__in=_ancestor_paths(user.region), kind=RegionKind.TOWNSHIP
        ).order_by("path")
    )


# ---- the schemes list -----------------------------------------------------------------------


def scheme_list(
    user: User, *, township: Region | None = None, level: str = "", status: str = ""
) -> QuerySet[Scheme]:
    """The schemes the user reads, township by township and level by level, the one in use
    first; each with its number of indicators (`indicator_count`) and their weights' sum
    (`weight_total`), in the same query."""
    indicators = SchemeIndicator.objects.filter(scheme=OuterRef("pk")).order_by().values("scheme")
    count = indicators.annotate(n=Count("pk")).values("n")
    total = indicators.annotate(total=Sum("weight")).values("total")
    schemes = schemes_visible(user).select_related("region", "replaces")
    if township is not None:
        schemes = schemes.filter(region=township)
    if level:
        schemes = schemes.filter(level=level)
    if status:
        schemes = schemes.filter(status=status)
    return schemes.annotate(
        indicator_count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        weight_total=Coalesce(
            Subquery(total, output_field=DecimalField(max_digits=7, decimal_places=2)),
            ZERO,
            output_field=DecimalField(max_digits=7, decimal_places=2),
        ),
    ).order_by("region__path", "level", "status", "-created_at", "-pk")


def scheme_for_detail(user: User) -> QuerySet[Scheme]:
    return schemes_visible(user).select_related("region", "replaces", "created_by")


def scheme_in_use(township_id: int, level: str) -> Scheme | None:
    """The township's scheme in use at `level` (at most one: a database constraint)."""
    return Scheme.objects.filter(
        region_id=township_id, level=level, status=SchemeStatus.ACTIVE
    ).first()


# ---- one scheme, with the catalogue ----------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of a scheme (or of the catalogue, without weight and target)."""

    code: str
    label: str
    explanation: str
    unit: str  # Unit value, "" when the code is no longer in the catalogue
    unit_label: str
    has_time_limit: bool
    default_target: Decimal | None
    default_within_days: int | None
    weight: Decimal | None = None
    target: Decimal | None = None
    within_days: int | None = None

    @property
    def known(self) -> bool:
        return bool(self.unit)

    @property
    def is_rate(self) -> bool:
        return self.unit == Unit.RATE

    def target_text(self, target: Decimal | None = None) -> str:
        """ "95%" for a rate, "4 hours a month" for an amount."""
        value = self.target if target is None else target
        return target_text(self.unit, value, self.unit_label)

    @property
    def default_text(self) -> str:
        return self.target_text(self.default_target)

    @property
    def unit_text(self) -> str:
        """What the target is: "a percentage" for a rate, "hours a month" for an amount."""
        if self.unit == Unit.RATE:
            return _("rate (%)")
        if self.unit_label:
            return _("%(unit)s a month") % {"unit": self.unit_label}
        return _("amount a month") if self.unit else ""


def target_text(unit: str, value: Decimal | None, unit_label: str = "") -> str:
    if value is None:
        return "—"
    if unit == Unit.RATE:
        return _("%(n)s%%") % {"n": number(value)}
    if unit_label:
        return _("%(n)s %(unit)s a month") % {"n": number(value), "unit": unit_label}
    return _("%(n)s a month") % {"n": number(value)}


def _text(value: Promise | str | None) -> str:
    return str(value) if value is not None else ""


def indicator_row(code: str, **values: Any) -> IndicatorRow:
    """A code with what the catalogue says of it (a code it no longer has: the code itself)."""
    catalogue.load()
    item: Indicator | None = INDICATORS.get(code)
    if item is None:
        return IndicatorRow(code, code, "", "", "", False, None, None, **values)
    return IndicatorRow(
        code=code,
        label=str(item.label),
        explanation=str(item.explanation),
        unit=str(item.unit),
        unit_label=_text(item.unit_label),
        has_time_limit=item.default_within_days is not None,
        default_target=item.default_target,
        default_within_days=item.default_within_days,
        **values,
    )


@dataclass(frozen=True)
class VetoRow:
    code: str
    label: str
    explanation: str
    known: bool


def veto_row(code: str) -> VetoRow:
    catalogue.load()
    item = VETOES.get(code)
    if item is None:
        return VetoRow(code, code, "", False)
    return VetoRow(code, str(item.label), str(item.explanation), True)


def catalogue_indicators() -> list[IndicatorRow]:
    """Every indicator the system measures, by label."""
    catalogue.load()
    return sorted((indicator_row(code) for code in INDICATORS), key=lambda r: r.label)


def catalogue_vetoes() -> list[VetoRow]:
    catalogue.load()
    return sorted((veto_row(code) for code in VETOES), key=lambda r: r.label)


@dataclass
class SchemeParts:
    indicators: list[IndicatorRow]
    grades: list[SchemeGrade]
    vetoes: list[VetoRow]

    @property
    def weight_total(self) -> Decimal:
        return sum((row.weight or ZERO for row in self.indicators), ZERO)

    @property
    def codes(self) -> set[str]:
        return {row.code for row in self.indicators}

    @property
    def veto_codes(self) -> set[str]:
        return {row.code for row in self.vetoes}


def scheme_parts(scheme: Scheme) -> SchemeParts:
    """The scheme's indicators (heaviest first), grades (highest first) and vetoes. Three
    queries."""
    indicators = scheme_parts_indicators(scheme)
    grades = list(SchemeGrade.objects.filter(scheme=scheme).order_by("-min_score"))
    vetoes = [veto_row(v.veto) for v in SchemeVeto.objects.filter(scheme=scheme).order_by("veto")]
    return SchemeParts(indicators, grades, vetoes)


def readiness(scheme: Scheme, parts: SchemeParts | None = None) -> list[str]:
    """What stops the draft from being put in use, one sentence each; empty when nothing does:
    at least one indicator, the weights adding up to exactly 100, a grade starting at 0, every
    indicator and veto still measured by the system."""
    parts = parts or scheme_parts(scheme)
    problems: list[str] = []
    if not parts.indicators:
        problems.append(_("Add at least one indicator before putting the scheme in use."))
    elif parts.weight_total != HUNDRED:
        problems.append(
            _("The weights add up to %(total)s: they must add up to exactly 100.")
            % {"total": number(parts.weight_total)}
        )
    if not any(grade.min_score == ZERO for grade in parts.grades):
        problems.append(_("The grades must include one that starts at 0 (the lowest grade)."))
    for row in parts.indicators:
        if not row.known:
            problems.append(
                _("The indicator “%(code)s” is no longer measured by this system: remove it.")
                % {"code": row.code}
            )
    for veto in parts.vetoes:
        if not veto.known:
            problems.append(
                _("The veto item “%(code)s” is no longer checked by this system: remove it.")
                % {"code": veto.code}
            )
    return problems


# ---- responsibility letters ----------------------------------------------------------------


def letter_list(
    user: User, *, village: Region | None = None, year: int | None = None
) -> QuerySet[ResponsibilityLetter]:
    """The letters the user sees, newest year first, village by village; each with its number
    of targets (`target_count`), in the same query."""
    letters = ResponsibilityLetter.objects.visible_to(user).select_related("region")
    if village is not None:
        letters = letters.filter(region=village)
    if year is not None:
        letters = letters.filter(year=year)
    return letters.annotate(target_count=Count("targets")).order_by("-year", "region__path")


def letter_for_detail(user: User) -> QuerySet[ResponsibilityLetter]:
    return ResponsibilityLetter.objects.visible_to(user).select_related(
        "region__parent", "created_by"
    )


def villages_without_letter(user: User, year: int) -> list[Region]:
    """The user's villages (of a township) that have no letter for `year`. One query."""
    signed = ResponsibilityLetter.objects.filter(year=year).values("region")
    return list(
        Region.objects.visible_to(user)
        .filter(kind=RegionKind.VILLAGE, parent__kind=RegionKind.TOWNSHIP)
        .exclude(pk__in=signed)
        .order_by("path")
    )


def letter_villages(user: User) -> QuerySet[Region]:
    """The villages whose letters the user draws up: those of the user's townships."""
    townships = [t.pk for t in configured_townships(user)]
    return Region.objects.filter(kind=RegionKind.VILLAGE, parent__in=townships).order_by("path")


@dataclass(frozen=True)
class TargetRow:
    """One line of a letter: an indicator, the scheme's target and the village's own."""

    indicator: IndicatorRow
    own: Decimal | None
    in_scheme: bool

    @property
    def applies(self) -> Decimal | None:
        return self.own if self.own is not None else self.indicator.target

    @property
    def own_text(self) -> str:
        return self.indicator.target_text(self.own) if self.own is not None else ""


def letter_targets(letter: ResponsibilityLetter, scheme: Scheme | None) -> list[TargetRow]:
    """The letter's lines: every indicator of the villages' scheme in use (with the village's
    own target where the letter sets one), then the letter's targets for indicators no longer
    in it. Two queries."""
    own = {t.indicator: t.target for t in LetterTarget.objects.filter(letter=letter)}
    rows = []
    parts = scheme_parts_indicators(scheme) if scheme is not None else []
    for row in parts:
        rows.append(TargetRow(row, own.pop(row.code, None), True))
    for code in sorted(own):
        rows.append(TargetRow(indicator_row(code), own[code], False))
    return rows


def scheme_parts_indicators(scheme: Scheme) -> list[IndicatorRow]:
    """The scheme's indicators alone (heaviest first). One query."""
    return [
        indicator_row(i.indicator, weight=i.weight, target=i.target, within_days=i.within_days)
        for i in SchemeIndicator.objects.filter(scheme=scheme).order_by("-weight", "indicator")
    ]
