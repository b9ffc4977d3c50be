"""Patrol records screens (巡逻登记, 考勤, 十户联防): the patrol log and one shift's check-ins,
attendance per person and per village with its Excel export, the printable paper register,
and the ten-household rotation with its duty ledger. Thin: parse, call a selector or a
service, render. Services raise ValidationError; the page shows it and nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qunfang.core.exports import export_response
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region
from qunfang.core.permissions import permission_required
from qunfang.core.registers import Column, Month, RegisterView
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.core.spreadsheets import Sheet
from qunfang.patrols.forms.records import BuyOutForm, OutcomeForm, StandInForm
from qunfang.patrols.models import Assignment, CheckIn, Outcome, RosterStatus
from qunfang.patrols.selectors import records as sel
from qunfang.patrols.selectors.common import change_or_403, may_change
from qunfang.patrols.services import shifts as services
from qunfang.patrols.services.checkin import REFUSAL_MESSAGES, refusal_message
from qunfang.registry.models import Household, JointDefenceGroup

PAGE_SIZE = 50
LOG_RECENT_DAYS = 31  # what the patrol log shows until a month is chosen
VIEW, MANAGE = Perm.VIEW_PATROLS, Perm.MANAGE_PATROLS
PHOTO_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


# ---- filters --------------------------------------------------------------------------------


def _month(request: SignedInRequest, *, required: bool):
    """The `month` filter (YYYY-MM). Bad input: a clear message, then this month."""
    raw = request.GET.get("month", "").strip()
    this_month = timezone.localdate().replace(day=1)
    if not raw:
        return this_month if required else None
    first = sel.parse_month(raw)
    if first is None or first.year < 2000:
        messages.error(request, _("Give the month as YYYY-MM, for example 2027-03."))
        return this_month if required else None
    return first


def _filters(request: SignedInRequest, village, first, **extra) -> dict:
    return {
        "villages": villages_visible(user=request.user),
        "village": village,
        "village_code": village.code if village else "",
        "month": first,
        "month_value": f"{first:%Y-%m}" if first else "",
        **extra,
    }


# ---- the patrol log -------------------------------------------------------------------------


@permission_required(VIEW)
def log_list(request: SignedInRequest) -> HttpResponse:
    """Without a month, the recent days (said on the page): the log of every year is never read
    to show its first page."""
    village, first = requested_village(request), _month(request, required=False)
    since = None if first else timezone.localdate() - dt.timedelta(days=LOG_RECENT_DAYS - 1)
    page = Paginator(
        sel.log_shifts(request.user, village=village, first=first, since=since), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    page.object_list = sel.decorate(page.object_list)
    return render(
        request,
        "patrols/records/log_list.html",
        _filters(
            request,
            village,
            first,
            page=page,
            now=timezone.now(),
            since=since,
            recent_days=LOG_RECENT_DAYS,
        ),
    )


def _check_in_rows(assignment: Assignment) -> list[dict]:
    rows = []
    for c in assignment.all_check_ins:  # type: ignore[attr-defined]  # a Prefetch's to_attr
        reason = ""
        if not c.accepted:
            reason = refusal_message(c) if c.refusal in REFUSAL_MESSAGES else c.refusal
        rows.append({"check_in": c, "refusal": reason})
    return rows


def _shift_context(request: SignedInRequest, shift, bound: dict | None = None) -> dict:
    bound = bound or {}
    # a member village sees a joint zone's shift; whoever runs the zone settles it
    can_settle = may_change(request.user, shift) and shift.roster.status == RosterStatus.PUBLISHED
    rows = []
    for a in shift.assignments.all():
        accepted = [c for c in a.all_check_ins if c.accepted]
        form = bound.get(a.pk) or OutcomeForm(
            initial={"outcome": "" if a.outcome == Outcome.PLANNED else a.outcome, "note": a.note},
            auto_id=f"a{a.pk}_%s",
        )
        rows.append(
            {
                "assignment": a,
                "check_ins": _check_in_rows(a),
                "visited": len({c.point_id for c in accepted if c.point_id}),
                "form": form if can_settle or a.pk in bound else None,  # a refusal is always shown
            }
        )
    return {"shift": shift, "rows": rows, "can_settle": can_settle, "now": timezone.now()}


@permission_required(VIEW)
def shift_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    shift = visible_or_404(sel.shift_for_detail(request.user, pk), request.user, pk=pk)
    return render(request, "patrols/records/shift_detail.html", _shift_context(request, shift))


def _assignment(request: SignedInRequest, pk: int) -> Assignment:
    """A turn the user may settle: 404 when they cannot see it, 403 (saying who settles it) when
    they see it but it is not theirs — a joint zone's shift seen by a member village."""
    queryset = Assignment.objects.select_related(
        "shift__roster", "shift__pattern", "household", "person", "zone__region"
    )
    assignment = visible_or_404(queryset, request.user, pk=pk)
    change_or_403(request.user, assignment)
    return assignment


@permission_required(MANAGE)
@require_POST
def assignment_outcome(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record or correct how a shift ended (excused needs the reason). Also the rotation's
    "excuse this turn", which sends `back=rotation`."""
    assignment = _assignment(request, pk)
    form = OutcomeForm(request.POST, auto_id=f"a{assignment.pk}_%s")
    if form.is_valid():
        try:
            services.record_outcome(
                assignment=assignment,
                outcome=form.cleaned_data["outcome"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("The outcome for %(name)s has been recorded.") % {"name": assignment.person.name},
            )
            return _back(request, assignment)
    group = _group_of(request, assignment) if request.POST.get("back") == "rotation" else None
    if group is not None:
        return _rotation_page(request, group, failed=_failure(assignment, "excuse", form))
    shift = visible_or_404(
        sel.shift_for_detail(request.user, assignment.shift_id),
        request.user,
        pk=assignment.shift_id,
    )
    return render(
        request,
        "patrols/records/shift_detail.html",
        _shift_context(request, shift, {assignment.pk: form}),
    )


# ---- attendance (考勤) ----------------------------------------------------------------------


@permission_required(VIEW)
def attendance(request: SignedInRequest) -> HttpResponse:
    village, first = requested_village(request), _month(request, required=True)
    # a township's month is a few hundred people, and the village rows are their sums
    people = sel.attendance_people(request.user, first=first, village=village)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [sel.with_rate(row) for row in page.object_list]
    villages = [sel.with_rate(row) for row in sel.attendance_villages(people)]
    return render(
        request,
        "patrols/records/attendance.html",
        _filters(
            request,
            village,
            first,
            page=page,
            village_rows=villages,
            total=sel.attendance_total(villages),
            previous_month=f"{sel.shift_month(first, -1):%Y-%m}",
            next_month=f"{sel.shift_month(first, 1):%Y-%m}",
        ),
    )


def _counts(row: dict) -> list:
    row = sel.with_rate(row)
    return [
        row["planned"],
        row["served"],
        row["late"],
        row["partial"],
        row["missed"],
        row["excused"],
        row["open"],
        row["hours"],
        row["rate"],
        row["points_checked"],
        row["points_with_position"],
    ]


@permission_required(VIEW)
def attendance_export(request: SignedInRequest) -> HttpResponse:
    village, first = requested_village(request), _month(request, required=True)
    counts = [
        _("Shifts planned"),
        _("Served"),
        _("Late"),
        _("Partial"),
        _("Missed"),
        _("Excused"),
        _("Not yet closed"),
        _("Hours served"),
        _("Attendance rate (%)"),
        _("Point check-ins"),
        _("Point check-ins with a position"),
    ]
    people = sel.attendance_people(request.user, first=first, village=village)
    villages = sel.attendance_villages(people)
    widths = [16, 16, *[12] * len(counts)]
    sheets = [
        Sheet(
            _("Attendance by person"),
            [_("Village"), _("Person"), *counts],
            ([r["person__region__name"], r["person__name"], *_counts(r)] for r in people),
            widths,
        ),
        Sheet(
            _("Attendance by village"),
            [_("Village"), _("People"), *counts],
            ([r["person__region__name"], r["people"], *_counts(r)] for r in villages),
            widths,
        ),
    ]
    where = village.name if village else _("all villages")
    return export_response(
        request,
        sheets,
        fmt="xlsx",
        stem=f"{_('Attendance')}-{where}-{first:%Y-%m}",
        ascii_stem=f"attendance-{first:%Y-%m}",
        list_name="attendance",
        rows=len(people),
        filters={"village": village.code if village else "", "month": f"{first:%Y-%m}"},
    )


# ---- the paper register (巡逻登记簿) ----------------------------------------------------------


class PatrolRegister(RegisterView):
    key = "patrols"
    title = gettext_lazy("Patrol register (巡逻登记簿)")
    choose_text = gettext_lazy("Choose a village: the patrol register is kept per village.")
    empty_text = gettext_lazy("No patrols recorded in this month.")
    columns = (
        Column(gettext_lazy("Date"), "pr-col-date"),
        Column(gettext_lazy("Time"), "pr-col-time"),
        Column(gettext_lazy("Route and points visited")),
        Column(gettext_lazy("Patrol members")),
        Column(gettext_lazy("What was found")),
        Column(gettext_lazy("Outcome")),
    )
    cells_template = "patrols/records/_register_cells.html"
    back_url_name = "patrols:attendance"
    nav_template = "patrols/records/_nav.html"
    period = Month()
    chain_book = "duty"
    keeper = gettext_lazy("Patrol member on duty (signature) (值班人签字)")

    def items(self, village: Region, first: dt.date, last: dt.date) -> list:
        shifts = sel.log_shifts(self.request.user, village=village, first=first)
        return sel.decorate(shifts.order_by("starts_at", "id"))

    def sheet_note(self, items) -> str:
        if any(shift.unpositioned_points for shift in items):
            return _(
                "“No position”: the point was checked only by scans without the phone's position."
            )
        return ""

    def back_url(self, village: Region | None, first: dt.date, last: dt.date) -> str:
        url = super().back_url(village, first, last)
        return f"{url}{'&' if village else '?'}month={first:%Y-%m}"


@permission_required(VIEW)
def register_print(request: SignedInRequest) -> HttpResponseBase:
    return PatrolRegister.as_view()(request)


# ---- the ten-household rotation (十户联防) and its ledger ---------------------------------------


def _group_of(request: SignedInRequest, assignment: Assignment) -> JointDefenceGroup | None:
    group_id = assignment.shift.pattern.household_group_id
    if not group_id or not assignment.household_id:
        return None
    return (
        JointDefenceGroup.objects.visible_to(request.user)
        .select_related("region")
        .filter(pk=group_id)
        .first()
    )


def _back(request: SignedInRequest, assignment: Assignment) -> HttpResponse:
    group = _group_of(request, assignment) if request.POST.get("back") == "rotation" else None
    if group is not None:
        return redirect("patrols:rotation", group.pk)
    return redirect("patrols:shift_detail", assignment.shift_id)


def _failure(assignment: Assignment, action: str, form) -> dict:
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return {
        "pk": assignment.pk,
        "action": action,
        "assignment": assignment,
        "errors": errors,
        "data": form.data,
    }


def _rotation_page(
    request: SignedInRequest, group: JointDefenceGroup, failed: dict | None = None
) -> HttpResponse:
    rows = sel.ledger_summary(group)
    now = timezone.now()
    return render(
        request,
        "patrols/records/rotation.html",
        {
            "group": group,
            "turns": sel.upcoming_turns(request.user, group, now=now),
            "recent": sel.recent_turns(request.user, group, now=now),
            "ledger": rows,
            "totals": sel.ledger_totals(rows),
            "can_manage": may_change(request.user, group),
            "failed": failed,
        },
    )


@permission_required(VIEW)
def rotation(request: SignedInRequest, pk: int) -> HttpResponse:
    group = visible_or_404(
        JointDefenceGroup.objects.select_related("region", "leader_household__head"),
        request.user,
        pk=pk,
    )
    return _rotation_page(request, group)


def _turn_failed(
    request: SignedInRequest, assignment: Assignment, action: str, form
) -> HttpResponse:
    group = _group_of(request, assignment)
    if group is not None:
        return _rotation_page(request, group, failed=_failure(assignment, action, form))
    for error in _failure(assignment, action, form)["errors"]:
        messages.error(request, error)
    return redirect("patrols:shift_detail", assignment.shift_id)


@permission_required(MANAGE)
@require_POST
def ledger_buyout(request: SignedInRequest, pk: int) -> HttpResponse:
    """A household pays instead of serving its turn: the payment is a ledger line (for the
    funds books) and settles the turn."""
    assignment = _assignment(request, pk)
    form = BuyOutForm(request.POST)
    if form.is_valid():
        try:
            entry = services.buy_out(
                assignment=assignment,
                amount=form.cleaned_data["amount"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            text = _("Household %(household)s paid %(amount)s yuan for its turn on %(day)s.")
            messages.success(
                request,
                text
                % {
                    "household": assignment.household.number,  # type: ignore[union-attr]
                    "amount": entry.amount,
                    "day": entry.on,
                },
            )
            return redirect("patrols:rotation", entry.group_id)
    return _turn_failed(request, assignment, "buyout", form)


@permission_required(MANAGE)
@require_POST
def stand_in(request: SignedInRequest, pk: int) -> HttpResponse:
    """Another member of the same household serves the turn; the ledger does not change."""
    assignment = _assignment(request, pk)
    form = StandInForm(request.POST, user=request.user)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.stand_in(assignment=assignment, person=person, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            text = _("%(name)s stands in for household %(household)s on %(day)s.")
            messages.success(
                request,
                text
                % {
                    "name": person.name,
                    "household": assignment.household.number,  # type: ignore[union-attr]
                    "day": assignment.shift.service_date,
                },
            )
            return redirect("patrols:rotation", assignment.shift.pattern.household_group_id)
    return _turn_failed(request, assignment, "stand_in", form)


@permission_required(VIEW)
def household_ledger(request: SignedInRequest, pk: int) -> HttpResponse:
    household = visible_or_404(
        Household.objects.select_related("region", "head"), request.user, pk=pk
    )
    page = Paginator(sel.household_lines(request.user, household), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "patrols/records/household_ledger.html",
        {
            "household": household,
            "page": page,
            "balances": sel.household_balances(request.user, household),
            "reasons": sel.exemption_reasons(household),
        },
    )


# ---- a check-in's photo ----------------------------------------------------------------------


@permission_required(VIEW)
def check_in_photo(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """The photo taken at a check-in, never from a public media URL. An image is shown; any
    other file is downloaded."""
    check_in = visible_or_404(
        CheckIn.objects.select_related("assignment__person"), request.user, pk=pk
    )
    if not check_in.photo:
        return render(request, "patrols/records/no_photo.html", {"check_in": check_in})
    suffix = PurePosixPath(check_in.photo.name).suffix.lower()
    try:
        handle = check_in.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle,
        content_type=PHOTO_TYPES.get(suffix, "application/octet-stream"),
        as_attachment=suffix not in PHOTO_TYPES,
        filename=f"check-in-{check_in.pk}{suffix}",
    )
