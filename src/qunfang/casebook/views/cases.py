"""Case register screens (案件登记): the list, registering a case with its parties and
attachments, one case with its book of moves, the moves themselves (status, hand-over,
upward report, acknowledgement), the escalation inbox of the township office and police
station, the printable register, and situation reports with nil returns (零上报).

Thin: parse, call a service (`services.cases`, `services.reports`) or a selector, render. A
refused move shows its translated message, changes nothing, and (where the service says so)
leaves a REFUSED line in the case's book."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qunfang.casebook.forms.cases import (
    AcknowledgeForm,
    CaseForm,
    CloseForm,
    HandoverAnswerForm,
    HandoverForm,
    MoveForm,
    PartyFormSet,
    ReportUpwardForm,
    SituationReportForm,
    posted_parties,
)
from qunfang.casebook.models import (
    Attachment,
    Case,
    CaseEventKind,
    CaseParty,
    CaseStatus,
    Escalation,
    Level,
    ReportPeriod,
    Severity,
)
from qunfang.casebook.selectors import cases as sel
from qunfang.casebook.selectors.reports import period_start, rollup
from qunfang.casebook.services import cases, reports
from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region
from qunfang.core.permissions import permission_required
from qunfang.core.registers import Column, RegisterView
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
S = CaseStatus

# The button each move gets on the case page (closing has its own form with the outcome).
MOVE_LABELS: dict[str, StrOrPromise] = {
    S.ACCEPTED: gettext_lazy("Accept the case"),
    S.IN_HAND: gettext_lazy("Take in hand"),
    S.REFERRED: gettext_lazy("Refer onward"),
    S.ESCALATED: gettext_lazy("Escalate (report upward)"),
    S.RESOLVED: gettext_lazy("Mark as resolved"),
}


def _nav(request: SignedInRequest) -> dict:
    """What the tabs need: whether the user receives upward reports."""
    return {"receives": bool(sel.receiving_levels(request.user))}


# ---- the list --------------------------------------------------------------------------------


@permission_required(Perm.VIEW_BOOKS)
def case_list(request: SignedInRequest) -> HttpResponse:
    get = request.GET
    status = get.get("status", "") if get.get("status") in S.values else ""
    severity_code = get.get("severity", "")
    severity = int(severity_code) if severity_code in {str(v) for v in Severity.values} else None
    types = list(sel.case_types())
    type_code = get.get("type", "") if get.get("type") in {t.code for t in types} else ""
    village = requested_village(request)
    flags: dict[str, Any] = {
        "mine": get.get("owner") == "me",
        "handover_to_me": get.get("handover") == "me",
        "overdue": get.get("overdue") == "1",
    }
    search = get.get("q", "").strip()[:50]
    queryset = sel.case_list(
        request.user,
        status=status,
        type_code=type_code,
        village=village,
        severity=severity,
        search=search,
        **flags,
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(get.get("page"))
    page.object_list = sel.mark_overdue(list(page.object_list))
    return render(
        request,
        "casebook/cases/case_list.html",
        {
            "page": page,
            "q": search,
            "statuses": S.choices,
            "status": status,
            "severities": Severity.choices,
            "severity": severity,
            "types": types,
            "type_code": type_code,
            "villages": villages_visible(user=request.user),
            "village_code": village.code if village else "",
            **flags,
            **_nav(request),
        },
    )


# ---- registering -----------------------------------------------------------------------------


def _starting_values(request: SignedInRequest) -> dict[str, Any]:
    """`?case_type=<code>&village=<code>` (a link that knows them), or what was filled in when
    the form is only refreshed to suggest the owner (nothing is saved then)."""
    if request.method == "POST":
        return {k: v for k, v in request.POST.dict().items() if k != "csrfmiddlewaretoken"}
    initial: dict[str, Any] = {}
    case_type = sel.case_types().filter(code=request.GET.get("case_type", "")).first()
    village = requested_village(request)
    if case_type is not None:
        initial["case_type"] = case_type.pk
    if village is not None:
        initial["region"] = village.pk
    return initial


@permission_required(Perm.VIEW_BOOKS)
def case_create(request: SignedInRequest) -> HttpResponse:
    refresh = request.method == "POST" and "suggest" in request.POST
    data, files = (
        (request.POST, request.FILES) if request.method == "POST" and not refresh else (None, None)
    )
    form = CaseForm(
        data, files, user=request.user, initial=None if data else _starting_values(request)
    )
    parties = PartyFormSet(
        data, prefix="parties", initial=posted_parties(request.POST) if refresh else None
    )
    if data is not None and form.is_valid() and parties.is_valid():
        named = [
            CaseParty(name=row["name"], role=row["role"], note=row["note"])
            for row in parties.cleaned_data
            if row
        ]
        try:
            case = cases.register_case(
                case=form.instance,
                by=request.user,
                parties=named,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.instance.pk = None
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("Case %(number)s has been registered.") % {"number": case.number}
            )
            return redirect(case)
    return render(
        request,
        "casebook/cases/case_form.html",
        {"form": form, "parties": parties, **_nav(request)},
    )


# ---- one case --------------------------------------------------------------------------------


def _get_case(request: SignedInRequest, pk: int, queryset=None) -> Case:
    return visible_or_404(
        queryset if queryset is not None else sel.case_for_detail(), request.user, pk=pk
    )


def _case_to_change(request: SignedInRequest, pk: int) -> Case:
    """The case a move, a hand-over or an upward report is posted for."""
    return _get_case(request, pk, Case.objects.select_related("region", "owner"))


def _escalation_rows(
    request: SignedInRequest, case: Case, now: dt.datetime, ack_form=None, ack_pk=None
) -> list[dict]:
    user, rows = request.user, []
    for e in case.escalations.all():
        overdue = case.status != S.CLOSED and (
            (e.sent_at is None and e.due_at < now)
            or (
                e.sent_at is not None
                and e.acknowledged_at is None
                and e.due_at < now - sel.ACK_GRACE
            )
        )
        can_ack = (
            e.sent_at is not None
            and e.level in sel.receiving_levels(user)
            and user.pk not in (e.sent_by_id, case.owner_id)
        )
        form = ack_form if ack_pk == e.pk else AcknowledgeForm(auto_id=f"ack{e.pk}_%s")
        rows.append(
            {
                "escalation": e,
                "overdue": overdue,
                "can_ack": can_ack,
                "form": form if can_ack else None,
            }
        )
    return rows


def _status_label(value: str) -> StrOrPromise:
    return S(value).label if value in S.values else value


def _detail_context(request: SignedInRequest, case: Case, **forms) -> dict:
    user, now = request.user, timezone.now()
    is_owner = user.pk == case.owner_id
    allowed = cases.LIFECYCLE.allowed(case, user)  # the owner's, or a township officer's reopening
    moves = (
        [{"to": to, "label": MOVE_LABELS[to]} for to in allowed if to in MOVE_LABELS]
        if case.status != S.CLOSED
        else []
    )  # in the order of the lifecycle; a closed case is reopened with its own form
    owner_can_hand = is_owner and case.status != S.CLOSED
    return {
        "case": case,
        "is_owner": is_owner,
        "moves": moves,
        "can_close": S.CLOSED in allowed,
        "can_reopen": case.status == S.CLOSED and S.IN_HAND in allowed,
        "move_form": forms.get("move_form") or MoveForm(auto_id="mv_%s"),
        "close_form": forms.get("close_form") or CloseForm(auto_id="cl_%s"),
        "handover_form": (
            forms.get("handover_form")
            or HandoverForm(candidates=sel.handover_candidates(case), auto_id="ho_%s")
        )
        if owner_can_hand
        else None,
        "answer_form": forms.get("answer_form") or HandoverAnswerForm(auto_id="ha_%s"),
        "is_receiver": case.handover_to_id == user.pk,
        "report_form": forms.get("report_form") or ReportUpwardForm(auto_id="ru_%s"),
        "escalations": _escalation_rows(
            request, case, now, forms.get("ack_form"), forms.get("ack_pk")
        ),
        "events": [
            {
                "event": e,
                "from": _status_label(e.from_status),
                "to": _status_label(e.to_status),
                "refused": e.kind == CaseEventKind.REFUSED,
            }
            for e in case.events.all()
        ],
        "show_check_in_photo": bool(
            case.source_check_in is not None
            and case.source_check_in.photo
            and user.can(Perm.VIEW_PATROLS)
        ),
        "reporter_masked": case.reporter_confidential and cases.has_named_reporter(case),
        "can_reveal_reporter": case.reporter_confidential and user.can(Perm.VIEW_CONFIDENTIAL),
        # which organisation owns the type in the village's township (None: no division of work)
        "type_owner": sel.first_offer(case.region, case_type=case.case_type, people=False),
        **_nav(request),
    }


@never_cache  # it shows reporters' names that are not confidential
@permission_required(Perm.VIEW_BOOKS)
def case_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    return render(request, "casebook/cases/case_detail.html", _detail_context(request, case))


@require_POST
@never_cache
@permission_required(Perm.VIEW_BOOKS)
def case_reporter_reveal(request: SignedInRequest, pk: int) -> HttpResponse:
    """A confidential reporter's name, for those allowed to see it (403 otherwise); logged."""
    case = _get_case(request, pk, Case.objects.select_related("region", "reporter"))
    name = cases.reporter_reveal(case=case, viewer=request.user, request=request)
    return render(
        request, "casebook/cases/_reporter_revealed.html", {"case": case, "name": name or "—"}
    )


def _failed(request: SignedInRequest, case: Case, **forms) -> HttpResponse:
    """Show the case again with the refused form and its messages at the top; nothing was
    changed."""
    fresh = _get_case(request, case.pk)
    context = _detail_context(request, fresh, **forms)
    context["failure"] = [
        message
        for form in forms.values()
        if hasattr(form, "errors")
        for errors in form.errors.values()
        for message in errors
    ]
    return render(request, "casebook/cases/case_detail.html", context)


@require_POST
@permission_required(Perm.VIEW_BOOKS)
def case_move(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _case_to_change(request, pk)
    closing = request.POST.get("to") == S.CLOSED
    form = (CloseForm if closing else MoveForm)(
        request.POST, auto_id="cl_%s" if closing else "mv_%s"
    )
    # The service checks the outcome (and records a refused close), so the form only checks
    # shapes here.
    form.fields["outcome"].required = False
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            cases.move(
                case=case,
                to=to,
                by=request.user,
                note=form.cleaned_data["note"].strip(),
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("Case %(number)s is now %(status)s.")
                % {"number": case.number, "status": S(to).label},
            )
            return redirect("casebook:case_detail", case.pk)
    return _failed(request, case, **{"close_form" if closing else "move_form": form})


@require_POST
@permission_required(Perm.VIEW_BOOKS)
def case_handover(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _case_to_change(request, pk)
    form = HandoverForm(request.POST, candidates=sel.handover_candidates(case), auto_id="ho_%s")
    if form.is_valid():
        try:
            cases.offer_handover(
                case=case,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The case is offered to %(user)s; it stays yours until they accept.")
                % {"user": form.cleaned_data["to"]},
            )
            return redirect("casebook:case_detail", case.pk)
    return _failed(request, case, handover_form=form)


@require_POST
@permission_required(Perm.VIEW_BOOKS)
def case_handover_answer(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _case_to_change(request, pk)
    form = HandoverAnswerForm(request.POST, auto_id="ha_%s")
    if form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        try:
            cases.answer_handover(
                case=case, accept=accept, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            if accept:
                messages.success(
                    request, _("Case %(number)s is now yours.") % {"number": case.number}
                )
            else:
                messages.success(
                    request,
                    _("You declined case %(number)s; %(owner)s keeps it.")
                    % {"number": case.number, "owner": case.owner},
                )
            return redirect("casebook:case_detail", case.pk)
    # (an ErrorList yields its messages as text)
    text = " ".join(m for errors in form.errors.values() for m in errors)  # type: ignore[misc]
    messages.error(request, text)
    return redirect("casebook:case_detail", case.pk)


@require_POST
@permission_required(Perm.VIEW_BOOKS)
def case_report_upward(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _case_to_change(request, pk)
    form = ReportUpwardForm(request.POST, auto_id="ru_%s")
    if form.is_valid():
        try:
            sent = cases.report_upward(
                case=case, by=request.user, level=form.cleaned_data["level"] or None
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            if sent:
                messages.success(
                    request,
                    _("Reported to: %(levels)s.")
                    % {"levels": "、".join(e.get_level_display() for e in sent)},
                )
            else:
                messages.info(
                    request,
                    _("Nothing new to report: every upward report of this case was already sent."),
                )
            return redirect("casebook:case_detail", case.pk)
    return _failed(request, case, report_form=form)


@require_POST
@permission_required(Perm.VIEW_BOOKS)
def escalation_acknowledge(request: SignedInRequest, pk: int) -> HttpResponse:
    escalation = visible_or_404(
        Escalation.objects.select_related("case__region", "case__owner"), request.user, pk=pk
    )
    case = escalation.case
    back = (
        reverse("casebook:escalation_inbox")
        if request.POST.get("back") == "inbox"
        else case.get_absolute_url()
    )
    if escalation.level not in sel.receiving_levels(request.user):
        messages.error(
            request,
            _("Only the %(level)s acknowledges this report.")
            % {"level": escalation.get_level_display()},
        )
        return redirect(back)
    form = AcknowledgeForm(request.POST, auto_id=f"ack{escalation.pk}_%s")
    if form.is_valid():
        try:
            cases.acknowledge(
                escalation=escalation,
                by=request.user,
                instructions=form.cleaned_data["instructions"],
            )
        except PermissionDenied:
            messages.error(
                request,
                _("Only the %(level)s acknowledges this report.")
                % {"level": escalation.get_level_display()},
            )
            return redirect(back)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("Report on case %(number)s acknowledged.") % {"number": case.number}
            )
            return redirect(back)
    if back != case.get_absolute_url():
        # (an ErrorList yields its messages as text)
        errors = " ".join(form.non_field_errors())  # type: ignore[arg-type]
        messages.error(request, errors or _("Nothing was changed."))
        return redirect(back)
    return _failed(request, case, ack_form=form, ack_pk=escalation.pk)


# ---- attachments -----------------------------------------------------------------------------


@permission_required(Perm.VIEW_BOOKS)
def attachment_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """A checked photo is shown; a PDF is downloaded. Never from a public media URL."""
    attachment = visible_or_404(Attachment, request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    is_pdf = attachment.content_type == "application/pdf"
    safe = (
        "".join(c if c.isalnum() or c in "-_." else "_" for c in attachment.original_name)
        or "attachment"
    )
    response = FileResponse(
        handle, as_attachment=is_pdf, filename=safe, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- the escalation inbox --------------------------------------------------------------------


@permission_required(any_of=sel.LEVEL_PERM.values())
def escalation_inbox(request: SignedInRequest) -> HttpResponse:
    levels = sel.receiving_levels(request.user)
    open_only = request.GET.get("state") == "open"
    queryset = sel.escalation_inbox(request.user, levels=levels, open_only=open_only)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # the acknowledge box is written out in the template: a bound form's widget per row was
    # half of this page's time
    rows = [
        {
            "escalation": e,
            "may_acknowledge": bool(e.sent_at)
            and request.user.pk not in (e.sent_by_id, e.case.owner_id),
        }
        for e in page.object_list
    ]
    return render(
        request,
        "casebook/cases/escalation_inbox.html",
        {
            "page": page,
            "rows": rows,
            "open_only": open_only,
            "levels": [Level(lv).label for lv in levels],
        },
    )


# ---- the printable register (案件登记簿) -------------------------------------------------------


def _day(request: SignedInRequest, name: str, default: dt.date) -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None or day.year < 2000:
        messages.error(request, _("Give dates as YYYY-MM-DD, for example 2027-03-01."))
        return default
    return day


class CaseRegister(RegisterView):
    key = "cases"
    title = gettext_lazy("Case register (案件登记簿)")
    choose_text = gettext_lazy("Choose a village: the case register is kept per village.")
    empty_text = gettext_lazy("No cases registered in this period.")
    columns = (
        Column(gettext_lazy("Occurred / reported"), "pr-col-time"),
        Column(gettext_lazy("Place")),
        Column(gettext_lazy("Type and severity")),
        Column(gettext_lazy("Reported by")),
        Column(gettext_lazy("What happened")),
        Column(gettext_lazy("Owner and state")),
        Column(gettext_lazy("Outcome")),
    )
    cells_template = "casebook/cases/_register_cells.html"
    back_url_name = "casebook:case_list"
    nav_template = "casebook/cases/_nav.html"
    chain_book = "casebook"

    def items(self, village: Region, first: dt.date, last: dt.date) -> list[Case]:
        return list(sel.register_cases(self.request.user, village=village, start=first, end=last))

    def numbers(self, village: Region, items) -> list[str]:
        return [case.number for case in items]  # the case's own number runs per village

    def extra_context(self) -> dict:
        return _nav(self.request)


@permission_required(Perm.VIEW_BOOKS)
def case_register_print(request: SignedInRequest) -> HttpResponseBase:
    return CaseRegister.as_view()(request)


# ---- situation reports -----------------------------------------------------------------------


@permission_required(Perm.VIEW_BOOKS)
def situation_list(request: SignedInRequest) -> HttpResponse:
    period = request.GET.get("period", "")
    period = period if period in ReportPeriod.values else ReportPeriod.DAILY
    day = _day(request, "day", timezone.localdate())
    starts_on = period_start(period, day)
    step = dt.timedelta(days=7 if period == ReportPeriod.WEEKLY else 1)
    return render(
        request,
        "casebook/cases/situation_list.html",
        {
            "rollup": rollup(request.user, period=period, starts_on=starts_on),
            "period": period,
            "periods": ReportPeriod.choices,
            "day": starts_on,
            "previous": starts_on - step,
            "next": starts_on + step if starts_on + step <= timezone.localdate() else None,
            "can_submit": request.user.can(Perm.MANAGE_VILLAGE),
            **_nav(request),
        },
    )


@permission_required(Perm.MANAGE_VILLAGE)
def situation_submit(request: SignedInRequest) -> HttpResponse:
    form = SituationReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = reports.submit_report(
                region=data["region"],
                period=data["period"],
                starts_on=data["starts_on"],
                nil_return=data["nil_return"],
                summary=data["summary"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            if report.nil_return:
                messages.success(
                    request, _("Nil return sent for %(village)s.") % {"village": report.region.name}
                )
            else:
                messages.success(
                    request,
                    _("Situation report sent for %(village)s: %(n)d case(s).")
                    % {"village": report.region.name, "n": sum(report.counts.values())},
                )
            return redirect(
                f"{reverse('casebook:situation_list')}?period={report.period}&day={report.starts_on}"
            )
    return render(request, "casebook/cases/situation_form.html", {"form": form, **_nav(request)})
