"""Registries: organisations in their three forms, posts and duties, people, households,
ten-household joint-defence groups, vetting (三关), training records and security contracts.

Every model belongs to a village (or township) through `region`, and is reached through
`.visible_to(user)` like everything else.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qunfang.core.crypto import EncryptedTextField, blind_index
from qunfang.core.models import Region
from qunfang.core.personal import mask_id_number, mask_phone
from qunfang.core.scoping import RegionOwned


class OrgKind(models.TextChoices):
    SECURITY_COMMITTEE = "security_committee", _("Security committee")
    MEDIATION_COMMITTEE = "mediation_committee", _("Mediation committee")
    PATROL_TEAM = "patrol_team", _("Patrol team")
    VILLAGE_GUARD = "village_guard", _("Village guard")
    JOINT_DEFENCE = "joint_defence", _("Ten-household joint defence")
    SECURITY_CONTRACT = "security_contract", _("Contracted security")


class OrgForm(models.TextChoices):
    """Article §2.2: who pays and how the organisation is held to account."""

    PAID = "paid", _("Professional paid patrol")
    VOLUNTARY = "voluntary", _("Voluntary patrol")
    CONTRACTED = "contracted", _("Security contracting")
    NONE = "none", _("Not a patrol organisation")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Working")
    SUSPENDED = "suspended", _("Suspended")
    DISSOLVED = "dissolved", _("Dissolved")


class Organisation(RegionOwned):
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="organisations"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=OrgKind.choices)
    form = models.CharField(
        _("organisation form"), max_length=20, choices=OrgForm.choices, default=OrgForm.NONE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="organisation_name_unique_in_region"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.name


class TrainingKind(models.TextChoices):
    SECURITY_BASICS = "security_basics", _("Security work basics")
    PATROL = "patrol", _("Patrol skills")
    MEDIATION = "mediation", _("Mediation")
    LAW = "law", _("Law and policy")
    POLITICAL = "political", _("Political and ideological education")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    FIRST_AID = "first_aid", _("First aid")


class Post(RegionOwned):
    """A post in an organisation and its duties (岗位责任), with what its holder must meet."""

    region_lookup = "organisation__region"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("post"), max_length=60)
    duties = models.TextField(_("duties"), blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    is_leader = models.BooleanField(_("leads the organisation"), default=False)
    requires_vetting = models.BooleanField(_("requires vetting"), default=False)
    # 选聘: the township approves an appointment to this post after the village committee
    requires_township_approval = models.BooleanField(
        _("appointment needs the township's approval"), default=False
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    required_training = models.CharField(
        _("required training"), max_length=30, blank=True, choices=TrainingKind.choices
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organisation", "-is_leader", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title"], name="post_title_unique_in_org"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="post_has_a_seat"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="post_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.title}"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Education(models.TextChoices):
    NONE = "none", _("No schooling")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary / vocational")
    COLLEGE = "college", _("College or above")


class Political(models.TextChoices):
    MASSES = "masses", _("Ordinary citizen")
    PARTY = "party", _("Communist Party member")
    LEAGUE = "league", _("Communist Youth League member")
    OTHER = "other", _("Other party")


MAX_HOUSEHOLD_SIZE = 50  # more people in one household is a typing error


class Household(RegionOwned):
    """The duty unit of ten-household joint defence."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="households"
    )
    group = models.ForeignKey(
        Region,
        verbose_name=_("villager group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_households",
    )
    number = models.CharField(_("household number"), max_length=20)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head of household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # how many people the household registers (人口数), as rosters give it: empty when unknown,
    # and not the members recorded here, who may be fewer
    size = models.PositiveSmallIntegerField(
        _("household size"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOUSEHOLD_SIZE)],
    )
    elderly_only = models.BooleanField(_("elderly only"), default=False)
    disabled_member = models.BooleanField(_("has a disabled member"), default=False)
    absent = models.BooleanField(_("migrant / away"), default=False)
    low_income = models.BooleanField(_("minimum living allowance (低保)"), default=False)
    five_guarantees = models.BooleanField(_("five guarantees (五保)"), default=False)
    # the yes/no facts above, as the list filters on them and the form and spreadsheets carry them
    FLAGS = ("elderly_only", "disabled_member", "absent", "low_income", "five_guarantees")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["region__path", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"], name="household_number_unique_in_village"
            ),
            models.CheckConstraint(
                condition=Q(size__isnull=True) | Q(size__gte=1, size__lte=MAX_HOUSEHOLD_SIZE),
                name="household_size_sensible",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.pk])

    def __str__(self) -> str:
        head = self.head.name if self.head is not None else ""
        return f"{self.number} {head}".strip()

    @property
    def exempt_from_duty(self) -> bool:
        return self.elderly_only or self.disabled_member or self.absent


class Person(RegionOwned):
    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="people"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    id_number_bidx = models.CharField(max_length=64, null=True, unique=True, editable=False)  # noqa: DJ001
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_reachable = models.BooleanField(_("reachable by phone"), default=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    political_status = models.CharField(
        _("political status"), max_length=20, choices=Political.choices, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    may_serve = models.BooleanField(_("may serve on duty for the household"), default=True)
    # The person's own sign-in, for self-service (own shifts, absences, check-in on patrol).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    history = HistoricalRecords(excluded_fields=["id_number_bidx"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["region__path", "name", "id"]
        indexes = [models.Index(fields=["region", "name", "id"], name="person_list_order")]

    def get_absolute_url(self) -> str:
        return reverse("registry:person_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.id_number_bidx = blind_index(self.id_number) if self.id_number else None
        super().save(*args, **kwargs)

    def age_on(self, day: dt.date) -> int:
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Membership(RegionOwned):
    """A person holding a post from `started_on` until `ended_on` (open while null)."""

    region_lookup = "post__organisation__region"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="memberships")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "post"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_per_person_post",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.post}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class JointDefenceGroup(RegionOwned):
    """十户联防组: about ten households, one of which leads. Re-forming keeps the history."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="joint_defence_groups",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
    )
    name = models.CharField(_("name"), max_length=60)
    leader_household = models.ForeignKey(
        Household,
        verbose_name=_("leading household"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    formed_on = models.DateField(_("formed on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ten-household group")
        verbose_name_plural = _("ten-household groups")
        ordering = ["region__path", "name"]
        indexes = [models.Index(fields=["region", "formed_on", "id"], name="group_list_order")]

    def get_absolute_url(self) -> str:
        return reverse("registry:group_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.name


class GroupMembership(RegionOwned):
    region_lookup = "group__region"

    group = models.ForeignKey(
        JointDefenceGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="group_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True),
                name="household_in_one_group_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.household}"


class VettingKind(models.TextChoices):
    POLITICAL = "political", _("Political check")
    QUALITY = "quality", _("Quality check")
    AGE = "age", _("Age check")


class VettingResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class VettingCheck(RegionOwned):
    """One of the three checks (政治关、素质关、年龄关), signed by the village committee, then the
    police station. It counts once both have signed, until `due_on`."""

    region_lookup = "person__region"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="vetting_checks")
    kind = models.CharField(_("check"), max_length=20, choices=VettingKind.choices)
    result = models.CharField(
        _("result"), max_length=20, choices=VettingResult.choices, default=VettingResult.PENDING
    )
    evidence = models.TextField(_("evidence"), blank=True)
    checked_on = models.DateField(_("checked on"))
    due_on = models.DateField(_("re-vetting due"))
    village_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village committee sign-off"),
    )
    village_signed_on = models.DateField(_("village sign-off date"), null=True, blank=True)
    police_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("police station sign-off"),
    )
    police_signed_on = models.DateField(_("police sign-off date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vetting check")
        verbose_name_plural = _("vetting checks")
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("checked_on")), name="vetting_due_after_check"
            ),
            models.CheckConstraint(
                condition=Q(police_signed_by__isnull=True) | Q(village_signed_by__isnull=False),
                name="vetting_police_signs_after_village",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.get_result_display()}"

    def counts_on(self, day: dt.date) -> bool:
        return (
            self.result == VettingResult.PASSED
            and self.police_signed_by_id is not None
            and self.checked_on <= day < self.due_on
        )


class TrainingRecord(RegionOwned):
    region_lookup = "person__region"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_records")
    kind = models.CharField(_("training"), max_length=30, choices=TrainingKind.choices)
    course = models.CharField(_("course"), max_length=100)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    certificate_expires_on = models.DateField(_("certificate valid until"), null=True, blank=True)
    # a course with an examination says how it went; a failed attendance is on the record (the
    # hours count) but qualifies for nothing
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.course}"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("In force")
    SETTLED = "settled", _("Settled")
    TERMINATED = "terminated", _("Terminated")


class SecurityContract(RegionOwned):
    """治安承包: a written agreement — duties, rights, pay and performance terms, settled
    against results. The contractor is a person or a team (an organisation)."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="security_contracts",
    )
    number = models.CharField(_("contract number"), max_length=40)
    title = models.CharField(_("title"), max_length=100)
    contractor_person = models.ForeignKey(
        Person,
        verbose_name=_("contractor (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    contractor_team = models.ForeignKey(
        Organisation,
        verbose_name=_("contractor (team)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    area = models.ManyToManyField(
        Region, verbose_name=_("area covered"), related_name="+", blank=True
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    duties = models.TextField(_("duties"))
    rights = models.TextField(_("rights"), blank=True)
    benefits = models.TextField(_("benefits"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_note = models.TextField(_("settlement or termination note"), blank=True)
    agreement_scan = models.FileField(_("scanned agreement"), upload_to="contracts/%Y/", blank=True)
    renewed_from = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
    )

    history = HistoricalRecords(m2m_fields=[area])

    class Meta:
        verbose_name = _("security contract")
        verbose_name_plural = _("security contracts")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"], name="contract_number_unique_in_village"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="contract_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(contractor_person__isnull=True, contractor_team__isnull=False)
                | Q(contractor_person__isnull=False, contractor_team__isnull=True),
                name="contract_has_exactly_one_contractor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def contractor(self):
        return self.contractor_person or self.contractor_team


class ContractPayment(RegionOwned):
    region_lookup = "contract__region"

    contract = models.ForeignKey(
        SecurityContract, on_delete=models.CASCADE, related_name="payments"
    )
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment instalment")
        verbose_name_plural = _("payment instalments")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.due_on} ¥{self.amount}"


class Metric(models.TextChoices):
    """Measurable results a contract can promise; the assessment issue computes the actuals."""

    PATROL_HOURS = "patrol_hours", _("Patrol hours per month")
    PATROL_COMPLETION = "patrol_completion", _("Patrol completion rate (%)")
    THEFTS = "thefts", _("Thefts in the area per month")
    INCIDENTS = "incidents", _("Incidents in the area per month")
    RESPONSE_MINUTES = "response_minutes", _("Response time (minutes)")


class Comparator(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class PerformanceTerm(RegionOwned):
    region_lookup = "contract__region"

    contract = models.ForeignKey(SecurityContract, on_delete=models.CASCADE, related_name="terms")
    metric = models.CharField(_("measure"), max_length=30, choices=Metric.choices)
    comparator = models.CharField(_("must be"), max_length=3, choices=Comparator.choices)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    deduction = models.DecimalField(
        _("deduction if missed (yuan)"), max_digits=12, decimal_places=2, default=0
    )
    bonus = models.DecimalField(
        _("bonus if met (yuan)"), max_digits=12, decimal_places=2, default=0
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("performance term")
        verbose_name_plural = _("performance terms")
        constraints = [
            models.UniqueConstraint(fields=["contract", "metric"], name="one_term_per_metric"),
            models.CheckConstraint(
                condition=Q(target__gte=0) & Q(deduction__gte=0) & Q(bonus__gte=0),
                name="term_values_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.get_comparator_display()} {self.target}"

    def is_met_by(self, actual) -> bool:
        return (
            actual >= self.target
            if self.comparator == Comparator.AT_LEAST
            else actual <= self.target
        )
