"""Self-service and check-in: a member's own page, absences and swaps, the director's swap
decisions, who is on duty now, notifications, and the page a patrol point's QR sign opens.
Thin: parse, call a service, render; a service's refusal is shown and nothing changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qunfang.core.http import SignedInRequest
from qunfang.core.models import Notification
from qunfang.core.notify import mark_read
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.patrols.forms.self import (
    AbsenceForm,
    CheckInActionForm,
    CheckInForm,
    SwapForm,
    fresh_client_id,
)
from qunfang.patrols.models import (
    Absence,
    Assignment,
    CheckIn,
    CheckInKind,
    Outcome,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.selectors import self as selectors_self
from qunfang.patrols.selectors.common import change_or_403, positions_required
from qunfang.patrols.selectors.people import replacement_problems, swap_candidates
from qunfang.patrols.services import checkin, swaps
from qunfang.patrols.services.shifts import declare_absence

if TYPE_CHECKING:
    from qunfang.registry.models import Person

NOTIFICATIONS_PAGE = 30


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _may_manage(user) -> bool:
    return user.can(Perm.MANAGE_PATROLS)


# ---- the member's own page --------------------------------------------------------------


@login_required
def my(request: SignedInRequest) -> HttpResponse:
    person = selectors_self.person_of(request.user)
    if person is None:
        return render(request, "patrols/self/my.html", {"person": None})
    now = timezone.now()
    assignments = list(selectors_self.my_assignments(request.user, person, now))
    current = next((a for a in assignments if selectors_self.is_open(a, now)), None)
    context = {
        "person": person,
        "now": now,
        "assignments": assignments,
        "current": current,
        "absences": selectors_self.my_absences(request.user, person),
        "swaps": selectors_self.my_swaps(request.user, person),
    }
    if current is not None:
        context["round"] = selectors_self.round_progress(current)
        context["current_check_ins"] = list(
            current.check_ins.select_related("point").order_by("recorded_at", "id")
        )
        context["started"] = any(
            c.accepted and c.kind == CheckInKind.START for c in context["current_check_ins"]
        )
        context["start_form"] = CheckInActionForm(
            initial={**fresh_client_id(), "kind": CheckInKind.START}
        )
        context["end_form"] = CheckInActionForm(
            initial={**fresh_client_id(), "kind": CheckInKind.END}
        )
    absence_pk = request.GET.get("absence", "")
    if absence_pk.isdigit():  # just declared: the shifts it clashes with
        absence = (
            Absence.objects.visible_to(request.user).filter(person=person, pk=absence_pk).first()
        )
        if absence is not None:
            context["declared"] = absence
            context["clashes"] = list(selectors_self.clashing_assignments(absence))
    return render(request, "patrols/self/my.html", context)


@login_required
def absence_create(request: SignedInRequest) -> HttpResponse:
    person = selectors_self.person_of(request.user)
    form = AbsenceForm(request.POST or None)
    if person is not None and request.method == "POST" and form.is_valid():
        try:
            absence = declare_absence(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your absence has been recorded."))
            return redirect(reverse("patrols:my") + f"?absence={absence.pk}")
    return render(request, "patrols/self/absence_form.html", {"form": form, "person": person})


# ---- swaps ------------------------------------------------------------------------------


def _own_or_planner(request: SignedInRequest, record: Assignment | SwapRequest, own: bool) -> None:
    """The member's `own` shift or swap, or a planner who may change it: their own village's
    people, or a joint zone's shift for whoever runs the zone (not a member village that only
    sees it)."""
    if own:
        return
    if not _may_manage(request.user):
        raise NotYours(_("This shift is not yours."))
    change_or_403(request.user, record)


@login_required
def swap_create(request: SignedInRequest, pk: int) -> HttpResponse:
    queryset = Assignment.objects.select_related(
        "person", "shift__pattern__route", "shift__region", "shift__zone", "zone__region"
    )
    assignment = visible_or_404(queryset, request.user, pk=pk)
    _own_or_planner(request, assignment, assignment.person.account_id == request.user.pk)
    closed = assignment.outcome != Outcome.PLANNED or assignment.shift.starts_at <= timezone.now()
    offered: list[tuple[Person, list[str]]] = []
    refused: list[tuple[Person, list[str]]] = []
    if not closed:
        for person in swap_candidates(assignment):
            problems = replacement_problems(assignment, person)
            (refused if problems else offered).append((person, problems))
    form = SwapForm(request.POST or None, candidates=[p for p, _problems in offered])
    if not closed and request.method == "POST" and form.is_valid():
        try:
            swaps.request_swap(
                assignment=assignment,
                replacement=form.cleaned_data["replacement"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your swap request has been sent to the director."))
            return redirect(
                "patrols:my"
                if assignment.person.account_id == request.user.pk
                else "patrols:swap_list"
            )
    pending = (
        assignment.swap_requests.filter(status=SwapStatus.PENDING)
        .select_related("replacement")
        .first()
    )
    return render(
        request,
        "patrols/self/swap_form.html",
        {
            "assignment": assignment,
            "form": form,
            "closed": closed,
            "refused": refused,
            "offered": offered,
            "pending": pending,
        },
    )


@require_POST
@login_required
def swap_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    swap = visible_or_404(
        SwapRequest.objects.select_related("assignment__person", "zone__region"),
        request.user,
        pk=pk,
    )
    own = request.user.pk in (swap.requested_by_id, swap.assignment.person.account_id)
    _own_or_planner(request, swap, own)
    try:
        swaps.withdraw_swap(swap=swap, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The swap request has been withdrawn."))
    return redirect("patrols:my" if not _may_manage(request.user) else "patrols:swap_list")


@permission_required(Perm.MANAGE_PATROLS)
def swap_list(request: SignedInRequest) -> HttpResponse:
    pending = selectors_self.pending_swaps(request.user)[:200]
    for swap in pending:  # a joint zone's swaps are seen by member villages, decided by its runner
        swap.may_decide = SwapStatus.APPROVED in swaps.SWAP_LIFECYCLE.allowed(swap, request.user)
    context = {"pending": pending, "decided": selectors_self.decided_swaps(request.user)}
    return render(request, "patrols/self/swap_list.html", context)


@require_POST
@permission_required(Perm.MANAGE_PATROLS)
def swap_decide(request: SignedInRequest, pk: int) -> HttpResponse:
    queryset = SwapRequest.objects.select_related(
        "assignment__shift__pattern", "replacement", "zone__region"
    )
    swap = visible_or_404(queryset, request.user, pk=pk)
    change_or_403(request.user, swap)
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "").strip()[:200]
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose whether to approve or reject the swap."))
        return redirect("patrols:swap_list")
    try:
        swaps.decide_swap(swap=swap, approve=decision == "approve", by=request.user, note=note)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(
                request,
                _("The swap of %(day)s was not decided: %(why)s")
                % {"day": swap.assignment.shift.service_date, "why": message},
            )
    else:
        if decision == "approve":
            messages.success(
                request, _("Swap approved: %(name)s takes over.") % {"name": swap.replacement.name}
            )
        else:
            messages.success(request, _("Swap rejected."))
    return redirect("patrols:swap_list")


# ---- who is on duty, notifications ------------------------------------------------------


@login_required
def on_duty(request: SignedInRequest) -> HttpResponse:
    if not (request.user.can(Perm.PATROL) or request.user.can(Perm.VIEW_PATROLS)):
        raise PermissionDenied
    now = timezone.now()
    shifts = list(selectors_self.on_duty(request.user, now)[:200])
    return render(request, "patrols/self/on_duty.html", {"shifts": shifts, "now": now})


@login_required
def notifications(request: SignedInRequest) -> HttpResponse:
    queryset = (
        Notification.objects.visible_to(request.user)
        .filter(user=request.user)
        .order_by("-created_at", "-id")
    )
    page = Paginator(queryset, NOTIFICATIONS_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for n in rows:
        n.was_unread = n.read_at is None
        n.shown = n.text_in()  # in the page's language, which is the reader's
        n.safe_url = (
            n.url if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts=None) else ""
        )
    unread = [n.pk for n in rows if n.was_unread]
    if unread:  # seen now: mark them read
        mark_read(user=request.user, notifications=unread)
    return render(request, "patrols/self/notifications.html", {"page": page, "rows": rows})


# ---- check-in -----------------------------------------------------------------------------


def _answer(check_in: CheckIn, created: bool) -> dict:
    """What the member is told about a check-in, the first time and on a resend."""
    return {
        "check_in": check_in,
        "duplicate": not created,
        "refusal": checkin.refusal_message(check_in) if not check_in.accepted else "",
    }


@login_required
def scan(request: SignedInRequest, pk: int) -> HttpResponse:
    """What the QR on a sign opens: check in at this point on the shift you are serving."""
    person = selectors_self.person_of(request.user)
    point = selectors_self.scannable_point(request.user, person, pk)
    if point is None:
        raise Http404
    code = request.GET.get("c", "").strip()[:20]
    assignment, open_shifts = selectors_self.assignment_for_point(person, point)
    context = {
        "point": point,
        "person": person,
        "assignment": assignment,
        "open_shifts": open_shifts,
        "positions_required": positions_required(point),
    }
    if assignment is None:  # nothing to check in to: say why, save nothing
        return render(request, "patrols/self/scan.html", context)
    form = CheckInForm(
        request.POST or None,
        request.FILES or None,
        code_from_sign=bool(code),
        initial={**fresh_client_id(), "code": code},
    )
    if request.method == "POST" and form.is_valid():
        try:
            check_in, created = checkin.check_in(
                assignment=assignment, scan=form.scan(point), user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(
                request, "patrols/self/scan_result.html", {**context, **_answer(check_in, created)}
            )
    return render(request, "patrols/self/scan.html", {**context, "form": form})


@require_POST
@login_required
def checkin_action(request: SignedInRequest, pk: int) -> HttpResponse:
    """Start or end of patrol, from the member's own page."""
    assignment = visible_or_404(
        Assignment.objects.select_related("shift__pattern", "person"), request.user, pk=pk
    )
    form = CheckInActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:  # an ErrorList yields its messages as text
                messages.error(request, message)  # type: ignore[arg-type]
        return redirect("patrols:my")
    try:
        check_in, created = checkin.check_in(
            assignment=assignment, scan=form.scan(), user=request.user
        )
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("patrols:my")
    when = timezone.localtime(check_in.recorded_at).strftime("%H:%M")
    if not created:
        messages.info(
            request,
            _("Already recorded at %(time)s: %(kind)s.")
            % {"time": when, "kind": check_in.get_kind_display()},
        )
    elif check_in.kind == CheckInKind.START:
        messages.success(
            request, _("Patrol started at %(time)s. Scan the sign at each point.") % {"time": when}
        )
    else:
        assignment.refresh_from_db(fields=["outcome"])
        messages.success(
            request,
            _("Patrol ended at %(time)s. The shift is recorded as: %(outcome)s.")
            % {"time": when, "outcome": assignment.get_outcome_display()},
        )
    return redirect("patrols:my")
