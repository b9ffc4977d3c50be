"""Security contract screens (治安承包, article §2.2): list, detail, drafting, status changes,
renewal, the printable agreement and the scanned agreement. Thin: parse, call, render."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest
from qunfang.core.models import Region
from qunfang.core.pdf import printable
from qunfang.core.permissions import permission_required
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.core.uploads import EXTENSIONS, content_type_of
from qunfang.registry import selectors
from qunfang.registry.forms import (
    ContractForm,
    PaymentFormSetFactory,
    RenewForm,
    ScanForm,
    TermFormSetFactory,
    TransitionForm,
)
from qunfang.registry.models import ContractStatus, SecurityContract
from qunfang.registry.services import contracts as services
from qunfang.registry.views.common import MANAGE, VIEW, paginate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The button each allowed move gets on the detail page (lazy: translated for each reader).
MOVE_LABELS: "dict[str, StrOrPromise]" = {
    ContractStatus.SIGNED: gettext_lazy("Mark as signed"),
    ContractStatus.ACTIVE: gettext_lazy("Put in force"),
    ContractStatus.SETTLED: gettext_lazy("Settle"),
    ContractStatus.TERMINATED: gettext_lazy("Terminate"),
}


@dataclass(frozen=True)
class ContractSection:
    """A part of a contract's page that a book above the registry adds (governance: its
    settlement against the terms): its template and its context from the request and the
    contract. Registered at start-up by that book; the registry imports nothing of it."""

    template: str
    context: Callable[[HttpRequest, SecurityContract], dict[str, Any]]


CONTRACT_SECTIONS: list[ContractSection] = []


def _detail_queryset():
    return SecurityContract.objects.select_related(
        "region__parent",
        "contractor_person__region",
        "contractor_team__region",
        "renewed_from",
        "renewal",
    ).prefetch_related(
        Prefetch("area", queryset=Region.objects.select_related("parent")),
        "terms",
        "payments",
    )


def _get(request: HttpRequest, pk: int, queryset=None) -> SecurityContract:
    return visible_or_404(
        queryset if queryset is not None else _detail_queryset(), request.user, pk=pk
    )


def _moves(contract: SecurityContract, user) -> list[dict]:
    return [
        {"to": s, "label": MOVE_LABELS[s], "closing": s in services.CLOSING}
        for s in services.CONTRACT_LIFECYCLE.allowed(contract, user)
        if not (s == ContractStatus.SETTLED and services.settled_elsewhere())
    ]


def _history(contract: SecurityContract) -> list[dict]:
    """Every recorded change, newest first, with the status at that point and what changed."""
    fields = [f for f in SecurityContract._meta.fields if f.name != "id"]
    records = list(
        contract.history.select_related("history_user").order_by("history_date", "history_id")
    )
    rows, previous = [], None
    for record in records:
        changed: list[str] = (
            [
                str(f.verbose_name)
                for f in fields
                if getattr(record, f.attname) != getattr(previous, f.attname)
            ]
            if previous is not None
            else []
        )
        rows.append(
            {
                "record": record,
                "changed": changed,
                "status_changed": previous is None or record.status != previous.status,
                "status_label": ContractStatus(record.status).label,
            }
        )
        previous = record
    return rows[::-1]


def _renewal(contract: SecurityContract) -> SecurityContract | None:
    return getattr(contract, "renewal", None)  # reverse one-to-one: raises when there is none


def _renew_refusal(contract: SecurityContract) -> str:
    """Why the contract cannot be renewed now (the service checks the same again on saving)."""
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SETTLED):
        return _("Only a contract in force or settled can be renewed.")
    if _renewal(contract) is not None:
        return _("This contract has already been renewed.")
    return ""


def _changed_meanwhile() -> str:
    return _("Someone else changed this contract at the same moment. Check it and save again.")


def _detail_context(request: HttpRequest, contract: SecurityContract, **forms) -> dict:
    return {
        "contract": contract,
        "terms": [{"term": t, "words": selectors.term_in_words(t)} for t in contract.terms.all()],
        "summary": selectors.payment_summary(contract),
        "history": _history(contract),
        "renewal": _renewal(contract),
        "can_renew": not _renew_refusal(contract),
        "editable": services.contract_is_editable(contract),
        "moves": _moves(contract, request.user),
        "transition_form": forms.get("transition_form")
        or TransitionForm(initial={"on": timezone.localdate()}),
        "scan_form": forms.get("scan_form") or ScanForm(),
        "sections": [
            {"template": s.template, **s.context(request, contract)} for s in CONTRACT_SECTIONS
        ],
    }


# ---- reading -----------------------------------------------------------------------------


@permission_required(VIEW)
def contract_list(request: SignedInRequest) -> HttpResponse:
    villages = villages_visible(user=request.user)
    q = request.GET.get("q", "").strip()[:50]
    status = request.GET.get("status", "")
    status = status if status in ContractStatus.values else ""
    village_code = request.GET.get("village", "")
    queryset = SecurityContract.objects.visible_to(request.user).select_related(
        "region", "contractor_person", "contractor_team"
    )
    if village_code:
        queryset = queryset.filter(region__in=villages.filter(code=village_code))
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(Q(number__icontains=q) | Q(title__icontains=q))
    page = paginate(request, queryset)
    return render(
        request,
        "registry/contract_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": ContractStatus.choices,
            "villages": villages,
            "village_code": village_code,
        },
    )


@permission_required(VIEW)
def contract_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    contract = _get(request, pk)
    return render(request, "registry/contract_detail.html", _detail_context(request, contract))


@permission_required(VIEW)
def contract_print(request: SignedInRequest, pk: int) -> HttpResponse:
    contract = _get(request, pk)
    chinese = translation.get_language() == "zh-hans"
    area = [
        f"{r.parent.name}{r.name}"  # type: ignore[union-attr]  # a group's parent: its village
        if r.kind == "group"
        else r.name
        for r in contract.area.all()
    ]
    context = {
        "contract": contract,
        "terms": [{"term": t, "words": selectors.term_in_words(t)} for t in contract.terms.all()],
        "summary": selectors.payment_summary(contract),
        "area_names": ("、" if chinese else ", ").join(area) or contract.region.name,
        "amount_in_words": selectors.rmb_in_words(contract.amount) if chinese else "",
    }
    stem = f"{_('Security contracting agreement')}-{contract.number}"
    template = "registry/contract_print.html"
    return printable(request, template, context, stem=stem, ascii_stem=f"contract-{contract.pk}")


# ---- drafting ----------------------------------------------------------------------------


def _edit(request: HttpRequest, contract: SecurityContract) -> HttpResponse:
    is_new = contract.pk is None
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ContractForm(data, files, instance=contract, user=request.user)
    terms = TermFormSetFactory(data, instance=contract, prefix="terms")
    payments = PaymentFormSetFactory(data, instance=contract, prefix="payments")
    if request.method == "POST" and all([form.is_valid(), terms.is_valid(), payments.is_valid()]):
        try:
            saved = services.contract_save_draft(
                contract=form.instance,
                area=list(form.cleaned_data["area"]),
                terms=terms.kept(),
                payments=payments.kept(),
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        except IntegrityError:  # a number taken or a status changed at the same moment
            form.add_error(None, _changed_meanwhile())
        else:
            messages.success(request, _("The draft contract has been saved."))
            return redirect("registry:contract_detail", saved.pk)
        if is_new:
            contract.pk = None
    return render(
        request,
        "registry/contract_form.html",
        {
            "form": form,
            "terms": terms,
            "payments": payments,
            "contract": None if is_new else contract,
        },
    )


@permission_required(MANAGE)
def contract_create(request: SignedInRequest) -> HttpResponse:
    return _edit(request, SecurityContract())


@permission_required(MANAGE)
def contract_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    contract = _get(request, pk, SecurityContract.objects.select_related("region"))
    if not services.contract_is_editable(contract):
        messages.error(
            request,
            _("Only a draft can be edited; this contract is %(status)s. Nothing was changed.")
            % {"status": contract.get_status_display()},
        )
        return redirect("registry:contract_detail", contract.pk)
    return _edit(request, contract)


# ---- status, renewal, scan ---------------------------------------------------------------


@permission_required(MANAGE)
def contract_transition(request: SignedInRequest, pk: int) -> HttpResponse:
    contract = _get(request, pk)
    form = TransitionForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.contract_set_status(
                contract=contract,
                to=to,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            contract.refresh_from_db()
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The contract is now %(status)s.") % {"status": ContractStatus(to).label},
            )
            return redirect("registry:contract_detail", contract.pk)
    return render(
        request,
        "registry/contract_transition.html",
        {
            "contract": contract,
            "moves": _moves(contract, request.user),
            "transition_form": form,
        },
    )


@permission_required(MANAGE)
def contract_renew(request: SignedInRequest, pk: int) -> HttpResponse:
    contract = _get(request, pk)
    form = RenewForm(
        request.POST or None, contract=contract, initial=RenewForm.suggestion(contract)
    )
    refusal = _renew_refusal(contract)
    if request.method == "POST" and form.is_valid():
        try:
            renewal = services.contract_renew(contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        except IntegrityError:  # renewed, or the number taken, at the same moment
            form.add_error(None, _changed_meanwhile())
        else:
            messages.success(
                request,
                _(
                    "Renewal %(number)s has been drafted with the same parties, area, duties and "
                    "terms. Check it, add the payment schedule, then sign it."
                )
                % {"number": renewal.number},
            )
            return redirect("registry:contract_detail", renewal.pk)
    return render(
        request,
        "registry/contract_renew.html",
        {
            "contract": contract,
            "form": form,
            "refusal": refusal,
            "renewal": _renewal(contract),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(VIEW)
def contract_scan(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """GET: the scanned agreement, always as a download (never shown inline, never from a public
    media URL). POST: upload a new scan (needs MANAGE_REGISTRY)."""
    if request.method == "POST":
        contract = _get(request, pk)
        if not request.user.can(MANAGE):
            raise PermissionDenied
        form = ScanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.contract_attach_scan(contract=contract, upload=form.cleaned_data["scan"])
            except ValidationError as exc:
                errors_onto(form, exc)
            else:
                messages.success(request, _("The scanned agreement has been stored."))
                return redirect("registry:contract_detail", contract.pk)
        return render(
            request,
            "registry/contract_detail.html",
            _detail_context(request, contract, scan_form=form),
        )
    contract = _get(request, pk, SecurityContract.objects.all())
    if not contract.agreement_scan:
        raise Http404
    try:
        handle = contract.agreement_scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = handle.read(16)
    handle.seek(0)
    content_type = content_type_of(head) or "application/octet-stream"
    extension = EXTENSIONS.get(content_type, "bin")
    safe_number = "".join(c if c.isalnum() or c in "-_" else "_" for c in contract.number)
    response = FileResponse(
        handle, as_attachment=True, filename=f"{safe_number}.{extension}", content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
