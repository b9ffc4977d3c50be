"""Opinion book screens: the public form, tracking page and answer board (no sign-in, nothing
about the sender kept), and the staff screens (list, entry in person, answer and publish, status
moves, turn into a case, the printable register and the notice-board poster). Thin: parse, call
a service in `opinions`, render. Services raise ValidationError; the page shows it and nothing
is written."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models as dm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qunfang.casebook import opinions
from qunfang.casebook.forms_opinions import (
    AnswerForm,
    MoveForm,
    PublicOpinionForm,
    RatingForm,
    StaffOpinionForm,
    ToCaseForm,
    TrackForm,
    visible_villages,
)
from qunfang.casebook.models import Opinion, OpinionKind, OpinionStatus
from qunfang.core.models import Region, RegionKind
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.patrols.signs import qr_svg

PAGE_SIZE = 50
BOARD_PAGE_SIZE = 20
REGISTER_ROWS = 8  # rows on one A4 landscape sheet of the paper register
REGISTER_MAX_DAYS = 366
VIEW = Perm.VIEW_BOOKS
S = OpinionStatus


def act_required(view):
    """Sign-in first, then one of the permissions that work on the opinion book (403)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not opinions.can_act(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


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
    village = opinions.public_village(code)
    if village is None:
        raise Http404
    return village


def _public_form_page(
    request, village, form, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    """The form, each time with a fresh timing token (a refused entry is sent again with a new one)."""
    return _public(request, "public_form.html",
                   {"village": village, "form": form, "refusal": refusal, "started": opinions.form_token(village)},
                   status=status)  # fmt: skip


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
        return _public_form_page(request, village, form, status=400,
                                 refusal=_("This entry looks automatic and has not been saved."))  # fmt: skip
    try:
        opinions.check_form_token(data["started"], village)
    except ValidationError as exc:
        return _public_form_page(request, village, form, refusal=exc.messages[0], status=400)
    if not opinions.public_entry_allowed(request, village):
        return _public_form_page(request, village, form, status=429, refusal=_(
            "Too many entries have been sent from your connection or to this village in the last hour. "
            "Nothing has been saved: please try again later, or tell the village committee in person."
        ))  # fmt: skip
    if opinions.token_used(data["started"]):
        return _public_form_page(request, village, PublicOpinionForm(), status=409, refusal=_(
            "This entry has already been sent. Keep the tracking code you were shown."
        ))  # fmt: skip
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
    return _public(request, "public_done.html",
                   {"village": village, "code": opinion.tracking_code,
                    "code_spaced": opinions.spaced(opinion.tracking_code)})  # fmt: skip


def _track_page(request, *, status: int = 200, **context) -> HttpResponse:
    context.setdefault("form", TrackForm())
    return _public(request, "public_track.html", context, status=status)


def _track_found(
    request, opinion: Opinion, *, rating_form=None, error: str = "", thanks: bool = False
):
    return _track_page(
        request, opinion=opinion, village=opinion.region, error=error, thanks=thanks,
        rating_form=rating_form or RatingForm(initial={"code": opinion.tracking_code}),
        answered=bool(opinion.answer and opinion.answered_at),
    )  # fmt: skip


@never_cache
def public_track(request: HttpRequest) -> HttpResponse:
    """A tracking code leads to its entry; every wrong code gets the very same answer, and every
    lookup counts towards a per-client limit, so codes cannot be guessed."""
    if request.method != "POST":
        return _track_page(request)
    if not opinions.lookup_allowed(request):
        return _track_page(request, limited=True, status=429)
    if request.POST.get("action") == "rate":
        opinion = opinions.find_by_code(request.POST.get("code", ""))
        if opinion is None:
            return _track_page(request, not_found=True)
        form = RatingForm(request.POST)
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
    opinion = opinions.find_by_code(form.cleaned_data["code"])
    if opinion is None:
        return _track_page(request, not_found=True)
    return _track_found(request, opinion)


def public_board(request: HttpRequest, village_code: str) -> HttpResponse:
    """The answers the village chose to publish: what kind of entry, when, and the answer. No names,
    and not the villager's own words."""
    village = _village_or_404(village_code)
    answers = (
        Opinion.objects.filter(region=village, answer_published=True)
        .exclude(answer="")
        .only("kind", "created_at", "answer", "answered_at", "region_id")
        .order_by("-answered_at", "-id")
    )
    page = Paginator(answers, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    return _public(request, "public_board.html", {"village": village, "page": page})


# ---- staff: the book ------------------------------------------------------------------------------


def _village_filter(request: HttpRequest) -> Region | None:
    code = request.GET.get("village", "").strip()
    if not code:
        return None
    return visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE), request.user, code=code)


@permission_required(VIEW)
def opinion_list(request: HttpRequest) -> HttpResponse:
    village = _village_filter(request)
    status = request.GET.get("status", "") if request.GET.get("status") in S.values else ""
    kind = request.GET.get("kind", "") if request.GET.get("kind") in OpinionKind.values else ""
    search = request.GET.get("q", "").strip()[:50]
    entries = Opinion.objects.visible_to(request.user).select_related("region")
    if village:
        entries = entries.filter(region=village)
    if status:
        entries = entries.filter(status=status)
    if kind:
        entries = entries.filter(kind=kind)
    if search:
        entries = entries.filter(opinions.search_q(search))
    unanswered_first = dm.Case(dm.When(status__in=opinions.UNANSWERED, then=0), default=1)
    entries = entries.annotate(waiting=unanswered_first).order_by("waiting", "-created_at", "-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casebook/opinions/list.html", {
        "page": page, "villages": visible_villages(request.user), "village_code": village.code if village else "",
        "statuses": S.choices, "status": status, "kinds": OpinionKind.choices, "kind": kind, "q": search,
        "can_act": opinions.can_act(request.user),
    })  # fmt: skip


@act_required
def opinion_create(request: HttpRequest) -> HttpResponse:
    form = StaffOpinionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opinion = opinions.enter_in_person(
                village=data["village"], kind=data["kind"], text=data["text"], anonymous=data["anonymous"],
                name=data["name"], contact=data["contact"], received_at=data["received_at"], by=request.user,
                confidential=data["confidential"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The entry is in the book. Give the villager the tracking code %(code)s.")
                             % {"code": opinions.spaced(opinion.tracking_code)})  # fmt: skip
            return redirect(opinion.get_absolute_url())
    return render(request, "registry/form.html", {  # the house's generic form page
        "form": form, "title": _("Enter an opinion given in person"), "back": reverse("casebook:opinion_list"),
    })  # fmt: skip


def _opinion(request: HttpRequest, pk: int) -> Opinion:
    return visible_or_404(
        Opinion.objects.select_related("region__parent", "answered_by", "entered_by"),
        request.user,
        pk=pk,
    )


def _named_openly(opinion: Opinion) -> bool:
    """Whether staff may still choose to name the sender in a case register."""
    return not opinion.anonymous and not opinion.confidential


def _detail(request: HttpRequest, opinion: Opinion, *, answer_form=None, case_form=None):
    can_act = opinions.can_act(request.user)
    user = request.user
    masked = opinions.sender_masked(opinion)
    history = opinion.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    history = list(reversed(history[:50]))  # the latest 50 changes, oldest first
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
    in_person = (
        opinion.channel == "in_person"
    )  # staff never see a public entry's code: no rating for the villager
    return render(request, "casebook/opinions/detail.html", {
        "opinion": opinion, "can_act": can_act, "answer_form": answer_form, "case_form": case_form,
        "moves": [(s, S(s).label) for s in opinions.allowed_moves(opinion)] if can_act else [],
        "cases": list(opinion.cases.all()), "mediations": list(opinion.mediations.all()),
        "mediation_url": _url_or_none("casebook:mediation_create") if can_act else None,
        "sender_masked": masked,
        "can_reveal_sender": masked and user.can(Perm.VIEW_CONFIDENTIAL),
        "can_mark_confidential": can_act and not masked and not opinion.anonymous,
        "contact_masked": "" if masked else opinions.mask_contact(opinion.contact),
        "can_reveal_contact": not masked and bool(opinion.contact) and user.can(Perm.REVEAL_PERSONAL_DATA),
        "code_spaced": opinions.spaced(opinion.tracking_code) if in_person else "",
        "history": [(h, history[k - 1] if k else None) for k, h in enumerate(history)],
    })  # fmt: skip


@never_cache  # it shows the sender's name
@permission_required(VIEW)
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _opinion(request, pk))


@require_POST
@never_cache
@permission_required(VIEW)
def opinion_sender_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """A confidential sender's name and contact, for those allowed to see confidential reporters
    (403 otherwise); logged."""
    opinion = _opinion(request, pk)
    if opinion.anonymous:
        raise Http404
    name, contact = opinions.sender_reveal(opinion=opinion, viewer=request.user, request=request)
    context = {"name": name or "—", "contact": contact}
    return render(request, "casebook/opinions/_sender_revealed.html", context)


@act_required
@require_POST
def opinion_confidential(request: HttpRequest, pk: int) -> HttpResponse:
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
def opinion_contact_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The sender's whole contact, for those whose role needs personal data (403); logged."""
    opinion = _opinion(request, pk)
    if not opinion.contact:
        raise Http404
    value = opinions.contact_reveal(opinion=opinion, viewer=request.user, request=request)
    return render(request, "core/_revealed.html", {"value": value})


@act_required
@require_POST
def opinion_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the answer (and publish it or not), or publish / take down an existing answer."""
    opinion = _opinion(request, pk)
    action = request.POST.get("action", "")
    if action in ("publish", "unpublish"):
        try:
            opinions.set_published(opinion=opinion, published=action == "publish", by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The answer is on the village's public board.") if action == "publish"
                             else _("The answer has been taken off the public board."))  # fmt: skip
        return redirect(opinion.get_absolute_url())
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            opinions.answer(opinion=opinion, text=form.cleaned_data["answer"], by=request.user,
                            publish=form.cleaned_data["publish"])  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The answer has been saved. The villager sees it on the tracking page.")
            )
            return redirect(opinion.get_absolute_url())
    return _detail(request, opinion, answer_form=form)


@act_required
@require_POST
def opinion_move(request: HttpRequest, pk: int) -> HttpResponse:
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


@act_required
@require_POST
def opinion_to_case(request: HttpRequest, pk: int) -> HttpResponse:
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
            messages.success(request, _("Case %(number)s has been registered from this entry.")
                             % {"number": case.number})  # fmt: skip
            return redirect(
                _url_or_none("casebook:case_detail", case.pk) or opinion.get_absolute_url()
            )
    return _detail(request, opinion, case_form=form)


# ---- the paper register and the notice-board poster -------------------------------------------


def _date(raw: str) -> dt.date | None:
    try:
        return parse_date(raw)
    except ValueError:  # well-formed but not a real day (2027-02-30)
        return None


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """`from` and `to` (YYYY-MM-DD); bad or missing: this month so far, with a clear message."""
    today = timezone.localdate()
    default = (today.replace(day=1), today)
    raw = [request.GET.get(key, "").strip() for key in ("from", "to")]
    parsed = [_date(value) if value else None for value in raw]
    if any(value and day is None for value, day in zip(raw, parsed, strict=True)):
        messages.error(request, _("Give the dates as YYYY-MM-DD, for example 2027-03-01."))
        return default
    first, last = parsed[0] or default[0], parsed[1] or default[1]
    if first > last:
        messages.error(request, _("The period ends before it begins."))
        return default
    if (last - first).days >= REGISTER_MAX_DAYS:
        messages.error(request, _("A register covers at most one year; it has been shortened."))
        last = first + dt.timedelta(days=REGISTER_MAX_DAYS - 1)
    return first, last


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _numbered(village: Region, rows: list[Opinion]) -> list[dict]:
    """Running numbers per village and year (年度流水号), the same whatever period is printed."""
    numbered, year, n = [], None, 0
    for row in rows:
        row_year = timezone.localtime(row.created_at).year
        if row_year != year:
            year = row_year
            n = Opinion.objects.filter(
                region=village,
                created_at__gte=_start_of(dt.date(year, 1, 1)), created_at__lt=row.created_at,
            ).count()  # fmt: skip
        n += 1
        numbered.append({"number": f"{year}-{n:04d}", "opinion": row})
    return numbered


@permission_required(VIEW)
def opinion_register_print(request: HttpRequest) -> HttpResponse:
    village = _village_filter(request)
    villages = visible_villages(request.user)
    if village is None:  # a village keeps one book: theirs
        only = list(villages[:2])
        village = only[0] if len(only) == 1 else None
    first, last = _period(request)
    context = {"village": village, "villages": villages, "first": first, "last": last,
               "village_code": village.code if village else "", "today": timezone.localdate()}  # fmt: skip
    if village is None:
        return render(request, "casebook/opinions/register_choose.html", context)
    rows = list(
        Opinion.objects.visible_to(request.user)
        .filter(
            region=village,
            created_at__gte=_start_of(first),
            created_at__lt=_start_of(last + dt.timedelta(days=1)),
        )
        .select_related("answered_by")
        .order_by("created_at", "id")
    )
    numbered = _numbered(village, rows)
    sheets = [numbered[k : k + REGISTER_ROWS] for k in range(0, len(numbered), REGISTER_ROWS)]
    sheets = sheets or [[]]  # an empty period still prints one signed sheet
    context["sheets"] = [{"number": n, "rows": rows} for n, rows in enumerate(sheets, start=1)]
    context["sheet_count"] = len(sheets)
    return render(request, "casebook/opinions/register.html", context)


@act_required
def opinion_poster(request: HttpRequest, code: str) -> HttpResponse:
    """The A4 notice for the village board: its name and a QR code of the public form."""
    village = visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE).select_related("parent"),
                             request.user, code=code)  # fmt: skip
    form_url = request.build_absolute_uri(reverse("casebook:public_form", args=[village.code]))
    return render(request, "casebook/opinions/poster.html", {
        "village": village, "form_url": form_url, "qr": qr_svg(form_url, scale=8),
        "track_url": request.build_absolute_uri(reverse("casebook:public_track")),
        "board_url": request.build_absolute_uri(reverse("casebook:public_board", args=[village.code])),
    })  # fmt: skip
