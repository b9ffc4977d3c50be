"""Reads of the written rules (制度): the rules an organisation must have in force (its township's
mandate, else the defaults), which it has, the villages and organisations missing some (the
flag on the rules list and the home panels), the rules register, one rule with its revisions,
and the model texts a township publishes for its villages.

Records are read from `.visible_to(user)`. Two reads reach above the user's own region, on
purpose: a township's mandates (which rules its villages' organisations must have; reference
data of the township, keyed by a village the user sees) and a township's published model texts,
which its villages see (`model_texts_visible`). The writes are in `services.rules`."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.scoping import scope_filter
from qunfang.governance.models import Mandate, ModelText, Rule, RuleKind, RuleRevision
from qunfang.governance.reference import DEFAULT_MANDATES
from qunfang.registry.models import Organisation, OrgStatus

# Kinds that can be required and are unique in force (OTHER is neither), in the matrix's order.
CHECKED_KINDS: tuple[str, ...] = tuple(k for k in RuleKind.values if k != RuleKind.OTHER)
DEFAULT_REQUIRED: dict[str, tuple[str, ...]] = {
    str(m.org_kind): tuple(str(k) for k in m.required_rules) for m in DEFAULT_MANDATES
}
PANEL_REASONS = 5  # reasons the home panel lists before "and more"


# ---- the rules an organisation must have in force -------------------------------------------


def _valid_kinds(values: Iterable[Any]) -> tuple[str, ...]:
    """A mandate's `required_rules` as RuleKind values, in the kinds' order, unknown ones left
    out (a kind removed from the code must not break a township's check)."""
    wanted = {str(v) for v in values}
    return tuple(k for k in CHECKED_KINDS if k in wanted)


def required_rules_table(township_ids: Collection[int]) -> dict[tuple[int, str], tuple[str, ...]]:
    """The required rules the townships have set, by (township id, organisation kind): one
    query. A pair missing from the table takes the defaults (`required_for`)."""
    if not township_ids:
        return {}
    rows = Mandate.objects.filter(region_id__in=township_ids).values_list(
        "region_id", "org_kind", "required_rules"
    )
    return {(region_id, kind): _valid_kinds(rules or ()) for region_id, kind, rules in rows}


def required_for(
    table: dict[tuple[int, str], tuple[str, ...]], township_id: int | None, org_kind: str
) -> tuple[str, ...]:
    """From a `required_rules_table`: the township's mandate for this kind of organisation
    where it has set one (even an empty list: then nothing is required), else the defaults."""
    if township_id is not None and (township_id, org_kind) in table:
        return table[(township_id, org_kind)]
    return DEFAULT_REQUIRED.get(org_kind, ())


def required_rule_kinds(township: Region, org_kind: str) -> tuple[str, ...]:
    """The rules (RuleKind values) an organisation of `org_kind` in `township`'s villages must
    have in force: the township's mandate for that kind of organisation, else the defaults
    (`governance.reference.DEFAULT_MANDATES`). One query."""
    return required_for(required_rules_table([township.pk]), township.pk, org_kind)


# ---- which rules are in force -------------------------------------------------------------


@dataclass
class OrgRules:
    """One organisation: the rules it must have, and those it has in force by kind."""

    organisation: Organisation
    required: tuple[str, ...]
    in_force: dict[str, Rule] = field(default_factory=dict)  # by kind; the matrix's links
    kinds_in_force: set[str] = field(default_factory=set)
    others: int = 0  # rules of the kind "other" in force

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(k for k in self.required if k not in self.kinds_in_force)

    def add(self, rule: Rule) -> None:
        if rule.kind == RuleKind.OTHER:
            self.others += 1
        else:
            self.in_force[rule.kind] = rule
            self.kinds_in_force.add(rule.kind)

    def cells(self, kinds: Iterable[str]) -> list[tuple[str, bool, Rule | None]]:
        """The matrix row: per kind, whether it is required and the rule in force (or None)."""
        return [(k, k in self.required, self.in_force.get(k)) for k in kinds]

    def reason(self) -> str:
        """ "枫源村治保会：未施行保密制度、考核制度" — empty when nothing is missing."""
        if not self.missing:
            return ""
        separator = pgettext("list separator", ", ")
        return _("%(organisation)s: no %(rules)s in force") % {
            "organisation": self.organisation.name,
            "rules": separator.join(str(RuleKind(k).label) for k in self.missing),
        }


@dataclass
class VillageRules:
    village: Region
    organisations: list[OrgRules] = field(default_factory=list)

    @property
    def missing(self) -> list[OrgRules]:
        return [o for o in self.organisations if o.missing]

    @property
    def required_count(self) -> int:
        return sum(len(o.required) for o in self.organisations)

    @property
    def in_force_count(self) -> int:
        return sum(len(o.required) - len(o.missing) for o in self.organisations)


def checked_organisations(user: User, *, village: Region | None = None) -> QuerySet[Organisation]:
    """The working organisations the user sees (a suspended or dissolved one is not asked for
    its rules), village by village."""
    organisations = Organisation.objects.visible_to(user).filter(status=OrgStatus.ACTIVE)
    if village is not None:
        organisations = organisations.filter(region=village)
    return organisations.select_related("region").order_by("region__path", "kind", "name")


def rules_check(user: User, *, village: Region | None = None) -> list[VillageRules]:
    """Per village the user sees (or the one given), its working organisations with the rules
    each must have and those in force. Three queries, whatever the number of villages."""
    organisations = list(checked_organisations(user, village=village))
    table = required_rules_table({o.region.parent_id for o in organisations if o.region.parent_id})
    rows: dict[int, OrgRules] = {}
    villages: dict[int, VillageRules] = {}
    for org in organisations:
        row = OrgRules(org, required_for(table, org.region.parent_id, org.kind))
        rows[org.pk] = row
        villages.setdefault(org.region_id, VillageRules(org.region)).organisations.append(row)
    in_force = Rule.objects.visible_to(user).filter(repealed_on__isnull=True)
    if village is not None:
        in_force = in_force.filter(organisation__region=village)
    for rule in in_force.only("pk", "organisation_id", "kind", "title", "adopted_on"):
        row_or_none = rows.get(rule.organisation_id)
        if row_or_none is not None:  # else a rule of a suspended or dissolved organisation
            row_or_none.add(rule)
    return list(villages.values())


def rules_flags(user: User, *, village: Region | None = None) -> list[VillageRules]:
    """As `rules_check`, without the rules themselves (`in_force` stays empty): which kinds each
    organisation has in force and must have, in one query (the home panel is on every home
    page): the township's mandate and, per kind, whether a rule is in force, are subqueries of
    the organisations' query (the one-in-force constraint's index answers each)."""
    in_force = Rule.objects.filter(organisation=OuterRef("pk"), repealed_on__isnull=True)
    mandate = Mandate.objects.filter(
        region=OuterRef("region__parent"), org_kind=OuterRef("kind")
    ).values("required_rules")[:1]
    organisations = checked_organisations(user, village=village).annotate(
        mandate_rules=Subquery(mandate, output_field=JSONField()),
        **{f"has_{k}": Exists(in_force.filter(kind=k)) for k in CHECKED_KINDS},
    )
    villages: dict[int, VillageRules] = {}
    for org in organisations:
        mandated = getattr(org, "mandate_rules", None)
        required = (
            _valid_kinds(mandated)
            if isinstance(mandated, list)
            else DEFAULT_REQUIRED.get(org.kind, ())
        )
        row = OrgRules(org, required)
        row.kinds_in_force = {k for k in CHECKED_KINDS if getattr(org, f"has_{k}", False)}
        villages.setdefault(org.region_id, VillageRules(org.region)).organisations.append(row)
    return list(villages.values())


def organisation_check(user: User, organisation: Organisation) -> OrgRules:
    """One organisation's rules it must have and those in force (the adoption form). Two
    queries."""
    township_id = organisation.region.parent_id
    table = required_rules_table([township_id] if township_id else [])
    row = OrgRules(organisation, required_for(table, township_id, organisation.kind))
    in_force = Rule.objects.visible_to(user).filter(
        organisation=organisation, repealed_on__isnull=True
    )
    for rule in in_force.only("pk", "organisation_id", "kind", "title", "adopted_on"):
        row.add(rule)
    return row


def matrix_kinds(villages: Iterable[VillageRules]) -> list[str]:
    """The columns of the in-force matrix: every kind required of, or in force in, one of the
    organisations shown, in the kinds' order."""
    used: set[str] = set()
    for village in villages:
        for row in village.organisations:
            used.update(row.required, row.in_force)
    return [k for k in CHECKED_KINDS if k in used]


def missing_rules(user: User, *, village: Region | None = None) -> list[OrgRules]:
    """The organisations (of the user's villages, or of `village`) missing a rule they must
    have in force, each with its reason (`OrgRules.reason()`). One query."""
    return [row for v in rules_flags(user, village=village) for row in v.missing]


def rules_summary(user: User) -> dict[str, Any]:
    """The home panel: how many villages and organisations are missing rules they must have in
    force, and the first reasons. One query."""
    villages = rules_flags(user)
    missing = [row for v in villages for row in v.missing]
    flagged = [v for v in villages if v.missing]
    region = user.region if user.region_id else None
    return {
        "villages": len(villages),
        "villages_flagged": len(flagged),
        "flagged": [
            {"name": v.village.name, "code": v.village.code, "organisations": len(v.missing)}
            for v in flagged[:PANEL_REASONS]
        ],
        "organisations_flagged": len(missing),
        "reasons": [row.reason() for row in missing[:PANEL_REASONS]],
        "more": max(0, len(missing) - PANEL_REASONS),
        "more_villages": max(0, len(flagged) - PANEL_REASONS),
        "township_view": region is None or region.kind != RegionKind.VILLAGE,
    }


# ---- the rules register --------------------------------------------------------------------


def rule_list(
    user: User,
    *,
    village: Region | None = None,
    organisation: Organisation | None = None,
    kind: str = "",
    status: str = "",
    search: str = "",
) -> QuerySet[Rule]:
    """The rules the user sees, in force first, village by village; each with its number of
    revisions (`revision_count`) in the same query."""
    rules = Rule.objects.visible_to(user).select_related("organisation__region", "model_text")
    if village is not None:
        rules = rules.filter(organisation__region=village)
    if organisation is not None:
        rules = rules.filter(organisation=organisation)
    if kind:
        rules = rules.filter(kind=kind)
    if status == "in_force":
        rules = rules.filter(repealed_on__isnull=True)
    elif status == "repealed":
        rules = rules.filter(repealed_on__isnull=False)
    if search:
        rules = rules.filter(Q(title__icontains=search) | Q(organisation__name__icontains=search))
    return rules.annotate(revision_count=Count("revisions")).order_by(
        "organisation__region__path", "organisation__name", "kind", "-adopted_on", "-pk"
    )


def rule_for_detail() -> QuerySet[Rule]:
    return Rule.objects.select_related("organisation__region__parent", "model_text")


def revisions(rule: Rule) -> list[RuleRevision]:
    """The rule's texts as adopted, newest first, with the meeting and who recorded each."""
    return list(rule.revisions.select_related("meeting", "recorded_by").order_by("-number"))


def current_revision(items: list[RuleRevision]) -> RuleRevision | None:
    """The text in force: the newest of `revisions(rule)`."""
    return items[0] if items else None


def text_changes(older: str, newer: str) -> list[tuple[str, str]]:
    """What a revision changed, line by line: ("-", line) taken out, ("+", line) put in."""
    changes: list[tuple[str, str]] = []
    for line in difflib.ndiff(older.splitlines(), newer.splitlines()):
        if line[:2] in ("- ", "+ ") and line[2:].strip():
            changes.append((line[0], line[2:]))
    return changes


def revisions_with_changes(
    items: list[RuleRevision],
) -> list[tuple[RuleRevision, list[tuple[str, str]]]]:
    """Each revision (newest first) with what it changed from the one before (none for the
    first adoption)."""
    by_number = {r.number: r for r in items}
    return [
        (r, text_changes(by_number[r.number - 1].text, r.text) if r.number - 1 in by_number else [])
        for r in items
    ]


def rule_in_force(organisation: Organisation, kind: str) -> Rule | None:
    """The organisation's rule of this kind in force (none for the kind "other")."""
    if kind == RuleKind.OTHER:
        return None
    return Rule.objects.filter(
        organisation=organisation, kind=kind, repealed_on__isnull=True
    ).first()


# ---- model texts -----------------------------------------------------------------------------


def _ancestor_paths(region: Region) -> list[str]:
    """The paths of the regions above `region` (a village's: its county's and township's)."""
    codes = region.path.strip("/").split("/")
    return ["".join(f"{c}/" for c in codes[:k]) for k in range(1, len(codes))]


def model_texts_visible(user: User) -> QuerySet[ModelText]:
    """The model texts the user sees: all those of the townships in the user's jurisdiction
    (withdrawn ones too), and, for a village's people, their township's texts that are
    published and not withdrawn, or that one of their organisations adopted."""
    own = scope_filter(ModelText, user)
    region = user.region if user.is_active and user.region_id else None
    if region is None or user.is_system_admin:
        return ModelText.objects.filter(own)
    adopted = Rule.objects.visible_to(user).values("model_text_id")
    # the townships above by id (an index lookup), not by path (a scan of every township's texts)
    townships = Region.objects.filter(path__in=_ancestor_paths(region)).values("pk")
    above = Q(region__in=townships) & (Q(withdrawn_on__isnull=True) | Q(pk__in=adopted))
    return ModelText.objects.filter(own | above)


def model_text_list(user: User, *, kind: str = "", withdrawn: bool = False) -> QuerySet[ModelText]:
    """The model texts the user sees, kind by kind, newest first; each with the number of the
    user's organisations' rules adopted from it (`adopted`), in the same query."""
    adopted = (
        Rule.objects.visible_to(user)
        .filter(model_text=OuterRef("pk"))
        .order_by()
        .values("model_text")
        .annotate(n=Count("pk"))
        .values("n")
    )
    texts = model_texts_visible(user).select_related("region")
    if kind:
        texts = texts.filter(kind=kind)
    if not withdrawn:
        texts = texts.filter(withdrawn_on__isnull=True)
    return texts.annotate(adopted=Coalesce(Subquery(adopted), 0)).order_by(
        "kind", "-published_on", "-pk"
    )


def model_text_for_detail(user: User) -> QuerySet[ModelText]:
    return model_texts_visible(user).select_related("region")


def adoptions(user: User, model_text: ModelText) -> list[Rule]:
    """The rules adopted from this model text that the user sees (the township: all of its
    villages'; a village: its own), with their revision count."""
    return list(
        Rule.objects.visible_to(user)
        .filter(model_text=model_text)
        .select_related("organisation__region")
        .annotate(revision_count=Count("revisions"))
        .order_by("organisation__region__path", "organisation__name", "-adopted_on")
    )


def is_adopted(model_text: ModelText) -> bool:
    """Whether any organisation (of any village) adopted the text: then it is no longer edited."""
    return Rule.objects.filter(model_text=model_text).exists()


def offered_model_texts(organisation: Organisation) -> QuerySet[ModelText]:
    """The published model texts of the organisation's township, to adopt from."""
    township_id = organisation.region.parent_id
    if township_id is None:
        return ModelText.objects.none()
    return ModelText.objects.filter(region_id=township_id, withdrawn_on__isnull=True).order_by(
        "kind", "-published_on", "-pk"
    )


def supervised_townships(user: User) -> QuerySet[Region]:
    """The townships the user may publish model texts for (inside the jurisdiction)."""
    return Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")


# ---- choices for the adoption form ---------------------------------------------------------


def organisations_to_run(user: User) -> QuerySet[Organisation]:
    """The organisations whose rules the user may adopt: working or suspended ones of the user's
    villages."""
    return (
        Organisation.objects.visible_to(user)
        .exclude(status=OrgStatus.DISSOLVED)
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )
