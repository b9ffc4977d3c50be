"""The registration books (事事有登记，事事有定位): incidents and cases with one owner at every
moment, escalation upward with deadlines, situation reports with nil returns, mediation,
safety inspections with rectification orders, and the villagers' opinion book.

Every change of state or owner is an append-only `CaseEvent` line (and simple-history keeps
the rows), so the book shows who had the matter when and why it moved.
"""

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.crypto import EncryptedTextField
from qunfang.core.models import AppendOnly, Region
from qunfang.core.scoping import RegionOwned
from qunfang.registry.models import Person


class Severity(models.IntegerChoices):
    MINOR = 1, _("Minor")
    ORDINARY = 2, _("Ordinary")
    MAJOR = 3, _("Major")
    CRITICAL = 4, _("Critical")


class CaseType(models.Model):
    """A kind of incident. Reference data kept by the system administrator (the list is the
    same for every village, so it belongs to no jurisdiction)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    is_dispute = models.BooleanField(_("a dispute (can go to mediation)"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("incident type")
        verbose_name_plural = _("incident types")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        if self.name_en and get_language() and get_language().startswith("en"):
            return self.name_en
        return self.name


class EscalationRule(models.Model):
    """What must go up, to whom and how fast: for a type (or all types) from a severity up.
    Reference data kept by the system administrator."""

    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("incident type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: every type."),
    )
    min_severity = models.PositiveSmallIntegerField(_("from severity"), choices=Severity.choices)
    to_township = models.BooleanField(_("report to the township"), default=True)
    to_police = models.BooleanField(_("report to the police station"), default=False)
    within_minutes = models.PositiveIntegerField(
        _("within (minutes)"), validators=[MinValueValidator(5)]
    )

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["case_type__order", "min_severity"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_township=True) | Q(to_police=True), name="escalation_rule_has_target"
            )
        ]

    def __str__(self) -> str:
        severity = self.get_min_severity_display()
        return f"{self.case_type or '*'} ≥ {severity}: {self.within_minutes} min"


class ReporterKind(models.TextChoices):
    PERSON = "person", _("A villager in person")
    PATROL = "patrol", _("A patrol")
    HOTLINE = "hotline", _("Hotline")
    PUBLIC_FORM = "public_form", _("Public form")
    ANONYMOUS = "anonymous", _("Anonymous")
    STAFF = "staff", _("Staff")


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    IN_HAND = "in_hand", _("In hand")
    REFERRED = "referred", _("Referred")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class CaseOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    MEDIATED = "mediated", _("Settled by mediation")
    REFERRED_POLICE = "referred_police", _("Handed to the police")
    REFERRED_TOWNSHIP = "referred_township", _("Handed to the township")
    NOT_RESOLVED = "not_resolved", _("Closed, not resolved")
    UNFOUNDED = "unfounded", _("Unfounded")


def _case_number_year() -> int:
    return timezone.localdate().year


class Case(RegionOwned):
    """案件登记: one matter, one owner at a time."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="cases"
    )
    group = models.ForeignKey(
        Region,
        verbose_name=_("villager group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(default=_case_number_year, editable=False)
    serial = models.PositiveIntegerField(editable=False)  # running number per village and year
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="cases"
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.ORDINARY
    )
    title = models.CharField(_("summary"), max_length=100)
    description = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("occurred at"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    address = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    reporter_kind = models.CharField(_("reported by"), max_length=20, choices=ReporterKind.choices)
    reporter = models.ForeignKey(
        Person,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    # 举报人保密: the name (and the linked person) is shown only to Perm.VIEW_CONFIDENTIAL through
    # a logged reveal, never on prints, and is not searchable
    reporter_confidential = models.BooleanField(
        _("keep the reporter confidential"),
        default=False,
        help_text=_(
            "The reporter's name is then shown only to those allowed to see confidential "
            "reporters, each time logged, and never printed. Hotline and public-form reports "
            "are always confidential."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    handover_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("being handed to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handover_reason = models.CharField(_("reason for the hand-over"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)
    outcome_note = models.TextField(_("how it ended"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    source_check_in = models.ForeignKey(
        "patrols.CheckIn", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    source_opinion = models.ForeignKey(
        "Opinion", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-reported_at"], name="case_region_reported"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            models.Index(fields=["region", "occurred_at"], name="case_region_occurred"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "serial"], name="case_number_unique"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="case_closed_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"{self.year}-{self.serial:04d}"

    def get_absolute_url(self) -> str:
        return reverse("casebook:case_detail", args=[self.pk])


class PartyRole(models.TextChoices):
    VICTIM = "victim", _("Victim")
    SUSPECT = "suspect", _("Suspect")
    PARTY = "party", _("Party to a dispute")
    WITNESS = "witness", _("Witness")


class CaseParty(RegionOwned):
    region_lookup = "case__region"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(
        Person,
        verbose_name=_("person in the registry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "id"]


class Attachment(RegionOwned):
    """A checked upload (photo or PDF) on a case, an inspection hazard or a mediation case."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    hazard = models.ForeignKey(
        "Hazard", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="casebook/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]


class CaseEventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    TRANSITION = "transition", _("Status changed")
    HANDOVER_OFFERED = "handover_offered", _("Hand-over offered")
    HANDOVER_ACCEPTED = "handover_accepted", _("Hand-over accepted")
    HANDOVER_DECLINED = "handover_declined", _("Hand-over declined")
    ESCALATED = "escalated", _("Reported upward")
    ACKNOWLEDGED = "acknowledged", _("Report acknowledged")
    INSTRUCTION = "instruction", _("Instruction handed back")
    NOTE = "note", _("Note")
    REFUSED = "refused", _("Refused attempt")


class CaseEvent(AppendOnly):
    """The case's book of moves: append-only, one hash chain per village."""

    region_lookup = "case__region"
    book = "casebook"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnly.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def chain_region_id(self) -> int | None:
        return self.case.region_id


class Level(models.TextChoices):
    TOWNSHIP = "township", _("Township governance office")
    POLICE = "police", _("Police station")


class Escalation(RegionOwned):
    """A case reported upward (舉報/匯報制度), with its deadline and the receiver's
    acknowledgement."""

    region_lookup = "case__region"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="escalations")
    level = models.CharField(_("reported to"), max_length=10, choices=Level.choices)
    required = models.BooleanField(_("required by the rules"), default=True)
    due_at = models.DateTimeField(_("report due by"))
    sent_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instructions = models.TextField(_("instructions handed back"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("upward report")
        verbose_name_plural = _("upward reports")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="escalation_once_per_level")
        ]


class ReportPeriod(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class SituationReport(RegionOwned):
    """A village's periodic situation report; a nil return (零上报) says nothing happened."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=10, choices=ReportPeriod.choices)
    starts_on = models.DateField(_("from"))
    nil_return = models.BooleanField(_("nil return (nothing to report)"), default=False)
    summary = models.TextField(_("summary"), blank=True)
    counts = models.JSONField(
        default=dict, blank=True
    )  # cases by type in the period, when submitted
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["-starts_on", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period", "starts_on"], name="situation_report_once"
            )
        ]


class DisputeType(models.TextChoices):
    """The usual categories of the people's mediation statistics (人民调解纠纷类型)."""

    MARRIAGE_FAMILY = "marriage_family", _("Marriage and family (婚姻家庭)")
    NEIGHBOURS = "neighbours", _("Neighbours (邻里)")
    HOUSING_LAND = "housing_land", _("House and homestead (房屋宅基地)")
    LAND_FOREST = "land_forest", _("Land, hills and forest (山林土地)")
    CONTRACT = "contract", _("Contract (合同)")
    DAMAGES = "damages", _("Compensation for harm (损害赔偿)")
    LABOUR = "labour", _("Labour and wages (劳动争议)")
    DEMOLITION = "demolition", _("Land requisition and demolition (征地拆迁)")
    TRAFFIC = "traffic", _("Road traffic accident (道路交通事故)")
    PROPERTY_MGMT = "property_mgmt", _("Property management (物业)")
    OTHER = "other", _("Other (其他)")


class MediationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    IN_MEDIATION = "in_mediation", _("In mediation")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", pgettext_lazy("mediation", "Failed")
    REFERRED = "referred", _("Referred to the township or court")
    CLOSED = "closed", _("Closed")


class MediationCase(RegionOwned):
    """调解: a dispute before the mediation committee."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(default=_case_number_year, editable=False)
    serial = models.PositiveIntegerField(editable=False)
    case = models.ForeignKey(
        Case,
        verbose_name=_("from case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediations",
    )
    opinion = models.ForeignKey(
        "Opinion",
        verbose_name=_("from the opinion book"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediations",
    )
    dispute_type = models.CharField(_("dispute"), max_length=30, choices=DisputeType.choices)
    summary = models.TextField(_("what the dispute is about"))
    applied_on = models.DateField(_("applied on"))
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mediators"), related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=MediationStatus.choices, default=MediationStatus.APPLIED
    )
    agreement = models.TextField(_("agreement"), blank=True)
    referred_to = models.CharField(_("referred to"), max_length=100, blank=True)
    follow_up_due = models.DateField(_("follow-up visit due"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up visit"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "serial"], name="mediation_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.dispute_type}"

    @property
    def number(self) -> str:
        return f"{self.year}-{self.serial:04d}"

    def get_absolute_url(self) -> str:
        return reverse("casebook:mediation_detail", args=[self.pk])


class MediationParty(RegionOwned):
    region_lookup = "mediation__region"

    mediation = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    side = models.CharField(
        _("side"), max_length=1, choices=[("A", _("Applicant")), ("B", _("Respondent"))]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["mediation", "side", "id"]


class MediationSession(RegionOwned):
    region_lookup = "mediation__region"

    mediation = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    notes = models.TextField(_("record"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["mediation", "held_on", "id"]


class PlaceKind(models.TextChoices):
    RENTAL = "rental", _("Rental housing")
    SHOP = "shop", _("Shop")
    SCHOOL = "school", _("School")
    POND = "pond", _("Pond or river")
    ELECTRICAL = "electrical", _("Electrical installation")
    FIRE = "fire", _("Fire risk")
    WORKSHOP = "workshop", _("Workshop or factory")
    OTHER = "other", _("Other")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection", "Planned")
    DONE = "done", _("Inspected")
    CLOSED = "closed", _("Closed")


class Inspection(RegionOwned):
    """安全检查 of one place, planned or ad hoc."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    place_name = models.CharField(_("place"), max_length=100)
    place_kind = models.CharField(_("kind of place"), max_length=15, choices=PlaceKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    inspectors = models.CharField(_("inspectors"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-inspected_on", "-planned_for", "-id"]

    def __str__(self) -> str:
        return self.place_name

    def get_absolute_url(self) -> str:
        return reverse("casebook:inspection_detail", args=[self.pk])


class ChecklistItem(RegionOwned):
    region_lookup = "inspection__region"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("item"), max_length=200)
    passed = models.BooleanField(_("passed"), null=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["inspection", "id"]


class Hazard(RegionOwned):
    region_lookup = "inspection__region"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="hazards")
    description = models.TextField(_("hazard"))
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.ORDINARY
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "id"]


class OrderStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification", "Open")
    REPORTED_DONE = "reported_done", _("Reported done")
    VERIFIED = "verified", _("Verified on re-inspection")
    ESCALATED = "escalated", _("Escalated")


class RectificationOrder(RegionOwned):
    """整改通知: who must fix a hazard by when; closed only by a re-inspection."""

    # the inspection's village, kept here: a village's overdue orders are one index range
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    hazard = models.OneToOneField(Hazard, on_delete=models.CASCADE, related_name="order")
    responsible = models.CharField(_("responsible party"), max_length=100)
    measures = models.TextField(_("required measures"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=15, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    reinspected_on = models.DateField(_("re-inspected on"), null=True, blank=True)
    result = models.TextField(_("re-inspection result"), blank=True)
    escalated_case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["region", "status", "deadline"], name="rectification_due_here")
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.region_id:  # always the village of the inspection that found the hazard
            self.region_id = self.hazard.inspection.region_id
        super().save(*args, **kwargs)


class OpinionKind(models.TextChoices):
    OPINION = "opinion", _("Opinion")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of a problem")


class OpinionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_HAND = "in_hand", _("Being looked into")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


def new_tracking_code() -> str:
    """12 characters from an alphabet without look-alikes: ~60 bits, not guessable."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Opinion(RegionOwned):
    """群众意见簿: an entry by a villager, in person or through the public form. Anonymous entries
    keep no name, contact, address or fingerprint of the sender."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OpinionKind.choices)
    text = models.TextField(_("what the villager wrote"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)
    contact = EncryptedTextField(_("contact"), blank=True, default="")
    # 举报人保密: the name and contact are shown only to Perm.VIEW_CONFIDENTIAL through a logged
    # reveal, never printed, and not searchable; a case opened from the entry is confidential too
    confidential = models.BooleanField(
        _("keep the sender confidential"),
        default=False,
        help_text=_(
            "The sender's name and contact are then shown only to those allowed to see "
            "confidential reporters, each time logged, and never printed."
        ),
    )
    channel = models.CharField(
        _("channel"),
        max_length=12,
        choices=[("in_person", _("In person")), ("public_form", _("Public form"))],
    )
    tracking_code = models.CharField(
        max_length=12, unique=True, default=new_tracking_code, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OpinionStatus.choices, default=OpinionStatus.RECEIVED
    )
    answer = models.TextField(_("answer"), blank=True)
    answer_published = models.BooleanField(_("answer published"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    created_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # an anonymous public entry waits for the next hourly batch of notices
    # (opinions.send_held_notices), so no message leaves at the moment of the sender's request
    notice_pending = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords(excluded_fields=["contact", "tracking_code", "notice_pending"])

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinion book")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-created_at"], name="opinion_region_created"),
            models.Index(
                fields=["created_at"],
                condition=Q(notice_pending=True),
                name="opinion_notice_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                # the contact is encrypted (no SQL lookup); services/opinions.py keeps it empty
                # for anonymous entries
                condition=Q(anonymous=False) | Q(name=""),
                name="anonymous_opinion_keeps_no_name",
            ),
            models.CheckConstraint(
                # an anonymous entry has no sender to keep confidential
                condition=Q(anonymous=False) | Q(confidential=False),
                name="anonymous_opinion_not_confidential",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("casebook:opinion_detail", args=[self.pk])


class OverdueNotice(RegionOwned):
    """That the people responsible for an overdue upward report or rectification order were told
    on a day (`casebook.services.overdue`). The row is written before anyone is told: the unique
    day per item makes a second run, or two at once, tell nobody again, and the report and order
    rows themselves are never touched."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, null=True, blank=True, related_name="overdue_notices"
    )
    order = models.ForeignKey(
        RectificationOrder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="overdue_notices",
    )
    on = models.DateField()  # the day in Shanghai
    sent_at = models.DateTimeField(default=timezone.now)
    told = models.PositiveSmallIntegerField(default=0)  # how many people were told

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation__isnull=False, order__isnull=True)
                | Q(escalation__isnull=True, order__isnull=False),
                name="overdue_notice_one_item",
            ),
            models.UniqueConstraint(
                fields=["escalation", "on"], name="overdue_escalation_once_a_day"
            ),
            models.UniqueConstraint(fields=["order", "on"], name="overdue_order_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.escalation or self.order} {self.on}"
