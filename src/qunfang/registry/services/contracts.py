"""Security contracts (治安承包): drafting, the status table and its moves, renewal and the
scanned agreement. What the screens and the printed agreement show (terms in words, the payment
summary, amounts in capital numerals) is read in `registry.selectors`."""

import datetime as dt
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from qunfang.core.lifecycle import Lifecycle
from qunfang.core.models import Region, User
from qunfang.core.uploads import CheckedFile, check_upload
from qunfang.registry.models import (
    ContractPayment,
    ContractStatus,
    Organisation,
    PerformanceTerm,
    Person,
    SecurityContract,
)

# ---- drafting ----------------------------------------------------------------------------


def contract_is_editable(contract: SecurityContract) -> bool:
    return contract.status == ContractStatus.DRAFT


def contract_problems(
    *,
    region: Region | None,
    number: str | None,
    contractor_person: Person | None,
    contractor_team: Organisation | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    duties: str | None,
    area: list[Region] | None = None,
    pk: int | None = None,
) -> dict[str, list[str]]:
    """Every rule a contract's own fields must meet, keyed by field (empty when it meets them).
    Missing values are left to the fields' own "required" messages."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if contractor_person is None and contractor_team is None:
        add("contractor_person", _("Choose the contractor: a person or a team."))
    elif contractor_person is not None and contractor_team is not None:
        add("contractor_team", _("Choose a person or a team as contractor, not both."))
    elif region is not None:
        party = cast("Person | Organisation", contractor_person or contractor_team)  # one of them
        if not region.contains(party.region):
            add(
                "contractor_person" if contractor_person else "contractor_team",
                _("%(name)s is not in %(village)s; the contractor must be.")
                % {"name": party.name, "village": region.name},
            )
    if starts_on and ends_on and ends_on <= starts_on:
        add("ends_on", _("The contract must end after it starts."))
    if duties is not None and not duties.strip():
        add("duties", _("Write down the contractor's duties."))
    if region is not None:
        outside = [r.name for r in area or [] if not region.contains(r)]
        if outside:
            add(
                "area",
                _("The area must lie in %(village)s; these do not: %(names)s.")
                % {"village": region.name, "names": "、".join(outside)},
            )
        if (
            number
            and SecurityContract.objects.filter(region=region, number=number.strip())
            .exclude(pk=pk)  # type: ignore[misc]  # pk=None (a new contract) excludes nothing
            .exists()
        ):
            add(
                "number",
                _("%(village)s already has a contract numbered %(number)s.")
                % {"village": region.name, "number": number.strip()},
            )
    return problems


@transaction.atomic
def contract_save_draft(
    *,
    contract: SecurityContract,
    area: list[Region],
    terms: list[PerformanceTerm],
    payments: list[ContractPayment],
) -> SecurityContract:
    """Create a draft, or replace a draft's fields, area, performance terms and payment
    instalments all at once. A contract that has been signed is never changed here."""
    if contract.pk:
        stored = SecurityContract.objects.select_for_update().filter(pk=contract.pk)
        if stored.values_list("status", flat=True).first() != ContractStatus.DRAFT:
            raise ValidationError(
                _("Only a draft can be edited; this contract has been signed or closed.")
            )
    contract.status = ContractStatus.DRAFT
    problems = contract_problems(
        region=contract.region if contract.region_id else None,
        number=contract.number,
        contractor_person=contract.contractor_person,
        contractor_team=contract.contractor_team,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        duties=contract.duties,
        area=area,
        pk=contract.pk,
    )
    metrics = [t.metric for t in terms]
    if len(metrics) != len(set(metrics)):
        problems.setdefault("terms", []).append(_("Each measure may appear only once."))
    if problems:
        raise ValidationError(problems)
    contract.number = contract.number.strip()
    contract.save()
    contract.area.set(area)
    kept_terms = [t.pk for t in terms if t.pk]
    contract.terms.exclude(pk__in=kept_terms).delete()  # before saving: a metric may move rows
    for term in terms:
        term.contract = contract
        term.save()
    contract.payments.exclude(pk__in=[p.pk for p in payments if p.pk]).delete()
    for payment in payments:
        payment.contract = contract
        payment.save()
    return contract


# ---- status and renewal ------------------------------------------------------------------


CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.DRAFT: {ContractStatus.SIGNED, ContractStatus.TERMINATED},
    ContractStatus.SIGNED: {ContractStatus.ACTIVE, ContractStatus.TERMINATED},
    ContractStatus.ACTIVE: {ContractStatus.SETTLED, ContractStatus.TERMINATED},
    ContractStatus.SETTLED: set(),
    ContractStatus.TERMINATED: set(),
}
CLOSING = (ContractStatus.SETTLED, ContractStatus.TERMINATED)
# The contract's history rows are its line of every move; the screens that move it ask for
# MANAGE_REGISTRY.
CONTRACT_LIFECYCLE = Lifecycle(SecurityContract, ContractStatus, CONTRACT_TRANSITIONS)


# A book above the registry that settles contracts against their performance terms (governance)
# names itself here at start-up; from then on a contract is settled only through it.
SETTLED_BY: list[str] = []


def settled_elsewhere() -> bool:
    return bool(SETTLED_BY)


def contract_set_status(
    *,
    contract: SecurityContract,
    to: str,
    on: dt.date,
    note: str = "",
    by: User | None = None,
    against_terms: bool = False,
) -> SecurityContract:
    """Move the contract along its table, on the day `on`: signing needs a performance term,
    settling or terminating a note. The row is locked and read again first: of two clerks moving
    the same contract, the second sees the first's move. Where a book settles contracts against
    their terms (`SETTLED_BY`), only that book settles (`against_terms`)."""

    def check(locked: SecurityContract) -> None:
        if to == ContractStatus.SETTLED and settled_elsewhere() and not against_terms:
            raise ValidationError(
                _(
                    "A contract is settled against its performance terms: use “Settle against "
                    "the terms” on its page."
                )
            )
        if to == ContractStatus.SIGNED and not locked.terms.exists():
            raise ValidationError(_("Add at least one performance term before signing."))
        if to in CLOSING and not note.strip():
            raise ValidationError(_("Say how the contract was settled or why it was terminated."))

    def apply(locked: SecurityContract) -> None:
        if to == ContractStatus.SIGNED:
            locked.signed_on = on
        if to in CLOSING:
            locked.closed_on, locked.close_note = on, note.strip()

    return CONTRACT_LIFECYCLE.move(contract, to, by=by, note=note, check=check, apply=apply)


@transaction.atomic
def contract_renew(
    *, contract: SecurityContract, number: str, starts_on: dt.date, ends_on: dt.date
) -> SecurityContract:
    """A new draft with the same parties, area, duties and terms for the next period."""
    SecurityContract.objects.select_for_update().filter(pk=contract.pk).first()
    if ends_on <= starts_on:
        raise ValidationError(_("The contract must end after it starts."))
    if SecurityContract.objects.filter(region=contract.region, number=number).exists():
        raise ValidationError(
            _("%(village)s already has a contract numbered %(number)s.")
            % {"village": contract.region.name, "number": number}
        )
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SETTLED):
        raise ValidationError(_("Only a contract in force or settled can be renewed."))
    if SecurityContract.objects.filter(renewed_from=contract).exists():
        raise ValidationError(_("This contract has already been renewed."))
    renewal = SecurityContract.objects.create(
        region=contract.region,
        number=number,
        title=contract.title,
        contractor_person=contract.contractor_person,
        contractor_team=contract.contractor_team,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=contract.amount,
        duties=contract.duties,
        rights=contract.rights,
        benefits=contract.benefits,
        renewed_from=contract,
    )
    renewal.area.set(contract.area.all())
    for term in contract.terms.all():
        term.pk = None
        term.contract = renewal
        term.save()
    return renewal


# ---- the scanned agreement ---------------------------------------------------------------


SCAN_MAX_BYTES = 10 * 1024 * 1024


def scan_check(upload: UploadedFile | CheckedFile) -> CheckedFile:
    """The upload as it can be stored as the scanned agreement: a PDF as given, or a photo
    cleaned of EXIF and GPS. The file's content decides, never its name: an HTML page or an
    SVG called scan.jpg is refused (ValidationError in the user's language)."""
    return check_upload(upload, max_bytes=SCAN_MAX_BYTES)


@transaction.atomic
def contract_attach_scan(
    *, contract: SecurityContract, upload: UploadedFile | CheckedFile
) -> SecurityContract:
    """Store the scanned agreement under a name of our own (the uploader's name is not kept:
    it could carry a path or a misleading extension). The previous file stays on disk, so the
    audit history still points at something."""
    try:
        checked = scan_check(upload)
    except ValidationError as exc:
        raise ValidationError({"scan": exc.messages}) from None
    contract.agreement_scan.save(checked.file.name, checked.file, save=False)
    contract.save(update_fields=["agreement_scan"])
    return contract
