"""Registry screens: organisations and posts, people, households, ten-household groups,
vetting and training. Thin: parse, call a service or selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qunfang.core import services as core_services
from qunfang.core.models import Region, RegionKind
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.registry import forms, selectors, services
from qunfang.registry.models import (
    Household,
    JointDefenceGroup,
    Membership,
    OrgKind,
    OrgStatus,
    Person,
    Post,
    VettingCheck,
)

PAGE_SIZE = 50
DUE_SHOWN = 200  # the most urgent first; a county sees a count of the rest
VIEW, MANAGE = Perm.VIEW_REGISTRY, Perm.MANAGE_REGISTRY


def village_filter(request: HttpRequest):
    code = request.GET.get("village", "")
    if not code:
        return None
    return visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE), request.user, code=code)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _list_context(request: HttpRequest, **extra) -> dict:
    return {
        "villages": forms.visible_villages(request.user),
        "village_code": request.GET.get("village", ""),
        "q": request.GET.get("q", "").strip()[:50],
        **extra,
    }


def _form_page(request, form, *, title, back, saved_message, save, template="registry/form.html"):
    """The create/edit pattern: validate, call the service, report its ValidationError on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a service refusal undoes the form's own save too
                obj = save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, saved_message)
            return redirect(obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else back)
    return render(request, template, {"form": form, "title": title, "back": back})


# ---- organisations -----------------------------------------------------------------------


@permission_required(VIEW)
def organisation_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, kinds=OrgKind.choices, statuses=OrgStatus.choices,
                            kind=request.GET.get("kind", ""), status=request.GET.get("status", ""))  # fmt: skip
    queryset = selectors.organisations(
        user=request.user, village=village_filter(request), search=context["q"],
        kind=context["kind"] if context["kind"] in OrgKind.values else "",
        status=context["status"] if context["status"] in OrgStatus.values else "",
    )  # fmt: skip
    page = _page(request, queryset)
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
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_detail(user=request.user, pk=pk)
    past = Membership.objects.filter(post__organisation=org, ended_on__isnull=False).select_related(
        "person", "post"
    )
    return render(request, "registry/organisation_detail.html",
                  {"org": org, "posts": selectors.post_rows(org), "past": past[:100]})  # fmt: skip


@permission_required(MANAGE)
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    from qunfang.registry.models import Organisation

    org = visible_or_404(Organisation, request.user, pk=pk) if pk else None
    form = forms.OrganisationForm(request.POST or None, instance=org, user=request.user)
    return _form_page(
        request, form, title=_("Edit organisation") if org else _("New organisation"),
        back=reverse("registry:organisation_list"), saved_message=_("The organisation has been saved."),
        save=lambda f: f.save(),
    )  # fmt: skip


@permission_required(MANAGE)
def post_edit(request: HttpRequest, org_pk: int, pk: int | None = None) -> HttpResponse:
    from qunfang.registry.models import Organisation

    org = visible_or_404(Organisation, request.user, pk=org_pk)
    post = (
        visible_or_404(Post.objects.filter(organisation=org), request.user, pk=pk)
        if pk
        else Post(organisation=org)
    )
    form = forms.PostForm(request.POST or None, instance=post)
    return _form_page(
        request, form, title=_("Post in %(org)s") % {"org": org.name},
        back=reverse("registry:organisation_detail", args=[org.pk]),
        saved_message=_("The post has been saved."), save=lambda f: f.save() and org,
    )  # fmt: skip


@permission_required(MANAGE)
def post_place(request: HttpRequest, pk: int) -> HttpResponse:
    post = visible_or_404(Post.objects.select_related("organisation__region"), request.user, pk=pk)
    form = forms.PlacementForm(request.POST or None, post=post, user=request.user,
                               initial={"started_on": timezone.localdate()})  # fmt: skip
    return _form_page(
        request, form, title=_("Place a person in: %(post)s") % {"post": post},
        back=reverse("registry:organisation_detail", args=[post.organisation_id]),
        saved_message=_("The person now holds the post."),
        save=lambda f: services.membership_start(
            person=f.cleaned_data["person"], post=post, started_on=f.cleaned_data["started_on"]
        ).post.organisation,
    )  # fmt: skip


@permission_required(MANAGE)
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = visible_or_404(
        Membership.objects.select_related("post__organisation", "person"), request.user, pk=pk
    )
    form = forms.MembershipEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    return _form_page(
        request, form, title=_("%(person)s leaves %(post)s") % {"person": membership.person, "post": membership.post},
        back=reverse("registry:organisation_detail", args=[membership.post.organisation_id]),
        saved_message=_("The membership has ended."),
        save=lambda f: services.membership_end(
            membership=membership, ended_on=f.cleaned_data["ended_on"], reason=f.cleaned_data["reason"]
        ).post.organisation,
    )  # fmt: skip


# ---- people ------------------------------------------------------------------------------


@permission_required(VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, serving=request.GET.get("serving", ""))
    serving = {"yes": True, "no": False}.get(context["serving"])
    queryset = selectors.people(user=request.user, village=village_filter(request), search=context["q"],
                                serving=serving)  # fmt: skip
    return render(
        request, "registry/person_list.html", {**context, "page": _page(request, queryset)}
    )


@permission_required(VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_or_404(
        Person.objects.select_related("region", "household"), request.user, pk=pk
    )
    today = timezone.localdate()
    context = {
        "person": person,
        "memberships": person.memberships.select_related("post__organisation"),
        "checks": person.vetting_checks.select_related("village_signed_by", "police_signed_by"),
        "vetting": services.vetting_passed(person=person, on=today),
        "training": person.training_records.all(),
        "today": today,
    }
    return render(request, "registry/person_detail.html", context)


@permission_required(MANAGE)
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    person = visible_or_404(Person, request.user, pk=pk) if pk else None
    form = forms.PersonForm(request.POST or None, instance=person, user=request.user)
    return _form_page(
        request, form, title=_("Edit person") if person else _("New person"),
        back=reverse("registry:person_list"), saved_message=_("The person has been saved."),
        save=lambda f: services.person_save(person=f.instance),
    )  # fmt: skip


@never_cache
@require_POST
@permission_required(VIEW)
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field not in core_services.REVEALABLE_FIELDS:
        raise Http404
    person = visible_or_404(Person, request.user, pk=pk)
    value = core_services.personal_data_reveal(
        viewer=request.user, subject=person, field=field, request=request
    )
    return render(request, "core/_revealed.html", {"value": value or "—"})


@permission_required(MANAGE)
def vetting_add(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = visible_or_404(Person, request.user, pk=person_pk)
    form = forms.VettingCheckForm(request.POST or None, instance=VettingCheck(person=person),
                                  initial={"checked_on": timezone.localdate()})  # fmt: skip
    return _form_page(
        request, form, title=_("Vetting check for %(name)s") % {"name": person.name},
        back=reverse("registry:person_detail", args=[person.pk]),
        saved_message=_("The check has been recorded. It counts once the village committee and the police station have signed it."),
        save=lambda f: f.save() and person,
    )  # fmt: skip


@require_POST
@permission_required(VIEW)
def vetting_sign(request: HttpRequest, pk: int) -> HttpResponse:
    check = visible_or_404(VettingCheck.objects.select_related("person"), request.user, pk=pk)
    try:
        services.vetting_sign(check=check, by=request.user, on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Signed."))
    return redirect("registry:person_detail", check.person_id)


@permission_required(MANAGE)
def training_add(request: HttpRequest, person_pk: int) -> HttpResponse:
    from qunfang.registry.models import TrainingRecord

    person = visible_or_404(Person, request.user, pk=person_pk)
    form = forms.TrainingRecordForm(request.POST or None, instance=TrainingRecord(person=person))
    return _form_page(
        request, form, title=_("Training record for %(name)s") % {"name": person.name},
        back=reverse("registry:person_detail", args=[person.pk]),
        saved_message=_("The training record has been saved."), save=lambda f: f.save() and person,
    )  # fmt: skip


@permission_required(VIEW)
def due_list(request: HttpRequest) -> HttpResponse:
    vetting, training = (
        selectors.vetting_due(user=request.user),
        selectors.training_due(user=request.user),
    )
    return render(request, "registry/due_list.html", {
        "vetting": vetting[:DUE_SHOWN], "vetting_total": vetting.count(),
        "training": training[:DUE_SHOWN], "training_total": training.count(),
        "shown": DUE_SHOWN, "today": timezone.localdate(),
    })  # fmt: skip


# ---- households and ten-household groups ---------------------------------------------------


@permission_required(VIEW)
def household_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, flag=request.GET.get("flag", ""))
    queryset = selectors.households(user=request.user, village=village_filter(request), search=context["q"],
                                    flag=context["flag"])  # fmt: skip
    return render(
        request, "registry/household_list.html", {**context, "page": _page(request, queryset)}
    )


@permission_required(VIEW)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = visible_or_404(
        Household.objects.select_related("region", "group", "head"), request.user, pk=pk
    )
    return render(request, "registry/household_detail.html", {
        "household": household,
        "members": household.members.all(),
        "groups": household.group_memberships.select_related("group").order_by("-joined_on"),
    })  # fmt: skip


@permission_required(MANAGE)
def household_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    household = visible_or_404(Household, request.user, pk=pk) if pk else None
    form = forms.HouseholdForm(request.POST or None, instance=household, user=request.user)
    return _form_page(
        request, form, title=_("Edit household") if household else _("New household"),
        back=reverse("registry:household_list"), saved_message=_("The household has been saved."),
        save=lambda f: f.save(),
    )  # fmt: skip


@permission_required(VIEW)
def group_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    queryset = selectors.joint_defence_groups(user=request.user, village=village_filter(request))
    return render(
        request, "registry/group_list.html", {**context, "page": _page(request, queryset)}
    )


def _group_context(request: HttpRequest, pk: int) -> dict:
    group = visible_or_404(JointDefenceGroup.objects.select_related("region", "leader_household__head",
                                                                    "organisation"), request.user, pk=pk)  # fmt: skip
    memberships = group.memberships.select_related("household__head").prefetch_related(
        "household__members"
    )
    return {
        "group": group,
        "current": [m for m in memberships if m.left_on is None],
        "former": [m for m in memberships if m.left_on is not None],
    }


@permission_required(VIEW)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "registry/group_detail.html", _group_context(request, pk))


@permission_required(VIEW)
def group_print(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "registry/group_print.html",
        {**_group_context(request, pk), "today": timezone.localdate()},
    )


@permission_required(MANAGE)
def group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    group = visible_or_404(JointDefenceGroup, request.user, pk=pk) if pk else None
    form = forms.JointDefenceGroupForm(request.POST or None, instance=group, user=request.user,
                                       initial={"changed_on": timezone.localdate(),
                                                "formed_on": timezone.localdate()})  # fmt: skip

    def save(f):
        group = f.save()
        return services.joint_defence_group_form(
            group=group, households=list(f.cleaned_data["households"]), leader=f.cleaned_data["leader"],
            on=f.cleaned_data["changed_on"],
        )  # fmt: skip

    return _form_page(
        request, form, title=_("Edit ten-household group") if group else _("New ten-household group"),
        back=reverse("registry:group_list"), saved_message=_("The group has been saved."),
        save=save,
    )  # fmt: skip
