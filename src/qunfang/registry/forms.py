"""Forms for the registry screens: organisations and posts, people, households, ten-household
groups, vetting and training, security contracts and the spreadsheet import. Every choice of a
related record is limited to what the signed-in user may see, so a forged id from another village
fails validation like a typo; a contract's own rules come from `services.contracts`, shared with
the write itself."""

import datetime as dt
from decimal import Decimal
from typing import cast

from django import forms
from django.core.validators import MinValueValidator
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, PersonalDataFieldsMixin
from qunfang.core.models import Region, RegionKind
from qunfang.core.selectors import villages_visible
from qunfang.registry.fields import PersonChoiceField
from qunfang.registry.models import (
    ContractPayment,
    ContractStatus,
    Household,
    JointDefenceGroup,
    Organisation,
    PerformanceTerm,
    Person,
    Post,
    SecurityContract,
    TrainingRecord,
    VettingCheck,
)
from qunfang.registry.services.contracts import CLOSING, contract_problems, scan_check


class ScopedForm(forms.ModelForm):
    """Limits `region` to the user's villages; subclasses limit their own related fields."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "region" in self.fields:
            self.fields["region"].queryset = villages_visible(user=user)
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE_INPUT


class OrganisationForm(ScopedForm):
    class Meta:
        model = Organisation
        fields = [
            "region",
            "name",
            "kind",
            "form",
            "status",
            "founded_on",
            "status_since",
            "description",
        ]
        widgets = {
            "founded_on": DATE_INPUT,
            "status_since": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "title",
            "duties",
            "seats",
            "is_leader",
            "requires_vetting",
            "requires_township_approval",
            "min_age",
            "max_age",
            "required_training",
        ]
        widgets = {"duties": forms.Textarea(attrs={"rows": 4})}


class PlacementForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    started_on = forms.DateField(label=_("From"), widget=DATE_INPUT)

    def __init__(self, *args, post: Post, user, **kwargs):
        super().__init__(*args, **kwargs)
        person = cast("forms.ModelChoiceField[Person]", self.fields["person"])
        person.queryset = Person.objects.visible_to(user).filter(
            region__path__startswith=post.organisation.region.path
        )


class MembershipEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason for leaving"), max_length=200, required=False)


class PersonForm(PersonalDataFieldsMixin, ScopedForm):
    class Meta:
        model = Person
        fields = [
            "region",
            "household",
            "name",
            "sex",
            "birth_date",
            "id_number",
            "phone",
            "phone_reachable",
            "education",
            "political_status",
            "address",
            "may_serve",
        ]
        widgets = {"birth_date": DATE_INPUT, "id_number": forms.TextInput, "phone": forms.TextInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(self.user).select_related(
            "head"
        )


class HouseholdForm(ScopedForm):
    class Meta:
        model = Household
        fields = [
            "region",
            "group",
            "number",
            "head",
            "address",
            "size",
            *Household.FLAGS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Region.objects.visible_to(self.user).filter(
            kind=RegionKind.GROUP
        )
        self.fields["head"].queryset = (
            self.instance.members.all() if self.instance.pk else Person.objects.none()
        )

    def clean(self):
        data = super().clean()
        region, group = data.get("region"), data.get("group")
        if region and group and group.parent_id != region.pk:
            self.add_error("group", _("This villager group belongs to another village."))
        return data


class JointDefenceGroupForm(ScopedForm):
    households = forms.ModelMultipleChoiceField(
        label=_("Households"),
        queryset=Household.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    leader = forms.ModelChoiceField(label=_("Leading household"), queryset=Household.objects.none())
    changed_on = forms.DateField(label=_("Effective from"), widget=DATE_INPUT)

    class Meta:
        model = JointDefenceGroup
        fields = ["region", "organisation", "name", "formed_on"]
        widgets = {"formed_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        households = Household.objects.visible_to(self.user).select_related("head")
        self.fields["households"].queryset = households
        self.fields["leader"].queryset = households
        self.fields["organisation"].queryset = Organisation.objects.visible_to(self.user).filter(
            kind="joint_defence"
        )
        if self.instance.pk:
            current = self.instance.memberships.filter(left_on__isnull=True).values_list(
                "household", flat=True
            )
            self.fields["households"].initial = list(current)
            self.fields["leader"].initial = self.instance.leader_household_id


class VettingCheckForm(forms.ModelForm):
    class Meta:
        model = VettingCheck
        fields = ["kind", "result", "evidence", "checked_on", "due_on"]
        widgets = {
            "checked_on": DATE_INPUT,
            "due_on": DATE_INPUT,
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("checked_on") and data.get("due_on") and data["due_on"] <= data["checked_on"]:
            self.add_error("due_on", _("Re-vetting must fall due after the check."))
        return data


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = [
            "kind",
            "course",
            "held_on",
            "hours",
            "certificate_number",
            "certificate_expires_on",
        ]
        widgets = {"held_on": DATE_INPUT, "certificate_expires_on": DATE_INPUT}

    def clean(self):
        data = super().clean()
        held, expires = data.get("held_on"), data.get("certificate_expires_on")
        if held and expires and expires <= held:
            self.add_error(
                "certificate_expires_on", _("A certificate must stay valid after the course.")
            )
        if data.get("hours") is not None and data["hours"] <= 0:
            self.add_error("hours", _("Enter the hours of the course."))
        return data


# ---- security contracts ------------------------------------------------------------------


def _place(obj) -> str:
    return f"{obj.name}（{obj.region.name}）"


class ContractForm(forms.ModelForm):
    class Meta:
        model = SecurityContract
        field_classes = {"contractor_person": PersonChoiceField}  # namesakes told apart
        fields = [
            "region",
            "number",
            "title",
            "contractor_person",
            "contractor_team",
            "area",
            "starts_on",
            "ends_on",
            "amount",
            "duties",
            "rights",
            "benefits",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "area": forms.CheckboxSelectMultiple,
            "duties": forms.Textarea(attrs={"rows": 5}),
            "rights": forms.Textarea(attrs={"rows": 3}),
            "benefits": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "contractor_person": _("A person or a team, not both. Either must be in the village."),
            "duties": _("What the contractor must do, one duty a line."),
            "area": _("The village or its villager groups that the contractor looks after."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = villages_visible(user=user)
        self.fields["region"].queryset = villages
        self.fields["contractor_person"].queryset = Person.objects.visible_to(user).select_related(
            "region"
        )
        self.fields["contractor_team"].queryset = Organisation.objects.visible_to(
            user
        ).select_related("region")
        self.fields["contractor_team"].label_from_instance = _place
        self.fields["area"].queryset = (
            Region.objects.visible_to(user)
            .filter(kind__in=[RegionKind.VILLAGE, RegionKind.GROUP])
            .select_related("parent")
        )
        self.fields["area"].label_from_instance = lambda r: (
            f"{r.parent.name} · {r.name}" if r.kind == RegionKind.GROUP else r.name
        )
        self.fields["amount"].validators.append(MinValueValidator(0))
        self.fields["number"].widget.attrs["placeholder"] = _("e.g. FY-2026-01")
        if not self.instance.pk and not self.is_bound and len(villages) == 1:
            self.initial["region"] = villages[0].pk

    def clean(self):
        data = super().clean()
        problems = contract_problems(
            region=data.get("region"),
            number=data.get("number"),
            contractor_person=data.get("contractor_person"),
            contractor_team=data.get("contractor_team"),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            duties=data.get("duties") if "duties" in data else None,
            area=list(data.get("area") or []),
            pk=self.instance.pk,
        )
        for field, messages in problems.items():
            for message in messages:
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
                elif field not in self.fields:
                    self.add_error(None, message)
        return data


class TermForm(forms.ModelForm):
    class Meta:
        model = PerformanceTerm
        fields = ["metric", "comparator", "target", "deduction", "bonus"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("target", "deduction", "bonus"):
            self.fields[name].validators.append(MinValueValidator(0))
        self.fields["bonus"].required = False  # no bonus unless one is written in

    def clean_bonus(self):
        return self.cleaned_data.get("bonus") or Decimal(0)


class PaymentForm(forms.ModelForm):
    class Meta:
        model = ContractPayment
        fields = ["due_on", "amount", "note"]
        widgets = {"due_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].validators.append(MinValueValidator(0.01))


class RowsFormSet(BaseInlineFormSet):
    def kept(self) -> list:
        """The rows to keep: filled in and not marked for deletion (call after is_valid)."""
        return [
            f.instance
            for f in self.forms
            # Django's own test, which its stubs leave out
            if f.cleaned_data and not self._should_delete_form(f)  # type: ignore[attr-defined]
        ]


class TermFormSet(RowsFormSet):
    def clean(self):
        # Instead of the default duplicate check, whose message names no field a person knows.
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            metric = form.cleaned_data.get("metric")
            if metric in seen:
                form.add_error(
                    "metric",
                    _("This measure is already in the contract; each measure may appear once."),
                )
            seen.add(metric)


# (the stubs' factory forgets `formset`: the class is a TermFormSet)
TermFormSetFactory = cast(
    type[TermFormSet],
    inlineformset_factory(
        SecurityContract,
        PerformanceTerm,
        form=TermForm,
        formset=TermFormSet,
        extra=2,
        can_delete=True,
        can_delete_extra=False,
    ),
)
PaymentFormSetFactory = cast(
    type[RowsFormSet],
    inlineformset_factory(
        SecurityContract,
        ContractPayment,
        form=PaymentForm,
        formset=RowsFormSet,
        extra=3,
        can_delete=True,
        can_delete_extra=False,
    ),
)


class TransitionForm(forms.Form):
    """One status change. `to` takes any status: a move the table forbids reaches the service,
    whose message says why (the page offers only the allowed ones)."""

    to = forms.ChoiceField(label=_("New status"), choices=ContractStatus.choices)
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required to settle or terminate: how the results were settled, or why the contract "
            "ends."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("to") in CLOSING and not data.get("note", "").strip():
            self.add_error("note", _("Say how the contract was settled or why it was terminated."))
        if data.get("on") and data["on"] > timezone.localdate():
            self.add_error("on", _("The date cannot be in the future."))
        return data


class RenewForm(forms.Form):
    number = forms.CharField(label=_("Number of the new contract"), max_length=40)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT)

    def __init__(self, *args, contract: SecurityContract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract

    def clean(self):
        data = super().clean()
        starts, ends, number = data.get("starts_on"), data.get("ends_on"), data.get("number")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The contract must end after it starts."))
        if (
            number
            and SecurityContract.objects.filter(
                region_id=self.contract.region_id, number=number
            ).exists()
        ):
            self.add_error(
                "number",
                _("%(village)s already has a contract numbered %(number)s.")
                % {"village": self.contract.region.name, "number": number},
            )
        return data

    @staticmethod
    def suggestion(contract: SecurityContract) -> dict:
        """The next period of the same length, and the number with the year moved on."""
        starts = contract.ends_on + dt.timedelta(days=1)
        ends = starts + (contract.ends_on - contract.starts_on)
        old_year, new_year = str(contract.starts_on.year), str(starts.year)
        if old_year in contract.number and old_year != new_year:
            number = contract.number.replace(old_year, new_year)
        else:
            number = f"{contract.number}-2"
        return {"number": number[:40], "starts_on": starts, "ends_on": ends}


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Scanned agreement"),
        help_text=_("The signed agreement as a PDF, JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )

    def clean_scan(self):
        return scan_check(self.cleaned_data["scan"])  # the checked file, ready to store


# ---- the spreadsheet import --------------------------------------------------------------


class ImportForm(forms.Form):
    # A plain number, not a ModelChoiceField: the view fetches it with visible_or_404, so
    # another village's id answers 404 like a missing one.
    village = forms.IntegerField(label=_("Village"), widget=forms.Select)
    file = forms.FileField(
        label=_("File (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    all_sheets = forms.BooleanField(
        label=_("Read every sheet with the same columns (e.g. one sheet per villager group)"),
        required=False,
    )
    check_only = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = [(v.pk, v.name) for v in villages]
        if len(villages) == 1:
            self.fields["village"].initial = villages[0].pk
