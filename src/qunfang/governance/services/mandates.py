"""Writes of the division of work (职责分工): a township sets each kind of organisation's mandate
and the rules it must have in force, and which kind owns each case and dispute type; or starts
from the defaults (`reference.py`).

Only the township's own officers write (Perm.SUPERVISE_VILLAGES and `works_in`). Every input is
checked before anything is written: a refusal raises ValidationError with a message in the
user's language and changes nothing. The first write of a township that has set nothing yet
keeps the defaults it was working under for everything it does not change, so the division of
work never jumps back to the defaults or to nobody."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qunfang.casebook.models import CaseType, DisputeType
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.governance.models.mandates import Mandate, Ownership
from qunfang.governance.models.rules import RuleKind
from qunfang.governance.reference import DEFAULT_MANDATES
from qunfang.governance.selectors.mandates import CASE, DISPUTE, divisions
from qunfang.registry.models import OrgKind

MAX_TEXT = 4000


@dataclass(frozen=True)
class Owning:
    """One line of the division of work: a case type (`what` CASE, its code) or a dispute type
    (DISPUTE, its value) and the kind of organisation that owns it ("" for nobody)."""

    what: str
    code: str
    org_kind: str


def _check_township(by: User, township: Region) -> None:
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError(
            _("%(region)s is not a township: mandates are set by a township.")
            % {"region": township.name}
        )
    if not by.can(Perm.SUPERVISE_VILLAGES) or not (by.is_system_admin or by.works_in(township)):
        raise ValidationError(
            _("%(township)s is not your township: only its own officers set its mandates.")
            % {"township": township.name}
        )


def _check_kind(org_kind: str) -> None:
    if org_kind not in OrgKind.values:
        raise ValidationError(
            {"org_kind": _("%(kind)s is not a kind of organisation.") % {"kind": org_kind or "—"}}
        )


def _clean_rules(required_rules: Iterable[str]) -> list[str]:
    rules = list(required_rules)
    unknown = [r for r in rules if r not in RuleKind.values]
    if unknown:
        raise ValidationError(
            {
                "required_rules": _("There is no rule %(rule)s.")
                % {"rule": "、".join(str(r) for r in unknown)}
            }
        )
    return [r for r in RuleKind.values if r in rules]  # once each, in the usual order


def _default_text(org_kind: str) -> str:
    """A default mandate, in the site's language: from then on it is the township's own text."""
    with translation.override(settings.LANGUAGE_CODE):
        return next((str(d.text) for d in DEFAULT_MANDATES if d.org_kind == org_kind), "")


def _keep_what_applied(township: Region, by: User) -> None:
    """Before a township's first write: write down the defaults it was working under."""
    if not divisions([township.pk])[township.pk].configured:
        _apply_defaults(township, by)


@transaction.atomic
def mandate_set(
    *, township: Region, org_kind: str, text: str, required_rules: Iterable[str], by: User
) -> Mandate:
    """Set one kind of organisation's mandate in the township's villages and the rules each
    such organisation must have in force."""
    _check_township(by, township)
    _check_kind(org_kind)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what the organisation is for.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"text": _("The mandate is too long: at most %(n)d characters.") % {"n": MAX_TEXT}}
        )
    rules = _clean_rules(required_rules)
    _keep_what_applied(township, by)
    mandate = (
        Mandate.objects.select_for_update(of=("self",))
        .filter(region=township, org_kind=org_kind)
        .first()
    ) or Mandate(region=township, org_kind=org_kind)
    if mandate.pk and mandate.text == text and mandate.required_rules == rules:
        return mandate
    mandate.text, mandate.required_rules = text, rules
    mandate._history_user = by
    mandate._change_reason = _("Mandate set")
    mandate.save()
    return mandate


def _check_owning(owners: Sequence[Owning]) -> None:
    names = {
        t.code: str(t)
        for t in CaseType.objects.filter(code__in=[o.code for o in owners if o.what == CASE])
    }
    seen: set[tuple[str, str]] = set()
    for owning in owners:
        if owning.what not in (CASE, DISPUTE):
            raise ValidationError(_("Name a case type or a dispute type."))
        if owning.what == CASE and owning.code not in names:
            raise ValidationError(_("There is no incident type %(code)s.") % {"code": owning.code})
        if owning.what == DISPUTE and owning.code not in DisputeType.values:
            raise ValidationError(_("There is no dispute type %(code)s.") % {"code": owning.code})
        if owning.org_kind:
            _check_kind(owning.org_kind)
        if (owning.what, owning.code) in seen:
            label = names[owning.code] if owning.what == CASE else DisputeType(owning.code).label
            raise ValidationError(
                _("%(type)s is given an owner twice: one kind of organisation owns a type.")
                % {"type": label}
            )
        seen.add((owning.what, owning.code))


@transaction.atomic
def division_set(*, township: Region, owners: Sequence[Owning], by: User) -> int:
    """Give each named type its owning kind of organisation ("": nobody) in the township's
    villages; types not named keep theirs. Returns how many changed."""
    _check_township(by, township)
    _check_owning(owners)
    if not owners:
        return 0
    _keep_what_applied(township, by)
    return _write_owners(township, owners, by)


def _write_owners(township: Region, owners: Sequence[Owning], by: User) -> int:
    types = {t.code: t for t in CaseType.objects.filter(code__in=[o.code for o in owners])}
    current = {
        (CASE, o.case_type.code) if o.case_type else (DISPUTE, o.dispute_type): o
        for o in Ownership.objects.select_for_update(of=("self",))
        .filter(region=township)
        .select_related("case_type")
    }
    changed = 0
    for owning in owners:
        row = current.get((owning.what, owning.code))
        if row is not None and not owning.org_kind:
            row._history_user = by
            row.delete()
        elif row is not None and row.org_kind != owning.org_kind:
            row.org_kind = owning.org_kind
            row._history_user = by
            row.save()
        elif row is None and owning.org_kind:
            row = Ownership(
                region=township,
                org_kind=owning.org_kind,
                case_type=types[owning.code] if owning.what == CASE else None,
                dispute_type=owning.code if owning.what == DISPUTE else "",
            )
            row._history_user = by
            row.save()
        else:
            continue
        changed += 1
    return changed


@transaction.atomic
def mandates_from_defaults(*, township: Region, by: User) -> int:
    """The township's mandates, required rules and division of work become the defaults
    (`reference.py`): what it changed is set back, what is missing filled. Running it again
    changes nothing. Returns how many mandates and ownerships changed."""
    _check_township(by, township)
    return _apply_defaults(township, by)


def _apply_defaults(township: Region, by: User) -> int:
    changed = 0
    existing = {
        m.org_kind: m
        for m in Mandate.objects.select_for_update(of=("self",)).filter(region=township)
    }
    for default in DEFAULT_MANDATES:
        text, rules = _default_text(default.org_kind), list(default.required_rules)
        mandate = existing.get(default.org_kind) or Mandate(
            region=township, org_kind=default.org_kind
        )
        if mandate.pk and mandate.text == text and mandate.required_rules == rules:
            continue
        mandate.text, mandate.required_rules = text, rules
        mandate._history_user = by
        mandate._change_reason = _("Started from the default mandates")
        mandate.save()
        changed += 1
    wanted = [Owning(CASE, code, d.org_kind) for d in DEFAULT_MANDATES for code in d.case_types] + [
        Owning(DISPUTE, code, d.org_kind) for d in DEFAULT_MANDATES for code in d.dispute_types
    ]
    known = set(CaseType.objects.values_list("code", flat=True))
    wanted = [o for o in wanted if o.what == DISPUTE or o.code in known]
    named = {(o.what, o.code) for o in wanted}
    # what the defaults give to nobody: the types the township gave away itself
    others = [
        Owning(CASE, o.case_type.code, "") if o.case_type else Owning(DISPUTE, o.dispute_type, "")
        for o in Ownership.objects.filter(region=township).select_related("case_type")
    ]
    others = [o for o in others if (o.what, o.code) not in named]
    return changed + _write_owners(township, wanted + others, by)
