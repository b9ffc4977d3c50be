"""Screens of 分类指导 and rebuilding: the overview of the villages by class (model villages
marked, filters), a village's class with its history and — for a model village — what the others
can learn, setting a class, rebuilding plans with their steps, their close and a printable copy.

Thin: parse, call a selector or a service, render. Records come through `visible_or_404`; a
refusal is shown as a message and nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.forms.classification import (
    ClassForm,
    CloseForm,
    DoneForm,
    PlanForm,
    StepForm,
)
from qunfang.governance.models import (
    Economy,
    RebuildingPlan,
    RebuildingStatus,
    RebuildingStep,
    SecuritySituation,
    Standing,
)
from qunfang.governance.selectors import classification as sel
from qunfang.governance.services import classification as services
from qunfang.governance.services.leadership import can_lead, current_leader
from qunfang.governance.views.leadership import _refusal, _village
from qunfang.registry.models import OrgForm

VIEW = Perm.VIEW_GOVERNANCE
PAGE_SIZE = 50


# ---- classes ----------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def overview(request: SignedInRequest) -> HttpResponse:
    filters = sel.Filters.read(request.GET)
    return render(
        request,
        "governance/classification/overview.html",
        {
            "overview": sel.overview(request.user, filters),
            "filters": filters,
            "economies": Economy.choices,
            "situations": SecuritySituation.choices,
            "forms": OrgForm.choices,
            "standings": Standing.choices,
        },
    )


@require_safe
@permission_required(VIEW)
def class_detail(request: SignedInRequest, code: str) -> HttpResponse:
    place = _village(request, code)
    klass = sel.class_of(place)
    return render(
        request,
        "governance/classification/detail.html",
        {
            "village": place,
            "klass": klass,
            "history": sel.class_history(klass),
            "models": sel.model_villages(request.user),
            "may": can_lead(request.user, place),
            "plan_refusal": services.plan_refusal(place),
        },
    )


@permission_required(VIEW)
def class_set(request: SignedInRequest, code: str) -> HttpResponse:
    place = _village(request, code)
    klass = sel.class_of(place)
    initial: dict[str, Any] = {}
    if klass is not None:
        initial = {
            "situation": klass.situation,
            "economy": klass.economy,
            "org_form": klass.org_form,
            "standing": klass.standing,
            "guidance": klass.guidance,
        }
    form = ClassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.village_classify(village=place, by=request.user, **form.cleaned_data)
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect("governance:class_detail", code=place.code)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("%(village)s has been classified.") % {"village": place.name}
            )
            return redirect("governance:class_detail", code=place.code)
    return render(
        request,
        "governance/classification/form.html",
        {"village": place, "form": form, "may": can_lead(request.user, place)},
    )


# ---- rebuilding plans -------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def plan_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    place = requested_village(request)
    status = request.GET.get("status", "")
    status = status if status in RebuildingStatus.values else ""
    today = timezone.localdate()
    page = Paginator(sel.plans(user, today=today, village=place, status=status), PAGE_SIZE)
    villages = list(villages_visible(user=user))
    return render(
        request,
        "governance/classification/plans.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "villages": villages if len(villages) > 1 else [],
            "village_code": place.code if place else "",
            "statuses": RebuildingStatus.choices,
            "status": status,
        },
    )


@permission_required(VIEW)
def plan_open(request: SignedInRequest, code: str) -> HttpResponse:
    place = _village(request, code)
    today = timezone.localdate()
    current = current_leader(place)
    form = PlanForm(
        request.POST or None,
        initial={"starts_on": today, "leader": current.name if current else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_open(village=place, by=request.user, **form.cleaned_data)
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect("governance:class_detail", code=place.code)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The rebuilding plan is open; add its steps."))
            return redirect("governance:plan_detail", pk=plan.pk)
    return render(
        request,
        "governance/classification/plan_form.html",
        {
            "village": place,
            "form": form,
            "may": can_lead(request.user, place),
            "refusal": services.plan_refusal(place),
        },
    )


def _plan(request: SignedInRequest, pk: int) -> RebuildingPlan:
    return visible_or_404(sel.plan_for_detail(request.user), request.user, pk=pk)


def _plan_context(request: SignedInRequest, plan: RebuildingPlan) -> dict[str, Any]:
    today = timezone.localdate()
    steps = sel.plan_steps(plan, today)
    is_open = plan.status == RebuildingStatus.OPEN
    return {
        "plan": plan,
        "steps": steps,
        "open_steps": sum(1 for s in steps if s["step"].done_on is None),
        "overdue": sum(1 for s in steps if s["overdue"]),
        "may": is_open and can_lead(request.user, plan.region),
        "is_open": is_open,
        "today": today,
    }


@require_safe
@permission_required(VIEW)
def plan_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = _plan_context(request, plan)
    context.update(
        step_form=StepForm(initial={"due_on": context["today"]}),
        close_form=CloseForm(),
        done_form=DoneForm(),
    )
    return render(request, "governance/classification/plan.html", context)


def _after(request: SignedInRequest, plan: RebuildingPlan, done: str, call: Any) -> HttpResponse:
    try:
        call()
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, done)
    return redirect("governance:plan_detail", pk=plan.pk)


@require_POST
@permission_required(VIEW)
def step_add(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("governance:plan_detail", pk=plan.pk)
    return _after(
        request,
        plan,
        _("The step has been added."),
        lambda: services.step_add(plan=plan, by=request.user, **form.cleaned_data),
    )


@require_POST
@permission_required(VIEW)
def step_done(request: SignedInRequest, pk: int) -> HttpResponse:
    step = visible_or_404(
        RebuildingStep.objects.select_related("plan__region"), request.user, pk=pk
    )
    form = DoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _after(
        request,
        step.plan,
        _("The step is marked done."),
        lambda: services.step_done(step=step, by=request.user, note=note),
    )


@require_POST
@permission_required(VIEW)
def plan_complete(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    text = request.POST.get("text", "")
    return _after(
        request,
        plan,
        _("The rebuilding plan is completed."),
        lambda: services.plan_complete(plan=plan, by=request.user, outcome=text),
    )


@require_POST
@permission_required(VIEW)
def plan_abandon(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    text = request.POST.get("text", "")
    return _after(
        request,
        plan,
        _("The rebuilding plan has been abandoned."),
        lambda: services.plan_abandon(plan=plan, by=request.user, reason=text),
    )


@require_safe
@permission_required(VIEW)
def plan_print(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = _plan_context(request, plan)
    stem = f"{_('Rebuilding plan')}-{plan.region.name}"
    return printable(
        request,
        "governance/classification/print.html",
        context,
        stem=stem,
        ascii_stem=f"rebuilding-plan-{plan.pk}",
    )
