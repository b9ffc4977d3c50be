"""例会: an organisation's regular meetings, their schedules, roll call, minutes, decisions and
the evidence kept for the books (台账)."""

from __future__ import annotations

import pyotp
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import Organisation, Person


class MeetingKind(models.TextChoices):
    STUDY = "study", _("Study meeting (学习会)")
    DEPLOYMENT = "deployment", _("Work deployment (工作部署会)")
    CASE_REVIEW = "case_review", _("Case review (案情分析会)")
    TRAINING = "training", _("Training session (以会代训)")
    VILLAGERS_REPORT = "villagers_report", _("Report to villagers (向群众汇报会)")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


def new_code_secret() -> str:
    return pyotp.random_base32()


class MeetingSchedule(RegionOwned):
    """A recurring meeting (the 治保会 monthly, the patrol team weekly). Each occurrence that falls
    due is a `Meeting`; an occurrence past its day and not held is a missed meeting."""

    region_lookup = "organisation__region"

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="meeting_schedules",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=100)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    # weekly: 0 = Monday … 6 = Sunday; monthly and quarterly: the day of the month (1-28)
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    time = models.TimeField(_("time"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting schedule")
        verbose_name_plural = _("meeting schedules")
        ordering = ["organisation", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency="weekly", weekday__gte=0, weekday__lte=6)
                | (
                    Q(frequency__in=["monthly", "quarterly"])
                    & Q(day_of_month__gte=1, day_of_month__lte=28)
                ),
                name="meeting_schedule_day_fits_frequency",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="meeting_schedule_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.title}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting", "Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(RegionOwned):
    region_lookup = "organisation__region"

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    schedule = models.ForeignKey(
        MeetingSchedule,
        verbose_name=_("schedule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=100)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    materials = models.TextField(_("materials"), blank=True)
    chair = models.ForeignKey(
        Person,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # the roll-call code shown on the chair's screen rotates from this (core.rotating_codes)
    code_secret = models.CharField(max_length=32, default=new_code_secret, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["code_secret"])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "scheduled_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_at__isnull=False),
                name="meeting_held_has_a_time",
            ),
            models.UniqueConstraint(
                fields=["schedule", "scheduled_at"],
                condition=Q(schedule__isnull=False),
                name="meeting_once_per_occurrence",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class RollCallBy(models.TextChoices):
    CHAIR = "chair", _("Marked by the chair")
    QR = "qr", _("Scanned the meeting's code")


class Attendance(RegionOwned):
    """One invited person at one meeting. Only the invited are on the roll."""

    region_lookup = "meeting__organisation__region"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("attendance"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )
    marked_by_way = models.CharField(
        _("marked"), max_length=10, choices=RollCallBy.choices, blank=True
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.person}"


class DecisionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("decision", "Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Decision(RegionOwned):
    """A decision taken at a meeting: a task with an owner and a due date (决议事项)."""

    region_lookup = "meeting__organisation__region"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.TextField(_("what was done"), blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["due_on", "id"]
        # a page's open decisions start from the user's meetings: an index on (status, due_on)
        # alone led SQLite through every township's open decisions (bench/pages.py at 100x)
        indexes = [models.Index(fields=["meeting", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="decision_done_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    SIGN_IN_SHEET = "sign_in_sheet", _("Paper sign-in sheet")
    OTHER = "other", _("Other document")


class MeetingEvidence(RegionOwned):
    """A checked upload (photo or PDF) kept with a meeting (台账)."""

    region_lookup = "meeting__organisation__region"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to="governance/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting evidence")
        verbose_name_plural = _("meeting evidence")
        ordering = ["uploaded_at", "id"]
