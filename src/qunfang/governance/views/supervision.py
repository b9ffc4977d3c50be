"""Screens of township supervision (督导检查): plans and their draw, visits with their record
(a night check beside its shift's check-ins), findings with photos, rectification tasks with the
village's report and the township's re-check, and the printable visit record.

Thin: parse, call a selector (`selectors.supervision`) or a service (`services.supervision`),
render. Records come through `visible_or_404` on the book's selectors, so another village's
record — or an unannounced visit not yet made, for a village — answers 404; a refusal is shown
on its form or as a message, and nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
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
from qunfang.governance.forms.supervision import (
    FindingForm,
    PhotoForm,
    PlanForm,
    ReasonForm,
    RecheckForm,
    RecordForm,
    ReportForm,
    TaskForm,
    VisitForm,
)
from qunfang.governance.models.supervision import (
    FindingKind,
    PlanStatus,
    RectificationTask,
    SupervisionPlan,
    SupervisionVisit,
    TaskStatus,
    VisitKind,
    VisitStatus,
)
from qunfang.governance.selectors import supervision as sel
from qunfang.governance.services import supervision as svc

VIEW = Perm.VIEW_GOVERNANCE
SUPERVISE = Perm.SUPERVISE_VILLAGES
PAGE_SIZE = 50


def _refusal(exc: ValidationError | NotYours) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# ---- plans ----------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def plan_list(request: SignedInRequest) -> HttpResponse:
    page = Paginator(sel.plan_list(request.user), PAGE_SIZE)
    return render(
        request,
        "governance/supervision/plan_list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "may_plan": sel.supervises(request.user),
        },
    )


def _details(form: PlanForm) -> svc.PlanDetails:
    data = form.cleaned_data
    return svc.PlanDetails(
        title=data["title"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        villages_to_draw=data["villages_to_draw"] or 0,
        night_checks_to_draw=data["night_checks_to_draw"] or 0,
        note=data["note"],
    )


@permission_required(SUPERVISE)
def plan_create(request: SignedInRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.plan_create(
                township=form.cleaned_data["township"], details=_details(form), by=request.user
            )
        except (ValidationError, NotYours) as exc:
            errors_onto(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("The plan is saved; draw it when it is ready."))
            return redirect("governance:supervision_plan_detail", plan.pk)
    return render(request, "governance/supervision/plan_form.html", {"form": form})


def _plan(request: SignedInRequest, pk: int) -> SupervisionPlan:
    """A plan the user reads (`plans_visible`: a village reads its township's drawn plans,
    which `visible_or_404` would not reach); another township's answers 404."""
    plans = sel.plans_visible(request.user).select_related("region", "created_by")
    try:
        return plans.get(pk=pk)
    except SupervisionPlan.DoesNotExist:
        raise Http404 from None


def _plan_page(request: SignedInRequest, plan: SupervisionPlan, form: PlanForm | None = None):
    user = request.user
    may = svc.can_supervise(user, plan.region)
    if form is None and may and plan.status == PlanStatus.DRAFT:
        form = PlanForm(
            user=user,
            initial={
                "township": plan.region_id,
                "title": plan.title,
                "starts_on": plan.starts_on,
                "ends_on": plan.ends_on,
                "villages_to_draw": plan.villages_to_draw,
                "night_checks_to_draw": plan.night_checks_to_draw,
                "note": plan.note,
            },
        )
    return render(
        request,
        "governance/supervision/plan_detail.html",
        {
            "plan": plan,
            "visits": sel.visits_of_plan(plan, user),
            "may": may,
            "form": form if may and plan.status == PlanStatus.DRAFT else None,
        },
    )


@require_safe
@permission_required(VIEW)
def plan_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _plan(request, pk))


@require_POST
@permission_required(VIEW)
def plan_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = PlanForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            svc.plan_update(plan=plan, details=_details(form), by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect("governance:supervision_plan_detail", pk)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("governance:supervision_plan_detail", pk)
    if not svc.can_supervise(request.user, plan.region):
        messages.error(request, _("Only the township's office supervises its villages."))
        return redirect("governance:supervision_plan_detail", pk)
    return _plan_page(request, plan, form)


@require_POST
@permission_required(VIEW)
def plan_draw(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        visits = svc.plan_draw(plan=plan, by=request.user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(
            request,
            _("Drawn: %(n)s visits planned. Spot and night checks are not shown to the villages.")
            % {"n": len(visits)},
        )
    return redirect("governance:supervision_plan_detail", pk)


# ---- visits ---------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def visit_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    month = request.GET.get("month", "").strip()
    visits = sel.visit_list(user, village=village, kind=kind, status=status, month=month)
    page = Paginator(visits, PAGE_SIZE)
    villages = list(villages_visible(user=user))
    return render(
        request,
        "governance/supervision/visit_list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "villages": villages if len(villages) > 1 else [],
            "village_code": village.code if village else "",
            "kinds": VisitKind.choices,
            "kind": kind,
            "statuses": VisitStatus.choices,
            "status": status,
            "month": month,
            "may_plan": sel.supervises(user),
        },
    )


@permission_required(SUPERVISE)
def visit_create(request: SignedInRequest) -> HttpResponse:
    form = VisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = svc.visit_create(
                village=data["village"],
                kind=data["kind"],
                planned_for=data["planned_for"],
                shift=data["shift"],
                by=request.user,
            )
        except (ValidationError, NotYours) as exc:
            errors_onto(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("The visit is planned."))
            return redirect("governance:supervision_visit_detail", visit.pk)
    return render(request, "governance/supervision/visit_form.html", {"form": form})


def _visit(request: SignedInRequest, pk: int) -> SupervisionVisit:
    return visible_or_404(sel.visit_for_detail(request.user), request.user, pk=pk)


def _claims(visit: SupervisionVisit) -> list[dict[str, Any]]:
    """A night check's people with their check-ins (times and points)."""
    if visit.shift is None:
        return []
    by_person = sel.check_ins_of(visit.shift)
    return [
        {
            "person": a.person,
            "outcome": a.get_outcome_display(),
            "check_ins": by_person.get(a.person_id, []),
        }
        for a in sel.shift_people(visit.shift)
    ]


def _claimed_labels(visit: SupervisionVisit) -> dict[int, str]:
    labels = {}
    if visit.shift is not None:
        for person_id, rows in sel.check_ins_of(visit.shift).items():
            labels[person_id] = ", ".join(
                f"{timezone.localtime(r.recorded_at):%H:%M}" for r in rows
            )
    return labels


def _visit_context(
    request: SignedInRequest, visit: SupervisionVisit, **forms: Any
) -> dict[str, Any]:
    user = request.user
    may = svc.can_supervise(user, visit.region)
    planned, done = visit.status == VisitStatus.PLANNED, visit.status == VisitStatus.DONE
    shift = visit.shift if visit.kind == VisitKind.NIGHT else None
    findings = sel.findings_of(visit)
    context: dict[str, Any] = {
        "visit": visit,
        "findings": findings,
        "claims": _claims(visit) if shift is not None and may else [],
        "may": may,
        "today": timezone.localdate(),
    }
    if may and planned:
        context["record_form"] = forms.get("record_form") or RecordForm(
            shift=shift, claimed=_claimed_labels(visit)
        )
        context["cancel_form"] = forms.get("cancel_form") or ReasonForm()
    if may and done:
        context["finding_form"] = forms.get("finding_form") or FindingForm(
            village_id=visit.region_id
        )
        context["photo_form"] = forms.get("photo_form") or PhotoForm()
        context["task_form"] = forms.get("task_form") or TaskForm(village_id=visit.region_id)
        context["task_finding"] = forms.get("task_finding")
    return context


@require_safe
@permission_required(VIEW)
def visit_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    return render(
        request, "governance/supervision/visit_detail.html", _visit_context(request, visit)
    )


def _not_yours(request: SignedInRequest, exc: NotYours, visit_pk: int) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect("governance:supervision_visit_detail", visit_pk)


@require_POST
@permission_required(VIEW)
def visit_record(request: SignedInRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    shift = visit.shift if visit.kind == VisitKind.NIGHT else None
    form = RecordForm(request.POST, shift=shift, claimed=_claimed_labels(visit))
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = svc.visit_record(
                visit=visit,
                visited_at=data["visited_at"],
                inspectors=data["inspectors"],
                score=data["score"],
                summary=data["summary"],
                found_people=data.get("found") or [],
                by=request.user,
            )
        except NotYours as exc:
            return _not_yours(request, exc, pk)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            missing = done.findings.filter(kind=FindingKind.NOT_FOUND).count()
            text = _("The visit is recorded.")
            if missing:
                text += " " + _(
                    "%(n)s of the shift's people checked in but were not found: a finding was "
                    "written for each."
                ) % {"n": missing}
            messages.success(request, text)
            return redirect("governance:supervision_visit_detail", pk)
    return render(
        request,
        "governance/supervision/visit_detail.html",
        _visit_context(request, visit, record_form=form),
    )


@require_POST
@permission_required(VIEW)
def visit_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            svc.visit_cancel(visit=visit, reason=form.cleaned_data["reason"], by=request.user)
        except NotYours as exc:
            return _not_yours(request, exc, pk)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The visit is cancelled."))
            return redirect("governance:supervision_visit_detail", pk)
    return render(
        request,
        "governance/supervision/visit_detail.html",
        _visit_context(request, visit, cancel_form=form),
    )


@require_safe
@permission_required(VIEW)
def visit_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The visit record (督导检查记录) for the village and the file, or its PDF."""
    visit = _visit(request, pk)
    context = {
        "visit": visit,
        "findings": sel.findings_of(visit),
        "today": timezone.localdate(),
    }
    stem = f"{_('Supervision record')}-{visit.region.name}-{visit.planned_for:%Y%m%d}"
    return printable(
        request,
        "governance/supervision/visit_print.html",
        context,
        stem=stem,
        ascii_stem=f"supervision-{visit.pk}",
    )


# ---- findings -------------------------------------------------------------------------------


@require_POST
@permission_required(VIEW)
def finding_add(request: SignedInRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = FindingForm(request.POST, request.FILES, village_id=visit.region_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.finding_add(
                visit=visit,
                kind=data["kind"],
                severity=data["severity"],
                text=data["text"],
                organisation=data["organisation"],
                person=data["person"],
                photos=[data["photo"]] if data.get("photo") else [],
                by=request.user,
            )
        except NotYours as exc:
            return _not_yours(request, exc, pk)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The finding is kept with the visit."))
            return redirect("governance:supervision_visit_detail", pk)
    return render(
        request,
        "governance/supervision/visit_detail.html",
        _visit_context(request, visit, finding_form=form),
    )


def _finding(request: SignedInRequest, pk: int) -> Any:
    return visible_or_404(sel.finding_visible(request.user), request.user, pk=pk)


@require_POST
@permission_required(VIEW)
def photo_add(request: SignedInRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.photo_add(finding=finding, upload=form.cleaned_data["photo"], by=request.user)
        except NotYours as exc:
            return _not_yours(request, exc, finding.visit_id)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The photo is kept with the finding."))
            return redirect("governance:supervision_visit_detail", finding.visit_id)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("governance:supervision_visit_detail", finding.visit_id)


@require_safe
@permission_required(VIEW)
def photo(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """A finding's checked photo, never from a public media URL."""
    found = visible_or_404(sel.photo_visible(request.user), request.user, pk=pk)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@permission_required(VIEW)
def task_create(request: SignedInRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    visit = _visit(request, finding.visit_id)
    form = TaskForm(request.POST, village_id=visit.region_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = svc.task_create(
                finding=finding,
                text=data["text"],
                deadline=data["deadline"],
                organisation=data["organisation"],
                person=data["person"],
                by=request.user,
            )
        except NotYours as exc:
            return _not_yours(request, exc, visit.pk)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The rectification task is set; the village is told."))
            return redirect("governance:supervision_task_detail", task.pk)
    return render(
        request,
        "governance/supervision/visit_detail.html",
        _visit_context(request, visit, task_form=form, task_finding=finding.pk),
    )


# ---- tasks ----------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def task_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    show = request.GET.get("show", "")
    show = show if show in sel.TASK_FILTERS else ""
    today = timezone.localdate()
    page = Paginator(sel.task_list(user, village=village, show=show, today=today), PAGE_SIZE)
    villages = list(villages_visible(user=user))
    return render(
        request,
        "governance/supervision/task_list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "villages": villages if len(villages) > 1 else [],
            "village_code": village.code if village else "",
            "show": show,
            "filters": sel.TASK_FILTERS,
            "today": today,
        },
    )


def _task(request: SignedInRequest, pk: int) -> RectificationTask:
    return visible_or_404(sel.task_for_detail(request.user), request.user, pk=pk)


def _task_page(request: SignedInRequest, task: RectificationTask, **forms: Any) -> HttpResponse:
    user = request.user
    supervises = svc.can_supervise(user, task.region)
    reports = svc.can_report(user, task.region)
    context = {
        "task": task,
        "overdue": sel.is_overdue(task, timezone.localdate()),
        "report_form": (forms.get("report_form") or ReportForm())
        if reports and task.status == TaskStatus.OPEN
        else None,
        "recheck_form": (forms.get("recheck_form") or RecheckForm())
        if supervises and task.status == TaskStatus.REPORTED
        else None,
        "cancel_form": (forms.get("cancel_form") or ReasonForm())
        if supervises and task.status in (TaskStatus.OPEN, TaskStatus.REPORTED)
        else None,
    }
    return render(request, "governance/supervision/task_detail.html", context)


@require_safe
@permission_required(VIEW)
def task_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _task_page(request, _task(request, pk))


def _task_done(request: SignedInRequest, pk: int, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("governance:supervision_task_detail", pk)


@require_POST
@permission_required(VIEW)
def task_report(request: SignedInRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            svc.task_report(task=task, report=form.cleaned_data["report"], by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            return _task_done(request, pk, _("Reported done; the township will re-check it."))
    return _task_page(request, task, report_form=form)


@require_POST
@permission_required(VIEW)
def task_recheck(request: SignedInRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = RecheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.task_recheck(
                task=task,
                passed=data["result"] == "pass",
                note=data["note"],
                new_deadline=data.get("new_deadline"),
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            return _task_done(request, pk, _("The re-check is recorded."))
    return _task_page(request, task, recheck_form=form)


@require_POST
@permission_required(VIEW)
def task_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            svc.task_cancel(task=task, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            return _task_done(request, pk, _("The task is cancelled."))
    return _task_page(request, task, cancel_form=form)
