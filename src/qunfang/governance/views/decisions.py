"""Decisions of meetings (决议事项): the list with the overdue ones per village, recording a
decision on a held meeting, and its moves (done, dropped, reopened).

Thin: parse, call a selector or a service, render. Records come through `visible_or_404`, so
another village's meeting or decision answers 404 before anything else is asked; acting needs
RUN_GOVERNANCE inside the user's jurisdiction (403 otherwise)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.forms.decisions import DecisionForm, MoveForm
from qunfang.governance.models import Decision, DecisionStatus, Meeting, MeetingStatus
from qunfang.governance.selectors import decisions as sel
from qunfang.governance.services import decisions as services

VIEW = Perm.VIEW_GOVERNANCE
PAGE_SIZE = 50
OVERDUE = "overdue"  # ?show=overdue: the open decisions past their due date
DUE_SOON = "soon"  # ?show=soon: the open decisions due within the reminder's days


def _list_url(village: Region | None = None, **params: str) -> str:
    query = {"village": village.code, **params} if village is not None else params
    url = reverse("governance:decision_list")
    return f"{url}?{urlencode(query)}" if query else url


def _next(request: SignedInRequest, default: str) -> str:
    """Where to go after a move: the page it came from (on this site), else `default`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _pk(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


# ---- the list -------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def decision_list(request: SignedInRequest) -> HttpResponse:
    village = requested_village(request)
    today = timezone.localdate()
    status = request.GET.get("status", "").strip()
    if status and status not in DecisionStatus.values:
        messages.error(request, _("There is no such status; all decisions are shown."))
        status = ""
    overdue = request.GET.get("show") == OVERDUE
    due_soon = request.GET.get("show") == DUE_SOON
    organisations = sel.organisations_with_decisions(request.user, village=village)
    owners = sel.owners_of_decisions(request.user, village=village)
    # a choice that is not offered (another village's, a stale link) narrows nothing, and says so
    raw_org, raw_owner = (request.GET.get(k, "").strip() for k in ("organisation", "owner"))
    org_pk, owner_pk = _pk(raw_org), _pk(raw_owner)
    organisation = organisations.filter(pk=org_pk).first() if org_pk is not None else None
    if raw_org and organisation is None:
        messages.error(request, _("There is no such organisation; all are shown."))
    owner = owners.filter(pk=owner_pk).first() if owner_pk is not None else None
    if raw_owner and owner is None:
        messages.error(request, _("There is no such person responsible; all are shown."))
    queryset = sel.decision_list(
        request.user,
        village=village,
        status=status,
        overdue=overdue,
        due_soon=due_soon,
        organisation=organisation,
        owner=owner,
        today=today,
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Any] = list(page.object_list)  # decisions, with their days overdue
    page.object_list = rows
    for decision in rows:
        late = decision.status == DecisionStatus.OPEN and decision.due_on < today
        decision.days_overdue = (today - decision.due_on).days if late else 0
    villages = villages_visible(user=request.user)
    several = villages.count() > 1
    return render(
        request,
        "governance/decisions/list.html",
        {
            "page": page,
            "villages": villages if several else [],
            "village_code": village.code if village else "",
            "statuses": list(services.STATUS_LABELS.items()),
            "status": status,
            "overdue": overdue,
            "organisations": organisations,
            "organisation_pk": organisation.pk if organisation else None,
            "owners": owners,
            "owner_pk": owner.pk if owner else None,
            "overview": sel.overdue_by_village(request.user, today=today) if several else [],
            "today": today,
            "here": OVERDUE if overdue else DUE_SOON if due_soon else "list",
            "due_soon": due_soon,
            "remind_days": services.REMIND_DAYS_BEFORE,
            "can_run": services.can_run(request.user),
        },
    )


# ---- on the meeting's page -----------------------------------------------------------------


def meeting_section(request: SignedInRequest, meeting: Meeting) -> dict[str, Any]:
    """The decisions taken at a meeting, on its page (views.meetings.SECTIONS): one query."""
    today = timezone.localdate()
    rows: list[Any] = list(sel.meeting_decisions(request.user, meeting))
    for decision in rows:
        late = decision.status == DecisionStatus.OPEN and decision.due_on < today
        decision.days_overdue = (today - decision.due_on).days if late else 0
    return {
        "decisions": rows,
        "held": meeting.status == MeetingStatus.HELD,
        "can_run": services.can_run(request.user, meeting.organisation.region),
        "back": f"{meeting.get_absolute_url()}#decisions",
    }


# ---- recording a decision -------------------------------------------------------------------


@permission_required(VIEW)
def decision_add(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record the decisions of a held meeting, one after another."""
    meeting = visible_or_404(sel.meeting_for_decisions(request.user), request.user, pk=pk)
    if not services.can_run(request.user, meeting.organisation.region):
        raise PermissionDenied
    back = meeting.get_absolute_url()
    if meeting.status != MeetingStatus.HELD:
        messages.error(request, _("Decisions are recorded for a meeting that has been held."))
        return redirect(back)
    form = DecisionForm(request.POST or None, meeting=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_add(
                meeting=meeting,
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            if "another" in request.POST:
                return redirect("governance:decision_add", meeting.pk)
            return redirect(f"{back}#decisions")
    return render(
        request,
        "governance/decisions/form.html",
        {
            "form": form,
            "meeting": meeting,
            "held_on": services.meeting_day(meeting),
            "decisions": sel.meeting_decisions(request.user, meeting),
            "back": back,
        },
    )


# ---- moves ----------------------------------------------------------------------------------


@permission_required(VIEW)
def decision_move(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET: the moves the user may make now, a form each. POST: make one."""
    decision: Decision = visible_or_404(sel.decision_for_move(request.user), request.user, pk=pk)
    village = decision.meeting.organisation.region
    if not services.can_run(request.user, village):
        raise PermissionDenied
    moves = services.LIFECYCLE.allowed(decision, request.user)
    forms = {move: MoveForm(move=move) for move in moves}
    back = _next(request, _list_url(village))
    if request.method == "POST":
        move = request.POST.get("to", "")
        form = MoveForm(request.POST, move=move if move in DecisionStatus.values else "")
        if form.is_valid():
            data = form.cleaned_data
            try:
                moved = services.decision_move(
                    decision=decision,
                    to=data["to"],
                    outcome=data["outcome"],
                    on=data.get("done_on"),
                    due_on=data.get("due_on"),
                    by=request.user,
                )
            except ValidationError as exc:
                errors_onto(form, exc)
            else:
                messages.success(
                    request,
                    _("The decision is now: %(status)s.")
                    % {"status": services.STATUS_LABELS[DecisionStatus(moved.status)]},
                )
                return redirect(back)
        if form.move in forms:
            forms[form.move] = form
        else:  # not a move that can be made now: say why, above the forms
            for errors in form.errors.values():
                for error in errors:  # an ErrorList yields its messages as text
                    messages.error(request, error)  # type: ignore[arg-type]
    return render(
        request,
        "governance/decisions/move.html",
        {
            "decision": decision,
            "meeting": decision.meeting,
            "held_on": services.meeting_day(decision.meeting),
            "forms": list(forms.values()),
            "overdue": decision.status == DecisionStatus.OPEN
            and decision.due_on < timezone.localdate(),
            "back": back,
        },
    )
