"""Screens of leaders' responsibility (领导责任制): the township's page of villages × leader in
charge with its committee, a village's page (leader, class, guidance visits, rebuilding), the
assignment of a leader, the committee's members, police guidance visits counted per village.

Thin: parse, call a selector or a service, render. Villages and records come through
`visible_or_404`; a refusal is shown as a message and nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region, RegionKind
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.forms.leadership import LeaderForm, MemberForm, VisitForm
from qunfang.governance.fourinplace import ASPECT_LABELS, four_in_place
from qunfang.governance.models import CommitteeMember, VillageLeader
from qunfang.governance.selectors import classification as class_sel
from qunfang.governance.selectors import leadership as sel
from qunfang.governance.services import leadership as services

VIEW = Perm.VIEW_GOVERNANCE
PAGE_SIZE = 50


def _refusal(exc: ValidationError | NotYours) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _village(request: SignedInRequest, code: str) -> Region:
    return visible_or_404(
        Region.objects.filter(kind=RegionKind.VILLAGE).select_related("parent"),
        request.user,
        code=code,
    )


# ---- the township's page ----------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def responsibility(request: SignedInRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "governance/leadership/responsibility.html",
        {
            "rows": sel.responsibility(user, today),
            "committee": sel.committee(user),
            "may_lead": user.can(Perm.SUPERVISE_VILLAGES),
            "quarter_start": sel.quarter_start(today),
        },
    )


@require_safe
@permission_required(VIEW)
def village(request: SignedInRequest, code: str) -> HttpResponse:
    """A village's page: its leaders in charge, its four in place, class, guidance visits,
    rebuilding plans."""
    place = _village(request, code)
    today = timezone.localdate()
    quarter, year, latest = sel.village_visits_summary(place, today)
    return render(
        request,
        "governance/leadership/village.html",
        {
            "village": place,
            "leaders": sel.leader_history(place),
            "klass": class_sel.class_of(place),
            "visits_quarter": quarter,
            "visits_year": year,
            "latest_visits": latest,
            "plans": class_sel.plans_of(place),
            "four": four_in_place([place], today)[place.pk],
            "labels": ASPECT_LABELS,
            "may_lead": services.can_lead(request.user, place),
            "may_log": services.can_log_visit(request.user, place),
        },
    )


# ---- leaders in charge ------------------------------------------------------------------------


@permission_required(VIEW)
def leader_assign(request: SignedInRequest, code: str) -> HttpResponse:
    place = _village(request, code)
    user = request.user
    may = services.can_lead(user, place)
    current = services.current_leader(place)
    form = LeaderForm(
        request.POST or None,
        officers=sel.eligible_leaders(place),
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leader = services.leader_assign(
                village=place,
                by=user,
                account=data["account"],
                name=data["name"],
                title=data["title"],
                starts_on=data["starts_on"],
            )
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect("governance:leadership_village", code=place.code)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is in charge of %(village)s from %(day)s.")
                % {
                    "name": leader.name,
                    "village": place.name,
                    "day": f"{leader.starts_on:%Y-%m-%d}",
                },
            )
            return redirect("governance:leadership_village", code=place.code)
    return render(
        request,
        "governance/leadership/assign.html",
        {"village": place, "form": form, "current": current, "may": may},
    )


@require_POST
@permission_required(VIEW)
def leader_end(request: SignedInRequest, pk: int) -> HttpResponse:
    leader = visible_or_404(VillageLeader.objects.select_related("region"), request.user, pk=pk)
    try:
        services.leader_end(leader=leader, by=request.user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("%(name)s's charge has ended.") % {"name": leader.name})
    return redirect("governance:leadership_village", code=leader.region.code)


# ---- the committee ----------------------------------------------------------------------------


def _member_form(request: SignedInRequest, **kwargs: object) -> MemberForm:
    return MemberForm(request.POST or None, townships=sel.townships_led(request.user), **kwargs)


@permission_required(VIEW)
def member_create(request: SignedInRequest) -> HttpResponse:
    may = request.user.can(Perm.SUPERVISE_VILLAGES) and bool(sel.townships_led(request.user))
    form = _member_form(request, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_save(
                township=data["township"],
                by=request.user,
                name=data["name"],
                role=data["role"],
                unit=data["unit"],
                duties=data["duties"],
                starts_on=data["starts_on"],
            )
        except (ValidationError, NotYours) as exc:
            if isinstance(exc, NotYours):
                messages.error(request, str(exc))
                return redirect("governance:leadership")
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("%(name)s has joined the committee.") % {"name": data["name"]}
            )
            return redirect("governance:leadership")
    return render(
        request,
        "governance/leadership/member_form.html",
        {"form": form, "may": may, "member": None},
    )


def _member(request: SignedInRequest, pk: int) -> CommitteeMember:
    """A member of a committee the user reads (a village reads its township's), else 404."""
    member = sel.committee_visible(request.user).select_related("region").filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


@permission_required(VIEW)
def member_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    may = services.can_lead(request.user, member.region)
    initial = {
        "township": member.region_id,
        "name": member.name,
        "role": member.role,
        "unit": member.unit,
        "duties": member.duties,
        "starts_on": member.starts_on,
    }
    form = _member_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_save(
                township=member.region,
                by=request.user,
                member=member,
                name=data["name"],
                role=data["role"],
                unit=data["unit"],
                duties=data["duties"],
                starts_on=data["starts_on"],
            )
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect("governance:leadership")
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The member's details have been saved."))
            return redirect("governance:leadership")
    elif request.method == "POST" and not may:
        messages.error(request, _("Only the township's office keeps the committee's members."))
        return redirect("governance:leadership")
    return render(
        request,
        "governance/leadership/member_form.html",
        {"form": form, "may": may, "member": member},
    )


@require_POST
@permission_required(VIEW)
def member_end(request: SignedInRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    try:
        services.member_end(member=member, by=request.user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("%(name)s has left the committee.") % {"name": member.name})
    return redirect("governance:leadership")


# ---- police guidance visits -------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def visit_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    place = requested_village(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = year if 2000 <= year <= today.year + 1 else today.year
    page = Paginator(sel.visits(user, village=place, year=year), PAGE_SIZE)
    villages = list(villages_visible(user=user))
    return render(
        request,
        "governance/leadership/visits.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "counts": sel.visit_counts(user, year=year, village=place),
            "year": year,
            "years": list(range(today.year, today.year - 4, -1)),
            "villages": villages if len(villages) > 1 else [],
            "village_code": place.code if place else "",
        },
    )


@permission_required(VIEW)
def visit_create(request: SignedInRequest, code: str) -> HttpResponse:
    place = _village(request, code)
    user = request.user
    may = services.can_log_visit(user, place)
    form = VisitForm(
        request.POST or None,
        initial={"visited_on": timezone.localdate(), "officer": str(user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_log(village=place, by=user, **form.cleaned_data)
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect("governance:leadership_village", code=place.code)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The guidance visit has been logged."))
            return redirect(reverse("governance:visit_list") + f"?village={place.code}")
    return render(
        request,
        "governance/leadership/visit_form.html",
        {"village": place, "form": form, "may": may},
    )
