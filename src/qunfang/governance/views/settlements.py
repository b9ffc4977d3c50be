"""Screens of contract settlement (治安承包结算): the list of settlements with the contracts
waiting to be settled, "settle against the terms" from a contract, a settlement with every term
evaluated and the records behind it, its approval, and the printable statement for signing.

Thin: parse, call a selector (`selectors.settlements`) or a service (`services.settlements`),
render. Records come through `visible_or_404`, so another village's contract or settlement
answers 404 before anything else is asked; a refusal is shown as a message and nothing is
written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.models import ContractSettlement, SettlementStatus
from qunfang.governance.selectors import settlements as sel
from qunfang.governance.services import settlements as services
from qunfang.registry.models import SecurityContract
from qunfang.registry.selectors import rmb_in_words

VIEW = Perm.VIEW_GOVERNANCE
PAGE_SIZE = 50
WAITING_ROWS = 50


def _refusal(exc: ValidationError | NotYours) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# ---- the list -------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def settlement_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    status = request.GET.get("status", "")
    status = status if status in SettlementStatus.values else ""
    page = Paginator(sel.settlement_list(user, village=village, status=status), PAGE_SIZE)
    today = timezone.localdate()
    waiting = list(sel.contracts_to_settle(user, village=village, today=today)[:WAITING_ROWS])
    villages = list(villages_visible(user=user))
    return render(
        request,
        "governance/settlements/list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "waiting": waiting,
            "villages": villages if len(villages) > 1 else [],
            "village_code": village.code if village else "",
            "statuses": SettlementStatus.choices,
            "status": status,
        },
    )


# ---- settling a contract --------------------------------------------------------------------


def _contract(request: SignedInRequest, pk: int) -> SecurityContract:
    return visible_or_404(
        SecurityContract.objects.select_related(
            "region__parent", "contractor_person", "contractor_team"
        ).defer("contractor_person__id_number", "contractor_person__phone"),
        request.user,
        pk=pk,
    )


@permission_required(VIEW)
def settlement_compute(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET: the contract's terms and whether it can be settled now; once computed, its
    settlement. POST: compute (again) from the records as they stand now."""
    contract = _contract(request, pk)
    existing = sel.settlement_of(contract)
    if request.method == "POST":
        try:
            settlement = services.settlement_compute(contract=contract, by=request.user)
        except (ValidationError, NotYours) as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(
                request,
                _(
                    "The settlement of %(number)s has been computed from the records: "
                    "¥%(total)s to pay. It waits for the township's approval."
                )
                % {"number": contract.number, "total": f"{settlement.total:.2f}"},
            )
            return redirect(settlement.get_absolute_url())
        if existing is not None:
            return redirect(existing.get_absolute_url())
    elif existing is not None:
        return redirect(existing.get_absolute_url())
    return render(
        request,
        "governance/settlements/compute.html",
        {
            "contract": contract,
            "terms": list(contract.terms.order_by("metric", "pk")),
            "refusal": services.settle_refusal(contract, timezone.localdate()),
            "can_compute": services.can_compute(request.user, contract),
        },
    )


# ---- a settlement ---------------------------------------------------------------------------


def _settlement(request: SignedInRequest, pk: int) -> ContractSettlement:
    return visible_or_404(sel.settlement_for_detail(request.user), request.user, pk=pk)


def _context(request: SignedInRequest, settlement: ContractSettlement) -> dict[str, Any]:
    user = request.user
    contract = settlement.contract
    waiting = settlement.status == SettlementStatus.COMPUTED
    return {
        "settlement": settlement,
        "contract": contract,
        "lines": sel.line_rows(settlement),
        "payment": sel.payment_of(settlement),
        "waiting": waiting,
        "can_recompute": waiting and services.can_compute(user, contract),
        "may_approve": waiting and services.can_approve(user, settlement.region),
        "own_computation": settlement.computed_by_id == user.pk,
    }


@require_safe
@permission_required(VIEW)
def settlement_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    settlement = _settlement(request, pk)
    return render(request, "governance/settlements/detail.html", _context(request, settlement))


@require_POST
@permission_required(VIEW)
def settlement_approve(request: SignedInRequest, pk: int) -> HttpResponse:
    settlement = _settlement(request, pk)
    try:
        approved = services.settlement_approve(settlement=settlement, by=request.user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        if approved.total > 0:
            text = _(
                "The settlement has been approved: contract %(number)s is settled and ¥%(total)s "
                "has been handed to funds as a payment request."
            )
        else:
            text = _(
                "The settlement has been approved: contract %(number)s is settled; nothing is "
                "to be paid."
            )
        messages.success(
            request, text % {"number": settlement.contract.number, "total": f"{approved.total:.2f}"}
        )
    return redirect(settlement.get_absolute_url())


@require_safe
@permission_required(VIEW)
def settlement_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The settlement statement (结算单) for the parties to sign, or its PDF."""
    settlement = _settlement(request, pk)
    context = _context(request, settlement)
    chinese = translation.get_language() == "zh-hans"
    context["total_in_words"] = rmb_in_words(settlement.total) if chinese else ""
    context["today"] = timezone.localdate()
    stem = f"{_('Settlement statement')}-{settlement.contract.number}"
    template = "governance/settlements/print.html"
    return printable(
        request, template, context, stem=stem, ascii_stem=f"settlement-{settlement.pk}"
    )
