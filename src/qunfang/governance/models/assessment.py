"""考核: schemes the township configures, the responsibility letters each village signs, and the
runs that score people, organisations and villages from the records of a period.

A run keeps the scheme it used (`scheme_spec`, plain data) and the moment it read the records
(`cutoff`), so `qunfang assess --check` can compute every score again from the records as they
stood then and say which differ. Closing a run makes it final for adjustments and appeals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qunfang.core.models import Region
from qunfang.core.scoping import RegionOwned
from qunfang.governance.assessment.periods import Period
from qunfang.registry.models import Organisation, Person


class Level(models.TextChoices):
    """Who a scheme scores."""

    VILLAGE = "village", _("Villages")
    ORGANISATION = "organisation", _("Organisations")
    PERSON = "person", _("People")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("scheme", "Draft")
    ACTIVE = "active", pgettext_lazy("scheme", "In use")
    RETIRED = "retired", pgettext_lazy("scheme", "Retired")


class Scheme(RegionOwned):
    """考核办法: what a township scores at one level, with weights that add up to 100, grades,
    one-vote vetoes and how long an appeal may be lodged. Edited only as a draft; a scheme in use
    is copied to change it, so a run's scheme never changes under it."""

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("scores"), max_length=15, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("days to lodge an appeal"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["region", "level", "-created_at"]
        constraints = [
            # one scheme in use per township and level: a run knows which to take
            models.UniqueConstraint(
                fields=["region", "level"],
                condition=Q(status="active"),
                name="one_active_scheme_per_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:scheme_detail", args=[self.pk])


class SchemeIndicator(RegionOwned):
    """One indicator of a scheme (a code of `assessment.indicators.CATALOGUE`), its weight and
    the target at which it earns full marks; a village's letter may set its own target."""

    region_lookup = "scheme__region"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=40)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    target = models.DecimalField(_("target for full marks"), max_digits=10, decimal_places=2)
    # for the indicators with a time limit (cases closed, opinions answered): within how many days
    within_days = models.PositiveSmallIntegerField(
        _("within (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "-weight", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="indicator_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(condition=Q(target__gt=0), name="indicator_target_positive"),
        ]

    def __str__(self) -> str:
        return self.indicator


class SchemeGrade(RegionOwned):
    """A grade (优秀, 良好, 合格, 不合格) from a lowest score up; the lowest grade starts at 0."""

    region_lookup = "scheme__region"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="grades")
    label = models.CharField(_("grade"), max_length=20)
    min_score = models.DecimalField(
        _("from score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["scheme", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_score"], name="grade_score_once"),
            models.UniqueConstraint(fields=["scheme", "label"], name="grade_label_once"),
        ]

    def __str__(self) -> str:
        return self.label


class SchemeVeto(RegionOwned):
    """一票否决: an item (a code of `assessment.vetoes.VETOES`) that puts whoever it hits in the
    lowest grade, whatever the score."""

    region_lookup = "scheme__region"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="vetoes")
    veto = models.CharField(_("veto item"), max_length=40)

    class Meta:
        verbose_name = _("one-vote veto")
        verbose_name_plural = _("one-vote vetoes")
        ordering = ["scheme", "veto"]
        constraints = [models.UniqueConstraint(fields=["scheme", "veto"], name="veto_once")]

    def __str__(self) -> str:
        return self.veto


class ResponsibilityLetter(RegionOwned):
    """综治目标管理责任书: the targets a village signs with the township for a year. A scheme
    reads a village's targets from its letter where it has one."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    village_signatory = models.CharField(_("signed for the village by"), max_length=50, blank=True)
    township_signatory = models.CharField(
        _("signed for the township by"), max_length=50, blank=True
    )
    commitments = models.TextField(_("other commitments"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="letter_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region}"

    def get_absolute_url(self) -> str:
        return reverse("governance:letter_detail", args=[self.pk])


class LetterTarget(RegionOwned):
    region_lookup = "letter__region"

    letter = models.ForeignKey(
        ResponsibilityLetter, on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.CharField(_("indicator"), max_length=40)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["letter", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "indicator"], name="letter_target_once"),
            models.CheckConstraint(condition=Q(target__gt=0), name="letter_target_positive"),
        ]


class RunStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("assessment", "Open")
    CLOSED = "closed", pgettext_lazy("assessment", "Closed")


class AssessmentRun(RegionOwned):
    """One scheme applied to one period (`2026-11`, `2026-Q4`, `2026`) in one township."""

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="runs"
    )
    period = models.CharField(_("period"), max_length=7)
    # derived from the period and the cut-off on save, to order and filter by in the database
    period_last = models.DateField(_("last day of the period"), editable=False)
    is_provisional = models.BooleanField(
        _("provisional"),
        default=False,
        editable=False,
        help_text=_("Computed before the period was over: how it stands, not its result."),
    )
    level = models.CharField(_("scores"), max_length=15, choices=Level.choices)
    # the scheme and the letters' targets as they were used, plain data the engine reads
    scheme_spec = models.JSONField()
    cutoff = models.DateTimeField(_("records read as of"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.OPEN
    )
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appeals_until = models.DateTimeField(_("appeals until"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["scheme_spec"])

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        # the latest period first; of those ending on one day, the quarter, the month, the year
        ordering = ["-period_last", "-period", "region", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "level", "period"], name="assessment_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("governance:run_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == RunStatus.CLOSED

    def save(self, *args: Any, **kwargs: Any) -> None:
        period = Period.parse(self.period)
        self.period_last = period.last
        self.is_provisional = self.cutoff < period.ends
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "period_last", "is_provisional"}
        super().save(*args, **kwargs)


class Score(RegionOwned):
    """The score of one village, organisation or person in a run. `region` is the village (of
    the organisation or person), so a village sees its own scores and no other's."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="scores")
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    computed = models.DecimalField(_("computed score"), max_digits=6, decimal_places=2)
    adjustment = models.DecimalField(
        _("adjustments"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    final = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["run", "rank", "id"]
        indexes = [models.Index(fields=["region", "run"], name="score_village_run")]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "region"],
                condition=Q(organisation__isnull=True, person__isnull=True),
                name="score_once_per_village",
            ),
            models.UniqueConstraint(
                fields=["run", "organisation"],
                condition=Q(organisation__isnull=False),
                name="score_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["run", "person"],
                condition=Q(person__isnull=False),
                name="score_once_per_person",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(person__isnull=True),
                name="score_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.final}"

    @property
    def subject(self) -> Region | Organisation | Person:
        return self.person or self.organisation or self.region

    def get_absolute_url(self) -> str:
        return reverse("governance:score_detail", args=[self.pk])


class ScoreLine(RegionOwned):
    """How one indicator or veto counted: what was measured (`done` of `due`, or an amount),
    against which target, for how many points, and the records that cost points (`refs`:
    `[kind, id, label]`, kinds named in `assessment.refs`)."""

    region_lookup = "score__region"

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="lines")
    indicator = models.CharField(_("indicator"), max_length=40)
    done = models.DecimalField(max_digits=12, decimal_places=2)
    due = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2, null=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    is_veto = models.BooleanField(default=False)
    refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["score", "is_veto", "-weight", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["score", "indicator"], name="score_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.points}"


class Approval(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Adjustment(RegionOwned):
    """A manual change of a score, with its reason; it counts once another officer approves."""

    region_lookup = "score__region"

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="adjustments")
    points = models.DecimalField(_("points (+/-)"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Approval.choices, default=Approval.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    appeal = models.OneToOneField(
        "Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["score", "proposed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="adjustment_not_zero"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False),
                name="adjustment_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points:+} {self.reason}"


class AppealStatus(models.TextChoices):
    LODGED = "lodged", _("Lodged")
    UPHELD = "upheld", _("Upheld: the score changes")
    DISMISSED = "dismissed", _("Dismissed: score unchanged")


class Appeal(RegionOwned):
    """申诉: lodged against a score within the scheme's window, decided by the township; an
    upheld appeal changes the score through an adjustment that names it, once a second officer
    approves it."""

    region_lookup = "score__region"

    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="appeals")
    grounds = models.TextField(_("grounds"))
    indicator = models.CharField(_("indicator appealed"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.LODGED
    )
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-lodged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="lodged") | (Q(decided_by__isnull=False) & ~Q(decision="")),
                name="appeal_decided_with_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} · {self.lodged_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("governance:appeal_detail", args=[self.pk])
