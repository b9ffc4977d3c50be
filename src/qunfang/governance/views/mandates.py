"""Mandates and division of work (职责分工) screens: the township's mandates with the types nobody
owns and the villages that cannot take their share (read by its villages too), one kind of
organisation's mandate, the owner of every case and dispute type, and "start from the defaults".

Thin: parse, call `selectors.mandates` or `services.mandates`, render. The township is the
user's own (a county's accounts choose with `?township=<code>`; another answers 404). A refused
write shows the service's message and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest
from qunfang.core.models import Region
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.governance.forms.mandates import DivisionForm, MandateForm, TownshipForm
from qunfang.governance.selectors import mandates as sel
from qunfang.governance.services import mandates as service
from qunfang.registry.models import OrgKind


def _township(
    request: SignedInRequest, *, posted: bool = False
) -> tuple[Region | None, list[Region]]:
    """The township shown: `?township=<code>` among the user's townships, else their first
    (404 for one that is not theirs). On a POST the posted township when it is theirs, else
    their first: the service refuses another township's with a message, and nothing of it is
    shown."""
    townships = sel.townships_for(request.user)
    source = request.POST if posted else request.GET
    code = (source.get("township") or "").strip()
    chosen = next((t for t in townships if t.code == code), None)
    if chosen is None and code and not posted:
        raise Http404
    return chosen or (townships[0] if townships else None), townships


def _back(township: Region | None, townships: list[Region]) -> str:
    url = reverse("governance:mandates_list")
    return f"{url}?township={township.code}" if township and len(townships) > 1 else url


@require_GET
@permission_required(Perm.VIEW_GOVERNANCE)
def mandates_list(request: SignedInRequest) -> HttpResponse:
    township, townships = _township(request)
    page = sel.mandates_page(request.user, township) if township else None
    return render(
        request,
        "governance/mandates/list.html",
        {
            "page": page,
            "township": township,
            "townships": townships,
            "may_set": township is not None and sel.sets_mandates(request.user, township),
        },
    )


@permission_required(Perm.SUPERVISE_VILLAGES)
def mandates_edit(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        form = MandateForm(request.POST)
        shown, townships = _township(request, posted=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service.mandate_set(
                    township=data["township"],
                    org_kind=data["org_kind"],
                    text=data["text"],
                    required_rules=data["required_rules"],
                    by=request.user,
                )
            except ValidationError as exc:
                errors_onto(form, exc)
            else:
                messages.success(
                    request,
                    _("The mandate of the %(kind)s is saved.")
                    % {"kind": OrgKind(data["org_kind"]).label},
                )
                return redirect(_back(data["township"], townships))
        kind = request.POST.get("org_kind", "")
    else:
        shown, townships = _township(request)
        kind = request.GET.get("kind", "")
        if shown is None or kind not in OrgKind.values:
            messages.error(request, _("Choose a kind of organisation from the list."))
            return redirect(_back(shown, townships))
        text, rules = sel.current_mandate(request.user, shown, kind)
        form = MandateForm(
            initial={
                "township": shown.code,
                "org_kind": kind,
                "text": text,
                "required_rules": rules,
            }
        )
    return render(
        request,
        "governance/mandates/edit.html",
        {
            "form": form,
            "township": shown,
            "kind_label": OrgKind(kind).label if kind in OrgKind.values else "—",
            "back": _back(shown, townships),
        },
    )


@permission_required(Perm.SUPERVISE_VILLAGES)
def mandates_division(request: SignedInRequest) -> HttpResponse:
    posted = request.method == "POST"
    shown, townships = _township(request, posted=posted)
    if shown is None:
        raise Http404
    rows = sel.type_rows(sel.division_of(shown), sel.active_case_types())
    form = DivisionForm(
        request.POST if posted else None, rows=rows, initial={"township": shown.code}
    )
    if posted and form.is_valid():
        try:
            changed = service.division_set(
                township=form.cleaned_data["township"], owners=form.owners(), by=request.user
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The division of work is saved (%(n)d changes).") % {"n": changed},
            )
            return redirect(_back(form.cleaned_data["township"], townships))
    return render(
        request,
        "governance/mandates/division.html",
        {
            "form": form,
            "township": shown,
            "case_fields": form.type_fields(sel.CASE),
            "dispute_fields": form.type_fields(sel.DISPUTE),
            "back": _back(shown, townships),
        },
    )


@require_POST
@permission_required(Perm.SUPERVISE_VILLAGES)
def mandates_defaults(request: SignedInRequest) -> HttpResponse:
    form = TownshipForm(request.POST)
    shown, townships = _township(request, posted=True)
    problems: list[Any] = []
    if form.is_valid():
        try:
            changed = service.mandates_from_defaults(
                township=form.cleaned_data["township"], by=request.user
            )
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _(
                    "The township's mandates and division of work are now the defaults "
                    "(%(n)d changes)."
                )
                % {"n": changed},
            )
    else:
        problems = [e for errors in form.errors.values() for e in errors]
    for problem in problems:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": problem})
    return redirect(_back(shown, townships))
