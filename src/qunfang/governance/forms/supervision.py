"""Forms of township supervision (督导检查). They parse and offer choices within the user's
jurisdiction; every rule is the service's (`services.supervision`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, DATETIME_INPUT, choice_errors
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.selectors import villages_visible
from qunfang.core.uploads import check_upload
from qunfang.governance.models.supervision import FindingKind, Severity, VisitKind
from qunfang.governance.selectors.supervision import shift_people
from qunfang.patrols.models import Assignment, Shift
from qunfang.registry.fields import PersonChoiceField
from qunfang.registry.models import Membership, Organisation, Person

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
SHIFT_DAYS_AHEAD = 62


class PlanForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)
    villages_to_draw = forms.IntegerField(label=_("Villages to draw"), min_value=0, initial=0)
    night_checks_to_draw = forms.IntegerField(
        label=_("Night shifts to check unannounced"), min_value=0, initial=0
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        townships = (
            Region.objects.visible_to(user).filter(kind=RegionKind.TOWNSHIP).order_by("path")
        )
        field = self.fields["township"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = townships
        if len(townships) == 1:
            field.initial = townships[0].pk
            field.widget = forms.HiddenInput()


class ShiftField(forms.ModelChoiceField[Shift]):
    def label_from_instance(self, obj: Any) -> str:
        starts = timezone.localtime(obj.starts_at)
        return f"{obj.region.name} {starts:%Y-%m-%d %H:%M} {obj.pattern.name}"


class PeopleField(forms.ModelMultipleChoiceField[Person]):
    """The shift's people, each with their check-in times (`claimed`: person id -> times)."""

    claimed: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        times = self.claimed.get(obj.pk) or str(_("no check-in"))
        return f"{obj.name} · {times}"


class VisitForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Region.objects.none(),
        to_field_name="code",
        error_messages=choice_errors(
            _("Choose a village of your township: the township supervises only its own villages.")
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=VisitKind.choices,
        error_messages=choice_errors(_("Choose the kind of visit.")),
    )
    planned_for = forms.DateField(
        label=_("Planned for"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("A night check is planned for its shift's day."),
    )
    shift = ShiftField(
        label=_("Night shift to check"),
        queryset=Shift.objects.none(),
        required=False,
        error_messages=choice_errors(_("Choose a shift of your villages that is still to come.")),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village = self.fields["village"]
        assert isinstance(village, forms.ModelChoiceField)
        village.queryset = villages_visible(user=user)
        now = timezone.now()
        shift = self.fields["shift"]
        assert isinstance(shift, forms.ModelChoiceField)
        shift.queryset = (
            Shift.objects.visible_to(user)
            .filter(
                ends_at__gt=now,
                service_date__lte=timezone.localdate(now) + dt.timedelta(days=SHIFT_DAYS_AHEAD),
            )
            .select_related("pattern", "region")
            .order_by("starts_at", "pk")
        )


class RecordForm(forms.Form):
    visited_at = forms.DateTimeField(label=_("Visited at"), widget=DATETIME_INPUT)
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    score = forms.DecimalField(
        label=_("Score (0–100)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=100,
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    found = PeopleField(
        label=_("Found on patrol"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Only the shift's own people can be found on it.")},
    )

    def __init__(
        self, *args: Any, shift: Shift | None, claimed: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        found = self.fields["found"]
        assert isinstance(found, PeopleField)
        if shift is None:
            del self.fields["found"]
            return
        ids = [a.person_id for a in shift_people(shift)]
        found.queryset = (
            Person.objects.filter(pk__in=ids).defer("id_number", "phone").order_by("pk")
        )
        found.claimed = claimed


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=100)


class _VillageChoices(forms.Form):
    def village_choices(self, village_id: int) -> None:
        org = self.fields["organisation"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = Organisation.objects.filter(region_id=village_id).order_by("name", "pk")
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        # the people who do the work (who hold or held a post, or stood a patrol turn), not
        # every villager: a finding or a task names someone who answers for the work
        works = Exists(Membership.objects.filter(person=OuterRef("pk"))) | Exists(
            Assignment.objects.filter(person=OuterRef("pk"))
        )
        person.queryset = (
            Person.objects.filter(works, region_id=village_id)
            .defer("id_number", "phone")
            .order_by("name", "pk")
        )


ORG_ERRORS = choice_errors(_("Choose an organisation of the village visited."))
PERSON_ERRORS = choice_errors(_("Choose a person of the village visited."))


class FindingForm(_VillageChoices):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (FindingKind.PROBLEM, FindingKind.PROBLEM.label),
            (FindingKind.GOOD, FindingKind.GOOD.label),
        ],
        error_messages=choice_errors(_("Choose a problem or a good practice.")),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.MINOR,
        error_messages=choice_errors(_("Choose how serious it is.")),
    )
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        error_messages=ORG_ERRORS,
    )
    person = PersonChoiceField(
        village=False,  # the village visited's own people
        label=_("Person"),
        queryset=Person.objects.none(),
        required=False,
        error_messages=PERSON_ERRORS,
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("A JPEG, PNG or WebP photo."),
        error_messages={"empty": _("The file is empty.")},
    )

    def __init__(self, *args: Any, village_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.village_choices(village_id)

    def clean_photo(self) -> Any:
        upload = self.cleaned_data.get("photo")
        return check_upload(upload, allow_pdf=False) if upload else None


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )

    def clean_photo(self) -> Any:
        return check_upload(self.cleaned_data["photo"], allow_pdf=False)


class TaskForm(_VillageChoices):
    text = forms.CharField(
        label=_("What to put right"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)
    organisation = forms.ModelChoiceField(
        label=_("Organisation responsible"),
        queryset=Organisation.objects.none(),
        required=False,
        error_messages=ORG_ERRORS,
    )
    person = PersonChoiceField(
        village=False,
        label=_("Person responsible"),
        queryset=Person.objects.none(),
        required=False,
        error_messages=PERSON_ERRORS,
    )

    def __init__(self, *args: Any, village_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.village_choices(village_id)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class RecheckForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("pass", _("Put right: verified")), ("fail", _("Not put right: open again"))],
        widget=forms.RadioSelect,
        error_messages=choice_errors(_("Choose whether it was put right.")),
    )
    note = forms.CharField(
        label=_("What the re-check found"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_deadline = forms.DateField(
        label=_("New deadline"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("When it was not put right."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") == "fail" and not data.get("new_deadline"):
            raise ValidationError({"new_deadline": _("Give the new deadline.")})
        return data
