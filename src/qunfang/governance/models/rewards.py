"""奖惩: the township's rules that turn results into commendations, bonuses, warnings, make-up
duty and rectification orders; the sanctions proposed from results or by hand, approved and
published on the village board; and the payment requests that bonuses, subsidies and contract
settlements become, which the funds books take up (`governance.payments`)."""

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
from qunfang.governance.models.assessment import AssessmentRun
from qunfang.registry.models import Organisation, Person, SecurityContract


class Action(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    BONUS = "bonus", _("Bonus")
    SUBSIDY = "subsidy", _("Subsidy")
    WARNING = "warning", _("Warning")
    MAKE_UP_DUTY = "make_up_duty", _("Make-up duty")
    RECTIFICATION = "rectification", _("Rectification order")


REWARDS = frozenset({Action.COMMENDATION, Action.BONUS, Action.SUBSIDY})
PAID = frozenset({Action.BONUS, Action.SUBSIDY})


class SanctionRule(RegionOwned):
    """A township's rule: when `trigger` (a code of `assessment.triggers.TRIGGERS`) fires at
    least `times` in a period for someone, propose `action` (with `amount` for money)."""

    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    trigger = models.CharField(_("when"), max_length=40)
    times = models.PositiveSmallIntegerField(_("at least this many times"), default=1)
    grade = models.CharField(_("grade"), max_length=20, blank=True)  # for the `grade` trigger
    action = models.CharField(_("then"), max_length=20, choices=Action.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reward and punishment rule")
        verbose_name_plural = _("reward and punishment rules")
        ordering = ["region", "trigger", "times"]
        constraints = [
            models.CheckConstraint(condition=Q(times__gte=1), name="sanction_rule_times_positive"),
            models.CheckConstraint(
                condition=Q(action__in=sorted(PAID), amount__gt=0)
                | (~Q(action__in=sorted(PAID)) & Q(amount__isnull=True)),
                name="sanction_rule_amount_only_for_money",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trigger} ×{self.times} → {self.get_action_display()}"


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("sanction", "Proposed")
    APPROVED = "approved", pgettext_lazy("sanction", "Approved")
    REJECTED = "rejected", pgettext_lazy("sanction", "Rejected")
    PUBLISHED = "published", pgettext_lazy("sanction", "Published")


class Sanction(RegionOwned):
    """A reward or a punishment of a person or an organisation of a village, with the records
    it rests on (`refs`, as a score line's)."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanctions",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanctions",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.TextField(_("reason"))
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    due_on = models.DateField(_("to be done by"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=7, blank=True)
    rule = models.ForeignKey(
        SanctionRule, on_delete=models.PROTECT, null=True, blank=True, related_name="sanctions"
    )
    run = models.ForeignKey(
        AssessmentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="sanctions"
    )
    refs = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SanctionStatus.choices, default=SanctionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published on the village board"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reward or punishment")
        verbose_name_plural = _("rewards and punishments")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["region", "status"], name="sanction_village_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, organisation__isnull=True)
                | Q(person__isnull=True, organisation__isnull=False),
                name="sanction_has_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(action__in=sorted(PAID), amount__gt=0)
                | (~Q(action__in=sorted(PAID)) & Q(amount__isnull=True)),
                name="sanction_amount_only_for_money",
            ),
            # a rule proposes once per subject and period, however often results are re-read
            models.UniqueConstraint(
                fields=["rule", "period", "person"],
                condition=Q(rule__isnull=False, person__isnull=False),
                name="sanction_rule_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["rule", "period", "organisation"],
                condition=Q(rule__isnull=False, organisation__isnull=False),
                name="sanction_rule_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.subject}"

    @property
    def subject(self) -> Person | Organisation:
        return self.person or self.organisation  # type: ignore[return-value]

    @property
    def is_reward(self) -> bool:
        return self.action in REWARDS

    def get_absolute_url(self) -> str:
        return reverse("governance:sanction_detail", args=[self.pk])


class PaymentStatus(models.TextChoices):
    TO_BE_PAID = "to_be_paid", _("To be paid")
    HANDED_ON = "handed_on", _("Handed to funds")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", pgettext_lazy("payment", "Cancelled")


class PaymentRequest(RegionOwned):
    """Money that governance owes: an approved bonus or subsidy, a settled contract. It waits
    as "to be paid" until a funds book registered in `governance.payments` takes it."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    payee_person = models.ForeignKey(
        Person,
        verbose_name=_("payee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payee_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("payee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("purpose"), max_length=200)
    sanction = models.OneToOneField(
        Sanction, on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    settlement = models.OneToOneField(
        "ContractSettlement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.TO_BE_PAID
    )
    requested_at = models.DateTimeField()
    handed_to = models.CharField(_("handed to"), max_length=50, blank=True)
    reference = models.CharField(_("reference in the funds books"), max_length=50, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["region", "status"], name="payment_village_status")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_request_positive"),
            models.CheckConstraint(
                condition=Q(payee_person__isnull=False, payee_organisation__isnull=True)
                | Q(payee_person__isnull=True, payee_organisation__isnull=False),
                name="payment_request_one_payee",
            ),
            models.CheckConstraint(
                condition=Q(sanction__isnull=False, settlement__isnull=True)
                | Q(sanction__isnull=True, settlement__isnull=False),
                name="payment_request_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"¥{self.amount} {self.purpose}"

    @property
    def payee(self) -> Person | Organisation:
        return self.payee_person or self.payee_organisation  # type: ignore[return-value]


class SettlementStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed, waiting for approval")
    APPROVED = "approved", pgettext_lazy("settlement", "Approved")


class ContractSettlement(RegionOwned):
    """A security contract settled against its performance terms, each evaluated from the
    records over the contract's period (`lines`). Approved, it settles the contract and asks
    funds to pay the total."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.OneToOneField(
        SecurityContract, on_delete=models.PROTECT, related_name="settlement"
    )
    cutoff = models.DateTimeField(_("records read as of"))
    base_amount = models.DecimalField(_("contract amount"), max_digits=12, decimal_places=2)
    deductions = models.DecimalField(_("deductions"), max_digits=12, decimal_places=2)
    bonuses = models.DecimalField(_("bonuses"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("to pay"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SettlementStatus.choices,
        default=SettlementStatus.COMPUTED,
    )
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract settlement")
        verbose_name_plural = _("contract settlements")
        ordering = ["-computed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="settlement_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} ¥{self.total}"

    def get_absolute_url(self) -> str:
        return reverse("governance:settlement_detail", args=[self.pk])


class SettlementLine(RegionOwned):
    """One performance term as evaluated: the actual figure, met or not, and what it cost or
    earned."""

    region_lookup = "settlement__region"

    settlement = models.ForeignKey(
        ContractSettlement, on_delete=models.CASCADE, related_name="lines"
    )
    metric = models.CharField(_("measure"), max_length=30)
    comparator = models.CharField(_("must be"), max_length=3)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    actual = models.DecimalField(_("actual"), max_digits=12, decimal_places=2, null=True)
    met = models.BooleanField(_("met"))
    deduction = models.DecimalField(_("deduction"), max_digits=12, decimal_places=2)
    bonus = models.DecimalField(_("bonus"), max_digits=12, decimal_places=2)
    refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["settlement", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "metric"], name="settlement_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.actual}"
