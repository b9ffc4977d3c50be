"""Security contracts (治安承包): the writes that `services.py` does not have yet, and what the
contract screens and the printed agreement share (rules, words, sums).

Status changes and renewal stay in `services.contract_set_status` / `services.contract_renew`.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from qunfang.core.models import Region
from qunfang.core.uploads import CheckedFile, check_upload
from qunfang.registry.models import (
    ContractPayment,
    ContractStatus,
    Organisation,
    PerformanceTerm,
    Person,
    SecurityContract,
)

# ---- the scanned agreement ----------------------------------------------------------------

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


# ---- drafting -----------------------------------------------------------------------------


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
        party = contractor_person or contractor_team
        if not party.region.path.startswith(region.path):
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
        outside = [r.name for r in area or [] if not r.path.startswith(region.path)]
        if outside:
            add(
                "area",
                _("The area must lie in %(village)s; these do not: %(names)s.")
                % {"village": region.name, "names": "、".join(outside)},
            )
        if (
            number
            and SecurityContract.objects.filter(region=region, number=number.strip())
            .exclude(pk=pk)
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
        region=contract.region if contract.region_id else None, number=contract.number,
        contractor_person=contract.contractor_person, contractor_team=contract.contractor_team,
        starts_on=contract.starts_on, ends_on=contract.ends_on, duties=contract.duties,
        area=area, pk=contract.pk,
    )  # fmt: skip
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


# ---- words and sums for the screens and the printed agreement ---------------------------


def plain_number(value: Decimal) -> str:
    """2.00 → "2", 95.50 → "95.5": targets read as people write them."""
    return format(value.normalize(), "f")


def term_in_words(term: PerformanceTerm) -> str:
    """ "Thefts in the area per month: at most 2" (in the reader's language)."""
    return _("%(measure)s: %(comparator)s %(target)s") % {
        "measure": term.get_metric_display(),
        "comparator": term.get_comparator_display(),
        "target": plain_number(term.target),
    }


def payment_summary(contract: SecurityContract) -> dict:
    """Instalments against the contract amount, with a warning for each thing that does not fit.
    Uses `contract.payments.all()`, so prefetch it."""
    payments = list(contract.payments.all())
    total = sum((p.amount for p in payments), Decimal("0.00"))
    warnings = []
    if total != contract.amount:
        warnings.append(
            _(
                "The instalments add up to ¥%(total)s, but the contract amount is ¥%(amount)s "
                "(a difference of ¥%(difference)s)."
            )
            % {
                "total": total,
                "amount": contract.amount,
                "difference": abs(contract.amount - total),
            }
        )
    outside = [p for p in payments if not contract.starts_on <= p.due_on <= contract.ends_on]
    if outside:
        warnings.append(
            _("Instalments due outside the contract term: %(dates)s.")
            % {"dates": "、".join(f"{p.due_on:%Y-%m-%d}" for p in outside)}
        )
    return {"payments": payments, "total": total, "warnings": warnings}


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _four_digits(group: int) -> str:
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(text)
        else:
            text += ("零" if zero else "") + _DIGITS[digit] + _SMALL_UNITS[position]
            zero = False
    return text


def rmb_in_words(amount: Decimal) -> str:
    """The amount in capital Chinese numerals, as contracts and receipts write it
    (12,000.50 → 壹万贰仟元伍角整)."""
    cents = int((amount.quantize(Decimal("0.01")) * 100).to_integral_value())
    if cents < 0:
        return "负" + rmb_in_words(-amount)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    text = ""
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        if text and group < 1000:
            text += "零"
        text += _four_digits(group) + _BIG_UNITS[index]
    text = (text or "零") + "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text != "零元":
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text.removeprefix("零元")
