"""Security contracts settled against their terms (治安承包结算): the writes (reads are in
`selectors.settlements`, the measures in `assessment.metrics`).

    contract in force, term over ──compute──▶ settlement computed ──approve──▶ approved
                                   ◀─compute again (replaces it)─┘           (contract settled,
                                                                               payment requested)

Computing evaluates every performance term of the contract from the records over its term, as
they stand at that moment (the settlement's cut-off): a term met earns its bonus, a term missed
costs its deduction, a term with nothing to measure (no shift was due, no case was reported)
neither. To pay = contract amount − deductions + bonuses, never below nothing. The village's
director or the township computes; computing again before approval replaces the figures.

A contract is settled once its term is over (from the day after `ends_on`): its terms are per
month or a share over the whole term, and settling early would pay for months not yet served. A
contract that ends early is terminated in the registry, with its note.

Approving (the township: SUPERVISE_VILLAGES and APPROVE_SPENDING) is by someone other than who
computed it (four eyes); it moves the contract to "settled" through the registry's own move, with
a note summing the settlement up, and hands the total to funds as a payment request
(`governance.payments`). Refusals raise ValidationError (state) or NotYours (who) with a
translated message, and change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.core.models import Region, User
from qunfang.core.notify import notify
from qunfang.core.permissions import NotYours
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.governance import payments
from qunfang.governance.assessment import metrics
from qunfang.governance.models import ContractSettlement, SettlementLine, SettlementStatus
from qunfang.registry.models import ContractStatus, PerformanceTerm, SecurityContract
from qunfang.registry.services.contracts import contract_set_status

ZERO = Decimal("0.00")
NOTICE_KIND = "assignment"  # core.notify.KIND_LABELS: "Something is handed to me"


# ---- who acts -------------------------------------------------------------------------------


def can_compute(user: User, contract: SecurityContract) -> bool:
    """Whoever runs the village's governance (its director, the township) computes."""
    return user.is_active and user.can(Perm.RUN_GOVERNANCE) and user.works_in(contract.region)


def can_approve(user: User, region: Region) -> bool:
    """The township's officers, who supervise the villages and approve spending."""
    return (
        user.is_active
        and user.can(Perm.SUPERVISE_VILLAGES)
        and user.can(Perm.APPROVE_SPENDING)
        and user.works_in(region)
    )


# ---- what may be settled --------------------------------------------------------------------


def settle_refusal(contract: SecurityContract, today: dt.date) -> str:
    """Why the contract cannot be settled on `today`, or "" when it can."""
    if contract.status == ContractStatus.SETTLED:
        return _("This contract has already been settled.")
    if contract.status == ContractStatus.TERMINATED:
        return _("This contract was terminated; a terminated contract is not settled.")
    if contract.status == ContractStatus.DRAFT:
        return _("This contract is a draft; only a contract in force is settled.")
    if contract.status != ContractStatus.ACTIVE:
        return _(
            "This contract has been signed but not put in force; only a contract in force is "
            "settled."
        )
    if today <= contract.ends_on:
        return _(
            "The contract runs until %(ends)s; it is settled against its terms once its term is "
            "over, from %(from)s on. To end it early, terminate it in the registry."
        ) % {
            "ends": f"{contract.ends_on:%Y-%m-%d}",
            "from": f"{contract.ends_on + dt.timedelta(days=1):%Y-%m-%d}",
        }
    return ""


def _terms(contract: SecurityContract) -> list[PerformanceTerm]:
    return list(PerformanceTerm.objects.filter(contract=contract).order_by("metric", "pk"))


def _line(term: PerformanceTerm, measure: metrics.Measure) -> SettlementLine:
    actual, refs = measure
    if actual is None:  # nothing to measure: neither a deduction nor a bonus
        met, deduction, bonus = False, ZERO, ZERO
    else:
        met = term.is_met_by(actual)
        deduction = ZERO if met else term.deduction
        bonus = term.bonus if met else ZERO
    return SettlementLine(
        metric=term.metric,
        comparator=term.comparator,
        target=term.target,
        actual=actual,
        met=met,
        deduction=deduction,
        bonus=bonus,
        refs=[list(ref) for ref in refs],
    )


# ---- computing ------------------------------------------------------------------------------


def settlement_compute(
    *, contract: SecurityContract, by: User, now: dt.datetime | None = None
) -> ContractSettlement:
    """Evaluate every term of the contract from the records as they stand at `now` and store
    the settlement (replacing one computed before and not yet approved)."""
    now = now or timezone.now()
    if not can_compute(by, contract):
        raise NotYours(_("Only the village's director or the township settles its contracts."))
    refusal = settle_refusal(contract, timezone.localdate(now))
    if refusal:
        raise ValidationError(refusal)
    terms = _terms(contract)
    # reading the records holds no transaction
    measured = metrics.measure(contract, [t.metric for t in terms], now)
    lines = [_line(term, measured[term.metric]) for term in terms]
    deductions = sum((line.deduction for line in lines), ZERO)
    bonuses = sum((line.bonus for line in lines), ZERO)
    total = max(ZERO, contract.amount - deductions + bonuses)
    with transaction.atomic():
        locked = SecurityContract.objects.select_for_update().get(pk=contract.pk)
        refusal = settle_refusal(locked, timezone.localdate(now))
        if refusal:  # moved while the records were read
            raise ValidationError(refusal)
        settlement = ContractSettlement.objects.select_for_update().filter(contract=locked).first()
        if settlement is not None and settlement.status != SettlementStatus.COMPUTED:
            raise ValidationError(_("This contract has already been settled."))
        if settlement is None:
            settlement = ContractSettlement(contract=locked, region_id=locked.region_id)
        settlement.cutoff = now
        settlement.base_amount = locked.amount
        settlement.deductions, settlement.bonuses, settlement.total = deductions, bonuses, total
        settlement.computed_by, settlement.computed_at = by, now
        settlement.save()
        settlement.lines.all().delete()
        for line in lines:
            line.settlement = settlement
        SettlementLine.objects.bulk_create(lines)
        _tell_township(settlement, locked, by)
    return settlement


def _tell_township(settlement: ContractSettlement, contract: SecurityContract, by: User) -> None:
    """The township's officers (but who computed it) learn it waits for their approval."""
    village = contract.region
    township = village.parent
    if township is None:
        return
    message = Phrase(
        gettext_noop(
            "The settlement of security contract %(number)s of %(village)s has been computed "
            "(¥%(total)s to pay) and waits for approval."
        ),
        number=contract.number,
        village=village.name,
        total=f"{settlement.total:.2f}",
    )
    url = reverse("governance:settlement_detail", args=[settlement.pk])
    officers = User.objects.filter(region=township, is_active=True).prefetch_related("roles")
    for officer in officers.order_by("pk"):
        if officer.pk != by.pk and can_approve(officer, village):
            notify(officer, NOTICE_KIND, message, url)


# ---- approving ------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def settlement_approve(
    *, settlement: ContractSettlement, by: User, now: dt.datetime | None = None
) -> ContractSettlement:
    """The township approves the settlement (not who computed it): the contract is settled
    with a note summing it up, and funds are asked to pay the total."""
    now = now or timezone.now()
    if not can_approve(by, settlement.region):
        raise NotYours(_("Only the township approves the settlement of a contract."))
    with transaction.atomic():
        locked = (
            ContractSettlement.objects.select_for_update(of=("self",))
            .select_related("contract__region", "computed_by")
            .get(pk=settlement.pk)
        )
        if locked.status != SettlementStatus.COMPUTED:
            raise ValidationError(_("This settlement has already been approved."))
        if locked.computed_by_id == by.pk:
            raise ValidationError(
                _("A settlement is approved by someone other than who computed it.")
            )
        contract = locked.contract
        if contract.status != ContractStatus.ACTIVE:
            raise ValidationError(
                _("The contract is %(status)s now; this settlement cannot be approved.")
                % {"status": contract.get_status_display()}
            )
        note = _(
            "Settled against its performance terms: contract amount ¥%(amount)s, deductions "
            "¥%(deductions)s, bonuses ¥%(bonuses)s, to pay ¥%(total)s. Records read as of "
            "%(cutoff)s; computed by %(computed_by)s, approved by %(approved_by)s."
        ) % {
            "amount": _money(locked.base_amount),
            "deductions": _money(locked.deductions),
            "bonuses": _money(locked.bonuses),
            "total": _money(locked.total),
            "cutoff": f"{timezone.localtime(locked.cutoff):%Y-%m-%d %H:%M}",
            "computed_by": locked.computed_by,
            "approved_by": by,
        }
        contract_set_status(
            contract=contract,
            to=ContractStatus.SETTLED,
            on=timezone.localdate(now),
            note=note,
            by=by,
            against_terms=True,
        )
        locked.status = SettlementStatus.APPROVED
        locked.approved_by, locked.approved_at = by, now
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        if locked.total > 0:
            payments.request_payment(
                region=contract.region,
                amount=locked.total,
                purpose=_settlement_purpose(contract),
                at=now,
                payee_person=contract.contractor_person,
                payee_organisation=contract.contractor_team,
                settlement=locked,
            )
    return locked


def _settlement_purpose(contract: SecurityContract) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the books' language, whoever approves
        return _("Settlement of security contract %(number)s %(title)s") % {
            "number": contract.number,
            "title": contract.title,
        }
