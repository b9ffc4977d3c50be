"""Screens of bulletins (通报): the list by year, drafting from a period, writing one by hand, a
bulletin with the villages it concerns (edit, approve, publish, withdraw while not published),
and the printable notice with its PDF. Thin: parse, call a selector (`selectors.bulletins`) or a
service (`services.bulletins`), render. A bulletin comes through `visible_or_404` over what the
user may read, so another village's bulletin, or a draft for a village, answers 404 before
anything else is asked; a refusal is shown as a message and nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.governance.forms.bulletins import BulletinForm, DraftForm, MentionForm, NewBulletinForm
from qunfang.governance.models.bulletins import Bulletin, BulletinStatus
from qunfang.governance.selectors import bulletins as sel
from qunfang.governance.services import bulletins as services

VIEW = Perm.VIEW_GOVERNANCE
PAGE_SIZE = 50
B = BulletinStatus


def _refusal(exc: ValidationError | NotYours) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


# ---- the list -------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def bulletin_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    year = _year(request.GET.get("year", ""))
    status = request.GET.get("status", "")
    status = status if status in B.values else ""
    page = Paginator(sel.bulletin_list(user, year=year, status=status), PAGE_SIZE)
    office = sel.sees_drafts(user)
    counts = sel.status_counts(user) if office else {}
    return render(
        request,
        "governance/bulletins/list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "years": sel.years(user),
            "year": year,
            "status": status,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in B.choices],
            "office": office,
            "can_write": bool(sel.townships_written(user)),
        },
    )


# ---- drafting -------------------------------------------------------------------------------


@permission_required(Perm.SUPERVISE_VILLAGES)
def bulletin_draft(request: SignedInRequest) -> HttpResponse:
    """Draft the bulletin of a period (2026-11, 2026-Q4) from its records."""
    user = request.user
    form = DraftForm(request.POST or None, user=user, initial={"period": _last_month()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = services.bulletin_draft_from_period(
                township=data["township"], period=data["period"], by=user
            )
        except (ValidationError, NotYours) as exc:
            errors_onto(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(
                request,
                _(
                    "The bulletin for %(period)s is drafted from the records. Read it, change "
                    "what it says if needed; another officer approves it."
                )
                % {"period": bulletin.period},
            )
            return redirect(bulletin.get_absolute_url())
    return render(
        request,
        "governance/bulletins/draft.html",
        {"form": form, "suggested": _last_month()},
    )


def _last_month() -> str:
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


@permission_required(Perm.SUPERVISE_VILLAGES)
def bulletin_create(request: SignedInRequest) -> HttpResponse:
    """A bulletin written by hand."""
    user = request.user
    form = NewBulletinForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = services.bulletin_create(
                township=data["township"],
                title=data["title"],
                period=data["period"],
                problems=data["problems"],
                good_examples=data["good_examples"],
                priorities=data["priorities"],
                by=user,
            )
        except (ValidationError, NotYours) as exc:
            errors_onto(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("The bulletin is saved as a draft."))
            return redirect(bulletin.get_absolute_url())
    return render(request, "governance/bulletins/form.html", {"form": form, "bulletin": None})


# ---- a bulletin -----------------------------------------------------------------------------


def _bulletin(request: SignedInRequest, pk: int) -> Bulletin:
    return visible_or_404(sel.bulletin_for_detail(request.user), request.user, pk=pk)


def _context(request: SignedInRequest, bulletin: Bulletin) -> dict[str, Any]:
    user = request.user
    writes = services.can_write(user, bulletin.region)
    draft = bulletin.status == B.DRAFT
    own = bulletin.drafted_by_id == user.pk
    return {
        "bulletin": bulletin,
        "concerned": bulletin.concerned,  # type: ignore[attr-defined]
        "may_edit": writes and draft,
        "may_approve": writes and draft,
        "own_draft": own,
        "may_publish": writes and bulletin.status == B.APPROVED,
        "may_withdraw": writes and bulletin.status != B.PUBLISHED,
        "mention_form": MentionForm(bulletin=bulletin) if writes and draft else None,
    }


@require_safe
@permission_required(VIEW)
def bulletin_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    return render(request, "governance/bulletins/detail.html", _context(request, bulletin))


@permission_required(VIEW)
def bulletin_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Change a draft. Who may not (a village, or the bulletin is no longer a draft) is told
    why on the page, and nothing is written."""
    user = request.user
    bulletin = _bulletin(request, pk)
    refusal = ""
    if not services.can_write(user, bulletin.region):
        refusal = _("Bulletins are drafted, approved and published by the township's office.")
    elif bulletin.status != B.DRAFT:
        refusal = _("Only a draft is changed: this bulletin is %(status)s.") % {
            "status": bulletin.get_status_display()
        }
    form = BulletinForm(
        request.POST if request.method == "POST" and not refusal else None,
        initial=BulletinForm.initial_of(bulletin),
    )
    if not refusal and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bulletin_update(bulletin=bulletin, by=user, **data)
        except (ValidationError, NotYours) as exc:
            errors_onto(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(bulletin.get_absolute_url())
    return render(
        request,
        "governance/bulletins/form.html",
        {"form": None if refusal else form, "bulletin": bulletin, "refusal": refusal},
    )


def _act(request: SignedInRequest, bulletin: Bulletin, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, done)
    return redirect(bulletin.get_absolute_url())


@require_POST
@permission_required(VIEW)
def bulletin_mention_add(request: SignedInRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    form = MentionForm(request.POST, bulletin=bulletin)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(bulletin.get_absolute_url())
    village = form.cleaned_data["village"]
    return _act(
        request,
        bulletin,
        lambda: services.bulletin_mention_add(
            bulletin=bulletin, village=village, kind=form.cleaned_data["kind"], by=request.user
        ),
        _("%(village)s is named in the bulletin.") % {"village": village.name},
    )


@require_POST
@permission_required(VIEW)
def bulletin_mention_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    village = sel.villages_to_name(bulletin).filter(code=request.POST.get("village", "")).first()
    if village is None:
        messages.error(request, _("Choose a village of the bulletin's township."))
        return redirect(bulletin.get_absolute_url())
    return _act(
        request,
        bulletin,
        lambda: services.bulletin_mention_remove(
            bulletin=bulletin, village=village, by=request.user
        ),
        _("%(village)s is no longer named in the bulletin.") % {"village": village.name},
    )


@require_POST
@permission_required(VIEW)
def bulletin_approve(request: SignedInRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    return _act(
        request,
        bulletin,
        lambda: services.bulletin_approve(bulletin=bulletin, by=request.user),
        _("The bulletin is approved: it can be published."),
    )


@require_POST
@permission_required(VIEW)
def bulletin_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    try:
        published = services.bulletin_publish(bulletin=bulletin, by=request.user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(
            request,
            _("The bulletin is published as %(number)s; the villages concerned are told.")
            % {"number": published.number_label},
        )
    return redirect(bulletin.get_absolute_url())


@require_POST
@permission_required(VIEW)
def bulletin_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    try:
        services.bulletin_withdraw(bulletin=bulletin, by=request.user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
        return redirect(bulletin.get_absolute_url())
    messages.success(
        request, _("The bulletin “%(title)s” is withdrawn.") % {"title": bulletin.title}
    )
    return redirect("governance:bulletin_list")


@require_safe
@permission_required(VIEW)
def bulletin_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The bulletin as an official notice (文件头, number, date, sections, 抄送), or its PDF."""
    bulletin = _bulletin(request, pk)
    context = {
        "bulletin": bulletin,
        "concerned": bulletin.concerned,  # type: ignore[attr-defined]
        "today": timezone.localdate(),
    }
    stem = f"{_('Bulletin')}-{bulletin.number_label or bulletin.pk}"
    return printable(
        request,
        "governance/bulletins/print.html",
        context,
        stem=stem,
        ascii_stem=f"bulletin-{bulletin.year}-{bulletin.number or 'draft'}-{bulletin.pk}",
    )
