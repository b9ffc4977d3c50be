"""Households: the list, a page each and editing."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.permissions import permission_required
from qunfang.core.scoping import visible_or_404
from qunfang.registry import forms, selectors
from qunfang.registry.models import Household
from qunfang.registry.views.common import (
    MANAGE,
    VIEW,
    edit_page,
    list_context,
    paginate,
)


@permission_required(VIEW)
def household_list(request: SignedInRequest) -> HttpResponse:
    context = list_context(request, flag=request.GET.get("flag", ""))
    queryset = selectors.households(
        user=request.user,
        village=requested_village(request),
        search=context["q"],
        flag=context["flag"],
    )
    return render(
        request, "registry/household_list.html", {**context, "page": paginate(request, queryset)}
    )


@permission_required(VIEW)
def household_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    household = visible_or_404(
        Household.objects.select_related("region", "group", "head"), request.user, pk=pk
    )
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": household.members.all(),
            "groups": household.group_memberships.select_related("group").order_by("-joined_on"),
        },
    )


@permission_required(MANAGE)
def household_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    return edit_page(
        request,
        Household,
        pk,
        form_class=forms.HouseholdForm,
        new_title=_("New household"),
        edit_title=_("Edit household"),
        back=reverse("registry:household_list"),
        saved_message=_("The household has been saved."),
    )
