"""Forms for security contracts. Every related record offered is limited to what the signed-in
user may see, so a forged id from another village fails like a typo; the contract's own rules
come from `contracts.contract_problems`, shared with the write itself."""

import datetime as dt

from django import forms
from django.core.validators import MinValueValidator
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.models import Region, RegionKind
from qunfang.registry.contracts import contract_problems, scan_check
from qunfang.registry.models import (
    ContractPayment,
    ContractStatus,
    Organisation,
    PerformanceTerm,
    Person,
    SecurityContract,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CLOSING = (ContractStatus.SETTLED, ContractStatus.TERMINATED)


def visible_villages(user):
    return Region.objects.visible_to(user).filter(kind=RegionKind.VILLAGE)


def _place(obj) -> str:
    return f"{obj.name}（{obj.region.name}）"


class ContractForm(forms.ModelForm):
    class Meta:
        model = SecurityContract
        fields = ["region", "number", "title", "contractor_person", "contractor_team", "area",
                  "starts_on", "ends_on", "amount", "duties", "rights", "benefits"]  # fmt: skip
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
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
        villages = visible_villages(user)
        self.fields["region"].queryset = villages
        self.fields["contractor_person"].queryset = Person.objects.visible_to(user).select_related(
            "region"
        )
        self.fields["contractor_person"].label_from_instance = _place
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
            region=data.get("region"), number=data.get("number"),
            contractor_person=data.get("contractor_person"), contractor_team=data.get("contractor_team"),
            starts_on=data.get("starts_on"), ends_on=data.get("ends_on"),
            duties=data.get("duties") if "duties" in data else None,
            area=list(data.get("area") or []), pk=self.instance.pk,
        )  # fmt: skip
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
        fields = ["metric", "comparator", "target", "deduction"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("target", "deduction"):
            self.fields[name].validators.append(MinValueValidator(0))


class PaymentForm(forms.ModelForm):
    class Meta:
        model = ContractPayment
        fields = ["due_on", "amount", "note"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].validators.append(MinValueValidator(0.01))


class RowsFormSet(BaseInlineFormSet):
    def kept(self) -> list:
        """The rows to keep: filled in and not marked for deletion (call after is_valid)."""
        return [
            f.instance for f in self.forms if f.cleaned_data and not self._should_delete_form(f)
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


TermFormSetFactory = inlineformset_factory(
    SecurityContract, PerformanceTerm, form=TermForm, formset=TermFormSet,
    extra=2, can_delete=True, can_delete_extra=False,
)  # fmt: skip
PaymentFormSetFactory = inlineformset_factory(
    SecurityContract, ContractPayment, form=PaymentForm, formset=RowsFormSet,
    extra=3, can_delete=True, can_delete_extra=False,
)  # fmt: skip


class TransitionForm(forms.Form):
    """One status change. `to` takes any status: a move the table forbids reaches the service,
    whose message says why (the page offers only the allowed ones)."""

    to = forms.ChoiceField(label=_("New status"), choices=ContractStatus.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to settle or terminate: how the results were settled, or why the contract ends."),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("to") in CLOSING and not data.get("note", "").strip():
            self.add_error("note", _("Say how the contract was settled or why it was terminated."))
        if data.get("on") and data["on"] > timezone.localdate():
            self.add_error("on", _("The date cannot be in the future."))
        return data


class RenewForm(forms.Form):
    number = forms.CharField(label=_("Number of the new contract"), max_length=40)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)

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
