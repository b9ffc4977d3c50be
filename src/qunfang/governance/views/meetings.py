"""Meeting screens (例会): the book with its filters (missed meetings among them), a new
meeting (one-off or an occurrence of a schedule), one meeting with its roll, evidence and
moves, the invitations, the chair's roll call on a phone, the screen with the rotating code,
the member's scan page, and the schedules. Thin: parse, call `services.meetings` or a
selector, render. A refused write shows the service's message and changes nothing.

Reading needs VIEW_GOVERNANCE; acting RUN_GOVERNANCE inside the user's jurisdiction (403
otherwise); the roll call and the screen also the meeting's chair; the scan page any signed-in
member invited to the meeting. Records come through `visible_or_404` (or their own scoped
selector), so another village's meeting answers 404 before anything else is asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.qr import qr_svg
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.forms.meetings import (
    CancelForm,
    EvidenceForm,
    HoldForm,
    InviteForm,
    MarkForm,
    MeetingForm,
    PersonOnRollForm,
    ScanForm,
    ScheduleEndForm,
    ScheduleForm,
)
from qunfang.governance.models import (
    Attendance,
    Frequency,
    Meeting,
    MeetingEvidence,
    MeetingKind,
    MeetingSchedule,
    MeetingStatus,
)
from qunfang.governance.selectors import meetings as sel
from qunfang.governance.services import meetings as service
from qunfang.registry.models import Organisation

VIEW, RUN = Perm.VIEW_GOVERNANCE, Perm.RUN_GOVERNANCE
PAGE_SIZE = 50
QR_SCALE = 7


@dataclass(frozen=True)
class Section:
    """A part of a meeting's page that another book adds (the decisions taken at it): its
    template, and its context from the request and the meeting."""

    template: str
    context: Callable[[SignedInRequest, Meeting], dict[str, Any]]


SECTIONS: list[Section] = []  # appended to from the books' wiring


def _get(request: SignedInRequest, pk: int) -> Meeting:
    return visible_or_404(sel.meeting_for_detail(request.user), request.user, pk=pk)


def _acting(request: SignedInRequest, pk: int) -> Meeting:
    """The meeting (404 when not visible), then the right to run it (403)."""
    meeting = _get(request, pk)
    if not service.can_run(request.user, meeting.organisation.region):
        raise NotYours(_("Only the village's director and the township run its meetings."))
    return meeting


def _choice(request: SignedInRequest, name: str, values: list[str], problem: str) -> str:
    value = request.GET.get(name, "").strip()
    if value and value not in values:
        messages.error(request, problem)
        return ""
    return value


# ---- the book -----------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def meeting_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    organisations = list(sel.organisations_visible(user))
    org_pk = request.GET.get("org", "").strip()
    organisation: Organisation | None = next(
        (o for o in organisations if str(o.pk) == org_pk), None
    )
    if org_pk and organisation is None:
        messages.error(request, _("There is no such organisation; all are shown."))
    kind = _choice(
        request, "kind", MeetingKind.values, _("There is no such kind; all meetings are shown.")
    )
    status = _choice(
        request,
        "status",
        MeetingStatus.values,
        _("There is no such status; all meetings are shown."),
    )
    missed = request.GET.get("missed", "") == "1"
    filters: dict[str, Any] = {"village": village, "organisation": organisation, "kind": kind}
    rows: Any = (
        sel.missed_meetings(user, **filters)
        if missed
        else sel.meeting_list(user, status=status, **filters)
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render(
        request,
        "governance/meetings/list.html",
        {
            "page": page,
            "missed": missed,
            "since": timezone.localdate() - sel.MISSED_LOOKBACK,
            "villages": villages_visible(user=user),
            "village_code": village.code if village else "",
            "organisations": organisations,
            "org_pk": organisation.pk if organisation else None,
            "kinds": MeetingKind.choices,
            "kind": kind,
            "statuses": MeetingStatus.choices,
            "status": status,
            "filtered": bool(village or organisation or kind or status),
            "can_create": service.can_run(user),
        },
    )


# ---- a new meeting, a change ----------------------------------------------------------------


def _occurrence(request: SignedInRequest, schedule: MeetingSchedule) -> dt.datetime | None:
    """The occurrence named by ?at= (a missed one being recorded), else the next coming one."""
    raw = request.GET.get("at", "").strip()
    try:
        at = dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        at = None
    if at is not None and timezone.is_aware(at):
        return at
    today = timezone.localdate()
    coming = service.occurrences(schedule, today, today + dt.timedelta(days=400))
    return coming[0] if coming else None


@permission_required(RUN)
def meeting_create(request: SignedInRequest) -> HttpResponse:
    schedule = None
    initial: dict[str, Any] = {}
    if request.GET.get("schedule"):
        schedule = visible_or_404(
            MeetingSchedule.objects.select_related("organisation__region"),
            request.user,
            pk=request.GET["schedule"],
        )
        if not service.can_run(request.user, schedule.organisation.region):
            raise NotYours(_("Only the village's director and the township run its meetings."))
        at = _occurrence(request, schedule)
        initial = {
            "kind": schedule.kind,
            "title": schedule.title,
            "place": schedule.place,
            "scheduled_at": timezone.localtime(at) if at else None,
        }
    form = MeetingForm(request.POST or None, user=request.user, schedule=schedule, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        if schedule is not None:
            meeting.organisation, meeting.schedule = schedule.organisation, schedule
        try:
            meeting = service.meeting_create(meeting=meeting, by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The meeting is in the book."))
            return redirect("governance:meeting_detail", meeting.pk)
    return render(request, "governance/meetings/form.html", {"form": form, "schedule": schedule})


@permission_required(RUN)
def meeting_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _acting(request, pk)
    form = MeetingForm(request.POST or None, user=request.user, instance=meeting)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.fields if f in service.EDITABLE}
        try:
            service.meeting_edit(meeting=_get(request, pk), by=request.user, **changes)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The meeting has been changed."))
            return redirect("governance:meeting_detail", pk)
    return render(request, "governance/meetings/form.html", {"form": form, "meeting": meeting})


# ---- one meeting ----------------------------------------------------------------------------


def _detail(
    request: SignedInRequest, meeting: Meeting, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    roll: list[Attendance] = list(meeting.attendances.all())
    moves = service.LIFECYCLE.allowed(meeting, user)
    return render(
        request,
        "governance/meetings/detail.html",
        {
            "meeting": meeting,
            "roll": roll,
            "tally": sel.roll_tally(roll),
            "evidence": list(meeting.evidence.all()),
            "can_run": service.can_run(user, meeting.organisation.region),
            "may_take_roll": service.may_take_roll(user, meeting),
            "can_hold": MeetingStatus.HELD in moves,
            "can_cancel": MeetingStatus.CANCELLED in moves,
            "hold_form": forms.get("hold_form")
            or HoldForm(initial={"held_at": _now_minute(meeting)}),
            "cancel_form": forms.get("cancel_form") or CancelForm(),
            "evidence_form": forms.get("evidence_form") or EvidenceForm(),
            "sections": [{"template": s.template, **s.context(request, meeting)} for s in SECTIONS],
        },
        status=status,
    )


def _now_minute(meeting: Meeting) -> dt.datetime:
    """The hold form's suggestion: the planned time when it is past, else now."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    return min(now, timezone.localtime(meeting.scheduled_at))


@require_safe
@permission_required(VIEW)
def meeting_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@require_POST
@permission_required(RUN)
def meeting_hold(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _acting(request, pk)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            service.meeting_hold(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The meeting is recorded as held."))
            return redirect("governance:meeting_detail", pk)
    return _detail(request, _get(request, pk), hold_form=form)


@require_POST
@permission_required(RUN)
def meeting_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _acting(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            service.meeting_cancel(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The meeting has been cancelled."))
            return redirect("governance:meeting_detail", pk)
    return _detail(request, _get(request, pk), cancel_form=form)


# ---- invitations ----------------------------------------------------------------------------


@permission_required(RUN)
def meeting_invitees(request: SignedInRequest, pk: int) -> HttpResponse:
    """The roll: invite people of the village, the organisation's current members, or take
    someone off."""
    meeting = _acting(request, pk)
    user = request.user
    action = request.POST.get("action", "")
    invite_form = InviteForm(request.POST if action == "add" else None, user=user, meeting=meeting)
    remove_form = PersonOnRollForm(request.POST if action == "remove" else None, meeting=meeting)
    problem = ""
    if request.method == "POST":
        try:
            done = _invite_action(request, meeting, action, invite_form, remove_form)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            if done:
                messages.success(request, done)
                return redirect("governance:meeting_invitees", pk)
    roll = list(meeting.attendances.all())
    return render(
        request,
        "governance/meetings/invitees.html",
        {
            "meeting": meeting,
            "roll": roll,
            "invite_form": invite_form,
            "remove_form": remove_form,
            "problem": problem,
            "closed": meeting.status == MeetingStatus.CANCELLED,
        },
    )


def _invite_action(
    request: SignedInRequest,
    meeting: Meeting,
    action: str,
    invite_form: InviteForm,
    remove_form: PersonOnRollForm,
) -> str:
    """Do what the invitations page asked; return what to tell ("" when a form has errors)."""
    by = request.user
    if action == "members":
        n = service.meeting_invite_members(meeting=meeting, by=by)
        if not n:
            return _("All members are invited.")
        return ngettext("%(n)d member invited.", "%(n)d members invited.", n) % {"n": n}
    if action == "add":
        if not invite_form.is_valid():
            return ""
        n = service.meeting_invite(meeting=meeting, by=by, **invite_form.cleaned_data)
        return ngettext("%(n)d person invited.", "%(n)d people invited.", n) % {"n": n}
    if action == "remove":
        if not remove_form.is_valid():
            return ""
        person = remove_form.cleaned_data["person"]
        service.meeting_uninvite(meeting=meeting, by=by, person=person)
        return _("%(name)s is off the roll.") % {"name": person.name}
    raise ValidationError(_("Choose what to do: invite people, the members, or take off."))


# ---- roll call: the chair's phone, the screen, the member's scan ------------------------------


def _roll_call_meeting(request: SignedInRequest, pk: int) -> Meeting:
    """A meeting the user sees or chairs (404 otherwise), whose roll they may call (403)."""
    meeting = sel.meeting_for_roll_call(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if not service.may_take_roll(request.user, meeting):
        raise NotYours(
            _("Only the meeting's chair and whoever runs the village's meetings call the roll.")
        )
    return meeting


@login_required
def meeting_roll_call(request: SignedInRequest, pk: int) -> HttpResponse:
    """The chair's phone: everyone invited, with present / late / excused / absent buttons.
    A button press (htmx) answers with the person's row; without JavaScript, the page."""
    meeting = _roll_call_meeting(request, pk)
    problem = ""
    if request.method == "POST":
        form = MarkForm(request.POST, meeting=meeting)
        attendance = None
        if form.is_valid():
            try:
                attendance = service.attendance_mark(
                    meeting=meeting, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                problem = " ".join(exc.messages)
        else:
            problem = " ".join(str(m) for errors in form.errors.values() for m in errors)
        if request.htmx and attendance is not None:
            return render(
                request,
                "governance/meetings/_roll_row.html",
                {
                    "a": attendance,
                    "meeting": meeting,
                    "marks": service.MARKS,
                    "open": True,
                    # out of band: the tally counts the tap at once, an old refusal goes
                    "oob_tally": sel.roll_tally(list(Attendance.objects.filter(meeting=meeting))),
                },
            )
        if not problem:
            return redirect("governance:meeting_roll_call", pk)
        if request.htmx:  # the row stays as it was; the message goes above the roll
            response = HttpResponse(problem, content_type="text/plain; charset=utf-8")
            response["HX-Retarget"], response["HX-Reswap"] = "#roll-problem", "innerHTML"
            return response
        meeting = _roll_call_meeting(request, pk)  # the roll as it is now
    roll = list(meeting.attendances.all())
    context = {
        "meeting": meeting,
        "roll": roll,
        "tally": sel.roll_tally(roll),
        "marks": service.MARKS,
        "problem": problem,
        "open": meeting.status != MeetingStatus.CANCELLED,
    }
    if request.htmx and request.method == "GET":  # the roll refreshing itself
        return render(request, "governance/meetings/_roll.html", context)
    return render(request, "governance/meetings/roll_call.html", context, status=200)


def _screen_context(request: SignedInRequest, meeting: Meeting) -> dict[str, Any]:
    now = timezone.now()
    code = service.code_of(meeting).current(now)
    here, invited = sel.here_count(meeting)
    return {
        "meeting": meeting,
        "code_spaced": f"{code[:4]} {code[4:]}",
        "qr": qr_svg(request.build_absolute_uri(service.scan_url(meeting, now)), scale=QR_SCALE),
        "shown_at": timezone.localtime(now),
        "here": here,
        "invited": invited,
        "open": meeting.status == MeetingStatus.PLANNED,
    }


@require_safe
@login_required
def meeting_screen(request: SignedInRequest, pk: int) -> HttpResponse:
    """The meeting's screen (a laptop on the projector, a phone on the table): the rotating
    code members scan, refreshed by the page every 20 seconds, and how many have come."""
    meeting = _roll_call_meeting(request, pk)
    template = "_screen_code.html" if request.htmx else "screen.html"
    response = render(request, f"governance/meetings/{template}", _screen_context(request, meeting))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def meeting_scan(request: SignedInRequest, pk: int) -> HttpResponse:
    """What the screen's QR opens on a member's phone: after signing in, one button marks
    them present (late after 15 minutes). Refused with the reason, nothing written: no person
    linked to the account, not invited, a code from an earlier screen or another meeting, a
    meeting not today or already closed."""
    meeting = sel.meeting_for_scan(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    person = sel.person_of(request.user)
    code = request.GET.get("c", "").strip()[:20]
    form = ScanForm(request.POST or None, initial={"code": code})
    blocked = service.scan_refusal(meeting, person)  # whatever the code
    problem = ""
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            attendance, changed = service.attendance_scan(
                meeting=meeting, user=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            return render(
                request,
                "governance/meetings/scan_done.html",
                {"meeting": meeting, "attendance": attendance, "changed": changed},
            )
    return render(
        request,
        "governance/meetings/scan.html",
        {
            "meeting": meeting,
            "person": person,
            "form": form,
            "blocked": blocked,
            "problem": problem,
            # the code travels hidden from the QR; typed when there is none or it was refused
            "type_code": not code or bool(problem) or bool(form.errors),
            "attendance": sel.attendance_of(meeting, person),
        },
    )


# ---- evidence (台账) ------------------------------------------------------------------------


@require_POST
@permission_required(RUN)
def meeting_evidence_add(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = _acting(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service.evidence_add(
                meeting=meeting,
                by=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The file is kept with the meeting."))
            return redirect("governance:meeting_detail", pk)
    return _detail(request, _get(request, pk), evidence_form=form)


@require_safe
@permission_required(VIEW)
def meeting_evidence_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """A checked photo is shown; a PDF is downloaded. Never from a public media URL."""
    evidence = visible_or_404(MeetingEvidence, request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    is_pdf = evidence.content_type == "application/pdf"
    safe = (
        "".join(c if c.isalnum() or c in "-_." else "_" for c in evidence.original_name)
        or "evidence"
    )
    response = FileResponse(
        handle, as_attachment=is_pdf, filename=safe, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- schedules ------------------------------------------------------------------------------


def schedule_when(schedule: MeetingSchedule) -> str:
    """How often and when, in words: "Every Monday at 09:00"."""
    time = schedule.time.strftime("%H:%M")
    if schedule.frequency == Frequency.WEEKLY:
        return _("Every %(weekday)s at %(time)s") % {
            "weekday": WEEKDAYS[int(schedule.weekday or 0)],
            "time": time,
        }
    if schedule.frequency == Frequency.QUARTERLY:
        return _("Every third month from %(month)s, on day %(day)s at %(time)s") % {
            "month": MONTHS[schedule.starts_on.month],
            "day": schedule.day_of_month,
            "time": time,
        }
    return _("Monthly on day %(day)s at %(time)s") % {"day": schedule.day_of_month, "time": time}


@require_safe
@permission_required(VIEW)
def meeting_schedule_list(request: SignedInRequest) -> HttpResponse:
    village = requested_village(request)
    page = Paginator(sel.schedule_list(request.user, village=village), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows: list[Any] = list(page.object_list)  # schedules, with what the list shows
    today = timezone.localdate()
    for schedule in rows:
        schedule.when = schedule_when(schedule)
        schedule.ended = schedule.ends_on is not None and schedule.ends_on < today
        schedule.may_change = service.can_run(request.user, schedule.organisation.region)
    page.object_list = rows
    return render(
        request,
        "governance/meetings/schedule_list.html",
        {
            "page": page,
            "villages": villages_visible(user=request.user),
            "village_code": village.code if village else "",
            "can_create": service.can_run(request.user),
        },
    )


@permission_required(RUN)
def meeting_schedule_create(request: SignedInRequest) -> HttpResponse:
    form = ScheduleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            service.schedule_create(schedule=form.save(commit=False), by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("The schedule is in the book, with its coming meetings planned.")
            )
            return redirect("governance:meeting_schedule_list")
    return render(request, "governance/meetings/schedule_form.html", {"form": form})


def _schedule(request: SignedInRequest, pk: int) -> MeetingSchedule:
    schedule = visible_or_404(
        MeetingSchedule.objects.select_related("organisation__region"), request.user, pk=pk
    )
    if not service.can_run(request.user, schedule.organisation.region):
        raise NotYours(_("Only the village's director and the township run its meetings."))
    return schedule


@permission_required(RUN)
def meeting_schedule_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    form = ScheduleForm(request.POST or None, user=request.user, instance=schedule)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data.get(f) for f in form.fields}
        try:
            service.schedule_edit(schedule=schedule, by=request.user, **changes)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("The schedule has been changed; its coming meetings follow.")
            )
            return redirect("governance:meeting_schedule_list")
    return _schedule_page(request, schedule, form, ScheduleEndForm())


def _schedule_page(
    request: SignedInRequest, schedule: MeetingSchedule, form: ScheduleForm, end: ScheduleEndForm
) -> HttpResponse:
    schedule = visible_or_404(  # as it is in the book (the form may have changed its copy)
        MeetingSchedule.objects.select_related("organisation__region"),
        request.user,
        pk=schedule.pk,
    )
    return render(
        request,
        "governance/meetings/schedule_form.html",
        {"form": form, "schedule": schedule, "end_form": end, "when": schedule_when(schedule)},
    )


@require_POST
@permission_required(RUN)
def meeting_schedule_end(request: SignedInRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    form = ScheduleEndForm(request.POST)
    if form.is_valid():
        try:
            service.schedule_end(schedule=schedule, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The schedule has ended."))
            return redirect("governance:meeting_schedule_list")
    edit = ScheduleForm(user=request.user, instance=schedule)
    return _schedule_page(request, schedule, edit, form)
