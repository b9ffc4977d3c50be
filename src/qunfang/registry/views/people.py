"""People: the list, a page each, editing, revealing a personal field, vetting checks,
training records and what falls due."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qunfang.core import services as core_services
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.permissions import permission_required
from qunfang.core.scoping import visible_or_404
from qunfang.governance.selectors.selection import person_history
from qunfang.registry import forms, selectors
from qunfang.registry.models import (
    Person,
    TrainingRecord,
    VettingCheck,
)
from qunfang.registry.services import people as services
from qunfang.registry.views.common import (
    MANAGE,
    VIEW,
    edit_page,
    form_page,
    list_context,
    paginate,
)

DUE_SHOWN = 200  # the most urgent first; a county sees a count of the rest


@permission_required(VIEW)
def person_list(request: SignedInRequest) -> HttpResponse:
    context = list_context(request, serving=request.GET.get("serving", ""))
    serving = {"yes": True, "no": False}.get(context["serving"])
    queryset = selectors.people(
        user=request.user, village=requested_village(request), search=context["q"], serving=serving
    )
    return render(
        request, "registry/person_list.html", {**context, "page": paginate(request, queryset)}
    )


@permission_required(VIEW)
def person_detail(request: SignedInRequest, pk: int) -> HttpResponse:
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
        "selection_history": person_history(request.user, person),
    }
    return render(request, "registry/person_detail.html", context)


@permission_required(MANAGE)
def person_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    return edit_page(
        request,
        Person,
        pk,
        form_class=forms.PersonForm,
        new_title=_("New person"),
        edit_title=_("Edit person"),
        back=reverse("registry:person_list"),
        saved_message=_("The person has been saved."),
        save=lambda f: services.person_save(person=f.instance),
    )


@never_cache
@require_POST
@permission_required(VIEW)
def person_reveal(request: SignedInRequest, pk: int, field: str) -> HttpResponse:
    if field not in core_services.REVEALABLE_FIELDS:
        raise Http404
    person = visible_or_404(Person, request.user, pk=pk)
    value = core_services.personal_data_reveal(
        viewer=request.user, subject=person, field=field, request=request
    )
    return render(request, "core/_revealed.html", {"value": value or "—"})


@permission_required(MANAGE)
def vetting_add(request: SignedInRequest, person_pk: int) -> HttpResponse:
    person = visible_or_404(Person, request.user, pk=person_pk)
    form = forms.VettingCheckForm(
        request.POST or None,
        instance=VettingCheck(person=person),
        initial={"checked_on": timezone.localdate()},
    )
    return form_page(
        request,
        form,
        title=_("Vetting check for %(name)s") % {"name": person.name},
        back=reverse("registry:person_detail", args=[person.pk]),
        saved_message=_(
            "The check has been recorded. It counts once the village committee and the police "
            "station have signed it."
        ),
        save=lambda f: f.save() and person,
    )


@require_POST
@permission_required(VIEW)
def vetting_sign(request: SignedInRequest, pk: int) -> HttpResponse:
    check = visible_or_404(VettingCheck.objects.select_related("person"), request.user, pk=pk)
    try:
        services.vetting_sign(check=check, by=request.user, on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Signed."))
    return redirect("registry:person_detail", check.person_id)


@permission_required(MANAGE)
def training_add(request: SignedInRequest, person_pk: int) -> HttpResponse:
    person = visible_or_404(Person, request.user, pk=person_pk)
    form = forms.TrainingRecordForm(request.POST or None, instance=TrainingRecord(person=person))
    return form_page(
        request,
        form,
        title=_("Training record for %(name)s") % {"name": person.name},
        back=reverse("registry:person_detail", args=[person.pk]),
        saved_message=_("The training record has been saved."),
        save=lambda f: f.save() and person,
    )


@permission_required(VIEW)
def due_list(request: SignedInRequest) -> HttpResponse:
    vetting, training = (
        selectors.vetting_due(user=request.user),
        selectors.training_due(user=request.user),
    )
    return render(
        request,
        "registry/due_list.html",
        {
            "vetting": vetting[:DUE_SHOWN],
            "vetting_total": vetting.count(),
            "training": training[:DUE_SHOWN],
            "training_total": training.count(),
            "shown": DUE_SHOWN,
            "today": timezone.localdate(),
        },
    )
