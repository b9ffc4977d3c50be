"""Forms of the mediation book. Every related record offered is limited to what the signed-in
user may see, so a forged id from another village fails like a typo; the rules themselves
(parties in the village, mediators of the village, what each move needs) live in
`casebook.services.mediation`, which the views call."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.forms.common import village_field
from qunfang.casebook.models import DisputeType, MediationStatus
from qunfang.casebook.services.mediation import DEFAULT_FOLLOW_UP, can_act, mediators_in
from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.selectors import villages_visible
from qunfang.registry.models import Person

if TYPE_CHECKING:
    from qunfang.core.models import User

DATE_ERRORS = {"invalid": _("Enter a date such as 2027-03-01.")}


def _person_label(person: Person) -> str:
    return f"{person.name}（{person.region.name}）"


def _user_label(user) -> str:
    return f"{user}（{user.region.name}）" if user.region_id else str(user)


def _follow_up_day() -> dt.date:
    return timezone.localdate() + DEFAULT_FOLLOW_UP


class MediationForm(forms.Form):
    """A new mediation: from scratch, from a dispute case of the register or from the opinion
    book (then the village is the source's)."""

    region = village_field()
    dispute_type = forms.ChoiceField(
        label=_("Kind of dispute"),
        choices=[("", "—"), *DisputeType.choices],
        error_messages=choice_errors(_("Choose the kind of dispute.")),
    )
    summary = forms.CharField(
        label=_("What the dispute is about"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Say what the dispute is about.")},
    )
    applied_on = forms.DateField(
        label=_("Applied on"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Enter the date of the application.")},
    )
    a_name = forms.CharField(
        label=_("Applicant (party A): name"),
        max_length=50,
        required=False,
        help_text=_("Leave empty when you choose the person from the registry."),
    )
    a_person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        label=_("Applicant in the registry"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a person of your villages.")},
    )
    a_address = forms.CharField(label=_("Applicant's address"), max_length=200, required=False)
    b_name = forms.CharField(label=_("Other party (party B): name"), max_length=50, required=False)
    b_person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        label=_("Other party in the registry"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a person of your villages.")},
    )
    b_address = forms.CharField(label=_("Other party's address"), max_length=200, required=False)
    mediators: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Mediators"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one mediator."),
            "invalid_choice": _("Choose mediators of your villages."),
            "invalid_pk_value": _("Choose mediators of your villages."),
        },
    )

    def __init__(self, *args, user, fixed_village=None, **kwargs):
        super().__init__(*args, **kwargs)
        villages = [
            v for v in villages_visible(user=user).select_related("parent") if can_act(user, v)
        ]
        if fixed_village is not None:
            villages = [fixed_village]
            del self.fields["region"]
        else:
            self.fields["region"].queryset = villages_visible(user=user).filter(
                pk__in=[v.pk for v in villages]
            )
            if len(villages) == 1 and not self.is_bound:
                self.initial.setdefault("region", villages[0].pk)
        people = (
            Person.objects.visible_to(user)
            .select_related("region")
            .order_by("region__path", "name", "id")
        )
        for field in ("a_person", "b_person"):
            self.fields[field].queryset = people
            self.fields[field].label_from_instance = _person_label
        # the mediators under the user's own region (the service checks each against the village)
        self.fields["mediators"].queryset = mediators_in(
            villages if fixed_village is not None or not user.region_id else [user.region]
        )
        self.fields["mediators"].label_from_instance = _user_label
        if not self.is_bound and user.pk in {u.pk for u in self.fields["mediators"].queryset}:
            self.initial.setdefault("mediators", [user.pk])

    def clean(self):
        data = super().clean()
        for side in ("a", "b"):
            if not data.get(f"{side}_name", "").strip() and not data.get(f"{side}_person"):
                self.add_error(
                    f"{side}_name", _("Name the party or choose them from the registry.")
                )
        return data


class SessionForm(forms.Form):
    held_on = forms.DateField(
        label=_("Held on"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Enter the day of the session.")},
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("Record of the session"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        error_messages={"required": _("Write down what was said and done in the session.")},
    )


class MoveForm(forms.Form):
    """One form for every move: the fields a move does not need are ignored."""

    to = forms.ChoiceField(
        choices=MediationStatus.choices,
        error_messages=choice_errors(_("Choose where the mediation goes next.")),
    )
    agreement = forms.CharField(
        label=_("Agreement (what the parties agreed to)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        required=False,
    )
    follow_up_due = forms.DateField(
        label=_("Follow-up visit (回访) due on"),
        widget=DATE_INPUT,
        initial=_follow_up_day,
        required=False,
        error_messages=DATE_ERRORS,
    )
    referred_to = forms.CharField(
        label=_("Referred to"),
        max_length=100,
        required=False,
        help_text=_("For example the township's mediation committee, or a court."),
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class FollowUpForm(forms.Form):
    on = forms.DateField(
        label=_("Visited on"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Enter the day of the visit.")},
    )
    note = forms.CharField(
        label=_("What the visit found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Write down what the follow-up visit found.")},
    )
