"""Contract settlement's section of a security contract's page in the registry (the registry
offers the place, `registry.views.contracts.CONTRACT_SECTIONS`, and imports nothing of
governance); connected from `apps.ready()`. Its menu entry is the lead's to place:
`governance:settlement_list`."""

from __future__ import annotations

from typing import Any


def contract_section(request: Any, contract: Any) -> dict[str, Any]:
    from django.utils import timezone

    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.settlements import settlement_of
    from qunfang.governance.services.settlements import can_compute, settle_refusal
    from qunfang.registry.models import ContractStatus

    user = request.user
    if not user.can(Perm.VIEW_GOVERNANCE) or contract.status == ContractStatus.DRAFT:
        return {"show": False}
    return {
        "show": True,
        "settlement": settlement_of(contract),
        "refusal": settle_refusal(contract, timezone.localdate()),
        "can_compute": can_compute(user, contract),
    }


def connect() -> None:
    from qunfang.registry.services.contracts import SETTLED_BY
    from qunfang.registry.views.contracts import CONTRACT_SECTIONS, ContractSection

    if "governance" not in SETTLED_BY:
        SETTLED_BY.append("governance")  # a contract is settled against its terms, here

    CONTRACT_SECTIONS.append(
        ContractSection("governance/settlements/_contract_section.html", contract_section)
    )
