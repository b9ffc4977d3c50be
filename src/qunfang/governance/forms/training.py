"""Forms of the training book. What they offer is limited to what the signed-in user may see
and run, so a forged id fails like a typo; the rules themselves (hours, subjects, who may be on
a course, results only for those who attended) are `governance.services.training`'s, which the
views call — the forms ask the same questions first, so a bad value is told at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.governance.models import Course, CourseStatus, Enrolment, Meeting
from qunfang.governance.selectors import training as sel
from qunfang.governance.services.training import (
    MAX_CERTIFICATE_MONTHS,
    CourseDetails,
    hours_problem,
    meeting_day,
    months_problem,
)
from qunfang.registry.models import Organisation, Person, TrainingKind

DATE_ERRORS = {
    "invalid": _("Enter a date such as 2027-03-01."),
    "required": _("Enter the date of the course."),
}
PASSED, FAILED = "passed", "failed"
RESULT_CHOICES = [
    ("", "—"),
    (PASSED, pgettext_lazy("training result", "Passed")),
    (FAILED, pgettext_lazy("training result", "Failed")),
]


def _region_label(region) -> str:
    return f"{region.parent.name}{region.name}" if region.parent_id else region.name


def _org_label(org: Organisation) -> str:
    return f"{org.name}（{org.region.name}）"


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting_day(meeting):%Y-%m-%d} {meeting.title}（{meeting.organisation.name}）"


def _person_label(person: Person) -> str:
    return f"{person.name}（{person.region.name}）"


class CourseForm(forms.Form):
    """A new course (then: who runs it, and the training meeting it is held at, if any) or
    changes to a planned one."""

    region: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Run by"),
        queryset=None,
        error_messages=choice_errors(_("Choose the village or township running the course.")),
    )
    meeting: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Held at the training meeting (以会代训)"),
        queryset=None,
        required=False,
        help_text=_(
            "A training session of the meetings book: its roll call then says who attended."
        ),
        error_messages={"invalid_choice": _("Choose one of the training meetings offered.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        error_messages={"required": _("Give the course a title.")},
    )
    subject = forms.ChoiceField(
        label=_("Subject"),
        choices=[("", "—"), *TrainingKind.choices],
        error_messages=choice_errors(_("Choose the subject from the list.")),
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": _("Give the course's hours as a number above zero, such as 4 or 1.5."),
            "invalid": _("Give the course's hours as a number above zero, such as 4 or 1.5."),
            "max_digits": _("Give the hours with at most one decimal place, such as 1.5."),
            "max_decimal_places": _("Give the hours with at most one decimal place, such as 1.5."),
            "max_whole_digits": _("Give the hours with at most one decimal place, such as 1.5."),
        },
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
    )
    starts_on = forms.DateField(
        label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate, error_messages=DATE_ERRORS
    )
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        help_text=_("Its members are put on the course."),
        error_messages={"invalid_choice": _("Choose one of the organisations offered.")},
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    trainer = forms.CharField(label=_("Trainer"), max_length=100, required=False)
    certificate_months = forms.IntegerField(
        label=_("Certificate valid for (months)"),
        required=False,
        help_text=_("Leave empty when the course gives no certificate."),
    )
    outline = forms.CharField(
        label=_("Outline"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, user, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["certificate_months"].error_messages["invalid"] = months_problem(0)
        self.fields["certificate_months"].widget.attrs.update(
            min="1", max=str(MAX_CERTIFICATE_MONTHS)
        )
        if course is not None:  # who runs it and the meeting are fixed once it is planned
            del self.fields["region"], self.fields["meeting"]
            self.fields["organisation"].queryset = sel.organisations_for(
                user=user, region=course.region
            )
        else:
            regions = sel.regions_to_run(user=user)
            self.fields["region"].queryset = sel.course_regions(user=user).filter(
                pk__in=[r.pk for r in regions]
            )
            self.fields["region"].label_from_instance = _region_label
            if len(regions) == 1 and not self.is_bound:
                self.initial.setdefault("region", regions[0].pk)
            meetings = sel.training_meetings_free(user=user)
            self.fields["meeting"].queryset = meetings
            self.fields["meeting"].label_from_instance = _meeting_label
            self.fields["organisation"].queryset = sel.organisations_for(user=user)
        self.fields["organisation"].label_from_instance = _org_label

    def clean_hours(self) -> Decimal:
        hours = self.cleaned_data["hours"]
        if problem := hours_problem(hours):
            raise forms.ValidationError(problem)
        return hours

    def clean_certificate_months(self) -> int | None:
        months = self.cleaned_data["certificate_months"]
        if problem := months_problem(months):
            raise forms.ValidationError(problem)
        return months

    def details(self) -> CourseDetails:
        data = self.cleaned_data
        return CourseDetails(
            title=data["title"],
            subject=data["subject"],
            hours=data["hours"],
            starts_on=data["starts_on"],
            organisation=data.get("organisation"),
            place=data.get("place", ""),
            trainer=data.get("trainer", ""),
            outline=data.get("outline", ""),
            certificate_months=data.get("certificate_months"),
        )

    @staticmethod
    def initial_for(course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "subject": course.subject,
            "hours": course.hours,
            "starts_on": course.starts_on,
            "organisation": course.organisation_id,
            "place": course.place,
            "trainer": course.trainer,
            "outline": course.outline,
            "certificate_months": course.certificate_months,
        }

    @staticmethod
    def initial_from_meeting(meeting: Meeting) -> dict[str, Any]:
        """A training meeting's own title, day, place and organisation, to start from."""
        return {
            "region": meeting.organisation.region_id,
            "meeting": meeting.pk,
            "title": meeting.title,
            "starts_on": meeting_day(meeting),
            "place": meeting.place,
            "organisation": meeting.organisation_id,
            "hours": Decimal("2"),
        }


class EnrolPersonForm(forms.Form):
    person: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        error_messages=choice_errors(_("Choose a person of the course's village or township.")),
    )

    def __init__(self, *args, user, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = sel.people_to_enrol(user=user, course=course)
        self.fields["person"].label_from_instance = _person_label


class EnrolOrganisationForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("All members of"),
        queryset=None,
        error_messages=choice_errors(_("Choose one of the organisations offered.")),
    )

    def __init__(self, *args, user, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = sel.organisations_for(
            user=user, region=course.region
        )
        self.fields["organisation"].label_from_instance = _org_label


class ResultsForm(forms.Form):
    """The roll call: for each enrolment, attended (not at a training meeting, whose roll call
    is the meeting's) and the result, which only those who attended get."""

    def __init__(
        self, *args: Any, course: Course, enrolments: list[Enrolment], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.at_meeting = course.meeting_id is not None
        self.enrolments = enrolments
        for e in enrolments:
            if not self.at_meeting:
                self.fields[f"attended_{e.pk}"] = forms.BooleanField(
                    label=_("Attended"), required=False, initial=bool(e.attended)
                )
            self.fields[f"result_{e.pk}"] = forms.ChoiceField(
                label=_("Result"),
                choices=RESULT_CHOICES,
                required=False,
                initial="" if e.passed is None else PASSED if e.passed else FAILED,
                error_messages=choice_errors(_("Choose passed, failed or no result.")),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "enrolment": e,
                "attended": None if self.at_meeting else self[f"attended_{e.pk}"],
                "result": self[f"result_{e.pk}"],
            }
            for e in self.enrolments
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for e in self.enrolments:
            attended = e.attended if self.at_meeting else data.get(f"attended_{e.pk}")
            if data.get(f"result_{e.pk}") and not attended:
                self.add_error(
                    f"result_{e.pk}",
                    _("%(name)s did not attend: only those who attended pass or fail.")
                    % {"name": e.person.name},
                )
        return data

    def results(self) -> dict[int, tuple[bool | None, bool | None]]:
        data = self.cleaned_data
        return {
            e.pk: (
                None if self.at_meeting else bool(data.get(f"attended_{e.pk}")),
                {PASSED: True, FAILED: False}.get(data.get(f"result_{e.pk}") or ""),
            )
            for e in self.enrolments
        }


class MoveForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (CourseStatus.HELD, CourseStatus.HELD.label),
            (CourseStatus.CANCELLED, CourseStatus.CANCELLED.label),
        ],
        error_messages=choice_errors(_("Choose what to do with the course.")),
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)
