"""Ten-household joint defence groups (十户联防): the list, a page each, the printable
roster and editing, which sets the group's households."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.pdf import printable
from qunfang.core.permissions import permission_required
from qunfang.core.scoping import visible_or_404
from qunfang.registry import forms, selectors
from qunfang.registry.models import JointDefenceGroup
from qunfang.registry.services import groups as services
from qunfang.registry.views.common import (
    MANAGE,
    VIEW,
    edit_page,
    list_context,
    paginate,
)


@permission_required(VIEW)
def group_list(request: SignedInRequest) -> HttpResponse:
    context = list_context(request)
    queryset = selectors.joint_defence_groups(user=request.user, village=requested_village(request))
    return render(
        request, "registry/group_list.html", {**context, "page": paginate(request, queryset)}
    )


def _group_context(request: SignedInRequest, pk: int) -> dict:
    group = visible_or_404(
        JointDefenceGroup.objects.select_related(
            "region", "leader_household__head", "organisation"
        ),
        request.user,
        pk=pk,
    )
    memberships = group.memberships.select_related("household__head").prefetch_related(
        "household__members"
    )
    return {
        "group": group,
        "current": [m for m in memberships if m.left_on is None],
        "former": [m for m in memberships if m.left_on is not None],
    }


@permission_required(VIEW)
def group_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return render(request, "registry/group_detail.html", _group_context(request, pk))


@permission_required(VIEW)
def group_print(request: SignedInRequest, pk: int) -> HttpResponse:
    context = {**_group_context(request, pk), "today": timezone.localdate()}
    group = context["group"]
    stem = f"{group.region.name}-{group.name}"
    template = "registry/group_print.html"
    return printable(request, template, context, stem=stem, ascii_stem=f"group-{group.pk}")


@permission_required(MANAGE)
def group_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    def save(f):
        return services.joint_defence_group_form(
            group=f.save(),
            households=list(f.cleaned_data["households"]),
            leader=f.cleaned_data["leader"],
            on=f.cleaned_data["changed_on"],
        )

    return edit_page(
        request,
        JointDefenceGroup,
        pk,
        form_class=forms.JointDefenceGroupForm,
        new_title=_("New ten-household group"),
        edit_title=_("Edit ten-household group"),
        back=reverse("registry:group_list"),
        saved_message=_("The group has been saved."),
        save=save,
        initial={"changed_on": timezone.localdate(), "formed_on": timezone.localdate()},
    )
