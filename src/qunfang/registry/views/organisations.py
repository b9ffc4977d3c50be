"""Organisations and their posts: the list, a page each, editing, placing a person in a post
and ending a membership."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.permissions import permission_required
from qunfang.core.scoping import visible_or_404
from qunfang.registry import forms, selectors
from qunfang.registry.models import (
    Membership,
    Organisation,
    OrgKind,
    OrgStatus,
    Post,
)
from qunfang.registry.services import organisations as services
from qunfang.registry.views.common import (
    MANAGE,
    VIEW,
    edit_page,
    form_page,
    list_context,
    paginate,
)


@permission_required(VIEW)
def organisation_list(request: SignedInRequest) -> HttpResponse:
    context = list_context(
        request,
        kinds=OrgKind.choices,
        statuses=OrgStatus.choices,
        kind=request.GET.get("kind", ""),
        status=request.GET.get("status", ""),
    )
    queryset = selectors.organisations(
        user=request.user,
        village=requested_village(request),
        search=context["q"],
        kind=context["kind"] if context["kind"] in OrgKind.values else "",
        status=context["status"] if context["status"] in OrgStatus.values else "",
    )
    page = paginate(request, queryset)
    rows = [{"org": org, "posts": selectors.post_rows(org)} for org in page.object_list]
    for row in rows:
        row["empty"] = sum(p["empty"] for p in row["posts"])
        row["leader"] = next(
            (h for p in row["posts"] if p["post"].is_leader for h in p["holders"]), None
        )
    return render(
        request, "registry/organisation_list.html", {**context, "page": page, "rows": rows}
    )


@permission_required(VIEW)
def organisation_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_detail(user=request.user, pk=pk)
    past = Membership.objects.filter(post__organisation=org, ended_on__isnull=False).select_related(
        "person", "post"
    )
    return render(
        request,
        "registry/organisation_detail.html",
        {"org": org, "posts": selectors.post_rows(org), "past": past[:100]},
    )


@permission_required(MANAGE)
def organisation_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    return edit_page(
        request,
        Organisation,
        pk,
        form_class=forms.OrganisationForm,
        new_title=_("New organisation"),
        edit_title=_("Edit organisation"),
        back=reverse("registry:organisation_list"),
        saved_message=_("The organisation has been saved."),
    )


@permission_required(MANAGE)
def post_edit(request: SignedInRequest, org_pk: int, pk: int | None = None) -> HttpResponse:
    org = visible_or_404(Organisation, request.user, pk=org_pk)
    post = (
        visible_or_404(Post.objects.filter(organisation=org), request.user, pk=pk)
        if pk
        else Post(organisation=org)
    )
    form = forms.PostForm(request.POST or None, instance=post)
    return form_page(
        request,
        form,
        title=_("Post in %(org)s") % {"org": org.name},
        back=reverse("registry:organisation_detail", args=[org.pk]),
        saved_message=_("The post has been saved."),
        save=lambda f: f.save() and org,
    )


@permission_required(MANAGE)
def post_place(request: SignedInRequest, pk: int) -> HttpResponse:
    post = visible_or_404(Post.objects.select_related("organisation__region"), request.user, pk=pk)
    form = forms.PlacementForm(
        request.POST or None,
        post=post,
        user=request.user,
        initial={"started_on": timezone.localdate()},
    )
    return form_page(
        request,
        form,
        title=_("Place a person in: %(post)s") % {"post": post},
        back=reverse("registry:organisation_detail", args=[post.organisation_id]),
        saved_message=_("The person now holds the post."),
        save=lambda f: (
            services.membership_start(
                person=f.cleaned_data["person"], post=post, started_on=f.cleaned_data["started_on"]
            ).post.organisation
        ),
    )


@permission_required(MANAGE)
def membership_end(request: SignedInRequest, pk: int) -> HttpResponse:
    membership = visible_or_404(
        Membership.objects.select_related("post__organisation", "person"), request.user, pk=pk
    )
    form = forms.MembershipEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    return form_page(
        request,
        form,
        title=_("%(person)s leaves %(post)s")
        % {"person": membership.person, "post": membership.post},
        back=reverse("registry:organisation_detail", args=[membership.post.organisation_id]),
        saved_message=_("The membership has ended."),
        save=lambda f: (
            services.membership_end(
                membership=membership,
                ended_on=f.cleaned_data["ended_on"],
                reason=f.cleaned_data["reason"],
            ).post.organisation
        ),
    )
