"""What the registry's pages share: the village filter, paging, the list context, the
create/edit pattern and the edit page of a village's record."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qunfang.core.http import SignedInRequest
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.registry.forms import ScopedForm

PAGE_SIZE = 50
VIEW, MANAGE = Perm.VIEW_REGISTRY, Perm.MANAGE_REGISTRY


def paginate(request: HttpRequest, queryset: QuerySet[Any]) -> Page[Any]:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def list_context(request: SignedInRequest, **extra: Any) -> dict[str, Any]:
    return {
        "villages": villages_visible(user=request.user),
        "village_code": request.GET.get("village", ""),
        "q": request.GET.get("q", "").strip()[:50],
        **extra,
    }


def form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    title: str,
    back: str,
    saved_message: str,
    save: Callable[[Any], Model],
    template: str = "registry/form.html",
) -> HttpResponse:
    """The create/edit pattern: validate, call the service, report its ValidationError on the
    form."""
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


def _saved(form: Any) -> Model:
    return form.save()


def edit_page(
    request: SignedInRequest,
    model: type[Model],
    pk: int | None,
    *,
    form_class: type[ScopedForm],
    new_title: str,
    edit_title: str,
    back: str,
    saved_message: str,
    save: Callable[[Any], Model] = _saved,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """Editing a village's record, or a new one without `pk`: the record only from the user's
    scope, and a form whose choices are limited to it."""
    obj = visible_or_404(model, request.user, pk=pk) if pk else None
    form = form_class(request.POST or None, instance=obj, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        title=edit_title if obj is not None else new_title,
        back=back,
        saved_message=saved_message,
        save=save,
    )
