"""Screens of the written rules (制度): the rules list with the in-force check (organisations ×
the rules they must have), adopting a rule (from a model text or a text of one's own), a rule
with its revisions, revising and repealing it, its printable text for the notice board, and the
township's model texts (list, publish, correct, withdraw). Thin: parse, call a selector
(`selectors.rules`) or a service (`services.rules`), render; a refusal is shown on the page and
nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.forms.rules import (
    AdoptForm,
    ChooseOrganisationForm,
    ModelTextForm,
    RepealForm,
    ReviseForm,
)
from qunfang.governance.models import ModelText, Rule, RuleKind
from qunfang.governance.selectors import rules as sel
from qunfang.governance.services import rules as services
from qunfang.registry.models import Organisation

PAGE_SIZE = 50
VIEW = Perm.VIEW_GOVERNANCE
RUN = Perm.RUN_GOVERNANCE


def _choice(request: SignedInRequest, name: str, allowed: list[str] | tuple[str, ...]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


# ---- the rules list and the in-force check --------------------------------------------------


@require_GET
@permission_required(VIEW)
def rule_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    organisation = None
    if request.GET.get("organisation", "").isdigit():  # one organisation's rules
        organisation = visible_or_404(
            Organisation.objects.select_related("region"), user, pk=request.GET["organisation"]
        )
        village = organisation.region
    villages = list(villages_visible(user=user))
    if village is None and len(villages) == 1:
        village = villages[0]
    # one village: its matrix, with links to the rules; else per village, the flags only
    check = sel.rules_check(user, village=village) if village is not None else sel.rules_flags(user)
    kind = _choice(request, "kind", RuleKind.values)
    status = _choice(request, "status", ("in_force", "repealed"))
    search = request.GET.get("q", "").strip()[:50]
    rules = sel.rule_list(
        user, village=village, organisation=organisation, kind=kind, status=status, search=search
    )
    page = Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page"))
    missing = [row for v in check for row in v.missing]
    kinds = sel.matrix_kinds(check) if village is not None else []
    labels = dict(RuleKind.choices)
    matrix = [
        {
            "village": v.village,
            "rows": [{"row": r, "cells": r.cells(kinds)} for r in v.organisations],
        }
        for v in check
        if village is not None
    ]
    return render(
        request,
        "governance/rules/list.html",
        {
            "page": page,
            "check": check,
            "one_village": village is not None,
            "matrix": matrix,
            "kind_headers": [(k, labels[k]) for k in kinds],
            "missing": missing,
            "flagged_villages": [v for v in check if v.missing],
            "villages": villages,
            "village_code": village.code if village else "",
            "organisation": organisation,
            "rule_kinds": RuleKind.choices,
            "kind": kind,
            "statuses": [("in_force", pgettext("rule", "In force")), ("repealed", _("Repealed"))],
            "status": status,
            "q": search,
            "can_run": services.can_run(user),
        },
    )


# ---- adopting a rule ---------------------------------------------------------------------------


def _model_text_or_404(request: SignedInRequest, pk: Any) -> ModelText:
    try:
        found = sel.model_text_for_detail(request.user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404
    return found


def _adopt_initial(
    organisation: Organisation, model_text: ModelText | None, check: sel.OrgRules
) -> dict[str, Any]:
    """The form filled from the model text, else for the first rule the organisation lacks."""
    initial: dict[str, Any] = {"adopted_on": timezone.localdate()}
    if model_text is not None:
        initial.update(
            model_text=model_text,
            kind=model_text.kind,
            title=model_text.title,
            text=model_text.text,
        )
    elif check.missing:
        initial["kind"] = check.missing[0]
    return initial


@permission_required(RUN)
def rule_create(request: SignedInRequest) -> HttpResponse:
    """Adopt a rule: first the organisation (`?organisation=`), then the text, which a model
    text (`?model_text=`) fills in."""
    user = request.user
    model_text = None
    if request.GET.get("model_text"):
        model_text = _model_text_or_404(request, request.GET["model_text"])
    if not request.GET.get("organisation"):
        choose = ChooseOrganisationForm(user=user)
        return render(
            request,
            "governance/rules/choose_organisation.html",
            {"form": choose, "model_text": model_text},
        )
    try:
        org_pk = int(request.GET["organisation"])
    except ValueError:
        raise Http404 from None
    organisation = visible_or_404(sel.organisations_to_run(user), user, pk=org_pk)
    check = sel.organisation_check(user, organisation)
    form = AdoptForm(
        request.POST or None,
        user=user,
        organisation=organisation,
        initial=_adopt_initial(organisation, model_text, check),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = services.rule_adopt(
                by=user,
                organisation=organisation,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                adopted_on=data["adopted_on"],
                meeting=data["meeting"],
                model_text=data["model_text"],
                change_note=data["change_note"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("%(organisation)s has adopted “%(title)s”.")
                % {"organisation": organisation.name, "title": rule.title},
            )
            return redirect(rule.get_absolute_url())
    return render(
        request,
        "governance/rules/form.html",
        {
            "form": form,
            "organisation": organisation,
            "model_text": model_text,
            "check": check,
            "kind_labels": dict(RuleKind.choices),
        },
    )


# ---- one rule ----------------------------------------------------------------------------------


def _rule(request: SignedInRequest, pk: int) -> Rule:
    return visible_or_404(sel.rule_for_detail(), request.user, pk=pk)


def _detail(
    request: SignedInRequest,
    rule: Rule,
    *,
    revise_form: ReviseForm | None = None,
    repeal_form: RepealForm | None = None,
) -> HttpResponse:
    user = request.user
    items = sel.revisions(rule)
    current = sel.current_revision(items)
    can_run = services.can_run(user, rule.organisation.region) and rule.repealed_on is None
    if can_run:
        today = timezone.localdate()
        revise_form = revise_form or ReviseForm(
            user=user,
            organisation=rule.organisation,
            initial={"text": current.text if current else "", "adopted_on": today},
        )
        repeal_form = repeal_form or RepealForm(initial={"repealed_on": today})
    return render(
        request,
        "governance/rules/detail.html",
        {
            "rule": rule,
            "current": current,
            "revisions": sel.revisions_with_changes(items),
            "adapted": bool(rule.model_text and current and current.text != rule.model_text.text),
            "can_run": can_run,
            "revise_form": revise_form,
            "repeal_form": repeal_form,
        },
    )


@require_GET
@permission_required(VIEW)
def rule_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _rule(request, pk))


@require_POST
@permission_required(RUN)
def rule_revise(request: SignedInRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    form = ReviseForm(request.POST, user=request.user, organisation=rule.organisation)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revision = services.rule_revise(
                by=request.user,
                rule=rule,
                text=data["text"],
                adopted_on=data["adopted_on"],
                meeting=data["meeting"],
                change_note=data["change_note"],
                title=data["title"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("Revision %(n)s of “%(title)s” is in force.")
                % {"n": revision.number, "title": revision.rule.title},
            )
            return redirect(rule.get_absolute_url())
    return _detail(request, rule, revise_form=form)


@require_POST
@permission_required(RUN)
def rule_repeal(request: SignedInRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    form = RepealForm(request.POST)
    if form.is_valid():
        try:
            services.rule_repeal(
                by=request.user,
                rule=rule,
                on=form.cleaned_data["repealed_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("“%(title)s” has been repealed.") % {"title": rule.title})
            return redirect(rule.get_absolute_url())
    return _detail(request, rule, repeal_form=form)


@require_GET
@permission_required(VIEW)
def rule_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The rule's text in force, for the notice board (制度上墙), or its PDF."""
    rule = _rule(request, pk)
    items = sel.revisions(rule)
    context = {"rule": rule, "current": sel.current_revision(items), "today": timezone.localdate()}
    stem = f"{rule.organisation.name}-{rule.title}"
    template = "governance/rules/print.html"
    return printable(request, template, context, stem=stem, ascii_stem=f"rule-{rule.pk}")


# ---- model texts -------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW)
def model_text_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    kind = _choice(request, "kind", RuleKind.values)
    withdrawn = request.GET.get("withdrawn") == "1"
    texts = sel.model_text_list(user, kind=kind, withdrawn=withdrawn)
    page = Paginator(texts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/rules/model_text_list.html",
        {
            "page": page,
            "rule_kinds": RuleKind.choices,
            "kind": kind,
            "withdrawn": withdrawn,
            "can_publish": services.can_supervise(user) and sel.supervised_townships(user).exists(),
        },
    )


def _model_text_form_page(
    request: SignedInRequest, form: ModelTextForm, model_text: ModelText | None
) -> HttpResponse:
    return render(
        request,
        "governance/rules/model_text_form.html",
        {"form": form, "model_text": model_text},
    )


@permission_required(Perm.SUPERVISE_VILLAGES)
def model_text_create(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if not sel.supervised_townships(user).exists():
        raise NotYours(_("Model texts are published by a township's office."))
    form = ModelTextForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            model_text = services.model_text_publish(
                by=user,
                township=data["township"],
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("“%(title)s” is published: the township's villages can adopt it.")
                % {"title": model_text.title},
            )
            return redirect(model_text.get_absolute_url())
    return _model_text_form_page(request, form, None)


def _why_not_edited(request: SignedInRequest, model_text: ModelText, adopted: bool) -> str:
    """Why the user may not correct this model text, or "" when they may."""
    if not services.can_supervise(request.user, model_text.region):
        return _("Model texts are published and changed by the township's office.")
    if model_text.withdrawn_on is not None:
        return _("This model text has been withdrawn: it is no longer changed.")
    if adopted:
        return _(
            "Organisations have already adopted this model text, so it is no longer changed. "
            "Publish a new text and withdraw this one."
        )
    return ""


@require_GET
@permission_required(VIEW)
def model_text_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    model_text = _model_text_or_404(request, pk)
    adopted = sel.is_adopted(model_text)
    query = urlencode({"model_text": model_text.pk})
    return render(
        request,
        "governance/rules/model_text_detail.html",
        {
            "model_text": model_text,
            "adoptions": sel.adoptions(user, model_text),
            "may_edit": not _why_not_edited(request, model_text, adopted),
            "may_withdraw": services.can_supervise(user, model_text.region)
            and model_text.withdrawn_on is None,
            "adopt_url": f"{reverse('governance:rule_create')}?{query}"
            if services.can_run(user) and model_text.withdrawn_on is None
            else "",
        },
    )


@permission_required(VIEW)
def model_text_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Correct a model text nobody adopted yet; anyone else who sees it is told why not."""
    model_text = _model_text_or_404(request, pk)
    why_not = _why_not_edited(request, model_text, sel.is_adopted(model_text))
    if why_not:
        if request.method == "POST" and not services.can_supervise(request.user, model_text.region):
            raise NotYours(why_not)
        return render(
            request,
            "governance/rules/model_text_readonly.html",
            {"model_text": model_text, "why_not": why_not},
        )
    initial = {"kind": model_text.kind, "title": model_text.title, "text": model_text.text}
    form = ModelTextForm(
        request.POST or None, user=request.user, model_text=model_text, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.model_text_edit(
                by=request.user,
                model_text=model_text,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The model text has been corrected."))
            return redirect(model_text.get_absolute_url())
    return _model_text_form_page(request, form, model_text)


@require_POST
@permission_required(VIEW)
def model_text_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    model_text = _model_text_or_404(request, pk)
    try:
        services.model_text_withdraw(by=request.user, model_text=model_text)
    except (ValidationError, NotYours) as exc:
        text = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(
            request,
            _("“%(title)s” has been withdrawn: villages are no longer offered it.")
            % {"title": model_text.title},
        )
    return redirect(model_text.get_absolute_url())
