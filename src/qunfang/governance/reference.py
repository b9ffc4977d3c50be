"""The division of work a township starts from (职责分工), read by the mandates' defaults and the
demo: what each kind of organisation is for, the rules it must have in force, and the case and
dispute types it owns. A township changes all of it on its mandates page (models.Mandate,
models.Ownership); these are the defaults when it has not."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.models import DisputeType
from qunfang.governance.models.rules import RuleKind
from qunfang.registry.models import OrgKind


@dataclass(frozen=True)
class DefaultMandate:
    org_kind: str
    text: Promise
    required_rules: tuple[str, ...]
    case_types: tuple[str, ...] = ()  # casebook CaseType codes
    dispute_types: tuple[str, ...] = ()


DEFAULT_MANDATES: tuple[DefaultMandate, ...] = (
    DefaultMandate(
        OrgKind.SECURITY_COMMITTEE,
        _(
            "Public order and security in the village: prevention, patrols and guarding, "
            "registration of incidents, hazards and safety inspections, reporting upward, "
            "education of villagers in the law."
        ),
        (
            RuleKind.MEETINGS,
            RuleKind.ASSESSMENT,
            RuleKind.REGISTRATION,
            RuleKind.REPORTING,
            RuleKind.REWARDS,
            RuleKind.CONFIDENTIALITY,
        ),
        case_types=("theft", "burglary", "fraud", "gambling", "suspicious_person", "hazard"),
    ),
    DefaultMandate(
        OrgKind.MEDIATION_COMMITTEE,
        _(
            "People's mediation of disputes among villagers, follow-up visits, and reporting "
            "disputes that may turn into cases."
        ),
        (RuleKind.MEETINGS, RuleKind.REGISTRATION, RuleKind.MEDIATION, RuleKind.CONFIDENTIALITY),
        case_types=("dispute", "domestic_violence"),
        dispute_types=tuple(DisputeType.values),
    ),
    DefaultMandate(
        OrgKind.PATROL_TEAM,
        _("Day and night patrols on the roster, guarding key places, first response on patrol."),
        (RuleKind.MEETINGS, RuleKind.PATROL, RuleKind.ASSESSMENT, RuleKind.REWARDS),
        case_types=("fire", "traffic"),
    ),
    DefaultMandate(
        OrgKind.VILLAGE_GUARD,
        _("Guarding the village's gates and key places, watching for suspicious persons."),
        (RuleKind.PATROL,),
    ),
    DefaultMandate(
        OrgKind.JOINT_DEFENCE,
        _("Ten households watching out for each other in turn (十户联防), raising the alarm."),
        (RuleKind.PATROL,),
    ),
    DefaultMandate(
        OrgKind.SECURITY_CONTRACT,
        _("Security work under contract, on the terms of the contract."),
        (RuleKind.PATROL, RuleKind.REPORTING),
    ),
)
