"""Mediation screens (调解): the committee's book with its filters, a new mediation (from
scratch, from a dispute case or from the opinion book), one mediation with its parties,
sessions, agreement, moves and follow-up visit, the three standard paper forms and the
printable register. Thin: parse, call `services.mediation` or a selector, render. A refused
write shows the service's message on the form and changes nothing.

Mediators (HANDLE_MEDIATION) and directors (MANAGE_VILLAGE) of the village act; the township
(SUPERVISE_VILLAGES) and auditors read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qunfang.casebook.forms.mediation import (
    FollowUpForm,
    MediationForm,
    MoveForm,
    SessionForm,
    posted_values,
)
from qunfang.casebook.models import (
    Case,
    DisputeType,
    MediationCase,
    MediationStatus,
    Opinion,
    PartyRole,
)
from qunfang.casebook.selectors import mediation as sel
from qunfang.casebook.services import mediation as service
from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region
from qunfang.core.permissions import permission_required
from qunfang.core.registers import Column, DateRange, RegisterView
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
PRINT_FORMS = {
    "application": "casebook/mediation/print_application.html",
    "record": "casebook/mediation/print_record.html",
    "agreement": "casebook/mediation/print_agreement.html",
}
MOVE_LABELS: dict[str, StrOrPromise] = {
    MediationStatus.IN_MEDIATION: gettext_lazy("Start the mediation"),
    MediationStatus.AGREED: gettext_lazy("Agreement reached"),
    MediationStatus.FAILED: gettext_lazy("Mediation failed"),
    MediationStatus.REFERRED: gettext_lazy("Refer to the township or a court"),
    MediationStatus.CLOSED: gettext_lazy("Close the mediation"),
}


def _get(request: SignedInRequest, pk: int) -> MediationCase:
    return visible_or_404(sel.mediation_for_detail(request.user), request.user, pk=pk)


def _acting(request: SignedInRequest, pk: int) -> MediationCase:
    """The mediation (404 when not visible), then the right to act on it (403)."""
    mediation = _get(request, pk)
    if not service.can_act(request.user, mediation.region):
        raise PermissionDenied
    return mediation


# ---- the book ----------------------------------------------------------------------------------


@permission_required(Perm.VIEW_BOOKS)
def mediation_list(request: SignedInRequest) -> HttpResponse:
    village = requested_village(request)
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
    return render(
        request,
        "casebook/mediation/list.html",
        {
            "page": page,
            "status": status,
            "statuses": MediationStatus.choices,
            "due": due,
            "villages": villages_visible(user=request.user),
            "village_code": village.code if village else "",
            "can_create": service.can_act_somewhere(request.user),
            "today": timezone.localdate(),
        },
    )


# ---- a new mediation ---------------------------------------------------------------------------


def _source(request: SignedInRequest) -> tuple[Case | None, Opinion | None]:
    case = opinion = None
    if request.GET.get("case"):
        case = visible_or_404(
            Case.objects.select_related("case_type", "region"), request.user, pk=request.GET["case"]
        )
    if request.GET.get("opinion"):
        opinion = visible_or_404(
            Opinion.objects.select_related("region"), request.user, pk=request.GET["opinion"]
        )
    return case, opinion


def _suggestion(case: Case | None, opinion: Opinion | None) -> dict:
    """What a dispute case or an opinion already says, as the form's starting values."""
    if case is not None:
        parties = [p for p in case.parties.all() if p.role == PartyRole.PARTY][:2]
        initial: dict[str, Any] = {
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


@permission_required(any_of=service.ACT_PERMS)
def mediation_create(request: SignedInRequest) -> HttpResponse:
    case, opinion = _source(request)
    village = case.region if case else opinion.region if opinion else None
    if village is not None and not service.can_act(request.user, village):
        raise PermissionDenied
    problem = service.source_case_problem(case) if case else ""
    # "suggest" only refreshes the form: the mediators of the kind of dispute come first
    refresh = request.method == "POST" and "suggest" in request.POST
    initial = _suggestion(case, opinion)
    if refresh:
        initial.update(posted_values(request.POST))
    elif request.GET.get("dispute_type") in DisputeType.values:
        initial["dispute_type"] = request.GET["dispute_type"]
    form = MediationForm(
        None if refresh else request.POST or None,
        user=request.user,
        fixed_village=village,
        initial=initial,
    )
    if request.method == "POST" and not refresh and not problem and form.is_valid():
        data = form.cleaned_data
        mediation = MediationCase(
            region=data.get("region") or village,
            case=case,
            opinion=opinion,
            dispute_type=data["dispute_type"],
            summary=data["summary"].strip(),
            applied_on=data["applied_on"],
        )
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
            mediation = service.open_mediation(
                mediation=mediation, parties=parties, mediators=data["mediators"], by=request.user
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("Mediation case %(number)s has been registered.") % {"number": mediation.number},
            )
            return redirect("casebook:mediation_detail", mediation.pk)
    return render(
        request,
        "casebook/mediation/form.html",
        {
            "form": form,
            "case": case,
            "opinion": opinion,
            "village": village,
            "problem": problem,
        },
    )


# ---- one mediation -----------------------------------------------------------------------------


def _moves(mediation: MediationCase, user) -> list[dict]:
    allowed = service.LIFECYCLE.allowed(mediation, user)
    return [{"to": to, "label": MOVE_LABELS[to]} for to in allowed]


def _detail(
    request: SignedInRequest, mediation: MediationCase, *, status: int = 200, **forms
) -> HttpResponse:
    acting = service.can_act(request.user, mediation.region)
    parties = list(mediation.parties.all())
    failed_move = forms.get("move_form")
    return render(
        request,
        "casebook/mediation/detail.html",
        {
            "mediation": mediation,
            "dispute": service.dispute_label(mediation.dispute_type),
            "applicants": [p for p in parties if p.side == "A"],
            "respondents": [p for p in parties if p.side == "B"],
            "sessions": list(mediation.sessions.all()),
            "mediators": list(mediation.mediators.all()),
            "history": sel.status_moves(mediation),
            "can_act": acting,
            "moves": _moves(mediation, request.user),
            "move_form": failed_move or MoveForm(),
            "failed_to": failed_move.data.get("to", "") if failed_move is not None else "",
            "session_form": forms.get("session_form") or SessionForm(),
            "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
            "follow_up_overdue": bool(
                mediation.status == MediationStatus.AGREED
                and mediation.followed_up_on is None
                and mediation.follow_up_due
                and mediation.follow_up_due < timezone.localdate()
            ),
        },
        status=status,
    )


@permission_required(Perm.VIEW_BOOKS)
def mediation_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


def _record(
    request: SignedInRequest,
    pk: int,
    form_class: type[SessionForm | FollowUpForm],
    write: Callable[..., Any],
    *,
    form_name: str,
    done: str,
) -> HttpResponse:
    """A form of the mediation's page that the service writes as it is (a session, the
    follow-up visit); a refused one shows the page again with the form and its errors."""
    mediation = _acting(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(mediation=mediation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, done)
            return redirect("casebook:mediation_detail", mediation.pk)
    failed: dict[str, Any] = {form_name: form}
    return _detail(request, mediation, **failed)


@permission_required(Perm.VIEW_BOOKS)
@require_POST
def mediation_session_add(request: SignedInRequest, pk: int) -> HttpResponse:
    done = _("The session has been recorded.")
    write = service.add_session
    return _record(request, pk, SessionForm, write, form_name="session_form", done=done)


@permission_required(Perm.VIEW_BOOKS)
@require_POST
def mediation_move(request: SignedInRequest, pk: int) -> HttpResponse:
    mediation = _acting(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            moved = service.move(mediation=mediation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("Mediation case %(number)s is now: %(status)s.")
                % {"number": moved.number, "status": moved.get_status_display()},
            )
            return redirect("casebook:mediation_detail", moved.pk)
    return _detail(request, mediation, move_form=form)


@permission_required(Perm.VIEW_BOOKS)
@require_POST
def mediation_follow_up(request: SignedInRequest, pk: int) -> HttpResponse:
    done = _("The follow-up visit has been recorded.")
    write = service.record_follow_up
    return _record(request, pk, FollowUpForm, write, form_name="follow_up_form", done=done)


# ---- paper -------------------------------------------------------------------------------------


@permission_required(Perm.VIEW_BOOKS)
def mediation_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The standard paper forms: 人民调解申请书, 人民调解记录 (one sheet per session),
    人民调解协议书."""
    mediation = _get(request, pk)
    which = request.GET.get("form", "application")
    if which not in PRINT_FORMS:
        messages.error(
            request,
            _("There is no such form. Choose the application, the record or the agreement."),
        )
        return redirect("casebook:mediation_detail", mediation.pk)
    parties: list[Any] = list(mediation.parties.all())  # parties, with what the paper shows
    for p in parties:  # what the paper asks of each party, where the registry knows it
        person = p.person
        p.sex_label = person.get_sex_display() if person else ""
        p.age_then = person.age_on(mediation.applied_on) if person else None
        p.place = p.address or (
            person.address or (person.household.address if person.household else "")
            if person
            else ""
        )
    return render(
        request,
        PRINT_FORMS[which],
        {
            "mediation": mediation,
            "dispute": service.dispute_label(mediation.dispute_type),
            "applicants": [p for p in parties if p.side == "A"],
            "respondents": [p for p in parties if p.side == "B"],
            "parties": parties,
            "sessions": list(mediation.sessions.all()) or [None],  # no session yet: one blank sheet
            "mediators": list(mediation.mediators.all()),
            "on": mediation.applied_on,
        },
    )


class MediationRegister(RegisterView):
    """The paper mediation register (人民调解登记簿) of one village for a period."""

    key = "mediation"
    title = gettext_lazy("People's mediation register (人民调解登记簿)")
    choose_text = gettext_lazy("Choose a village: the mediation register is kept per village.")
    empty_text = gettext_lazy("No mediation applied for in this period.")
    columns = (
        Column(gettext_lazy("Applied on"), "pr-col-date"),
        Column(gettext_lazy("Parties")),
        Column(gettext_lazy("Dispute")),
        Column(gettext_lazy("Brief account")),
        Column(gettext_lazy("Mediators")),
        Column(gettext_lazy("Result")),
        Column(gettext_lazy("Follow-up visit")),
        Column(gettext_lazy("Closed on"), "pr-col-date"),
    )
    cells_template = "casebook/mediation/_register_cells.html"
    back_url_name = "casebook:mediation_list"
    nav_template = "casebook/mediation/_nav.html"
    period = DateRange(default="year")
    rows_per_sheet = 10
    keeper = gettext_lazy("Kept by (signature) (登记人签字)")
    reviewer = gettext_lazy("Chair of the mediation committee (调委会主任审核)")

    def items(self, village: Region, first: dt.date, last: dt.date) -> list[MediationCase]:
        rows: list[Any] = list(  # mediations, with what the register shows
            sel.register_rows(self.request.user, village=village, first=first, last=last)
        )
        for m in rows:
            parties = list(m.parties.all())
            m.register_dispute = service.dispute_label(m.dispute_type)
            m.register_applicants = [p for p in parties if p.side == "A"]
            m.register_respondents = [p for p in parties if p.side == "B"]
        return rows

    def numbers(self, village: Region, items) -> list[str]:
        return [m.number for m in items]  # the mediation's own number runs per village and year

    def closing_note(self, items) -> str:
        agreed = sum(
            1 for m in items if m.status in (MediationStatus.AGREED, MediationStatus.CLOSED)
        )
        referred = sum(1 for m in items if m.status == MediationStatus.REFERRED)
        return _(
            "In this period: %(all)s applications, %(agreed)s agreements, %(referred)s referred."
        ) % {"all": len(items), "agreed": agreed, "referred": referred}


@permission_required(Perm.VIEW_BOOKS)
def mediation_register_print(request: SignedInRequest) -> HttpResponseBase:
    return MediationRegister.as_view()(request)
