"""Mediation screens (调解): the committee's book with its filters, a new mediation (from
scratch, from a dispute case or from the opinion book), one mediation with its parties,
sessions, agreement, moves and follow-up visit, the three standard paper forms and the
printable register. Thin: parse, call `casebook.mediation` or a selector, render. A refused
write shows the service's message on the form and changes nothing.

Mediators (HANDLE_MEDIATION) and directors (MANAGE_VILLAGE) of the village act; the township
(SUPERVISE_VILLAGES) and auditors read."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qunfang.casebook import mediation as service
from qunfang.casebook import selectors_mediation as sel
from qunfang.casebook.forms_mediation import (
    FollowUpForm,
    MediationForm,
    MoveForm,
    SessionForm,
    errors_onto,
)
from qunfang.casebook.models import Case, MediationCase, MediationStatus, Opinion, PartyRole
from qunfang.core.models import Region, RegionKind
from qunfang.core.scoping import visible_or_404

PAGE_SIZE = 50
REGISTER_ROWS = 10  # rows on one sheet of the paper register (A4 landscape)
PRINT_FORMS = {
    "application": "casebook/mediation/print_application.html",
    "record": "casebook/mediation/print_record.html",
    "agreement": "casebook/mediation/print_agreement.html",
}
MOVE_LABELS = {
    MediationStatus.IN_MEDIATION: gettext_lazy("Start the mediation"),
    MediationStatus.AGREED: gettext_lazy("Agreement reached"),
    MediationStatus.FAILED: gettext_lazy("Mediation failed"),
    MediationStatus.REFERRED: gettext_lazy("Refer to the township or a court"),
    MediationStatus.CLOSED: gettext_lazy("Close the mediation"),
}


def viewer(view):
    """Sign-in first, then a reader of the mediation book (403 otherwise)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not service.can_view(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _get(request: HttpRequest, pk: int) -> MediationCase:
    return visible_or_404(sel.mediation_for_detail(request.user), request.user, pk=pk)


def _acting(request: HttpRequest, pk: int) -> MediationCase:
    """The mediation (404 when not visible), then the right to act on it (403)."""
    mediation = _get(request, pk)
    if not service.can_act(request.user, mediation.region):
        raise PermissionDenied
    return mediation


def _village(request: HttpRequest) -> Region | None:
    code = request.GET.get("village", "").strip()
    if not code:
        return None
    return visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE), request.user, code=code)


# ---- the book ----------------------------------------------------------------------------------


@viewer
def mediation_list(request: HttpRequest) -> HttpResponse:
    village = _village(request)
    status = request.GET.get("status", "").strip()
    if status and status not in MediationStatus.values:
        messages.error(request, _("There is no such status; all mediations are shown."))
        status = ""
    due = request.GET.get("due", "") == "1"
    page = Paginator(
        sel.mediation_list(request.user, status=status, village=village, due=due), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for m in page.object_list:
        m.dispute_label = service.dispute_label(m.dispute_type)
    return render(request, "casebook/mediation/list.html", {
        "page": page, "status": status, "statuses": MediationStatus.choices, "due": due,
        "villages": sel.visible_villages(request.user), "village_code": village.code if village else "",
        "can_create": service.can_act_somewhere(request.user), "today": timezone.localdate(),
    })  # fmt: skip


# ---- a new mediation ---------------------------------------------------------------------------


def _source(request: HttpRequest) -> tuple[Case | None, Opinion | None]:
    case = opinion = None
    if request.GET.get("case"):
        case = visible_or_404(Case.objects.select_related("case_type", "region"), request.user,
                              pk=request.GET["case"])  # fmt: skip
    if request.GET.get("opinion"):
        opinion = visible_or_404(
            Opinion.objects.select_related("region"), request.user, pk=request.GET["opinion"]
        )
    return case, opinion


def _suggestion(case: Case | None, opinion: Opinion | None) -> dict:
    """What a dispute case or an opinion already says, as the form's starting values."""
    if case is not None:
        parties = [p for p in case.parties.all() if p.role == PartyRole.PARTY][:2]
        initial = {
            "dispute_type": service.DISPUTE_FROM_CASE_TYPE.get(case.case_type.code, ""),
            "summary": f"{case.title}\n{case.description}".strip(),
        }
        for side, party in zip(("a", "b"), parties, strict=False):
            initial[f"{side}_name"], initial[f"{side}_person"] = party.name, party.person_id
        return initial
    if opinion is not None:
        # a confidential sender is not named on the form: the mediator asks the parties
        hidden = opinion.anonymous or opinion.confidential
        return {"summary": opinion.text, "a_name": "" if hidden else opinion.name}
    return {}


@viewer
def mediation_create(request: HttpRequest) -> HttpResponse:
    if not service.can_act_somewhere(request.user):
        raise PermissionDenied
    case, opinion = _source(request)
    village = case.region if case else opinion.region if opinion else None
    if village is not None and not service.can_act(request.user, village):
        raise PermissionDenied
    problem = service.source_case_problem(case) if case else ""
    form = MediationForm(request.POST or None, user=request.user, fixed_village=village,
                         initial=_suggestion(case, opinion))  # fmt: skip
    if request.method == "POST" and not problem and form.is_valid():
        data = form.cleaned_data
        mediation = MediationCase(
            region=data.get("region") or village, case=case, opinion=opinion, dispute_type=data["dispute_type"],
            summary=data["summary"].strip(), applied_on=data["applied_on"],
        )  # fmt: skip
        parties = [
            service.PartyData(
                side=side.upper(),
                name=data[f"{side}_name"],
                person=data[f"{side}_person"],
                address=data[f"{side}_address"],
            )
            for side in ("a", "b")
        ]
        try:
            mediation = service.open_mediation(mediation=mediation, parties=parties, mediators=data["mediators"],
                                               by=request.user)  # fmt: skip
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("Mediation case %(number)s has been registered.") % {"number": mediation.number},
            )
            return redirect("casebook:mediation_detail", mediation.pk)
    return render(request, "casebook/mediation/form.html", {
        "form": form, "case": case, "opinion": opinion, "village": village, "problem": problem,
    })  # fmt: skip


# ---- one mediation -----------------------------------------------------------------------------


def _moves(mediation: MediationCase) -> list[dict]:
    return [{"to": to, "label": MOVE_LABELS[to]} for to in service.allowed_moves(mediation)]


def _detail(
    request: HttpRequest, mediation: MediationCase, *, status: int = 200, **forms
) -> HttpResponse:
    acting = service.can_act(request.user, mediation.region)
    parties = list(mediation.parties.all())
    failed_move = forms.get("move_form")
    return render(request, "casebook/mediation/detail.html", {
        "mediation": mediation,
        "dispute": service.dispute_label(mediation.dispute_type),
        "applicants": [p for p in parties if p.side == "A"],
        "respondents": [p for p in parties if p.side == "B"],
        "sessions": list(mediation.sessions.all()),
        "mediators": list(mediation.mediators.all()),
        "history": sel.status_moves(mediation),
        "can_act": acting,
        "moves": _moves(mediation) if acting else [],
        "move_form": failed_move or MoveForm(),
        "failed_to": failed_move.data.get("to", "") if failed_move is not None else "",
        "session_form": forms.get("session_form") or SessionForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "follow_up_overdue": bool(
            mediation.status == MediationStatus.AGREED and mediation.followed_up_on is None
            and mediation.follow_up_due and mediation.follow_up_due < timezone.localdate()
        ),
    }, status=status)  # fmt: skip


@viewer
def mediation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@viewer
@require_POST
def mediation_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _acting(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            service.add_session(mediation=mediation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The session has been recorded."))
            return redirect("casebook:mediation_detail", mediation.pk)
    return _detail(request, mediation, session_form=form)


@viewer
@require_POST
def mediation_move(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _acting(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            moved = service.move(mediation=mediation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("Mediation case %(number)s is now: %(status)s.")
                             % {"number": moved.number, "status": moved.get_status_display()})  # fmt: skip
            return redirect("casebook:mediation_detail", moved.pk)
    return _detail(request, mediation, move_form=form)


@viewer
@require_POST
def mediation_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _acting(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            service.record_follow_up(mediation=mediation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The follow-up visit has been recorded."))
            return redirect("casebook:mediation_detail", mediation.pk)
    return _detail(request, mediation, follow_up_form=form)


# ---- paper -------------------------------------------------------------------------------------


@viewer
def mediation_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The standard paper forms: 人民调解申请书, 人民调解记录 (one sheet per session), 人民调解协议书."""
    mediation = _get(request, pk)
    which = request.GET.get("form", "application")
    if which not in PRINT_FORMS:
        messages.error(
            request,
            _("There is no such form. Choose the application, the record or the agreement."),
        )
        return redirect("casebook:mediation_detail", mediation.pk)
    parties = list(mediation.parties.all())
    for p in parties:  # what the paper asks of each party, where the registry knows it
        person = p.person
        p.sex_label = person.get_sex_display() if person else ""
        p.age_then = person.age_on(mediation.applied_on) if person else None
        p.place = p.address or (person.address or (person.household.address if person.household else "")
                                if person else "")  # fmt: skip
    return render(request, PRINT_FORMS[which], {
        "mediation": mediation,
        "dispute": service.dispute_label(mediation.dispute_type),
        "applicants": [p for p in parties if p.side == "A"],
        "respondents": [p for p in parties if p.side == "B"],
        "parties": parties,
        "sessions": list(mediation.sessions.all()) or [None],  # no session yet: one blank sheet
        "mediators": list(mediation.mediators.all()),
        "on": mediation.applied_on,
    })  # fmt: skip


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """`from` and `to` (YYYY-MM-DD); this year so far when missing, with a message when wrong."""
    today = timezone.localdate()
    first, last = today.replace(month=1, day=1), today
    raw_first, raw_last = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    try:
        given_first = parse_date(raw_first) if raw_first else first
        given_last = parse_date(raw_last) if raw_last else last
    except ValueError:
        given_first = given_last = None
    if given_first is None or given_last is None or given_first.year < 2000:
        messages.error(
            request, _("Give the dates as YYYY-MM-DD, for example 2027-03-01. This year is shown.")
        )
        return first, last
    if given_first > given_last:
        messages.error(request, _("The period ends before it starts. This year is shown."))
        return first, last
    return given_first, given_last


@viewer
def mediation_register_print(request: HttpRequest) -> HttpResponse:
    """The paper mediation register (人民调解登记簿) of one village for a period."""
    village = _village(request)
    first, last = _period(request)
    villages = sel.visible_villages(request.user)
    if village is None:  # a village keeps one register: theirs
        only = list(villages[:2])
        village = only[0] if len(only) == 1 else None
    context = {"village": village, "villages": villages, "first": first, "last": last,
               "village_code": village.code if village else "", "today": timezone.localdate()}  # fmt: skip
    if village is None:
        return render(request, "casebook/mediation/register_choose.html", context)
    rows = [
        {
            "mediation": m,
            "dispute": service.dispute_label(m.dispute_type),
            "applicants": [p for p in m.parties.all() if p.side == "A"],
            "respondents": [p for p in m.parties.all() if p.side == "B"],
        }
        for m in sel.register_rows(request.user, village=village, first=first, last=last)
    ]
    sheets = [rows[k : k + REGISTER_ROWS] for k in range(0, len(rows), REGISTER_ROWS)] or [[]]
    context["sheets"] = [{"number": n, "rows": chunk} for n, chunk in enumerate(sheets, start=1)]
    context["sheet_count"] = len(sheets)
    context["township"] = Region.objects.filter(pk=village.parent_id).first()
    context["totals"] = {
        "all": len(rows),
        "agreed": sum(
            1
            for r in rows
            if r["mediation"].status in (MediationStatus.AGREED, MediationStatus.CLOSED)
        ),
        "referred": sum(1 for r in rows if r["mediation"].status == MediationStatus.REFERRED),
    }
    return render(request, "casebook/mediation/register.html", context)
