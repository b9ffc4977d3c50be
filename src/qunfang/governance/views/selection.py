"""Selection and appointment screens (选聘): the list of candidacies (open ones by status and
village, the township's queue awaiting approval, every one), a nomination, one candidacy with
its checks, decisions and appointment, and the dismissal of a current member. Thin: parse, call
`services.selection` or a selector, render; a refused write shows the service's message on the
form and changes nothing.

Everyone with the governance view reads; the village committee (RUN_GOVERNANCE) nominates,
decides, appoints and dismisses in its village; the township (SUPERVISE_VILLAGES) approves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.forms.selection import DismissalForm, MoveForm, NominationForm
from qunfang.governance.models.selection import Candidacy, CandidacyStatus
from qunfang.governance.selectors import selection as sel
from qunfang.governance.services import selection as service
from qunfang.registry.models import Membership, Person, Post

PAGE_SIZE = 50
S = CandidacyStatus
MOVE_LABELS = {
    S.COMMITTEE_APPROVED: gettext_lazy("Approve (village committee)"),
    S.TOWNSHIP_APPROVED: gettext_lazy("Approve (township)"),
    S.APPOINTED: gettext_lazy("Appoint"),
    S.REJECTED: gettext_lazy("Do not appoint"),
    S.WITHDRAWN: gettext_lazy("Withdraw the candidacy"),
}
VIEWS = {
    sel.OPEN_VIEW: gettext_lazy("Open candidacies"),
    sel.TOWNSHIP_VIEW: gettext_lazy("Awaiting the township's approval"),
    sel.ALL_VIEW: gettext_lazy("All candidacies"),
}


def _get(request: SignedInRequest, pk: int) -> Candidacy:
    return visible_or_404(sel.candidacy_for_detail(request.user), request.user, pk=pk)


# ---- the list -----------------------------------------------------------------------------------


@require_GET
@permission_required(Perm.VIEW_GOVERNANCE)
def selection_list(request: SignedInRequest) -> HttpResponse:
    village = requested_village(request)
    view = request.GET.get("view", "").strip()
    if view not in VIEWS:
        view = sel.OPEN_VIEW
    status = request.GET.get("status", "").strip()
    if status and status not in S.values:
        messages.error(request, _("There is no such status; all candidacies are shown."))
        status = ""
    page = Paginator(
        sel.candidacy_list(request.user, view=view, status=status, village=village), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render(
        request,
        "governance/selection/list.html",
        {
            "page": page,
            "view": view,
            "views": list(VIEWS.items()),
            "status": status,
            "statuses": S.choices
            if view == sel.ALL_VIEW
            else [(s.value, s.label) for s in service.OPEN],
            "villages": villages_visible(user=request.user),
            "village_code": village.code if village else "",
            "can_nominate": request.user.can(Perm.RUN_GOVERNANCE),
        },
    )


# ---- a nomination -------------------------------------------------------------------------------


def _initial(request: SignedInRequest) -> dict[str, Any]:
    """A nomination started from a person's page (`?person=`) or a post (`?post=`)."""
    initial: dict[str, Any] = {}
    for name, model in (("person", Person), ("post", Post)):
        value = request.GET.get(name, "")
        if value.isdigit() and model.objects.visible_to(request.user).filter(pk=value).exists():
            initial[name] = int(value)
    return initial


@permission_required(Perm.RUN_GOVERNANCE)
def candidacy_create(request: SignedInRequest) -> HttpResponse:
    form = NominationForm(request.POST or None, user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidacy = service.candidacy_nominate(
                post=data["post"],
                person=data["person"],
                nominated_by=data["nominated_by"],
                nominated_on=data["nominated_on"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has been nominated for %(post)s.")
                % {"name": candidacy.person.name, "post": candidacy.post.title},
            )
            return redirect("governance:candidacy_detail", candidacy.pk)
    return render(request, "governance/selection/form.html", {"form": form})


# ---- one candidacy ------------------------------------------------------------------------------


def _detail(
    request: SignedInRequest, candidacy: Candidacy, move_form: MoveForm | None = None
) -> HttpResponse:
    moves = service.moves_for(candidacy, request.user)
    failed_to = move_form.data.get("to", "") if move_form is not None else ""
    return render(
        request,
        "governance/selection/detail.html",
        {
            "candidacy": candidacy,
            "village": service.village_of(candidacy),
            "checks": sel.candidate_checks(candidacy),
            "moves": [{"to": to, "label": MOVE_LABELS[S(to)]} for to in moves],
            "move_form": move_form or MoveForm(),
            "failed_to": failed_to,
            "history": sel.status_moves(candidacy),
            "can_dismiss": bool(
                candidacy.membership is not None
                and candidacy.membership.ended_on is None
                and service.committee_may(request.user, service.village_of(candidacy))
            ),
        },
    )


@require_GET
@permission_required(Perm.VIEW_GOVERNANCE)
def candidacy_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@require_POST
@permission_required(any_of=(Perm.RUN_GOVERNANCE, Perm.SUPERVISE_VILLAGES))
def candidacy_move(request: SignedInRequest, pk: int) -> HttpResponse:
    candidacy = _get(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = service.candidacy_move(
                candidacy=candidacy,
                to=data["to"],
                on=data["on"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s · %(post)s: %(status)s.")
                % {
                    "name": moved.person.name,
                    "post": moved.post.title,
                    "status": moved.get_status_display(),
                },
            )
            return redirect("governance:candidacy_detail", moved.pk)
    return _detail(request, _get(request, pk), move_form=form)


# ---- dismissal ----------------------------------------------------------------------------------


@permission_required(Perm.RUN_GOVERNANCE)
def membership_dismiss(request: SignedInRequest, pk: int) -> HttpResponse:
    membership = visible_or_404(
        Membership.objects.select_related("person", "post__organisation__region"),
        request.user,
        pk=pk,
    )
    if not service.committee_may(request.user, membership.post.organisation.region):
        raise PermissionDenied
    form = DismissalForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            service.membership_dismiss(
                membership=membership,
                reason=form.cleaned_data["reason"],
                decided_on=form.cleaned_data["decided_on"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has been dismissed from %(post)s.")
                % {"name": membership.person.name, "post": membership.post.title},
            )
            return redirect("registry:person_detail", membership.person_id)
    return render(
        request, "governance/selection/dismiss.html", {"form": form, "membership": membership}
    )
