"""Opinion book screens: the public form, tracking page and answer board (no sign-in, nothing
about the sender kept), and the staff screens (list, entry in person, answer and publish, status
moves, turn into a case, the printable register and the notice-board poster). Thin: parse, call
a service (`services.opinions`) or a selector (`selectors.opinions`), render. Services raise
ValidationError; the page shows it and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qunfang.casebook.forms.opinions import (
    AnswerForm,
    MoveForm,
    PublicOpinionForm,
    RatingForm,
    StaffOpinionForm,
    ToCaseForm,
    TrackForm,
)
from qunfang.casebook.models import Opinion, OpinionKind, OpinionStatus
from qunfang.casebook.selectors import opinions as sel
from qunfang.casebook.services import opinions
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region, RegionKind
from qunfang.core.pdf import printable
from qunfang.core.permissions import permission_required
from qunfang.core.qr import qr_svg
from qunfang.core.registers import Column, RegisterView
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible

PAGE_SIZE = 50
BOARD_PAGE_SIZE = 20
VIEW = Perm.VIEW_BOOKS
S = OpinionStatus


def _url_or_none(name: str, *args) -> str | None:
    """Routes of the other casebook groups may not be there yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# ---- public pages: no sign-in, nothing about the sender kept ------------------------------------


def _public(
    request: HttpRequest, template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    """A public page: no staff menu even for a signed-in user on a shared phone."""
    return render(
        request, f"casebook/opinions/{template}", {**context, "nav_items": None}, status=status
    )


def _village_or_404(code: str) -> Region:
    village = sel.public_village(code)
    if village is None:
        raise Http404
    return village


def _public_form_page(
    request, village, form, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    """The form, each time with a fresh timing token (a refused entry is sent again with a new
    one)."""
    return _public(
        request,
        "public_form.html",
        {
            "village": village,
            "form": form,
            "refusal": refusal,
            "started": opinions.form_token(village),
        },
        status=status,
    )


@never_cache
def public_form(request: HttpRequest, village_code: str) -> HttpResponse:
    village = _village_or_404(village_code)
    if request.method != "POST":
        return _public_form_page(request, village, PublicOpinionForm())
    form = PublicOpinionForm(request.POST)
    if not form.is_valid():
        return _public_form_page(request, village, form)
    data = form.cleaned_data
    if data["website"]:
        return _public_form_page(
            request,
            village,
            form,
            status=400,
            refusal=_("This entry looks automatic and has not been saved."),
        )
    try:
        opinions.check_form_token(data["started"], village)
    except ValidationError as exc:
        return _public_form_page(request, village, form, refusal=exc.messages[0], status=400)
    if not opinions.public_entry_allowed(request, village):
        return _public_form_page(
            request,
            village,
            form,
            status=429,
            refusal=_(
                "Too many entries have been sent from your connection or to this village in the "
                "last hour. Nothing has been saved: please try again later, or tell the village "
                "committee in person."
            ),
        )
    if opinions.token_used(data["started"]):
        return _public_form_page(
            request,
            village,
            PublicOpinionForm(),
            status=409,
            refusal=_("This entry has already been sent. Keep the tracking code you were shown."),
        )
    try:
        opinion = opinions.submit_public(
            village=village,
            kind=data["kind"],
            text=data["text"],
            anonymous=data["anonymous"],
            name=data["name"],
            contact=data["contact"],
            confidential=data["confidential"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _public_form_page(request, village, form)
    return _public(
        request,
        "public_done.html",
        {
            "village": village,
            "code": opinion.tracking_code,
            "code_spaced": sel.spaced(opinion.tracking_code),
        },
    )


def _track_page(request, *, status: int = 200, **context) -> HttpResponse:
    context.setdefault("form", TrackForm())
    return _public(request, "public_track.html", context, status=status)


def _track_found(
    request, opinion: Opinion, *, rating_form=None, error: str = "", thanks: bool = False
):
    return _track_page(
        request,
        opinion=opinion,
        village=opinion.region,
        error=error,
        thanks=thanks,
        rating_form=rating_form or RatingForm(initial={"code": opinion.tracking_code}),
        answered=bool(opinion.answer and opinion.answered_at),
    )


@never_cache
def public_track(request: HttpRequest) -> HttpResponse:
    """A tracking code leads to its entry; every wrong code gets the very same answer, and every
    lookup counts towards a per-client limit, so codes cannot be guessed."""
    if request.method != "POST":
        return _track_page(request)
    if not opinions.lookup_allowed(request):
        return _track_page(request, limited=True, status=429)
    if request.POST.get("action") == "rate":
        opinion = sel.find_by_code(request.POST.get("code", ""))
        if opinion is None:
            return _track_page(request, not_found=True)
        form: RatingForm | TrackForm = RatingForm(request.POST)
        if not form.is_valid():
            return _track_found(request, opinion, rating_form=form, error=_("Choose from 1 to 5."))
        try:
            opinion = opinions.rate(opinion=opinion, rating=form.cleaned_data["rating"])
        except ValidationError as exc:
            return _track_found(request, opinion, error=exc.messages[0])
        return _track_found(request, opinion, thanks=True)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _track_page(request, form=form)
    opinion = sel.find_by_code(form.cleaned_data["code"])
    if opinion is None:
        return _track_page(request, not_found=True)
    return _track_found(request, opinion)


def public_board(request: HttpRequest, village_code: str) -> HttpResponse:
    """The answers the village chose to publish: what kind of entry, when, and the answer. No
    names, and not the villager's own words."""
    village = _village_or_404(village_code)
    answers = sel.published_answers(village)
    page = Paginator(answers, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    return _public(request, "public_board.html", {"village": village, "page": page})


# ---- staff: the book ----------------------------------------------------------------------------


@permission_required(VIEW)
def opinion_list(request: SignedInRequest) -> HttpResponse:
    village = requested_village(request)
    status = request.GET.get("status", "") if request.GET.get("status") in S.values else ""
    kind = request.GET.get("kind", "") if request.GET.get("kind") in OpinionKind.values else ""
    search = request.GET.get("q", "").strip()[:50]
    entries = sel.opinion_list(
        request.user, village=village, status=status, kind=kind, search=search
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casebook/opinions/list.html",
        {
            "page": page,
            "villages": villages_visible(user=request.user),
            "village_code": village.code if village else "",
            "statuses": S.choices,
            "status": status,
            "kinds": OpinionKind.choices,
            "kind": kind,
            "q": search,
            "can_act": opinions.can_act(request.user),
        },
    )


@permission_required(any_of=opinions.ACT_PERMS)
def opinion_create(request: SignedInRequest) -> HttpResponse:
    form = StaffOpinionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opinion = opinions.enter_in_person(
                village=data["village"],
                kind=data["kind"],
                text=data["text"],
                anonymous=data["anonymous"],
                name=data["name"],
                contact=data["contact"],
                received_at=data["received_at"],
                by=request.user,
                confidential=data["confidential"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The entry is in the book. Give the villager the tracking code %(code)s.")
                % {"code": sel.spaced(opinion.tracking_code)},
            )
            return redirect(opinion.get_absolute_url())
    return render(
        request,
        "registry/form.html",
        {  # the house's generic form page
            "form": form,
            "title": _("Enter an opinion given in person"),
            "back": reverse("casebook:opinion_list"),
        },
    )


def _opinion(request: SignedInRequest, pk: int) -> Opinion:
    return visible_or_404(
        sel.opinion_for_detail(),
        request.user,
        pk=pk,
    )


def _named_openly(opinion: Opinion) -> bool:
    """Whether staff may still choose to name the sender in a case register."""
    return not opinion.anonymous and not opinion.confidential


def _detail(request: SignedInRequest, opinion: Opinion, *, answer_form=None, case_form=None):
    can_act = opinions.can_act(request.user)
    user = request.user
    masked = opinions.sender_masked(opinion)
    history = sel.opinion_history(opinion)  # the latest 50 changes, oldest first
    answer_form = answer_form or AnswerForm(
        initial={"answer": opinion.answer, "publish": opinion.answer_published}
    )
    case_form = case_form or ToCaseForm(
        initial={
            "title": f"{opinion.get_kind_display()}：{opinion.text[:40]}",
            "occurred_at": timezone.localtime(opinion.created_at),
        },
        named=_named_openly(opinion),
    )
    # staff never see a public entry's code: no rating for the villager
    in_person = opinion.channel == "in_person"
    return render(
        request,
        "casebook/opinions/detail.html",
        {
            "opinion": opinion,
            "can_act": can_act,
            "answer_form": answer_form,
            "case_form": case_form,
            "moves": [(s, S(s).label) for s in opinions.LIFECYCLE.allowed(opinion, request.user)],
            "cases": list(opinion.cases.all()),
            "mediations": list(opinion.mediations.all()),
            "mediation_url": _url_or_none("casebook:mediation_create") if can_act else None,
            "sender_masked": masked,
            "can_reveal_sender": masked and user.can(Perm.VIEW_CONFIDENTIAL),
            "can_mark_confidential": can_act and not masked and not opinion.anonymous,
            "contact_masked": "" if masked else opinions.mask_contact(opinion.contact),
            "can_reveal_contact": not masked
            and bool(opinion.contact)
            and user.can(Perm.REVEAL_PERSONAL_DATA),
            "code_spaced": sel.spaced(opinion.tracking_code) if in_person else "",
            "history": [(h, history[k - 1] if k else None) for k, h in enumerate(history)],
        },
    )


@never_cache  # it shows the sender's name
@permission_required(VIEW)
def opinion_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _opinion(request, pk))


@require_POST
@never_cache
@permission_required(VIEW)
def opinion_sender_reveal(request: SignedInRequest, pk: int) -> HttpResponse:
    """A confidential sender's name and contact, for those allowed to see confidential reporters
    (403 otherwise); logged."""
    opinion = _opinion(request, pk)
    if opinion.anonymous:
        raise Http404
    name, contact = opinions.sender_reveal(opinion=opinion, viewer=request.user, request=request)
    context = {"name": name or "—", "contact": contact}
    return render(request, "casebook/opinions/_sender_revealed.html", context)


@permission_required(any_of=opinions.ACT_PERMS)
@require_POST
def opinion_confidential(request: SignedInRequest, pk: int) -> HttpResponse:
    """Keep the sender confidential from now on (and the reporter of its cases)."""
    opinion = _opinion(request, pk)
    try:
        opinions.mark_confidential(opinion=opinion, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _(
                "The sender is now confidential: only the township and the police can see the "
                "name and contact, each time logged."
            ),
        )
    return redirect(opinion.get_absolute_url())


@require_POST
@never_cache
@permission_required(VIEW)
def opinion_contact_reveal(request: SignedInRequest, pk: int) -> HttpResponse:
    """The sender's whole contact, for those whose role needs personal data (403); logged."""
    opinion = _opinion(request, pk)
    if not opinion.contact:
        raise Http404
    value = opinions.contact_reveal(opinion=opinion, viewer=request.user, request=request)
    return render(request, "core/_revealed.html", {"value": value})


@permission_required(any_of=opinions.ACT_PERMS)
@require_POST
def opinion_answer(request: SignedInRequest, pk: int) -> HttpResponse:
    """Write the answer (and publish it or not), or publish / take down an existing answer."""
    opinion = _opinion(request, pk)
    action = request.POST.get("action", "")
    if action in ("publish", "unpublish"):
        try:
            opinions.set_published(opinion=opinion, published=action == "publish", by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("The answer is on the village's public board.")
                if action == "publish"
                else _("The answer has been taken off the public board."),
            )
        return redirect(opinion.get_absolute_url())
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            opinions.answer(
                opinion=opinion,
                text=form.cleaned_data["answer"],
                by=request.user,
                publish=form.cleaned_data["publish"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The answer has been saved. The villager sees it on the tracking page.")
            )
            return redirect(opinion.get_absolute_url())
    return _detail(request, opinion, answer_form=form)


@permission_required(any_of=opinions.ACT_PERMS)
@require_POST
def opinion_move(request: SignedInRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new status."))
        return redirect(opinion.get_absolute_url())
    try:
        opinion = opinions.move(opinion=opinion, to=form.cleaned_data["to"], by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, _("The entry is now: %(status)s.") % {"status": opinion.get_status_display()}
        )
    return redirect(opinion.get_absolute_url())


@permission_required(any_of=opinions.ACT_PERMS)
@require_POST
def opinion_to_case(request: SignedInRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk)
    form = ToCaseForm(request.POST, named=_named_openly(opinion))
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = opinions.to_case(
                opinion=opinion,
                case_type=data["case_type"],
                severity=data["severity"],
                title=data["title"],
                occurred_at=data["occurred_at"],
                by=request.user,
                confidential=not data.get("name_openly"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Case %(number)s has been registered from this entry.") % {"number": case.number},
            )
            return redirect(
                _url_or_none("casebook:case_detail", case.pk) or opinion.get_absolute_url()
            )
    return _detail(request, opinion, case_form=form)


# ---- the paper register and the notice-board poster -------------------------------------------


class OpinionRegister(RegisterView):
    key = "opinions"
    title = gettext_lazy("Villagers' opinion book (群众意见簿)")
    choose_text = gettext_lazy("Choose a village: the opinion book is kept per village.")
    empty_text = gettext_lazy("No entries in this period.")
    columns = (
        Column(gettext_lazy("Received"), "pr-col-date"),
        Column(gettext_lazy("Sent by")),
        Column(gettext_lazy("Kind")),
        Column(gettext_lazy("What was written")),
        Column(gettext_lazy("Answer")),
        Column(gettext_lazy("Status")),
    )
    cells_template = "casebook/opinions/_register_cells.html"
    back_url_name = "casebook:opinion_list"
    keeper = gettext_lazy("Recorded by (登记人)")

    def items(self, village: Region, first: dt.date, last: dt.date) -> list[Opinion]:
        return sel.register_opinions(self.request.user, village=village, first=first, last=last)

    def numbers(self, village: Region, items: Sequence[Any]) -> list[str]:
        """Running numbers per village and year (年度流水号), the same whatever period is
        printed."""
        return sel.running_numbers(village, items)


@permission_required(VIEW)
def opinion_register_print(request: SignedInRequest) -> HttpResponseBase:
    return OpinionRegister.as_view()(request)


@permission_required(any_of=opinions.ACT_PERMS)
def opinion_poster(request: SignedInRequest, code: str) -> HttpResponse:
    """The A4 notice for the village board: its name and a QR code of the public form."""
    village = visible_or_404(
        Region.objects.filter(kind=RegionKind.VILLAGE).select_related("parent"),
        request.user,
        code=code,
    )
    form_url = request.build_absolute_uri(reverse("casebook:public_form", args=[village.code]))
    board_url = reverse("casebook:public_board", args=[village.code])
    context = {
        "village": village,
        "form_url": form_url,
        "qr": qr_svg(form_url, scale=8),
        "track_url": request.build_absolute_uri(reverse("casebook:public_track")),
        "board_url": request.build_absolute_uri(board_url),
    }
    stem = f"{village.name}-{_('Opinion book poster')}"
    template = "casebook/opinions/poster.html"
    return printable(request, template, context, stem=stem, ascii_stem=f"poster-{village.code}")
