"""Forms of the meetings book. Every record offered (organisations, people, schedules) is
limited to what the signed-in user may see, so a forged id from another village fails like a
typo; the rules themselves live in `governance.services.meetings`, which the views call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, DATETIME_INPUT, choice_errors
from qunfang.core.models import User
from qunfang.core.uploads import check_upload
from qunfang.governance.models import (
    AttendanceStatus,
    EvidenceKind,
    Meeting,
    MeetingSchedule,
)
from qunfang.governance.selectors import meetings as sel
from qunfang.governance.services import meetings as service
from qunfang.registry.models import Membership, Organisation, Person

DATE_ERRORS = {"invalid": _("Enter a date such as 2027-03-01.")}
DATETIME_ERRORS = {"invalid": _("Enter a date and time such as 2027-03-01 09:00.")}
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
UPLOAD_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


def _org_label(org: Organisation) -> str:
    return f"{org.name}（{org.region.name}）"


def _person_label(person: Person) -> str:
    return f"{person.name}（{person.region.name}）"


def _chair_label(person: Any) -> str:
    """Namesakes are common in a village: the post tells them apart."""
    return f"{person.name}（{person.region.name} · {person.post_held}）"


def _post_holders(people: QuerySet[Person]) -> QuerySet[Person]:
    """Who may chair: the people holding a post in an organisation, with their first post."""
    posts = Membership.objects.filter(person=OuterRef("pk"), ended_on__isnull=True).order_by(
        "-post__is_leader", "post__organisation__kind", "post_id"
    )
    return people.filter(Exists(posts)).annotate(
        post_held=Concat(
            Subquery(posts.values("post__organisation__name")[:1]),
            Value(" "),
            Subquery(posts.values("post__title")[:1]),
        )
    )


def _organisation_field(form: forms.BaseForm, user: User) -> None:
    """The organisations whose meetings the user runs."""
    field: Any = form.fields["organisation"]
    runs = [o.pk for o in sel.organisations_visible(user) if service.can_run(user, o.region)]
    field.queryset = sel.organisations_visible(user).filter(pk__in=runs)
    field.label_from_instance = _org_label
    field.error_messages = choice_errors(_("Choose one of your organisations."))


class ScheduleForm(forms.ModelForm[MeetingSchedule]):
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=[("", "—"), *WEEKDAYS.items()],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a weekly meeting."),
        error_messages=choice_errors(_("Choose the day of the week.")),
    )

    class Meta:
        model = MeetingSchedule
        fields = [
            "organisation",
            "kind",
            "title",
            "frequency",
            "weekday",
            "day_of_month",
            "time",
            "place",
            "starts_on",
            "ends_on",
        ]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT, "time": TIME_INPUT}
        help_texts = {
            "day_of_month": _(
                "For a monthly or quarterly meeting: 1 to 28. A quarterly meeting is held in the "
                "month the schedule starts and every third month after."
            ),
            "ends_on": _("Leave empty while the meeting keeps being held."),
        }
        error_messages = {
            "starts_on": {**DATE_ERRORS, "required": _("Enter the day the schedule starts.")},
            "ends_on": DATE_ERRORS,
            "time": {"invalid": _("Enter a time such as 09:00."), "required": _("Enter the time.")},
            "title": {"required": _("Give the meeting a title.")},
            "kind": choice_errors(_("Choose the kind of meeting.")),
            "frequency": choice_errors(_("Choose how often the meeting is held.")),
            "day_of_month": {"invalid": _("Choose a day of the month from 1 to 28.")},
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["organisation"]
        else:
            _organisation_field(self, user)
            if not self.is_bound:
                self.initial.setdefault("starts_on", timezone.localdate())
        self.fields["day_of_month"].widget.attrs.update(min=1, max=28)

    def _post_clean(self) -> None:
        """The instance gets the values; the model's constraints are left to the service, which
        says them in the user's words (the database's names of them are no message)."""
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as exc:
            self.add_error(None, exc)


class ScheduleEndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Last day of the schedule"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Enter the schedule's last day.")},
    )


class MeetingForm(forms.ModelForm[Meeting]):
    """A new meeting (one-off, or an occurrence of a schedule given in the address) or a
    change to one: the organisation is chosen only for a new one-off meeting."""

    class Meta:
        model = Meeting
        fields = [
            "organisation",
            "kind",
            "title",
            "scheduled_at",
            "place",
            "chair",
            "agenda",
            "materials",
        ]
        widgets = {
            "scheduled_at": DATETIME_INPUT,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "materials": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "materials": _("What is read or handed out: documents, notices, cases studied."),
            "chair": _("With an account, the chair can take the roll call on their own phone."),
        }
        error_messages = {
            "scheduled_at": {**DATETIME_ERRORS, "required": _("Enter when the meeting is.")},
            "title": {"required": _("Give the meeting a title.")},
            "kind": choice_errors(_("Choose the kind of meeting.")),
            "chair": {"invalid_choice": _("Choose a person of your villages.")},
        }

    def __init__(
        self,
        *args: Any,
        user: User,
        schedule: MeetingSchedule | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        if self.instance.pk is not None or schedule is not None:
            del self.fields["organisation"]
            org = schedule.organisation if schedule is not None else self.instance.organisation
            chairs = Person.objects.visible_to(user).filter(
                region__path__startswith=org.region.path
            )
        else:
            _organisation_field(self, user)
            chairs = Person.objects.visible_to(user)
        if self.instance.pk is not None and (
            self.instance.schedule_id is not None or self.instance.status != "planned"
        ):
            del self.fields["scheduled_at"]  # a schedule's meeting keeps its occurrence's time
        fields["chair"].queryset = (
            _post_holders(chairs).select_related("region").order_by("name", "id")
        )
        fields["chair"].label_from_instance = _chair_label


class HoldForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Held at"),
        widget=DATETIME_INPUT,
        error_messages={**DATETIME_ERRORS, "required": _("Enter when the meeting was held.")},
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("What was discussed and decided; the decisions with owners follow."),
        error_messages={"required": _("Write the minutes: what was discussed and decided.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=200,
        error_messages={
            "required": _("Say why the meeting is cancelled."),
            "max_length": _("Keep the reason under 200 characters."),
        },
    )


class InviteForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Invite"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose whom to invite."),
            "invalid_choice": _("Choose people of the meeting's village."),
            "invalid_pk_value": _("Choose people of the meeting's village."),
        },
    )

    def __init__(self, *args: Any, user: User, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["people"]
        field.queryset = sel.people_to_invite(user, meeting)


class PersonOnRollForm(forms.Form):
    """One person of the meeting's roll (to take off it, or to mark)."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        error_messages=choice_errors(_("Choose someone on the meeting's roll.")),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        field.queryset = Person.objects.filter(pk__in=meeting.attendances.values("person_id"))


class MarkForm(PersonOnRollForm):
    status = forms.ChoiceField(
        choices=[(s, AttendanceStatus(s).label) for s in service.MARKS],
        error_messages=choice_errors(_("Choose present, late, excused or absent.")),
    )


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 8 digits under the QR code on the meeting's screen."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Enter the code shown on the meeting's screen.")},
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What it is"),
        choices=EvidenceKind.choices,
        error_messages=choice_errors(_("Choose what the file is.")),
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        help_text=_("A JPEG, PNG or WebP photo; the sign-in sheet may also be a PDF."),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, kind = data.get("file"), data.get("kind")
        if upload is not None and kind:
            try:  # the cleaned file, ready to store
                data["file"] = check_upload(upload, allow_pdf=kind != EvidenceKind.PHOTO)
            except ValidationError as exc:
                self.add_error("file", exc)
        return data
