"""培训: courses and training meetings (以会代训) with hours, roll call, pass or fail and
certificates. Every attendance writes the person's `registry.TrainingRecord`, which placements
and rostering read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.governance.models.meetings import Meeting
from qunfang.registry.models import Organisation, Person, TrainingKind, TrainingRecord


class CourseStatus(models.TextChoices):
    # a course's own words (a meeting is convened, a patrol shift planned: not the same in Chinese)
    PLANNED = "planned", pgettext_lazy("course", "Planned")
    HELD = "held", pgettext_lazy("course", "Held")
    CANCELLED = "cancelled", pgettext_lazy("course", "Cancelled")


class Course(RegionOwned):
    """A course run by a village or by the township (then its villages' people attend)."""

    region = models.ForeignKey(
        Region, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # a training meeting (以会代训): the course is held at this meeting and its roll call
    meeting = models.OneToOneField(
        Meeting,
        verbose_name=_("held at the meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course",
    )
    title = models.CharField(_("title"), max_length=100)
    subject = models.CharField(_("subject"), max_length=30, choices=TrainingKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    starts_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    outline = models.TextField(_("outline"), blank=True)
    # months a certificate of this course is valid; empty: the course gives no certificate
    certificate_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("governance:course_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.title


class Enrolment(RegionOwned):
    """A person on a course: attended, passed, certificate. Seen by the course's region; the
    person's own village sees the training record it writes."""

    region_lookup = "course__region"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    record = models.OneToOneField(
        TrainingRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="enrolment_once"),
            models.CheckConstraint(
                condition=Q(passed__isnull=True) | Q(attended=True),
                name="enrolment_passed_only_if_attended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.person}"
