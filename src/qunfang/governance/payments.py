"""The small interface through which governance asks for money to be paid: approved bonuses and
subsidies, settled security contracts. Governance writes a `PaymentRequest`; a funds book,
which sits above governance, registers a handler at start-up (`register`) and takes each request
up after commit. Until one is registered a request waits as "to be paid", and `hand_on_waiting`
offers the waiting ones again (a funds book calls it once when it arrives)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qunfang.core.models import Region
from qunfang.governance.models import (
    ContractSettlement,
    PaymentRequest,
    PaymentStatus,
    Sanction,
)
from qunfang.registry.models import Organisation, Person

# a handler takes a request and returns its reference in the funds books, or None to leave it
Handler = Callable[[PaymentRequest], str | None]
HANDLERS: list[Handler] = []


def register(handler: Handler) -> None:
    if handler not in HANDLERS:
        HANDLERS.append(handler)


def request_payment(
    *,
    region: Region,
    amount: Decimal,
    purpose: str,
    at: dt.datetime,
    payee_person: Person | None = None,
    payee_organisation: Organisation | None = None,
    sanction: Sanction | None = None,
    settlement: ContractSettlement | None = None,
) -> PaymentRequest:
    """Write the request (inside the caller's transaction) and offer it to funds after commit."""
    request = PaymentRequest.objects.create(
        region=region,
        amount=amount,
        purpose=purpose[:200],
        requested_at=at,
        payee_person=payee_person,
        payee_organisation=payee_organisation,
        sanction=sanction,
        settlement=settlement,
    )
    transaction.on_commit(lambda: _offer(request.pk))
    return request


def hand_on_waiting() -> int:
    """Offer every request still waiting to the registered handlers; how many were taken."""
    waiting = PaymentRequest.objects.filter(status=PaymentStatus.TO_BE_PAID).values_list(
        "pk", flat=True
    )
    return sum(_offer(pk) for pk in list(waiting))


def _offer(pk: int) -> bool:
    for handler in HANDLERS:
        with transaction.atomic():
            request = PaymentRequest.objects.select_for_update().get(pk=pk)
            if request.status != PaymentStatus.TO_BE_PAID:
                return False
            reference = handler(request)
            if reference:
                request.status = PaymentStatus.HANDED_ON
                request.reference = reference[:50]
                request.handed_to = getattr(handler, "label", handler.__module__)[:50]
                request.handed_at = timezone.now()
                request.save(update_fields=["status", "reference", "handed_to", "handed_at"])
                return True
    return False
