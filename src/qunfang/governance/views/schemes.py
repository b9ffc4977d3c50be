"""Screens of the assessment schemes (考核办法) and the responsibility letters (综治目标管理责任书):
the township's schemes by level and status, a new draft, a scheme with its indicators (and what
each measures), grades and vetoes — for the township's office a draft's editor and its actions
(put in use, retire, copy to a new draft, start from the defaults) — and the villages' letters:
list, draw up (village, year, then the targets of the villages' scheme in use), edit, and the
printable letter with its sign-off lines (and its PDF).

Thin: parse, call `selectors.schemes` or `services.schemes`, render. A scheme is read by its
township's accounts and by its villages' (those in use or retired); a letter by its village and
its township; anything else answers 404. A refused write shows the service's message and
changes nothing."""

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
from qunfang.governance.forms.schemes import (
    ChooseVillageForm,
    GradeForm,
    IndicatorForm,
    LetterForm,
    SchemeEditForm,
    SchemeForm,
    VetoForm,
)
from qunfang.governance.models import Level, ResponsibilityLetter, Scheme, SchemeStatus
from qunfang.governance.selectors import schemes as sel
from qunfang.governance.services import schemes as services

PAGE_SIZE = 50
VIEW = Perm.VIEW_GOVERNANCE
SUPERVISE = Perm.SUPERVISE_VILLAGES


def _choice(request: SignedInRequest, name: str, allowed: list[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _refusal(exc: ValidationError | NotYours) -> list[str]:
    return list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]


# ---- the schemes list ------------------------------------------------------------------------


@require_GET
@permission_required(VIEW)
def scheme_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    townships = sel.townships_read(user)
    code = request.GET.get("township", "").strip()
    township = next((t for t in townships if t.code == code), None)
    if code and township is None:
        raise Http404
    if township is None and len(townships) == 1:
        township = townships[0]
    level = _choice(request, "level", Level.values)
    status = _choice(request, "status", SchemeStatus.values)
    schemes = sel.scheme_list(user, township=township, level=level, status=status)
    page = Paginator(schemes, PAGE_SIZE).get_page(request.GET.get("page"))
    configured = sel.configured_townships(user)
    missing_levels = ""
    if township is not None and township in configured:
        in_use = set(
            Scheme.objects.filter(region=township, status=SchemeStatus.ACTIVE).values_list(
                "level", flat=True
            )
        )
        missing = [str(label) for value, label in Level.choices if value not in in_use]
        missing_levels = pgettext("list separator", ", ").join(missing)
    return render(
        request,
        "governance/schemes/list.html",
        {
            "page": page,
            "township": township,
            "townships": townships,
            "levels": Level.choices,
            "level": level,
            "statuses": SchemeStatus.choices,
            "status": status,
            "can_create": bool(configured),
            "missing_levels": missing_levels,
        },
    )


@permission_required(SUPERVISE)
def scheme_create(request: SignedInRequest) -> HttpResponse:
    user = request.user
    townships = sel.configured_townships(user)
    if not townships:
        raise NotYours(_("Assessment schemes are set by a township's office."))
    form = SchemeForm(request.POST or None, townships=townships)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme = services.scheme_create(
                township=data["township"],
                name=data["name"],
                level=data["level"],
                appeal_days=data["appeal_days"],
                by=user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The draft “%(name)s” is made: add its indicators, grades and vetoes.")
                % {"name": scheme.name},
            )
            return redirect(scheme.get_absolute_url())
    return render(request, "governance/schemes/form.html", {"form": form})


@require_POST
@permission_required(SUPERVISE)
def scheme_defaults(request: SignedInRequest) -> HttpResponse:
    """Start from the defaults: a scheme in use at every level where the township has none."""
    code = request.POST.get("township", "").strip()
    township = next((t for t in sel.configured_townships(request.user) if t.code == code), None)
    back = reverse("governance:scheme_list")
    if township is None:
        messages.error(request, _("Choose one of your townships."))
        return redirect(back)
    try:
        made = services.default_schemes(township, request.user)
    except (ValidationError, NotYours) as exc:
        for problem in _refusal(exc):
            messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": problem})
    else:
        if made:
            messages.success(
                request,
                _("Schemes in use from the defaults: %(names)s.")
                % {"names": pgettext("list separator", ", ").join(s.name for s in made)},
            )
        else:
            messages.info(
                request, _("The township has a scheme in use at every level: nothing was added.")
            )
    return redirect(f"{back}?{urlencode({'township': township.code})}")


# ---- one scheme ----------------------------------------------------------------------------------


def _scheme(request: SignedInRequest, pk: int) -> Scheme:
    """The scheme the user reads (not `visible_or_404`: a village reads its township's schemes
    in use, above its own region), else 404."""
    found = sel.scheme_for_detail(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _detail(
    request: SignedInRequest,
    scheme: Scheme,
    *,
    indicator_form: IndicatorForm | None = None,
    grade_form: GradeForm | None = None,
    veto_form: VetoForm | None = None,
) -> HttpResponse:
    parts = sel.scheme_parts(scheme)
    may_configure = sel.may_configure(request.user, scheme.region)
    editable = may_configure and scheme.status == SchemeStatus.DRAFT
    context: dict[str, Any] = {
        "scheme": scheme,
        "parts": parts,
        "weight_total": sel.number(parts.weight_total),
        "weights_add_up": parts.weight_total == services.HUNDRED,
        "may_configure": may_configure,
        "editable": editable,
    }
    if editable:
        if indicator_form is not None and indicator_form.data.get("indicator") in parts.codes:
            # a change to a row of the table refused: said above the table, not in the form
            # for adding one (which is not there once every indicator is in the scheme)
            context["row_form"] = indicator_form
            context["row_label"] = sel.indicator_row(indicator_form.data["indicator"]).label
            indicator_form = None
        offered = [row for row in sel.catalogue_indicators() if row.code not in parts.codes]
        vetoes = [row for row in sel.catalogue_vetoes() if row.code not in parts.veto_codes]
        context.update(
            problems=sel.readiness(scheme, parts),
            offered=offered,
            indicator_form=indicator_form or IndicatorForm(offered=offered),
            grade_form=grade_form or GradeForm(),
            veto_form=veto_form or VetoForm(offered=vetoes),
            offered_vetoes=vetoes,
        )
    return render(request, "governance/schemes/detail.html", context)


@require_GET
@permission_required(VIEW)
def scheme_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _scheme(request, pk))


def _why_not_edited(request: SignedInRequest, scheme: Scheme) -> str:
    if not sel.may_configure(request.user, scheme.region):
        return _("Assessment schemes and responsibility letters are set by the township's office.")
    if scheme.status == SchemeStatus.ACTIVE:
        return _(
            "This scheme is in use and no longer changes: copy it to a new draft to change it."
        )
    if scheme.status == SchemeStatus.RETIRED:
        return _("This scheme is retired and no longer changes: copy it to a new draft.")
    return ""


@permission_required(VIEW)
def scheme_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """A draft's name and days to appeal; anyone else who reads the scheme is told why not."""
    scheme = _scheme(request, pk)
    why_not = _why_not_edited(request, scheme)
    if why_not:
        if request.method == "POST" and not sel.may_configure(request.user, scheme.region):
            raise NotYours(why_not)
        return render(
            request, "governance/schemes/readonly.html", {"scheme": scheme, "why_not": why_not}
        )
    initial = {"name": scheme.name, "appeal_days": scheme.appeal_days}
    form = SchemeEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_edit(
                scheme=scheme,
                name=form.cleaned_data["name"],
                appeal_days=form.cleaned_data["appeal_days"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(scheme.get_absolute_url())
    return render(request, "governance/schemes/edit.html", {"scheme": scheme, "form": form})


def _act(request: SignedInRequest, scheme: Scheme, call: Any, done: str) -> HttpResponse:
    """Run a write on the scheme; its refusal as a message. Back to the scheme."""
    try:
        call()
    except (ValidationError, NotYours) as exc:
        for problem in _refusal(exc):
            messages.error(request, problem)
    else:
        messages.success(request, done)
    return redirect(scheme.get_absolute_url())


def _refused_on_form(request: SignedInRequest, scheme: Scheme, exc: NotYours) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect(scheme.get_absolute_url())


def _refused_scheme(request: SignedInRequest, scheme: Scheme, exc: ValidationError) -> bool:
    """A refusal that names no field (the scheme is in use, say) as a message; True then."""
    if hasattr(exc, "error_dict"):
        return False
    for problem in exc.messages:
        messages.error(request, problem)
    return True


@require_POST
@permission_required(VIEW)
def scheme_indicator(request: SignedInRequest, pk: int) -> HttpResponse:
    """Add an indicator to a draft, or change one."""
    scheme = _scheme(request, pk)
    form = IndicatorForm(request.POST, offered=sel.catalogue_indicators())
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = services.scheme_indicator_set(
                scheme=scheme,
                code=data["indicator"],
                weight=data["weight"],
                target=data["target"],
                within_days=data["within_days"],
                by=request.user,
            )
        except NotYours as exc:
            return _refused_on_form(request, scheme, exc)
        except ValidationError as exc:
            if _refused_scheme(request, scheme, exc):
                return redirect(scheme.get_absolute_url())
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("“%(indicator)s” is in the scheme with the weight %(weight)s.")
                % {
                    "indicator": sel.indicator_row(row.indicator).label,
                    "weight": sel.number(row.weight),
                },
            )
            return redirect(scheme.get_absolute_url() + "#indicators")
    if not sel.may_configure(request.user, scheme.region):
        return _refused_on_form(request, scheme, NotYours(_why_not_edited(request, scheme)))
    return _detail(request, scheme, indicator_form=form)


@require_POST
@permission_required(VIEW)
def scheme_indicator_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    code = request.POST.get("indicator", "")
    return _act(
        request,
        scheme,
        lambda: services.scheme_indicator_remove(scheme=scheme, code=code, by=request.user),
        _("“%(indicator)s” is taken out of the scheme.")
        % {"indicator": sel.indicator_row(code).label},
    )


@require_POST
@permission_required(VIEW)
def scheme_grade(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    form = GradeForm(request.POST)
    if form.is_valid():
        try:
            grade = services.scheme_grade_add(
                scheme=scheme,
                label=form.cleaned_data["label"],
                min_score=form.cleaned_data["min_score"],
                by=request.user,
            )
        except NotYours as exc:
            return _refused_on_form(request, scheme, exc)
        except ValidationError as exc:
            if _refused_scheme(request, scheme, exc):
                return redirect(scheme.get_absolute_url())
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The grade “%(grade)s” starts at %(score)s.")
                % {"grade": grade.label, "score": sel.number(grade.min_score)},
            )
            return redirect(scheme.get_absolute_url() + "#grades")
    if not sel.may_configure(request.user, scheme.region):
        return _refused_on_form(request, scheme, NotYours(_why_not_edited(request, scheme)))
    return _detail(request, scheme, grade_form=form)


@require_POST
@permission_required(VIEW)
def scheme_grade_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    raw = request.POST.get("grade", "")
    grade_id = int(raw) if raw.isdigit() else 0
    return _act(
        request,
        scheme,
        lambda: services.scheme_grade_remove(scheme=scheme, grade_id=grade_id, by=request.user),
        _("The grade is taken out of the scheme."),
    )


@require_POST
@permission_required(VIEW)
def scheme_veto(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    form = VetoForm(request.POST, offered=sel.catalogue_vetoes())
    if form.is_valid():
        try:
            services.scheme_veto_add(scheme=scheme, code=form.cleaned_data["veto"], by=request.user)
        except NotYours as exc:
            return _refused_on_form(request, scheme, exc)
        except ValidationError as exc:
            if _refused_scheme(request, scheme, exc):
                return redirect(scheme.get_absolute_url())
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("“%(veto)s” is a one-vote veto of the scheme.")
                % {"veto": sel.veto_row(form.cleaned_data["veto"]).label},
            )
            return redirect(scheme.get_absolute_url() + "#vetoes")
    if not sel.may_configure(request.user, scheme.region):
        return _refused_on_form(request, scheme, NotYours(_why_not_edited(request, scheme)))
    return _detail(request, scheme, veto_form=form)


@require_POST
@permission_required(VIEW)
def scheme_veto_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    code = request.POST.get("veto", "")
    return _act(
        request,
        scheme,
        lambda: services.scheme_veto_remove(scheme=scheme, code=code, by=request.user),
        _("“%(veto)s” is taken out of the scheme.") % {"veto": sel.veto_row(code).label},
    )


@require_POST
@permission_required(VIEW)
def scheme_activate(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    return _act(
        request,
        scheme,
        lambda: services.scheme_activate(scheme=scheme, by=request.user),
        _("%(level)s: “%(name)s” is in use; the next assessments apply it.")
        % {"name": scheme.name, "level": scheme.get_level_display()},
    )


@require_POST
@permission_required(VIEW)
def scheme_retire(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    return _act(
        request,
        scheme,
        lambda: services.scheme_retire(scheme=scheme, by=request.user),
        _("“%(name)s” is retired.") % {"name": scheme.name},
    )


@require_POST
@permission_required(VIEW)
def scheme_copy(request: SignedInRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    try:
        draft = services.scheme_copy(scheme=scheme, by=request.user)
    except (ValidationError, NotYours) as exc:
        for problem in _refusal(exc):
            messages.error(request, problem)
        return redirect(scheme.get_absolute_url())
    messages.success(
        request,
        _("A new draft of “%(name)s” is made: change it, then put it in use.")
        % {"name": draft.name},
    )
    return redirect(draft.get_absolute_url())


# ---- responsibility letters ----------------------------------------------------------------------


def _year(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) == 4 else None


@require_GET
@permission_required(VIEW)
def letter_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    year = _year(request.GET.get("year", ""))
    letters = sel.letter_list(user, village=village, year=year)
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = year or timezone.localdate().year
    return render(
        request,
        "governance/letters/list.html",
        {
            "page": page,
            "village": village,
            "villages": list(sel.villages_without_letter(user, this_year)) if not village else [],
            "this_year": this_year,
            "year": year or "",
            "can_create": bool(sel.configured_townships(user)),
        },
    )


def _scheme_indicators(village_parent_id: int | None) -> tuple[Scheme | None, list[Any]]:
    scheme = sel.scheme_in_use(village_parent_id or 0, Level.VILLAGE)
    return scheme, sel.scheme_parts_indicators(scheme) if scheme is not None else []


def _details(form: LetterForm) -> services.LetterDetails:
    data = form.cleaned_data
    return services.LetterDetails(
        signed_on=data["signed_on"],
        village_signatory=data["village_signatory"],
        township_signatory=data["township_signatory"],
        commitments=data["commitments"],
        targets=form.targets(),
    )


@permission_required(SUPERVISE)
def letter_create(request: SignedInRequest) -> HttpResponse:
    """Draw up a letter: first the village and year (`?village=&year=`), then what it says."""
    user = request.user
    villages = sel.letter_villages(user)
    if not request.GET.get("village"):
        if not sel.configured_townships(user):
            raise NotYours(_("Responsibility letters are drawn up by the township's office."))
        choose = ChooseVillageForm(villages=villages)
        return render(request, "governance/letters/choose.html", {"form": choose})
    choose = ChooseVillageForm(request.GET, villages=villages)
    if not choose.is_valid():
        if "village" in choose.errors:
            raise Http404
        return render(request, "governance/letters/choose.html", {"form": choose})
    village, year = choose.cleaned_data["village"], choose.cleaned_data["year"]
    existing = ResponsibilityLetter.objects.filter(region=village, year=year).first()
    if existing is not None and request.method != "POST":
        messages.info(request, services.letter_exists_message(village, year))
        return redirect(reverse("governance:letter_edit", args=[existing.pk]))
    scheme, indicators = _scheme_indicators(village.parent_id)
    form = LetterForm(
        request.POST or None, indicators=indicators, initial={"signed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_create(
                village=village, year=year, details=_details(form), by=user
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The responsibility letter of %(village)s for %(year)s is recorded.")
                % {"village": village.name, "year": year},
            )
            return redirect(letter.get_absolute_url())
    return render(
        request,
        "governance/letters/form.html",
        {"form": form, "village": village, "year": year, "scheme": scheme, "letter": None},
    )


def _letter(request: SignedInRequest, pk: int) -> ResponsibilityLetter:
    return visible_or_404(sel.letter_for_detail(request.user), request.user, pk=pk)


def _letter_context(letter: ResponsibilityLetter) -> dict[str, Any]:
    scheme = sel.scheme_in_use(letter.region.parent_id or 0, Level.VILLAGE)
    return {"letter": letter, "scheme": scheme, "rows": sel.letter_targets(letter, scheme)}


@require_GET
@permission_required(VIEW)
def letter_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    context = _letter_context(letter)
    context["may_edit"] = sel.may_configure(request.user, letter.region.parent)
    return render(request, "governance/letters/detail.html", context)


@permission_required(VIEW)
def letter_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Change a letter; its village, which reads it, is told who changes it."""
    letter = _letter(request, pk)
    if not sel.may_configure(request.user, letter.region.parent):
        why_not = _("Responsibility letters are drawn up by the township's office.")
        if request.method == "POST":
            raise NotYours(why_not)
        return render(
            request, "governance/letters/readonly.html", {"letter": letter, "why_not": why_not}
        )
    scheme, indicators = _scheme_indicators(letter.region.parent_id)
    initial: dict[str, Any] = {
        "signed_on": letter.signed_on,
        "village_signatory": letter.village_signatory,
        "township_signatory": letter.township_signatory,
        "commitments": letter.commitments,
        **{f"target_{t.indicator}": t.target for t in letter.targets.all()},
    }
    form = LetterForm(request.POST or None, indicators=indicators, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_edit(letter=letter, details=_details(form), by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The responsibility letter is saved."))
            return redirect(letter.get_absolute_url())
    return render(
        request,
        "governance/letters/form.html",
        {
            "form": form,
            "village": letter.region,
            "year": letter.year,
            "scheme": scheme,
            "letter": letter,
        },
    )


@require_GET
@permission_required(VIEW)
def letter_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The letter for signing and the village board, or its PDF."""
    letter = _letter(request, pk)
    context = {**_letter_context(letter), "commitments": letter.commitments.splitlines()}
    stem = _("%(year)s responsibility letter %(village)s") % {
        "year": letter.year,
        "village": letter.region.name,
    }
    return printable(
        request,
        "governance/letters/print.html",
        context,
        stem=stem,
        ascii_stem=f"letter-{letter.year}-{letter.pk}",
    )
