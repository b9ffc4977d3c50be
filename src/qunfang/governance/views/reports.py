"""Screens of the work reports to villagers (定期向群众汇报工作): for staff, the list with each
report's satisfaction results, compiling, a report with its figures, remarks and publishing, and
the printable notice for the village board with a QR code to the public page; for villagers (no
sign-in, nothing about them kept but a keyed hash of their phone), the village's published
reports and one report with its satisfaction question.

Thin: parse, call a selector (`selectors.reports`) or a service (`services.reports`), render.
Staff records come through `visible_or_404`, so another village's report answers 404; the public
pages find only published reports. A refusal is shown as a message and nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.qr import qr_svg
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.assessment.periods import Period
from qunfang.governance.forms.reports import AnswerForm, CompileForm, RemarksForm
from qunfang.governance.models import ReportStatus, Satisfaction, WorkReport
from qunfang.governance.selectors import reports as sel
from qunfang.governance.services import reports as services

VIEW = Perm.VIEW_GOVERNANCE
PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 24


def _refusal(exc: ValidationError | NotYours) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _figures(report: WorkReport) -> dict[str, Any]:
    """What the figure templates read beside the report's own `figures`."""
    figures = report.figures or {}
    return {
        "figures": figures,
        "types": [
            {**row, "label": sel.type_name(row)}
            for row in (figures.get("incidents") or {}).get("types", [])
        ],
        "sanction_counts": sel.sanction_counts(figures),
        "sections": [
            (section, (figures.get("sections") or {}).get(section.key))
            for section in services.REPORT_SECTIONS
            if (figures.get("sections") or {}).get(section.key) is not None
        ],
    }


# ---- the list and compiling -----------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def report_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    period = request.GET.get("period", "").strip().upper()
    try:
        period = Period.parse(period).key if period else ""
    except ValidationError:
        period = ""
    status = request.GET.get("status", "")
    status = status if status in ReportStatus.values else ""
    queryset = sel.report_list(user, village=village, period=period, status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(report, sel.satisfied_share(report)) for report in page]
    villages = list(villages_visible(user=user))
    return render(
        request,
        "governance/reports/list.html",
        {
            "page": page,
            "rows": rows,
            "villages": villages if len(villages) > 1 else [],
            "village_code": village.code if village else "",
            "period": period,
            "statuses": ReportStatus.choices,
            "status": status,
            "may_compile": user.can(Perm.RUN_GOVERNANCE),
        },
    )


@permission_required(Perm.RUN_GOVERNANCE)
def report_compile(request: SignedInRequest) -> HttpResponse:
    """GET: choose the village and the period. POST: compile (again) from the records."""
    user = request.user
    today = timezone.localdate()
    if request.method == "POST":
        form = CompileForm(request.POST, user=user)
        if form.is_valid():
            try:
                report = services.report_compile(
                    village=form.cleaned_data["village"],
                    period=form.cleaned_data["period"],
                    by=user,
                )
            except (ValidationError, NotYours) as exc:
                form.add_error("period", _refusal(exc))
            else:
                messages.success(
                    request,
                    _(
                        "The report of %(village)s for %(period)s has been compiled from the "
                        "records."
                    )
                    % {"village": report.region.name, "period": report.period},
                )
                return redirect("governance:report_detail", pk=report.pk)
    else:
        villages = list(villages_visible(user=user)[:2])
        initial = {"period": sel.last_month(today).key}
        if len(villages) == 1:
            initial["village"] = villages[0].code
        form = CompileForm(initial=initial, user=user)
    return render(request, "governance/reports/compile.html", {"form": form})


# ---- a report -------------------------------------------------------------------------------


def _report(request: SignedInRequest, pk: int) -> WorkReport:
    return visible_or_404(sel.report_for_detail(request.user), request.user, pk=pk)


def _public_url(request: HttpRequest, report: WorkReport) -> str:
    return request.build_absolute_uri(reverse("governance:report_public", args=[report.public_key]))


@require_safe
@permission_required(VIEW)
def report_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    may_run = services.can_run(request.user, report.region)
    draft = report.status == ReportStatus.DRAFT
    return render(
        request,
        "governance/reports/detail.html",
        {
            "report": report,
            **_figures(report),
            "draft": draft,
            "may_run": may_run and draft,
            "publish_refusal": services.publish_refusal(report, today=timezone.localdate()),
            "remarks_form": RemarksForm(initial={"remarks": report.remarks}),
            "satisfied_share": sel.satisfied_share(report),
            "comments": sel.comments(report),
            "public_url": _public_url(request, report) if not draft else "",
        },
    )


@require_POST
@permission_required(Perm.RUN_GOVERNANCE)
def report_remarks(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = RemarksForm(request.POST)
    if not form.is_valid():
        for error in form["remarks"].errors:
            messages.error(request, str(error))
        return redirect("governance:report_detail", pk=report.pk)
    try:
        services.report_update_remarks(
            report=report, remarks=form.cleaned_data["remarks"], by=request.user
        )
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("The village's word to villagers has been saved."))
    return redirect("governance:report_detail", pk=report.pk)


@require_POST
@permission_required(Perm.RUN_GOVERNANCE)
def report_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        services.report_publish(report=report, by=request.user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(
            request,
            _(
                "The report has been published: its figures are frozen, the public page is open "
                "and the notice can be printed for the village board."
            ),
        )
    return redirect("governance:report_detail", pk=report.pk)


@require_safe
@permission_required(VIEW)
def report_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The A4 notice for the village board with a QR code to the public page (published
    reports; a draft prints marked as a draft, with no code)."""
    report = _report(request, pk)
    published = report.status == ReportStatus.PUBLISHED
    url = _public_url(request, report) if published else ""
    context = {
        "report": report,
        **_figures(report),
        "published": published,
        "public_url": url,
        "qr": qr_svg(url, scale=6) if url else "",
    }
    stem = f"{report.region.name}-{_('Work report')}-{report.period}"
    return printable(
        request,
        "governance/reports/print.html",
        context,
        stem=stem,
        ascii_stem=f"work-report-{report.region.code}-{report.period}",
    )


# ---- public pages: no sign-in ---------------------------------------------------------------


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """A public page: no staff menu even for a signed-in user on a shared phone; the phone gets
    its random cookie the first time, so that it answers each report once."""
    response = render(
        request, f"governance/reports/{template}", {**context, "nav_items": None}, status=status
    )
    if services.COOKIE not in request.COOKIES:
        response.set_cookie(
            services.COOKIE,
            services.new_phone_cookie(),
            max_age=services.COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@require_safe
def report_public_list(request: HttpRequest, village_code: str) -> HttpResponse:
    village = sel.public_village(village_code)
    if village is None:
        raise Http404
    page = Paginator(sel.public_reports(village), PUBLIC_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _public(request, "public_list.html", {"village": village, "page": page})


@never_cache
def report_public(request: HttpRequest, public_key: str) -> HttpResponse:
    report = sel.public_report(public_key)
    if report is None:
        raise Http404
    key = services.phone_key(request)
    form = AnswerForm()
    refusal, status = "", 200
    answer = sel.answer_of(report, key) if services.COOKIE in request.COOKIES else None
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                answer = services.satisfaction_answer(
                    report=report,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    request=request,
                )
            except ValidationError as exc:
                codes = {error.code for error in exc.error_list}
                refusal = _refusal(exc)
                status = 429 if "limited" in codes else 409 if "answered" in codes else 400
                answer = answer or sel.answer_of(report, key)
        else:
            status = 400
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    return _public(
        request,
        "public.html",
        {
            "village": report.region,
            "report": report,
            **_figures(report),
            "form": form,
            "answer": answer,
            "answer_label": Satisfaction(answer.rating).label if answer else "",
            "thanks": request.method == "POST" and not refusal and answer is not None,
            "refusal": refusal,
            "list_url": reverse("governance:report_public_list", args=[report.region.code]),
        },
        status=status,
    )
