"""Forms of the safety inspection screens. Choices of villages are limited to the user's own,
so a forged village of someone else fails like a typo; the services check everything again."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.forms.common import village_field
from qunfang.casebook.models import ChecklistItem, Inspection, PlaceKind, Severity
from qunfang.casebook.services.inspections import MAX_PHOTOS, Reinspection
from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.selectors import villages_visible
from qunfang.core.uploads import check_upload

DATE_ERRORS = {"invalid": _("Enter the date as YYYY-MM-DD.")}
PLANNED, NOW = "planned", "now"
PASS, FAIL = "pass", "fail"


class InspectionForm(forms.Form):
    region = village_field(empty_label=None)
    place_name = forms.CharField(
        label=_("Place"),
        max_length=100,
        error_messages={"required": _("Name the place to inspect.")},
    )
    place_kind = forms.ChoiceField(
        label=_("Kind of place"),
        choices=PlaceKind.choices,
        help_text=_("The checklist for this kind of place is filled in for you."),
        error_messages=choice_errors(_("Choose the kind of place.")),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    when = forms.ChoiceField(
        label=_("When"),
        widget=forms.RadioSelect,
        initial=PLANNED,
        choices=[(PLANNED, _("Planned for a day")), (NOW, _("Ad hoc: inspect now"))],
        error_messages={"required": _("Say whether the inspection is planned or made now.")},
    )
    planned_for = forms.DateField(
        label=_("Planned for"),
        required=False,
        widget=DATE_INPUT,
        error_messages=DATE_ERRORS,
    )
    extra_items = forms.CharField(
        label=_("More checklist items"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One item per line, added to the default checklist."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = villages_visible(user=user)

    def clean(self):
        data = super().clean()
        if data.get("when") == PLANNED:
            planned_for = data.get("planned_for")
            if planned_for is None and "planned_for" not in self.errors:
                self.add_error("planned_for", _("Give the day the inspection is planned for."))
            elif planned_for is not None and planned_for < timezone.localdate():
                self.add_error(
                    "planned_for", _("A planned inspection cannot be dated in the past.")
                )
        else:
            data["planned_for"] = None
        data["extra_items"] = [
            line.strip() for line in data.get("extra_items", "").splitlines() if line.strip()
        ]
        return data


class RecordForm(forms.Form):
    """The checklist as it was found: for each item passed or failed, a note, and whether a
    failed item is registered as a hazard."""

    inspectors = forms.CharField(
        label=_("Inspectors"),
        max_length=200,
        error_messages={"required": _("Name the inspectors.")},
    )
    inspected_on = forms.DateField(
        label=_("Inspected on"),
        widget=DATE_INPUT,
        error_messages={**DATE_ERRORS, "required": _("Give the date of the inspection.")},
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[ChecklistItem] = list(inspection.items.all())
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                widget=forms.RadioSelect,
                choices=[(PASS, _("Passed")), (FAIL, _("Failed"))],
                error_messages=choice_errors(_("Mark this item passed or failed.")),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), max_length=200, required=False
            )
            self.fields[f"hazard_{item.pk}"] = forms.BooleanField(
                label=_("Register it as a hazard"), required=False
            )

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The inspection date lies in the future."))
        return day

    def clean(self):
        data = super().clean()
        for item in self.items:
            if data.get(f"hazard_{item.pk}") and data.get(f"result_{item.pk}") == PASS:
                self.add_error(f"hazard_{item.pk}", _("Only a failed item can become a hazard."))
        return data

    def rows(self):
        return [
            {
                "item": item,
                "result": self[f"result_{item.pk}"],
                "note": self[f"note_{item.pk}"],
                "hazard": self[f"hazard_{item.pk}"],
            }
            for item in self.items
        ]

    def results(self) -> dict[int, tuple[bool, str]]:
        return {
            item.pk: (
                self.cleaned_data[f"result_{item.pk}"] == PASS,
                self.cleaned_data[f"note_{item.pk}"],
            )
            for item in self.items
        }

    def hazards_from(self) -> list[int]:
        return [item.pk for item in self.items if self.cleaned_data.get(f"hazard_{item.pk}")]


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each must decode as a JPEG, PNG or WebP image. Cleans to
    the checked photos (`CheckedFile`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS})
        cleaned = [super(PhotosField, self).clean(f, initial) for f in files]
        # A disguised, oversized or too-many-pixel file is refused here; the rest are cleaned
        # once and the service stores them as they are.
        return [check_upload(upload, allow_pdf=False) for upload in cleaned]


class HazardForm(forms.Form):
    description = forms.CharField(
        label=_("Hazard"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the hazard.")},
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Severity.choices, coerce=int, initial=Severity.ORDINARY
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 6 photos (JPEG, PNG or WebP), 8 MB each."),
    )


class OrderForm(forms.Form):
    responsible = forms.CharField(
        label=_("Responsible party"),
        max_length=100,
        error_messages={"required": _("Name who must rectify the hazard.")},
    )
    measures = forms.CharField(
        label=_("Required measures"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what must be done.")},
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DATE_INPUT,
        error_messages={**DATE_ERRORS, "required": _("Give the deadline.")},
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise ValidationError(_("The deadline cannot be in the past."))
        return deadline


class ReportDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What the responsible party reported"), max_length=200, required=False
    )


class ReinspectForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the re-inspection found"),
        widget=forms.RadioSelect,
        choices=Reinspection.choices,
        error_messages=choice_errors(_("Choose what the re-inspection found.")),
    )
    reinspected_on = forms.DateField(
        label=_("Re-inspected on"),
        widget=DATE_INPUT,
        error_messages={**DATE_ERRORS, "required": _("Give the date of the re-inspection.")},
    )
    result = forms.CharField(
        label=_("What was seen"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_deadline = forms.DateField(
        label=_("New deadline (when not rectified)"),
        required=False,
        widget=DATE_INPUT,
        error_messages=DATE_ERRORS,
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome and outcome != Reinspection.VERIFIED and not data.get("result", "").strip():
            self.add_error("result", _("Say what the re-inspection found."))
        if outcome == Reinspection.NOT_FIXED and "new_deadline" not in self.errors:
            deadline = data.get("new_deadline")
            if deadline is None or deadline < timezone.localdate():
                self.add_error("new_deadline", _("Set a new deadline, today or later."))
        return data
