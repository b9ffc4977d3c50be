"""督导检查: the township's supervision of its villages — plans that draw villages and recent
night shifts at random, visits (announced, spot and unannounced night checks), findings with
photos, and the rectification tasks that follow them to a re-check."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.patrols.models import Shift
from qunfang.registry.models import Organisation, Person


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("supervision plan", "Draft")
    DRAWN = "drawn", pgettext_lazy("supervision plan", "Drawn")
    DONE = "done", pgettext_lazy("supervision plan", "Done")


class SupervisionPlan(RegionOwned):
    """A township's inspection plan for a stretch of days: how many villages and how many recent
    night shifts to draw at random. `seed` makes the draw repeatable, so it can be shown fair."""

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    villages_to_draw = models.PositiveSmallIntegerField(_("villages to draw"), default=0)
    night_checks_to_draw = models.PositiveSmallIntegerField(
        _("night shifts to check unannounced"), default=0
    )
    seed = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision plan")
        verbose_name_plural = _("supervision plans")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="supervision_plan_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")
    SPOT = "spot", _("Spot check")
    NIGHT = "night", _("Unannounced night check")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("supervision visit", "Planned")
    DONE = "done", pgettext_lazy("supervision visit", "Done")
    CANCELLED = "cancelled", pgettext_lazy("supervision visit", "Cancelled")


class SupervisionVisit(RegionOwned):
    """One visit to a village. A night check names the shift it checks; `found_on_duty` is how
    many of that shift's people the inspectors found out on patrol. A village does not see an
    unannounced visit before it is done."""

    plan = models.ForeignKey(
        SupervisionPlan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    planned_for = models.DateField(_("planned for"))
    shift = models.ForeignKey(
        Shift,
        verbose_name=_("shift checked"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    inspectors = models.CharField(_("inspectors"), max_length=200, blank=True)
    found_on_duty = models.PositiveSmallIntegerField(
        _("people found on patrol"), null=True, blank=True
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["-planned_for", "-id"]
        indexes = [models.Index(fields=["region", "planned_for"], name="visit_region_day")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="night") | Q(shift__isnull=False),
                name="night_check_names_its_shift",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="visit_score_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visited_at__isnull=False),
                name="visit_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.planned_for:%Y-%m-%d} {self.get_kind_display()}"


class FindingKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    GOOD = "good", _("Good practice")
    NOT_FOUND = "not_found", _("Checked in but not found on patrol")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")


class SupervisionFinding(RegionOwned):
    """What the inspectors found on a visit: a problem (which may get a rectification task), a
    good practice worth a bulletin, or a patroller who checked in but was not found."""

    visit = models.ForeignKey(SupervisionVisit, on_delete=models.CASCADE, related_name="findings")
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FindingKind.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    text = models.TextField(_("finding"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class FindingPhoto(RegionOwned):
    """A checked photo of a finding (`core.uploads.check_upload`)."""

    finding = models.ForeignKey(SupervisionFinding, on_delete=models.CASCADE, related_name="photos")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="supervision/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "id"]


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification task", "Open")
    REPORTED = "reported", pgettext_lazy("rectification task", "Reported done")
    VERIFIED = "verified", pgettext_lazy("rectification task", "Verified")
    CANCELLED = "cancelled", pgettext_lazy("rectification task", "Cancelled")


class RectificationTask(RegionOwned):
    """整改任务: what a village must put right after a finding, by when, and who answers for
    it. The village reports it done; the township re-checks: verified, or open again with a new
    deadline (`rechecks` counts the failed re-checks)."""

    finding = models.ForeignKey(SupervisionFinding, on_delete=models.PROTECT, related_name="tasks")
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("what to put right"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    reported_on = models.DateField(_("reported done on"), null=True, blank=True)
    report = models.TextField(_("what was done"), blank=True)
    rechecked_on = models.DateField(_("re-checked on"), null=True, blank=True)
    recheck_note = models.TextField(_("re-check"), blank=True)
    rechecks = models.PositiveSmallIntegerField(_("failed re-checks"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["region", "deadline"], name="rtask_region_deadline")]

    def __str__(self) -> str:
        return self.text[:40]
