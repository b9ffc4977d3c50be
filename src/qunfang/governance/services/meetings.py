"""Regular meetings (例会): schedules, the meetings they plan, invitations, roll call, holding
and cancelling, and the evidence kept for the books (台账). Decisions: services/decisions.py.

    planned → held        (the minutes and when it was held)
            ↘ cancelled   (with a reason)

Who acts: RUN_GOVERNANCE inside the user's jurisdiction (`can_run`); the roll call also by the
meeting's chair from their own phone (`may_take_roll`); a member marks themselves present by
scanning the meeting's rotating code (`attendance_scan`). Every refusal is a ValidationError in
the reader's language (PermissionDenied/NotYours for who), and changes nothing.

Schedules plan their occurrences as `Meeting` rows ahead of time (`plan_coming_meetings`, a
daily task and on demand when a schedule is made or changed); an occurrence past its day (in
Shanghai time) that was not held is *missed* (selectors.meetings.missed_meetings). A meeting of
a schedule keeps its occurrence's time as `scheduled_at` (the pair is unique): when it was
really held is `held_at`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from qunfang.core.lifecycle import Lifecycle
from qunfang.core.models import Region, User
from qunfang.core.permissions import NotYours
from qunfang.core.roles import Perm
from qunfang.core.rotating_codes import CodeCheck, RotatingCode
from qunfang.core.uploads import CheckedFile, check_upload
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    EvidenceKind,
    Frequency,
    Meeting,
    MeetingEvidence,
    MeetingKind,
    MeetingSchedule,
    MeetingStatus,
    RollCallBy,
)
from qunfang.registry.models import Organisation, OrgStatus, Person

S = MeetingStatus
A = AttendanceStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset(),
    S.CANCELLED: frozenset(),
}
PLAN_AHEAD = dt.timedelta(days=31)  # a schedule's meetings are in the book this long before
LATE_AFTER = dt.timedelta(minutes=15)  # a scan later than this after the start is "late"
CODE_PERIOD = 60  # seconds: the roll-call code on the meeting's screen changes every minute
CODE_LOOKBACK = 2 * 24 * 60  # periods: yesterday's screen is still told apart as stale
FUTURE_SLACK = dt.timedelta(minutes=5)  # a clock a little ahead is not "the future"
MARKS = (A.PRESENT, A.LATE, A.EXCUSED, A.ABSENT)  # what the chair marks
HERE = (A.PRESENT, A.LATE)
MAX_TITLE, MAX_PLACE, MAX_REASON = 100, 100, 200


# ---- who acts -------------------------------------------------------------------------------


def can_run(user: User, region: Region | None = None) -> bool:
    """Whoever runs governance (township officers, village directors), inside their
    jurisdiction; with no region: somewhere."""
    if not (user.is_active and user.can(Perm.RUN_GOVERNANCE)):
        return False
    return region is None or user.works_in(region)


def is_chair(user: User, meeting: Meeting) -> bool:
    chair = meeting.chair
    return chair is not None and chair.account_id is not None and chair.account_id == user.pk


def may_take_roll(user: User, meeting: Meeting) -> bool:
    """The roll call and the screen with its code: whoever runs the village's meetings, and the
    meeting's chair from their own phone."""
    return can_run(user, meeting.organisation.region) or is_chair(user, meeting)


def _require_runner(user: User, region: Region) -> None:
    if not can_run(user, region):
        raise NotYours(_("Only the village's director and the township run its meetings."))


def code_of(meeting: Meeting) -> RotatingCode:
    """The meeting's roll-call code: a minute's code from its secret."""
    return RotatingCode(meeting.code_secret, CODE_PERIOD, max_lookback_periods=CODE_LOOKBACK)


def meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localdate(meeting.scheduled_at)


# ---- schedules ------------------------------------------------------------------------------


def _months(first: dt.date, last: dt.date) -> Iterable[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def occurrence_days(schedule: MeetingSchedule, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days in [first, last] on which the schedule falls due, within its own dates. Weekly:
    its weekday; monthly: its day of the month; quarterly: that day in the month it starts and
    every third month after."""
    first = max(first, schedule.starts_on)
    if schedule.ends_on is not None:
        last = min(last, schedule.ends_on)
    if first > last:
        return []
    if schedule.frequency == Frequency.WEEKLY:
        day = first + dt.timedelta(days=(int(schedule.weekday or 0) - first.weekday()) % 7)
        days = []
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=7)
        return days
    step = 3 if schedule.frequency == Frequency.QUARTERLY else 1
    anchor = schedule.starts_on.month
    found = []
    for year, month in _months(first, last):
        if (month - anchor) % step:
            continue
        day = dt.date(year, month, int(schedule.day_of_month or 1))
        if first <= day <= last:
            found.append(day)
    return found


def occurrences(schedule: MeetingSchedule, first: dt.date, last: dt.date) -> list[dt.datetime]:
    """When the schedule's meetings fall due between two days (inclusive), as aware instants
    at the schedule's time, Shanghai time. Works on an unsaved schedule too (the demo's)."""
    return [
        timezone.make_aware(dt.datetime.combine(day, schedule.time))
        for day in occurrence_days(schedule, first, last)
    ]


def _check_schedule(schedule: MeetingSchedule) -> None:
    problems: dict[str, str] = {}
    schedule.title = (schedule.title or "").strip()
    schedule.place = (schedule.place or "").strip()
    if not schedule.title:
        problems["title"] = _("Give the meeting a title.")
    elif len(schedule.title) > MAX_TITLE:
        problems["title"] = _("The title is too long.")
    if schedule.kind not in MeetingKind.values:
        problems["kind"] = _("Choose the kind of meeting.")
    if schedule.frequency not in Frequency.values:
        problems["frequency"] = _("Choose how often the meeting is held.")
    elif schedule.frequency == Frequency.WEEKLY:
        schedule.day_of_month = None
        if schedule.weekday is None or not 0 <= schedule.weekday <= 6:
            problems["weekday"] = _("Choose the day of the week.")
    else:
        schedule.weekday = None
        if schedule.day_of_month is None or not 1 <= schedule.day_of_month <= 28:
            problems["day_of_month"] = _(
                "Choose a day of the month from 1 to 28 (so that every month has it)."
            )
    if schedule.ends_on is not None and schedule.ends_on < schedule.starts_on:
        problems["ends_on"] = _("The schedule cannot end before it starts.")
    if problems:
        raise ValidationError(problems)


def _check_organisation(organisation: Organisation, by: User) -> None:
    _require_runner(by, organisation.region)
    if organisation.status == OrgStatus.DISSOLVED:
        raise ValidationError(
            {
                "organisation": _("%(org)s is dissolved; it holds no meetings.")
                % {"org": organisation}
            }
        )


@transaction.atomic
def schedule_create(*, schedule: MeetingSchedule, by: User) -> MeetingSchedule:
    """Put a recurring meeting in the book and plan its coming occurrences."""
    if schedule.pk is not None:
        raise ValidationError(_("This schedule is already in the book."))
    _check_organisation(schedule.organisation, by)
    _check_schedule(schedule)
    schedule._change_reason = _("Schedule made")
    schedule.save()
    plan_coming_meetings(schedule=schedule)
    return schedule


def _untouched(meeting: Meeting) -> bool:
    """A planned meeting nobody has worked on yet: nobody marked, no evidence, no decision."""
    return (
        not meeting.attendances.exclude(status=A.INVITED).exists()
        and not meeting.evidence.exists()
        and not meeting.decisions.exists()
    )


def _replan(schedule: MeetingSchedule, old: MeetingSchedule) -> None:
    """After a change of the schedule: its future planned meetings that no longer fall on an
    occurrence go (unless someone worked on them), the others take its new title, kind and
    place where they still had the old ones; then the coming occurrences are planned."""
    coming = Meeting.objects.select_for_update(of=("self",)).filter(
        schedule=schedule, status=S.PLANNED, scheduled_at__gte=timezone.now()
    )
    for meeting in coming:
        day = meeting_day(meeting)
        if meeting.scheduled_at not in occurrences(schedule, day, day):
            if _untouched(meeting):
                meeting.delete()
            continue
        changed = False
        for field in ("title", "kind", "place"):
            if getattr(meeting, field) == getattr(old, field) != getattr(schedule, field):
                setattr(meeting, field, getattr(schedule, field))
                changed = True
        if changed:
            meeting._change_reason = _("The schedule changed")
            meeting.save()
    plan_coming_meetings(schedule=schedule)


SCHEDULE_FIELDS = (
    "kind",
    "title",
    "frequency",
    "weekday",
    "day_of_month",
    "time",
    "place",
    "starts_on",
    "ends_on",
)


@transaction.atomic
def schedule_edit(*, schedule: MeetingSchedule, by: User, **changes: Any) -> MeetingSchedule:
    """Change a schedule (`changes`: any of SCHEDULE_FIELDS); its coming meetings follow."""
    locked = MeetingSchedule.objects.select_for_update(of=("self",)).get(pk=schedule.pk)
    _require_runner(by, locked.organisation.region)
    unknown = set(changes) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"not schedule fields: {sorted(unknown)}")
    old = MeetingSchedule(**{f: getattr(locked, f) for f in SCHEDULE_FIELDS})
    for field, value in changes.items():
        setattr(locked, field, value)
    _check_schedule(locked)
    locked._change_reason = _("Schedule changed")
    locked.save()
    _replan(locked, old)
    return locked


@transaction.atomic
def schedule_end(*, schedule: MeetingSchedule, by: User, ends_on: dt.date) -> MeetingSchedule:
    """The schedule's last day: no occurrence after it is planned or missed."""
    locked = MeetingSchedule.objects.select_for_update(of=("self",)).get(pk=schedule.pk)
    _require_runner(by, locked.organisation.region)
    if ends_on < locked.starts_on:
        raise ValidationError(
            {
                "ends_on": _("The schedule cannot end before it starts (%(day)s).")
                % {"day": locked.starts_on}
            }
        )
    old = MeetingSchedule(**{f: getattr(locked, f) for f in SCHEDULE_FIELDS})
    locked.ends_on = ends_on
    locked._change_reason = _("Schedule ended")
    locked.save()
    _replan(locked, old)
    return locked


def _members(organisation: Organisation) -> QuerySet[Person]:
    """The organisation's current members: people holding one of its posts now."""
    return Person.objects.filter(
        memberships__post__organisation=organisation, memberships__ended_on__isnull=True
    ).distinct()


def _invite_members(meeting: Meeting) -> int:
    invited = set(meeting.attendances.values_list("person_id", flat=True))
    new = [
        Attendance(meeting=meeting, person=person)
        for person in _members(meeting.organisation)
        if person.pk not in invited
    ]
    bulk_create_with_history(new, Attendance)  # an assessment reads the roll as it stood
    return len(new)


def plan_coming_meetings(
    *, schedule: MeetingSchedule | None = None, today: dt.date | None = None
) -> int:
    """Put the occurrences of the next PLAN_AHEAD days in the book as planned meetings, with
    the organisation's members invited; the schedules of dissolved organisations plan nothing.
    Idempotent (one meeting per schedule and occurrence): returns how many it made."""
    today = today or timezone.localdate()
    last = today + PLAN_AHEAD
    schedules = (
        MeetingSchedule.objects.filter(starts_on__lte=last)
        .exclude(ends_on__lt=today)
        .exclude(organisation__status=OrgStatus.DISSOLVED)
        .select_related("organisation")
    )
    if schedule is not None:
        schedules = schedules.filter(pk=schedule.pk)
    made = 0
    for each in schedules:
        due = occurrences(each, today, last)
        if not due:
            continue
        have = set(
            Meeting.objects.filter(schedule=each, scheduled_at__in=due).values_list(
                "scheduled_at", flat=True
            )
        )
        for at in due:
            if at in have:
                continue
            try:
                with transaction.atomic():  # a planner running at the same time made it
                    meeting = Meeting.objects.create(
                        organisation=each.organisation,
                        schedule=each,
                        kind=each.kind,
                        title=each.title,
                        scheduled_at=at,
                        place=each.place,
                    )
                    _invite_members(meeting)
            except IntegrityError:
                continue
            made += 1
    return made


# ---- meetings -------------------------------------------------------------------------------


def _check_person(person: Person, organisation: Organisation, field: str) -> None:
    if not organisation.region.contains(person.region):
        raise ValidationError(
            {
                field: _("%(name)s is not registered in %(village)s.")
                % {"name": person.name, "village": organisation.region.name}
            }
        )


def _check_meeting(meeting: Meeting) -> None:
    problems: dict[str, str] = {}
    meeting.title = (meeting.title or "").strip()
    meeting.place = (meeting.place or "").strip()
    if not meeting.title:
        problems["title"] = _("Give the meeting a title.")
    elif len(meeting.title) > MAX_TITLE:
        problems["title"] = _("The title is too long.")
    if meeting.kind not in MeetingKind.values:
        problems["kind"] = _("Choose the kind of meeting.")
    if meeting.scheduled_at is None:
        problems["scheduled_at"] = _("Enter when the meeting is.")
    if problems:
        raise ValidationError(problems)
    if meeting.chair is not None:
        _check_person(meeting.chair, meeting.organisation, "chair")


def _check_occurrence(meeting: Meeting, schedule: MeetingSchedule) -> None:
    """A meeting of a schedule is one of its occurrences, and the only one in the book."""
    if schedule.organisation_id != meeting.organisation_id:
        raise ValidationError({"schedule": _("The schedule is of another organisation.")})
    day = meeting_day(meeting)
    if meeting.scheduled_at not in occurrences(schedule, day, day):
        raise ValidationError(
            {
                "scheduled_at": _("%(schedule)s does not fall due then; choose one of its days.")
                % {"schedule": schedule.title}
            }
        )
    if Meeting.objects.filter(schedule=schedule, scheduled_at=meeting.scheduled_at).exists():
        raise ValidationError(
            {"scheduled_at": _("This meeting of the schedule is already in the book.")}
        )


@transaction.atomic
def meeting_create(*, meeting: Meeting, by: User, invite_members: bool = True) -> Meeting:
    """A meeting in the book, planned: a one-off, or an occurrence of its schedule (one not yet
    in the book, such as a past one being recorded). The organisation's current members are
    invited unless `invite_members` is False."""
    if meeting.pk is not None:
        raise ValidationError(_("This meeting is already in the book."))
    _check_organisation(meeting.organisation, by)
    _check_meeting(meeting)
    if meeting.schedule is not None:
        _check_occurrence(meeting, meeting.schedule)
    meeting.status = S.PLANNED
    meeting.recorded_by = by
    meeting._change_reason = _("Meeting planned")
    meeting.save()
    if invite_members:
        _invite_members(meeting)
    return meeting


EDITABLE = ("title", "kind", "scheduled_at", "place", "agenda", "materials", "chair")


def _locked(meeting: Meeting, by: User) -> Meeting:
    """The meeting, locked for a write by someone who runs its village's meetings."""
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation__region", "chair", "schedule")
        .get(pk=meeting.pk)
    )
    _require_runner(by, locked.organisation.region)
    return locked


def _not_cancelled(meeting: Meeting) -> None:
    if meeting.status == S.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; it cannot be changed."))


@transaction.atomic
def meeting_edit(*, meeting: Meeting, by: User, **changes: Any) -> Meeting:
    """Change the agenda, materials, place, chair (and, while it is planned, the title, kind and
    time: a meeting of a schedule keeps its occurrence's time)."""
    locked = _locked(meeting, by)
    _not_cancelled(locked)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not meeting fields: {sorted(unknown)}")
    if "scheduled_at" in changes and changes["scheduled_at"] != locked.scheduled_at:
        if locked.status != S.PLANNED:
            raise ValidationError(
                {"scheduled_at": _("The meeting has been held; its planned time stays.")}
            )
        if locked.schedule_id is not None:
            raise ValidationError(
                {
                    "scheduled_at": _(
                        "A meeting of a schedule keeps its planned time: when you hold it, "
                        "record when it really took place."
                    )
                }
            )
    for field, value in changes.items():
        setattr(locked, field, value)
    for field in ("agenda", "materials"):
        setattr(locked, field, (getattr(locked, field) or "").strip())
    _check_meeting(locked)
    locked._change_reason = _("Meeting changed")
    locked.save()
    return locked


@transaction.atomic
def meeting_invite(*, meeting: Meeting, by: User, people: Iterable[Person]) -> int:
    """Add people of the village to the roll; returns how many were new."""
    locked = _locked(meeting, by)
    _not_cancelled(locked)
    people = list(people)
    if not people:
        raise ValidationError({"people": _("Choose whom to invite.")})
    for person in people:
        _check_person(person, locked.organisation, "people")
    invited = set(locked.attendances.values_list("person_id", flat=True))
    new = [Attendance(meeting=locked, person=p) for p in people if p.pk not in invited]
    bulk_create_with_history(new, Attendance)  # an assessment reads the roll as it stood
    return len(new)


@transaction.atomic
def meeting_invite_members(*, meeting: Meeting, by: User) -> int:
    """Invite the organisation's current members who are not yet on the roll."""
    locked = _locked(meeting, by)
    _not_cancelled(locked)
    return _invite_members(locked)


@transaction.atomic
def meeting_uninvite(*, meeting: Meeting, by: User, person: Person) -> None:
    """Take someone off the roll (not someone already marked present or late)."""
    locked = _locked(meeting, by)
    _not_cancelled(locked)
    attendance = locked.attendances.filter(person=person).first()
    if attendance is None:
        raise ValidationError({"person": _("%(name)s is not on the roll.") % {"name": person.name}})
    if attendance.status in HERE:
        raise ValidationError(
            {
                "person": _("%(name)s was marked present and stays on the roll.")
                % {"name": person.name}
            }
        )
    attendance.delete()


def _held_in_time(meeting: Meeting, held_at: dt.datetime | None) -> dt.datetime:
    if held_at is None:
        raise ValidationError({"held_at": _("Enter when the meeting was held.")})
    if held_at > timezone.now() + FUTURE_SLACK:
        raise ValidationError({"held_at": _("A meeting cannot be recorded before it is held.")})
    return held_at


LIFECYCLE: Lifecycle[Meeting] = Lifecycle(
    Meeting,
    MeetingStatus,
    TRANSITIONS,
    may=lambda meeting, user, to: can_run(user, meeting.organisation.region),
    refusals={
        S.HELD: gettext_lazy("Only a planned meeting can be held."),
        S.CANCELLED: gettext_lazy("Only a planned meeting can be cancelled."),
    },
    refusal_field="to",
    stale=lambda seen, locked: seen.status != locked.status,
    stale_message=gettext_lazy("Someone changed this meeting meanwhile. Look again and retry."),
    related=("organisation__region",),
)


def meeting_hold(
    *, meeting: Meeting, by: User, held_at: dt.datetime | None, minutes: str
) -> Meeting:
    """The meeting took place: when, and its minutes. Whoever is still unmarked on the roll is
    recorded absent (the chair may correct the roll afterwards)."""
    _require_runner(by, meeting.organisation.region)
    minutes = (minutes or "").strip()

    def check(locked: Meeting) -> None:
        _held_in_time(locked, held_at)
        if not minutes:
            raise ValidationError(
                {"minutes": _("Write the minutes: what was discussed and decided.")}
            )

    def apply(locked: Meeting) -> None:
        locked.held_at, locked.minutes = held_at, minutes
        locked._change_reason = _("Meeting held")
        for attendance in locked.attendances.filter(status=A.INVITED):  # one history line each
            attendance.status = A.ABSENT
            attendance.save()

    return LIFECYCLE.move(meeting, S.HELD, by=by, check=check, apply=apply)


def meeting_cancel(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    """Call the meeting off, saying why (an occurrence cancelled is not a missed one)."""
    _require_runner(by, meeting.organisation.region)
    reason = (reason or "").strip()

    def check(locked: Meeting) -> None:
        if not reason:
            raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
        if len(reason) > MAX_REASON:
            raise ValidationError({"reason": _("Keep the reason under 200 characters.")})

    def apply(locked: Meeting) -> None:
        locked.cancel_reason = reason
        locked._change_reason = reason[:100]

    return LIFECYCLE.move(meeting, S.CANCELLED, by=by, check=check, apply=apply)


# ---- roll call ------------------------------------------------------------------------------


def _roll_of(meeting: Meeting, person: Person) -> Attendance:
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, person=person)
        .first()
    )
    if attendance is None:
        raise ValidationError(
            _("%(name)s is not invited to this meeting; invite them first.") % {"name": person.name}
        )
    return attendance


@transaction.atomic
def attendance_mark(
    *, meeting: Meeting, by: User, person: Person, status: str, now: dt.datetime | None = None
) -> Attendance:
    """The chair's roll call: present, late, excused or absent, for one invited person."""
    now = now or timezone.now()
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation__region", "chair")
        .get(pk=meeting.pk)
    )
    if not may_take_roll(by, locked):
        raise NotYours(
            _("Only the meeting's chair and whoever runs the village's meetings call the roll.")
        )
    if locked.status == S.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; it has no roll call."))
    if status not in MARKS:
        raise ValidationError(_("Choose present, late, excused or absent."))
    if status in HERE and meeting_day(locked) > timezone.localdate(now):
        raise ValidationError(
            _("The roll call opens on the day of the meeting (%(day)s).")
            % {"day": meeting_day(locked)}
        )
    attendance = _roll_of(locked, person)
    attendance.status = status
    attendance.marked_by_way = RollCallBy.CHAIR
    attendance.marked_at = now
    attendance.marked_by = by
    attendance.save()
    return attendance


def scan_refusal(meeting: Meeting, person: Person | None, now: dt.datetime | None = None) -> str:
    """Why this person (None: the account is linked to nobody) cannot mark themselves present
    at this meeting now, whatever the code ("" when they can): the page says it at once."""
    today = timezone.localdate(now or timezone.now())
    if person is None:
        return _(
            "Your account is not linked to a person in the registry, so you cannot be marked "
            "present. Ask the village's director to link it. Nothing was recorded."
        )
    if meeting.status == S.HELD:
        return _("This meeting is over and its roll is closed. Nothing was recorded.")
    if meeting.status == S.CANCELLED:
        return _("This meeting was cancelled. Nothing was recorded.")
    if meeting_day(meeting) != today:
        return _(
            "This meeting is on %(day)s, not today: the code only works on the day of the "
            "meeting. Nothing was recorded."
        ) % {"day": meeting_day(meeting)}
    if not meeting.attendances.filter(person=person).exists():
        return _(
            "You are not invited to this meeting, so you cannot be marked present. Ask the "
            "chair to invite you. Nothing was recorded."
        )
    return ""


CODE_REFUSALS = {
    CodeCheck.STALE: gettext_lazy(
        "This code has expired (it is from an earlier screen or a photo). Scan the code on the "
        "meeting's screen now. Nothing was recorded."
    ),
    CodeCheck.WRONG: gettext_lazy(
        "This is not the code of this meeting. Scan the code on the meeting's screen. "
        "Nothing was recorded."
    ),
}


@transaction.atomic
def attendance_scan(
    *, meeting: Meeting, user: User, code: str, now: dt.datetime | None = None
) -> tuple[Attendance, bool]:
    """A member scanned the meeting's code: they are present (late after LATE_AFTER). Returns
    their line of the roll and whether it changed (scanning twice changes nothing)."""
    now = now or timezone.now()
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation__region")
        .get(pk=meeting.pk)
    )
    person = Person.objects.filter(account=user).first()
    refusal = scan_refusal(locked, person, now)
    if refusal:
        raise ValidationError(refusal)
    assert person is not None  # scan_refusal said so
    verdict = code_of(locked).check(code, now)
    if verdict is not CodeCheck.VALID:
        raise ValidationError(str(CODE_REFUSALS[verdict]))
    attendance = _roll_of(locked, person)
    if attendance.status in HERE:
        return attendance, False
    attendance.status = A.LATE if now > locked.scheduled_at + LATE_AFTER else A.PRESENT
    attendance.marked_by_way = RollCallBy.QR
    attendance.marked_at = now
    attendance.marked_by = user
    attendance.save()
    return attendance, True


def scan_url(meeting: Meeting, at: dt.datetime | None = None) -> str:
    """What the screen's QR carries: the meeting's scan page with the minute's code."""
    url = reverse("governance:meeting_scan", args=[meeting.pk])
    return f"{url}?c={code_of(meeting).current(at)}"


# ---- evidence (台账) ------------------------------------------------------------------------


@transaction.atomic
def evidence_add(*, meeting: Meeting, by: User, kind: str, upload: CheckedFile) -> MeetingEvidence:
    """Keep a photo, the paper sign-in sheet or another document with the meeting. The file is
    checked (core.uploads): a photo must be an image, the others may be a PDF."""
    locked = _locked(meeting, by)
    if locked.status == S.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; it keeps no evidence."))
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    try:  # a photo must be an image; the form checked it already, this passes it through
        checked = check_upload(upload, allow_pdf=kind != EvidenceKind.PHOTO)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    return MeetingEvidence.objects.create(
        meeting=locked,
        kind=kind,
        file=checked.file,
        content_type=checked.content_type,
        size=checked.size,
        original_name=checked.name,
        uploaded_by=by,
    )
