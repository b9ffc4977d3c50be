"""Patrol planning screens: points and their QR signs, routes, shift patterns, busy farming
seasons, joint zones and rosters (make, read, publish, print, export). Thin: parse, call a
service or selector, render. Services answer bad requests with a ValidationError, shown on the
form or as a message, and nothing changes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qunfang.core.exports import export_response
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region, RegionKind
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.qr import qr_svg
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.patrols import tasks
from qunfang.patrols.forms import planning as forms
from qunfang.patrols.models import (
    BusySeason,
    CheckIn,
    JointZone,
    PatrolPoint,
    PatrolRoute,
    PointDisplay,
    Roster,
    RosterStatus,
    ShiftPattern,
    SignPeriod,
)
from qunfang.patrols.selectors import planning as selectors
from qunfang.patrols.selectors.common import (
    change_or_403,
    may_change,
    positions_required,
    runs_zone,
)
from qunfang.patrols.services import displays, proof, rostering, signs

VIEW, MANAGE = Perm.VIEW_PATROLS, Perm.MANAGE_PATROLS
PAGE_SIZE = 50
RECENT_DAYS = 30


def _page(request: SignedInRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _village_filter(request: SignedInRequest, queryset, lookup: str = "region"):
    """?village=<code> narrows a list to one of the user's villages (404 for any other)."""
    village = requested_village(request)
    return queryset if village is None else queryset.filter(**{lookup: village})


def _list_context(request: SignedInRequest, **extra) -> dict:
    return {
        "villages": villages_visible(user=request.user),
        "village_code": request.GET.get("village", ""),
        "can_manage": request.user.can(MANAGE),
        **extra,
    }


def _to_change(request: SignedInRequest, queryset, pk: int | None):
    """The record an edit page changes (404 when not visible, 403 when not the user's to
    change: a joint zone's records are seen by its villages, changed by its runner), or None
    for a new one."""
    if not pk:
        return None
    obj = visible_or_404(queryset, request.user, pk=pk)
    change_or_403(request.user, obj)
    return obj


def _form_page(
    request,
    form,
    *,
    title,
    back,
    saved,
    done=None,
    template="patrols/planning/form.html",
    **extra,
):
    """Validate, save (a refusal from the model or a service undoes everything), report, and
    go on to `done` (by default the saved record's page)."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                obj = form.save()
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, saved)
            return redirect(done or obj.get_absolute_url())
    return render(request, template, {"form": form, "title": title, "back": back, **extra})


# ---- patrol points -----------------------------------------------------------------------


@permission_required(VIEW)
def point_list(request: SignedInRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    queryset = _village_filter(request, selectors.points(user=request.user))
    if q:
        queryset = queryset.filter(name__icontains=q)
    context = _list_context(
        request, page=_page(request, queryset), q=q, rules=selectors.village_rules(request.user)
    )
    return render(request, "patrols/planning/point_list.html", context)


@permission_required(VIEW)
def point_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    point = visible_or_404(
        PatrolPoint.objects.select_related("region__parent"), request.user, pk=pk
    )
    return render(request, "patrols/planning/point_detail.html", _point_context(request, point))


def _point_context(request: SignedInRequest, point: PatrolPoint, **extra) -> dict:
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    recent = (
        CheckIn.objects.visible_to(request.user)
        .filter(point=point, recorded_at__gte=since)
        .aggregate(
            n_accepted=Count("id", filter=Q(accepted=True)),
            n_refused=Count("id", filter=Q(accepted=False)),
            n_far=Count("id", filter=Q(accepted=True, far_from_point=True)),
            n_no_position=Count("id", filter=Q(accepted=True, latitude__isnull=True)),
            n_last=Max("recorded_at"),
        )
    )
    stops = point.stops.select_related("route").order_by("route__name", "order")
    can_change = may_change(request.user, point)
    displays = point.displays.select_related("created_by", "revoked_by")[:10] if can_change else []
    return {
        "point": point,
        "stops": stops,
        "recent": recent,
        "recent_days": RECENT_DAYS,
        "can_manage": request.user.can(MANAGE),
        "can_change": can_change,
        "displays": displays,
        "screen_period": point.sign_period <= SignPeriod.HOUR,
        "positions_required": positions_required(point),
        **extra,
    }


@permission_required(MANAGE)
def point_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    point = _to_change(request, PatrolPoint, pk)
    form = forms.PointForm(request.POST or None, instance=point, user=request.user)
    return _form_page(
        request,
        form,
        title=_("Edit patrol point") if point else _("New patrol point"),
        back=point.get_absolute_url() if point else reverse("patrols:point_list"),
        saved=_("The patrol point has been saved."),
    )


def _sign_context(request: SignedInRequest, point: PatrolPoint, scale: int) -> dict:
    now = timezone.now()
    code = signs.current_code(point, now)
    url = request.build_absolute_uri(signs.scan_url(point, now))
    window = signs.code_window(point, now)
    return {
        "point": point,
        "code": code,
        "code_spaced": f"{code[:4]} {code[4:]}",
        "scan_url": url,
        "qr": qr_svg(url, scale=scale),
        "valid_from": timezone.localtime(window.valid_from),
        "valid_until": timezone.localtime(window.valid_until),
        "replace_by": timezone.localtime(window.replace_by),
        "printed_at": timezone.localtime(now),
        "screen_period": point.sign_period <= SignPeriod.HOUR,
    }


@permission_required(MANAGE)
def point_sign(request: SignedInRequest, pk: int) -> HttpResponse:
    point = visible_or_404(
        PatrolPoint.objects.select_related("region__parent"), request.user, pk=pk
    )
    size = "a5" if request.GET.get("size") == "a5" else "a4"
    context = {**_sign_context(request, point, scale=10 if size == "a4" else 7), "size": size}
    stem = f"{point.region.name}-{point.name}-{_('Patrol point')}-{size.upper()}"
    template = "patrols/planning/point_sign.html"
    ascii_stem = f"point-sign-{point.pk}-{size}"
    return printable(request, template, context, stem=stem, ascii_stem=ascii_stem)


# ---- the screen at a point: display links, and the village's rule on positions -------------


@require_POST
@permission_required(MANAGE)
def point_display_create(request: SignedInRequest, pk: int) -> HttpResponse:
    """Make the point's display link (the old one stops working) and show it, this once."""
    point = visible_or_404(
        PatrolPoint.objects.select_related("region__parent"), request.user, pk=pk
    )
    change_or_403(request.user, point)
    try:
        _display, token = displays.display_create(point=point, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(point.get_absolute_url() + "#display")
    url = request.build_absolute_uri(reverse("patrols:display", args=[token]))
    context = _point_context(
        request, point, new_display_url=url, new_display_qr=qr_svg(url, scale=5)
    )
    response = render(request, "patrols/planning/point_detail.html", context)
    response["Cache-Control"] = "no-store"  # the link is shown once: keep it out of caches
    return response


@require_POST
@permission_required(MANAGE)
def point_display_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    display = visible_or_404(
        PointDisplay.objects.select_related("point__region"), request.user, pk=pk
    )
    change_or_403(request.user, display.point)
    displays.display_revoke(display=display, by=request.user)
    messages.success(
        request, _("The display link has been revoked: that screen shows no code now.")
    )
    return redirect(display.point.get_absolute_url() + "#display")


@require_POST
@permission_required(MANAGE)
def village_proof_settings(request: SignedInRequest, pk: int) -> HttpResponse:
    """Turn the village's "check-ins need a position" rule on or off."""
    village = visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE), request.user, pk=pk)
    change_or_403(request.user, village)
    choice = request.POST.get("positions_required", "")
    if choice not in ("on", "off"):
        messages.error(request, _("Choose whether check-ins in this village need a position."))
        return redirect(reverse("patrols:point_list") + "#proof")
    proof.patrol_settings_set(village=village, positions_required=choice == "on", by=request.user)
    if choice == "on":
        message = _("%(village)s: a scan without the phone's position is now refused.")
    else:
        message = _("%(village)s: a scan without a position is now accepted and marked.")
    messages.success(request, message % {"village": village.name})
    return redirect(reverse("patrols:point_list") + "#proof")


# ---- routes ------------------------------------------------------------------------------


@permission_required(VIEW)
def route_list(request: SignedInRequest) -> HttpResponse:
    queryset = _village_filter(request, selectors.routes(user=request.user))
    return render(
        request,
        "patrols/planning/route_list.html",
        _list_context(request, page=_page(request, queryset)),
    )


@permission_required(VIEW)
def route_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    route = selectors.route(user=request.user, pk=pk)
    patterns = ShiftPattern.objects.visible_to(request.user).filter(route=route)
    return render(
        request,
        "patrols/planning/route_detail.html",
        {"route": route, "patterns": patterns, "can_manage": request.user.can(MANAGE)},
    )


@permission_required(MANAGE)
def route_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    route = _to_change(request, PatrolRoute.objects.select_related("region"), pk)
    form = forms.RouteForm(request.POST or None, instance=route, user=request.user)
    return _form_page(
        request,
        form,
        title=_("Edit patrol route") if route else _("New patrol route"),
        back=route.get_absolute_url() if route else reverse("patrols:route_list"),
        saved=_("The patrol route has been saved."),
        template="patrols/planning/route_form.html",
    )


# ---- shift patterns ----------------------------------------------------------------------


@permission_required(VIEW)
def pattern_list(request: SignedInRequest) -> HttpResponse:
    queryset = _village_filter(request, selectors.patterns(user=request.user))
    page = _page(request, queryset)
    # a joint zone's patterns are seen by its villages but changed by whoever runs the zone
    rows = [
        {"pattern": p, "editable": may_change(request.user, p), **selectors.pattern_times(p)}
        for p in page.object_list
    ]
    return render(
        request, "patrols/planning/pattern_list.html", _list_context(request, page=page, rows=rows)
    )


@permission_required(MANAGE)
def pattern_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    pattern = _to_change(request, ShiftPattern.objects.select_related("region"), pk)
    initial = {} if pattern else {"valid_from": timezone.localdate()}
    form = forms.PatternForm(
        request.POST or None, instance=pattern, user=request.user, initial=initial
    )
    return _form_page(
        request,
        form,
        title=_("Edit shift pattern") if pattern else _("New shift pattern"),
        back=reverse("patrols:pattern_list"),
        saved=_("The shift pattern has been saved."),
        times=selectors.pattern_times(pattern) if pattern else None,
        pattern=pattern,
        template="patrols/planning/pattern_form.html",
    )


# ---- busy farming seasons ----------------------------------------------------------------


@permission_required(VIEW)
def season_list(request: SignedInRequest) -> HttpResponse:
    page = _page(request, BusySeason.objects.visible_to(request.user).select_related("region"))
    for season in page.object_list:
        season.days = (season.ends_on - season.starts_on).days + 1
    return render(request, "patrols/planning/season_list.html", _list_context(request, page=page))


@permission_required(MANAGE)
def season_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    season = _to_change(request, BusySeason.objects.select_related("region"), pk)
    form = forms.SeasonForm(request.POST or None, instance=season, user=request.user)
    seasons = reverse("patrols:season_list")
    return _form_page(
        request,
        form,
        title=_("Edit busy farming season") if season else _("New busy farming season"),
        back=seasons,
        saved=_("The busy season has been saved."),
        done=seasons,
        intro=_(
            "During a busy farming season volunteers get fewer shifts; paid members fill the gap."
        ),
    )


# ---- joint zones -------------------------------------------------------------------------


@permission_required(VIEW)
def zone_list(request: SignedInRequest) -> HttpResponse:
    can_create = request.user.can(MANAGE) and forms.visible_townships(request.user).exists()
    return render(
        request,
        "patrols/planning/zone_list.html",
        {"zones": selectors.zones(user=request.user), "can_create": can_create},
    )


@permission_required(VIEW)
def zone_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    zone = visible_or_404(JointZone.objects.select_related("region"), request.user, pk=pk)
    raw = request.GET.get("month", "")
    first = forms.parse_month(raw) if raw else timezone.localdate().replace(day=1)
    month_error = None
    if first is None:
        month_error = _("Write the month as YYYY-MM, e.g. 2027-03. Showing this month instead.")
        first = timezone.localdate().replace(day=1)
    last = forms.month_end(first)
    shares = zone.shares.select_related("village")
    members = zone.members.select_related("region").order_by("region__code", "name")
    report = selectors.zone_report(zone=zone, user=request.user, first=first, last=last)
    return render(
        request,
        "patrols/planning/zone_detail.html",
        {
            "zone": zone,
            "shares": shares,
            "members": members,
            "report": report,
            "month": first,
            "month_error": month_error,
            "can_edit": runs_zone(request.user, zone),
            "rosters": Roster.objects.visible_to(request.user).filter(zone=zone)[:12],
        },
    )


@permission_required(MANAGE)
def zone_edit(request: SignedInRequest, pk: int | None = None) -> HttpResponse:
    if pk:
        zone = visible_or_404(JointZone.objects.select_related("region"), request.user, pk=pk)
        if not runs_zone(request.user, zone):
            # a member village's director sees who decides, and cannot change it
            if request.method == "POST":
                change_or_403(request.user, zone)
            return render(request, "patrols/planning/zone_readonly.html", {"zone": zone})
    else:
        zone = None
        if not forms.visible_townships(request.user).exists():
            raise NotYours(
                _("A joint zone is set up by the township that runs it. Ask your township office.")
            )
    form = forms.ZoneForm(request.POST or None, instance=zone, user=request.user)
    return _form_page(
        request,
        form,
        title=_("Edit joint patrol zone") if zone else _("New joint patrol zone"),
        back=zone.get_absolute_url() if zone else reverse("patrols:zone_list"),
        saved=_("The joint zone has been saved."),
        template="patrols/planning/zone_form.html",
    )


# ---- rosters -----------------------------------------------------------------------------


@permission_required(VIEW)
def roster_list(request: SignedInRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = _page(request, selectors.rosters(user=request.user, status=status))
    page.object_list = selectors.count_seats(list(page.object_list))
    return render(
        request,
        "patrols/planning/roster_list.html",
        {
            "page": page,
            "status": status,
            "statuses": RosterStatus.choices,
            "can_manage": request.user.can(MANAGE),
        },
    )


@permission_required(MANAGE)
def roster_create(request: SignedInRequest) -> HttpResponse:
    """What can be refused is refused here, on the form; the solving runs in the background and
    the job page shows how far it got, then links to the draft."""
    form = forms.RosterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        region, zone = form.target()
        data = form.cleaned_data
        req = rostering.RosterRequest(
            region=region,
            zone=zone,
            starts_on=data["period_start"],
            ends_on=data["period_end"],
            min_rest_hours=float(data["min_rest_hours"]),
            max_nights_per_week=data["max_nights_per_week"],
        )
        try:
            rostering.check_roster_request(req, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            job = tasks.start_roster(req, by=request.user, language=request.LANGUAGE_CODE)
            return redirect(job.get_absolute_url())
    return render(request, "patrols/planning/roster_form.html", {"form": form})


def _roster(request: SignedInRequest, pk: int) -> Roster:
    related = ("region__parent", "zone__region", "created_by", "published_by")
    return visible_or_404(Roster.objects.select_related(*related), request.user, pk=pk)


def _solver_words(status: str) -> str:
    return {
        "optimal": _("the best roster possible under the rules"),
        "feasible": _("a good roster; more time might improve it a little"),
        "infeasible": _("some seats cannot be filled under the rules: see why below"),
        "unknown": _("no roster found within the time limit"),
    }.get(status, status or "—")


@permission_required(VIEW)
def roster_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    roster = _roster(request, pk)
    sections = selectors.roster_grid(roster)
    return render(
        request,
        "patrols/planning/roster_detail.html",
        {
            "roster": roster,
            "sections": sections,
            "totals": selectors.grid_totals(sections),
            "solver_status": _solver_words(roster.solver_status),
            "problems": selectors.problem_lines(roster),
            "moves": rostering.ROSTER_LIFECYCLE.allowed(roster, request.user),
            "gap_percent": roster.gap * 100 if roster.gap is not None else None,
        },
    )


def _roster_move(request: SignedInRequest, pk: int, move, done: str) -> HttpResponse:
    """Publish or withdraw: the service's refusal, or `done`, as a message on the roster."""
    roster = _roster(request, pk)
    change_or_403(request.user, roster)
    try:
        move(roster=roster, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(roster.get_absolute_url())


@require_POST
@permission_required(MANAGE)
def roster_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    done = _("The roster is published; everyone on it has been told.")
    return _roster_move(request, pk, rostering.publish_roster, done)


@require_POST
@permission_required(MANAGE)
def roster_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    return _roster_move(request, pk, rostering.withdraw_roster, _("The roster has been withdrawn."))


def _place(roster: Roster) -> str:
    if roster.zone is not None:
        return roster.zone.name
    parent = roster.region.parent
    return (
        f"{parent.name}{roster.region.name}"
        if parent and roster.region.kind == RegionKind.VILLAGE
        else roster.region.name
    )


@permission_required(VIEW)
def roster_print(request: SignedInRequest, pk: int) -> HttpResponse:
    roster = _roster(request, pk)
    layout = "month" if request.GET.get("layout") == "month" else "week"
    sections = selectors.roster_grid(roster)
    if layout == "week":
        for section in sections:
            section.week_tables = section.weeks(roster.starts_on)  # type: ignore[attr-defined]
    context = {
        "roster": roster,
        "sections": sections,
        "layout": layout,
        "place": _place(roster),
        "today": timezone.localdate(),
    }
    stem = f"{_place(roster)}-{_('Patrol roster')}-{roster.starts_on:%Y%m%d}"
    template = "patrols/planning/roster_print.html"
    return printable(request, template, context, stem=stem, ascii_stem=f"roster-{roster.pk}")


@permission_required(VIEW)
def roster_export(request: SignedInRequest, pk: int) -> HttpResponse:
    roster = _roster(request, pk)
    return export_response(
        request,
        selectors.roster_sheets(roster),
        fmt="xlsx",
        stem=f"{_('Roster')}-{_place(roster)}-{roster.starts_on:%Y%m%d}",
        ascii_stem=f"roster-{roster.pk}",
        list_name="roster",
        rows=roster.shifts.count(),
        filters={"roster": roster.pk},
    )


@permission_required(VIEW)
def unfilled(request: SignedInRequest) -> HttpResponse:
    today = timezone.localdate()
    page = _page(request, selectors.unfilled_shifts(user=request.user, since=today))
    return render(request, "patrols/planning/unfilled.html", {"page": page, "today": today})
