"""Safety inspection screens (安全检查): the list of planned and recorded inspections, planning
one, recording its checklist, hazards with photos, rectification notices (整改通知) with their
re-inspection, the overdue list for dashboards, and the paper record and register.

Thin: parse, call a selector or a service, render. Records come through `visible_or_404`, so
another village's inspection answers 404 before any permission is asked; acting needs the
village director's or the township officer's permission (403 otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qunfang.casebook.forms.inspections import (
    HazardForm,
    InspectionForm,
    OrderForm,
    RecordForm,
    ReinspectForm,
    ReportDoneForm,
)
from qunfang.casebook.models import (
    Hazard,
    Inspection,
    InspectionStatus,
    OrderStatus,
    PlaceKind,
    RectificationOrder,
)
from qunfang.casebook.selectors import inspections as sel
from qunfang.casebook.services import inspections as services
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region
from qunfang.core.permissions import permission_required
from qunfang.core.registers import Column, DateRange, RegisterView
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible

VIEW = Perm.VIEW_BOOKS
PAGE_SIZE = 50
AWAITING_SHOWN = 100
IMAGE_SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def _act_on(request: SignedInRequest, region: Region) -> None:
    if not services.can_act(request.user, region):
        raise PermissionDenied


def _detail_url(inspection_id: int, hazard_id: int | None = None) -> str:
    url = reverse("casebook:inspection_detail", args=[inspection_id])
    return f"{url}#hazard-{hazard_id}" if hazard_id else url


# ---- the list -------------------------------------------------------------------------------


@permission_required(VIEW)
def inspection_list(request: SignedInRequest) -> HttpResponse:
    village = requested_village(request)
    kind = request.GET.get("kind", "") if request.GET.get("kind") in PlaceKind.values else ""
    statuses = [*InspectionStatus.choices, (sel.OVERDUE, _("With overdue rectification"))]
    status = request.GET.get("status", "") if request.GET.get("status") in dict(statuses) else ""
    today = timezone.localdate()
    queryset = sel.inspection_list(
        request.user, village=village, kind=kind, status=status, today=today
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casebook/inspections/list.html",
        {
            "page": page,
            "villages": villages_visible(user=request.user),
            "village_code": village.code if village else "",
            "kinds": PlaceKind.choices,
            "kind": kind,
            "statuses": statuses,
            "status": status,
            "today": today,
            "can_act": services.can_act(request.user),
        },
    )


# ---- planning and recording -----------------------------------------------------------------


@permission_required(any_of=services.ACT_PERMS)
def inspection_create(request: SignedInRequest) -> HttpResponse:
    form = InspectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_create(
                region=data["region"],
                place_name=data["place_name"],
                place_kind=data["place_kind"],
                address=data["address"],
                planned_for=data["planned_for"],
                note=data["note"],
                extra_items=data["extra_items"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if inspection.planned_for is None:  # ad hoc: straight to the checklist
                messages.success(
                    request,
                    _("Record what you find at %(place)s.") % {"place": inspection.place_name},
                )
                return redirect("casebook:inspection_record", inspection.pk)
            messages.success(request, _("The inspection has been planned."))
            return redirect(inspection.get_absolute_url())
    return render(
        request,
        "casebook/inspections/form.html",
        {
            "form": form,
            "title": _("New safety inspection"),
            "back": reverse("casebook:inspection_list"),
        },
    )


@permission_required(VIEW)
def inspection_record(request: SignedInRequest, pk: int) -> HttpResponse:
    inspection = visible_or_404(Inspection.objects.select_related("region"), request.user, pk=pk)
    _act_on(request, inspection.region)
    if inspection.status != InspectionStatus.PLANNED:
        messages.info(request, _("This inspection has already been recorded."))
        return redirect(inspection.get_absolute_url())
    initial = {"inspectors": str(request.user), "inspected_on": timezone.localdate()}
    form = RecordForm(request.POST or None, inspection=inspection, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_record(
                inspection=inspection,
                results=form.results(),
                inspectors=form.cleaned_data["inspectors"],
                inspected_on=form.cleaned_data["inspected_on"],
                hazards_from=form.hazards_from(),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The inspection has been recorded."))
            return redirect(inspection.get_absolute_url())
    return render(
        request, "casebook/inspections/record.html", {"inspection": inspection, "form": form}
    )


@permission_required(VIEW)
def hazard_add(request: SignedInRequest, pk: int) -> HttpResponse:
    inspection = visible_or_404(Inspection.objects.select_related("region"), request.user, pk=pk)
    _act_on(request, inspection.region)
    if inspection.status != InspectionStatus.DONE:
        messages.error(request, _("Hazards are added to a recorded inspection that is not closed."))
        return redirect(inspection.get_absolute_url())
    initial = {}
    item_pk = request.GET.get("item", "")
    item = inspection.items.filter(pk=item_pk, passed=False).first() if item_pk.isdigit() else None
    if item is not None:
        initial["description"] = f"{item.text}：{item.note}" if item.note else item.text
    form = HazardForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hazard = services.hazard_add(
                inspection=inspection,
                description=data["description"],
                severity=data["severity"],
                photos=data["photos"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The hazard has been registered. Issue its rectification notice.")
            )
            return redirect("casebook:order_create", hazard.pk)
    return render(
        request,
        "casebook/inspections/form.html",
        {
            "form": form,
            "title": _("Hazard found at %(place)s") % {"place": inspection.place_name},
            "back": inspection.get_absolute_url(),
            "inspection": inspection,
            "multipart": True,
        },
    )


@permission_required(VIEW)
def inspection_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    inspection = visible_or_404(sel.inspection_for_detail(request.user), request.user, pk=pk)
    return _detail_page(request, inspection)


def _detail_page(
    request: SignedInRequest, inspection: Inspection, failed_forms: dict | None = None
) -> HttpResponse:
    """The inspection with its checklist and hazards; for each pending order the forms to
    record a report or a re-inspection (a refused re-inspection comes back with its errors)."""
    failed_forms = failed_forms or {}
    today = timezone.localdate()
    can_act = services.can_act(request.user, inspection.region)
    hazards: list[dict[str, Any]] = []
    for hazard in inspection.hazards.all():
        row: dict[str, Any] = {
            "hazard": hazard,
            "order": getattr(hazard, "order", None),
            "overdue": False,
            "report_form": None,
            "reinspect_form": None,
        }
        order = row["order"]
        if order is not None:
            row["overdue"] = order.status == OrderStatus.OPEN and order.deadline < today
            moves = services.ORDER_LIFECYCLE.allowed(order, request.user) if can_act else []
            if OrderStatus.REPORTED_DONE in moves:
                row["report_form"] = ReportDoneForm(auto_id=f"d{order.pk}_%s")
            if OrderStatus.VERIFIED in moves:  # any re-inspection: verified, not fixed, escalated
                row["reinspect_form"] = failed_forms.get(order.pk) or ReinspectForm(
                    auto_id=f"r{order.pk}_%s", initial={"reinspected_on": today}
                )
        hazards.append(row)
    shown = {row["reinspect_form"] for row in hazards}
    errors = [
        e for form in failed_forms.values() if form not in shown for e in form.non_field_errors()
    ]
    items: list[Any] = list(inspection.items.all())  # the checklist items, marked below
    found = [row["hazard"].description for row in hazards]
    # a failed item already registered as a hazard: its text starts the hazard's description
    for item in items:
        item.has_hazard = any(d == item.text or d.startswith(f"{item.text}：") for d in found)
    return render(
        request,
        "casebook/inspections/detail.html",
        {
            "inspection": inspection,
            "items": items,
            "hazards": hazards,
            "can_act": can_act,
            "today": today,
            "failed_items": [i for i in items if i.passed is False],
            "errors": errors,
        },
    )


# ---- rectification orders -------------------------------------------------------------------


@permission_required(VIEW)
def order_create(request: SignedInRequest, pk: int) -> HttpResponse:
    hazard = visible_or_404(
        Hazard.objects.select_related("inspection__region", "order"), request.user, pk=pk
    )
    inspection = hazard.inspection
    _act_on(request, inspection.region)
    if getattr(hazard, "order", None) is not None:
        messages.info(request, _("This hazard already has a rectification order."))
        return redirect(_detail_url(inspection.pk, hazard.pk))
    if inspection.status != InspectionStatus.DONE:
        messages.error(
            request, _("Rectification is ordered on a recorded inspection that is not closed.")
        )
        return redirect(inspection.get_absolute_url())
    form = OrderForm(
        request.POST or None, initial={"deadline": timezone.localdate() + dt.timedelta(days=7)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.order_issue(
                hazard=hazard,
                responsible=data["responsible"],
                measures=data["measures"],
                deadline=data["deadline"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The rectification notice has been issued. Print it for the responsible party."),
            )
            return redirect(_detail_url(inspection.pk, hazard.pk))
    return render(
        request,
        "casebook/inspections/form.html",
        {
            "form": form,
            "title": _("Rectification notice (整改通知)"),
            "back": _detail_url(inspection.pk, hazard.pk),
            "inspection": inspection,
            "hazard": hazard,
        },
    )


def _order(request: SignedInRequest, pk: int) -> RectificationOrder:
    order = visible_or_404(
        RectificationOrder.objects.select_related("hazard__inspection__region"), request.user, pk=pk
    )
    _act_on(request, order.hazard.inspection.region)
    return order


@require_POST
@permission_required(VIEW)
def order_report_done(request: SignedInRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = ReportDoneForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:  # an ErrorList yields its messages as text
                messages.error(request, error)  # type: ignore[arg-type]
    else:
        try:
            services.order_report_done(order=order, note=form.cleaned_data["note"], by=request.user)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(
                request, _("Recorded as reported done; re-inspect to close the order.")
            )
    return redirect(_detail_url(order.hazard.inspection_id, order.hazard_id))


@require_POST
@permission_required(VIEW)
def order_reinspect(request: SignedInRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = ReinspectForm(request.POST, auto_id=f"r{order.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_reinspect(
                order=order,
                outcome=data["outcome"],
                on=data["reinspected_on"],
                result=data["result"],
                new_deadline=data["new_deadline"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                {
                    OrderStatus.VERIFIED: _(
                        "The rectification has been verified and the order closed."
                    ),
                    OrderStatus.OPEN: _(
                        "Not rectified: the order stays open with the new deadline."
                    ),
                    OrderStatus.ESCALATED: _(
                        "Escalated: the hazard is now a case in the register."
                    ),
                }[OrderStatus(order.status)],
            )
            return redirect(_detail_url(order.hazard.inspection_id, order.hazard_id))
    inspection = visible_or_404(
        sel.inspection_for_detail(request.user), request.user, pk=order.hazard.inspection_id
    )
    return _detail_page(request, inspection, failed_forms={order.pk: form})


@permission_required(VIEW)
def overdue_orders(request: SignedInRequest) -> HttpResponse:
    village = requested_village(request)
    today = timezone.localdate()
    page = Paginator(
        sel.overdue_orders(request.user, village=village, today=today), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for order in page.object_list:
        order.days_overdue = (today - order.deadline).days
    awaiting = list(sel.awaiting_reinspection(request.user, village=village)[: AWAITING_SHOWN + 1])
    return render(
        request,
        "casebook/inspections/overdue.html",
        {
            "page": page,
            "awaiting": awaiting[:AWAITING_SHOWN],
            "more_awaiting": len(awaiting) > AWAITING_SHOWN,
            "villages": villages_visible(user=request.user),
            "village_code": village.code if village else "",
            "today": today,
        },
    )


# ---- photos ---------------------------------------------------------------------------------


@permission_required(VIEW)
def hazard_photo(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """A hazard's photo, never from a public media URL. Only checked images were stored."""
    attachment = visible_or_404(sel.hazard_photo(request.user, pk), request.user, pk=pk)
    suffix = IMAGE_SUFFIX.get(attachment.content_type)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle,
        content_type=attachment.content_type if suffix else "application/octet-stream",
        as_attachment=suffix is None,
        filename=f"hazard-photo-{attachment.pk}{suffix or ''}",
    )


# ---- paper ----------------------------------------------------------------------------------


@permission_required(VIEW)
def inspection_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The inspection record (a blank checklist while planned) and, one sheet each, the
    rectification notices, with signature lines."""
    inspection = visible_or_404(sel.inspection_for_detail(request.user), request.user, pk=pk)
    hazards = list(inspection.hazards.all())
    notices = [h for h in hazards if getattr(h, "order", None) is not None]
    return render(
        request,
        "casebook/inspections/print.html",
        {
            "inspection": inspection,
            "items": list(inspection.items.all()),
            "hazards": hazards,
            "notices": notices,
        },
    )


class InspectionRegister(RegisterView):
    """The inspection register (安全检查登记簿) of a village for a period, as bound paper."""

    key = "inspections"
    title = gettext_lazy("Safety inspection register (安全检查登记簿)")
    choose_text = gettext_lazy("Choose a village: the inspection register is kept per village.")
    empty_text = gettext_lazy("No inspections recorded in this period.")
    columns = (
        Column(gettext_lazy("Date"), "pr-col-date"),
        Column(gettext_lazy("Place inspected")),
        Column(gettext_lazy("Inspectors")),
        Column(gettext_lazy("Checklist")),
        Column(gettext_lazy("Hazards found")),
        Column(gettext_lazy("Rectification and re-inspection")),
    )
    cells_template = "casebook/inspections/_register_cells.html"
    back_url_name = "casebook:inspection_list"
    nav_template = "casebook/inspections/_nav.html"
    period = DateRange(default="year")
    keeper = gettext_lazy("Recorded by (signature) (记录人签字)")

    def items(self, village: Region, first: dt.date, last: dt.date) -> list[Inspection]:
        rows: list[Any] = list(  # inspections, with their failed items
            sel.register_inspections(self.request.user, village=village, first=first, last=last)
        )
        for inspection in rows:
            inspection.failed = [i for i in inspection.items.all() if i.passed is False]
        return rows


@permission_required(VIEW)
def inspection_register_print(request: SignedInRequest) -> HttpResponseBase:
    return InspectionRegister.as_view()(request)
