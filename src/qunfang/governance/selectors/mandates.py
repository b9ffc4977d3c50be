"""Reads of the division of work (职责分工): a township's mandates and which kind of organisation
owns each case and dispute type, whom a new case or mediation is offered to first, and the flags
(a type nobody owns, a village where the owning organisation has nobody to take it).

Mandates and ownerships belong to the township and are read by its villages too (the models'
`also_visible_via`), so the pages start from `.visible_to(user)`. The owner lookups take a
village or township the caller has already reached through its scope (a form's village, a
case's), as the casebook's hook calls them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qunfang.casebook.models import CaseType, DisputeType
from qunfang.casebook.selectors.cases import FirstOffer
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.core.selectors import villages_visible
from qunfang.governance.models.mandates import Mandate, Ownership
from qunfang.governance.models.rules import RuleKind
from qunfang.governance.reference import DEFAULT_MANDATES
from qunfang.registry.models import Membership, Organisation, OrgKind, OrgStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CASE = "case"
DISPUTE = "dispute"
SHOWN_TYPES = 3  # a flag names this many types, then "…"


# ---- the division of work ----------------------------------------------------------------------


@dataclass(frozen=True)
class Division:
    """Which kind of organisation owns each type in a township: its own ownerships once it has
    set anything (a mandate or an ownership), else the defaults (`reference.py`)."""

    configured: bool
    case_types: dict[str, str]  # CaseType code -> OrgKind
    disputes: dict[str, str]  # DisputeType -> OrgKind

    def owner(self, what: str, code: str) -> str | None:
        return (self.case_types if what == CASE else self.disputes).get(code)

    def kinds(self) -> set[str]:
        return set(self.case_types.values()) | set(self.disputes.values())


def default_division() -> Division:
    return Division(
        configured=False,
        case_types={code: d.org_kind for d in DEFAULT_MANDATES for code in d.case_types},
        disputes={code: d.org_kind for d in DEFAULT_MANDATES for code in d.dispute_types},
    )


def divisions(township_ids: Iterable[int]) -> dict[int, Division]:
    """Each township's division of work, in one query whatever their number: its ownerships,
    and one line for each mandate (a township that set one has configured its division)."""
    ids = set(township_ids)
    if not ids:
        return {}
    ownerships = (
        Ownership.objects.filter(region_id__in=ids)
        .order_by()  # a compound statement's parts take no ordering of their own
        .values_list("region_id", "org_kind", "case_type__code", "dispute_type")
    )
    mandates = (
        Mandate.objects.filter(region_id__in=ids)
        .order_by()
        .annotate(
            no_kind=Value(""),
            no_case=Value(None, output_field=CharField()),
            no_dispute=Value(""),
        )
        .values_list("region_id", "no_kind", "no_case", "no_dispute")
    )
    found: dict[int, Division] = {}
    for region_id, kind, case_code, dispute in ownerships.union(mandates, all=True):
        division = found.setdefault(region_id, Division(True, {}, {}))
        if case_code:
            division.case_types[case_code] = kind
        elif dispute:
            division.disputes[dispute] = kind
    # a township that set its mandates but gave nothing away owns nothing: no defaults then
    return {i: found.get(i) or default_division() for i in ids}


def division_of(township: Region) -> Division:
    return divisions([township.pk])[township.pk]


def owning_kind(
    township: Region, case_type: CaseType | None = None, dispute_type: str | None = None
) -> str | None:
    """The kind of organisation (an `OrgKind` value) that owns the type in the township's
    villages, or None when nobody does. Before the township has set anything, the defaults."""
    return _owner(divisions([township.pk])[township.pk], case_type, dispute_type)


def _owner(division: Division, case_type: CaseType | None, dispute_type: str | None) -> str | None:
    if case_type is not None:
        return division.owner(CASE, case_type.code)
    if dispute_type:
        return division.owner(DISPUTE, dispute_type)
    return None


def owning_people(village: Region, org_kind: str) -> QuerySet[User]:
    """The active accounts of the people (`registry.Person.account`) holding an open membership
    on a post of one of the village's organisations of that kind (not dissolved)."""
    holding = (
        Membership.objects.filter(
            ended_on__isnull=True,
            post__organisation__region=village,
            post__organisation__kind=org_kind,
        )
        .exclude(post__organisation__status=OrgStatus.DISSOLVED)
        .values("person__account_id")
    )
    return User.objects.filter(is_active=True, pk__in=holding).order_by("full_name", "username")


def first_offer(
    village: Region,
    *,
    case_type: CaseType | None = None,
    dispute_type: str = "",
    people: bool = True,
) -> FirstOffer:
    """The casebook's hook (`casebook.selectors.cases.FIRST_OFFER`): the organisation that owns
    the type in the village's township and the accounts of its people in the village."""
    township_id = village.parent_id
    kind = (
        _owner(divisions([township_id])[township_id], case_type, dispute_type or None)
        if township_id is not None
        else None
    )
    if kind is None:
        return FirstOffer(owner=None, accounts=frozenset())
    accounts = (
        frozenset(owning_people(village, kind).values_list("pk", flat=True))
        if people
        else frozenset()
    )
    return FirstOffer(owner=OrgKind(kind).label, accounts=accounts)


# ---- which townships a user reads --------------------------------------------------------------


def townships_for(user: User) -> list[Region]:
    """The townships whose mandates the user reads, in tree order: a village's accounts read
    their township's, a township's its own, the county's every one under it."""
    return list(
        Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")
    ) or list(
        Region.objects.filter(
            kind=RegionKind.TOWNSHIP, children__in=villages_visible(user=user)
        ).distinct()
    )


def sets_mandates(user: User, township: Region) -> bool:
    """May the user change this township's mandates (the services check it again)?"""
    return user.can(Perm.SUPERVISE_VILLAGES) and (user.is_system_admin or user.works_in(township))


# ---- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MandateRow:
    org_kind: str
    label: StrOrPromise
    text: str | Promise  # empty: not set
    rules: list[StrOrPromise]
    case_types: list[str]
    disputes: list[StrOrPromise]


@dataclass(frozen=True)
class TypeRow:
    what: str  # CASE or DISPUTE
    code: str
    label: StrOrPromise
    owner: str | None  # OrgKind value

    @property
    def owner_label(self) -> StrOrPromise | None:
        return OrgKind(self.owner).label if self.owner else None


@dataclass(frozen=True)
class Gap:
    """A village that cannot take its share: the kind of organisation owning some types has no
    organisation there, or nobody holding one of its posts. (Whether its people have accounts
    to be offered cases is the registry's business: many villages keep their books on paper.)"""

    village: Region
    org_kind: str
    types: list[StrOrPromise]
    no_organisation: bool

    @property
    def org_label(self) -> StrOrPromise:
        return OrgKind(self.org_kind).label

    @property
    def types_text(self) -> str:
        shown = pgettext("list separator", ", ").join(str(t) for t in self.types[:SHOWN_TYPES])
        return shown + ("…" if len(self.types) > SHOWN_TYPES else "")

    @property
    def sentence(self) -> str:
        values = {
            "types": self.types_text,
            "organisation": self.org_label,
            "village": self.village.name,
        }
        if self.no_organisation:
            return _("%(types)s: owned by the %(organisation)s, but %(village)s has none.") % values
        return (
            _(
                "%(types)s: owned by the %(organisation)s, but nobody holds a post in it in "
                "%(village)s."
            )
            % values
        )


@dataclass
class MandatesPage:
    township: Region
    division: Division
    mandates: list[MandateRow]
    case_rows: list[TypeRow]
    dispute_rows: list[TypeRow]
    gaps: list[Gap] = field(default_factory=list)

    @property
    def unowned(self) -> list[TypeRow]:
        return [row for row in self.case_rows + self.dispute_rows if row.owner is None]


def _rule_labels(values: Iterable[str]) -> list[StrOrPromise]:
    return [RuleKind(v).label for v in values if v in RuleKind.values]


def current_mandate(user: User, township: Region, org_kind: str) -> tuple[str, list[str]]:
    """A kind's mandate text and required rules as they stand: the township's, or the default
    (in the reader's language) before it has set anything; empty when it set none for it."""
    mandate = Mandate.objects.visible_to(user).filter(region=township, org_kind=org_kind).first()
    if mandate is not None:
        return mandate.text, list(mandate.required_rules)
    if not division_of(township).configured:
        for default in DEFAULT_MANDATES:
            if default.org_kind == org_kind:
                return str(default.text), list(default.required_rules)
    return "", []


def active_case_types() -> list[CaseType]:
    return list(CaseType.objects.filter(active=True))


def type_rows(division: Division, case_types: Sequence[CaseType]) -> list[TypeRow]:
    """Every active case type, then every dispute type, with its owner."""
    return [TypeRow(CASE, t.code, str(t), division.owner(CASE, t.code)) for t in case_types] + [
        TypeRow(DISPUTE, value, label, division.owner(DISPUTE, value))
        for value, label in DisputeType.choices
    ]


def mandates_page(user: User, township: Region) -> MandatesPage:
    """The township's mandates, its division of work with the types nobody owns, and the gaps
    of the villages the user sees in it. A few queries, however many villages and people."""
    division = division_of(township)
    texts: dict[str, tuple[str | Promise, list[str]]] = {
        m.org_kind: (m.text, list(m.required_rules))
        for m in Mandate.objects.visible_to(user).filter(region=township)
    }
    if not division.configured:
        texts = {d.org_kind: (d.text, list(d.required_rules)) for d in DEFAULT_MANDATES}
    case_types = active_case_types()
    rows = type_rows(division, case_types)
    mandates = [
        MandateRow(
            org_kind=kind,
            label=label,
            text=texts.get(kind, ("", []))[0],
            rules=_rule_labels(texts.get(kind, ("", []))[1]),
            case_types=[str(r.label) for r in rows if r.what == CASE and r.owner == kind],
            disputes=[r.label for r in rows if r.what == DISPUTE and r.owner == kind],
        )
        for kind, label in OrgKind.choices
    ]
    villages = list(villages_visible(user=user).filter(parent=township))
    return MandatesPage(
        township=township,
        division=division,
        mandates=mandates,
        case_rows=[r for r in rows if r.what == CASE],
        dispute_rows=[r for r in rows if r.what == DISPUTE],
        gaps=village_gaps(villages, {township.pk: division}, rows),
    )


def village_gaps(
    villages: Sequence[Region], division_by_township: dict[int, Division], rows: Sequence[TypeRow]
) -> list[Gap]:
    """For each village and each kind of organisation that owns a type in its township: whether
    the village has such an organisation, and someone holding one of its posts.
    One query whatever the number of villages. `rows`: the types with their labels."""
    kinds = set().union(*(d.kinds() for d in division_by_township.values()))
    if not villages or not kinds:
        return []
    someone = Membership.objects.filter(post__organisation=OuterRef("pk"), ended_on__isnull=True)
    have: set[tuple[int, str]] = set()
    staffed: set[tuple[int, str]] = set()
    for region_id, kind, anyone in (
        Organisation.objects.filter(region__in=villages, kind__in=kinds)
        .exclude(status=OrgStatus.DISSOLVED)
        .values_list("region_id", "kind", Exists(someone))
    ):
        have.add((region_id, kind))
        if anyone:
            staffed.add((region_id, kind))
    gaps = []
    for village in villages:
        division = division_by_township.get(village.parent_id or 0)
        if division is None:
            continue
        for kind in sorted(division.kinds(), key=OrgKind.values.index):
            if (village.pk, kind) in staffed:
                continue
            # in the order of the types (case types, then disputes)
            owned = [r.label for r in rows if division.owner(r.what, r.code) == kind]
            if owned:
                gaps.append(Gap(village, kind, owned, (village.pk, kind) not in have))
    return gaps


# ---- the township's home panel -----------------------------------------------------------------


def mandates_summary(user: User) -> dict[str, object]:
    """For the township's home panel: the types nobody owns in the user's townships and the
    villages where an owning organisation has nobody to take its cases. Four queries at most,
    however many villages (the panel is a township's: its officers see their townships)."""
    regions = list(
        Region.objects.visible_to(user)
        .filter(kind__in=[RegionKind.TOWNSHIP, RegionKind.VILLAGE])
        .order_by("path")
    )
    townships = [r for r in regions if r.kind == RegionKind.TOWNSHIP]
    villages = [r for r in regions if r.kind == RegionKind.VILLAGE]
    by_township = divisions(t.pk for t in townships)
    case_types = active_case_types()
    unowned: list[str] = []
    for township in townships:
        for row in type_rows(by_township[township.pk], case_types):
            if row.owner is None:
                label = str(row.label)
                unowned.append(label if len(townships) == 1 else f"{township.name} · {label}")
    rows = type_rows(Division(False, {}, {}), case_types)  # for the types' names
    gaps = village_gaps(villages, by_township, rows)
    return {
        "unowned": unowned,
        "gaps": gaps[:5],
        "gap_count": len(gaps),
        "gap_villages": len({g.village.pk for g in gaps}),
        "configured": all(d.configured for d in by_township.values()),
    }
