"""Forms of the mediation book. Every related record offered is limited to what the signed-in
user may see, so a forged id from another village fails like a typo; the rules themselves
(parties in the village, mediators of the village, what each move needs) live in
`casebook.services.mediation`, which the views call."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.forms.common import village_field
from qunfang.casebook.models import DisputeType, MediationStatus
from qunfang.casebook.selectors.cases import first_offer, offered_first
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
        offered = self._offer_mediators(user, villages)
        if (
            not self.is_bound
            and not offered
            and user.pk in {u.pk for u in self.fields["mediators"].queryset}
        ):
            self.initial.setdefault("mediators", [user.pk])

    def _offer_mediators(self, user, villages) -> frozenset[int]:
        """The mediators of the organisation that owns the kind of dispute in the village come
        first (marked), and one of them is chosen to start with. Returns their accounts."""
        field: Any = self.fields["mediators"]  # a model choice field: its queryset and labels
        village = villages[0] if len(villages) == 1 else None
        chosen = self.data.get("region") if self.is_bound else self.initial.get("region")
        village = next((v for v in villages if str(v.pk) == str(chosen)), village)
        dispute = (
            self.data.get("dispute_type") if self.is_bound else self.initial.get("dispute_type")
        )
        if village is None or dispute not in DisputeType.values:
            return frozenset()
        offer = first_offer(village, dispute_type=dispute)
        if offer is None:
            return frozenset()
        mediators = field.queryset
        offered = frozenset(
            mediators.filter(pk__in=offer.accounts).values_list("pk", flat=True)
            if offer.accounts
            else ()
        )
        field.queryset = offered_first(mediators, offered)
        field.label_from_instance = lambda u: (
            f"{_user_label(u)} · {offer.owner}" if u.pk in offered else _user_label(u)
        )
        field.help_text = _mediators_hint(offer.owner, offered)
        if offered and not self.is_bound and not self.initial.get("mediators"):
            first = field.queryset.filter(pk__in=offered).values_list("pk", flat=True).first()
            self.initial["mediators"] = [user.pk if user.pk in offered else first]
        return offered

    def clean(self):
        data = super().clean()
        for side in ("a", "b"):
            if not data.get(f"{side}_name", "").strip() and not data.get(f"{side}_person"):
                self.add_error(
                    f"{side}_name", _("Name the party or choose them from the registry.")
                )
        return data


def _mediators_hint(owner, offered: frozenset[int]) -> str:
    if owner is None:
        return gettext(
            "No organisation owns this kind of dispute in the township's division of work."
        )
    if offered:
        return gettext(
            "The %(organisation)s owns this kind of dispute: its mediators come first."
        ) % {"organisation": owner}
    return gettext(
        "The %(organisation)s owns this kind of dispute, but none of its people here is a mediator."
    ) % {"organisation": owner}


def posted_values(data) -> dict:
    """What was filled in, to show again when the form is only refreshed to suggest mediators
    (nothing is saved then)."""
    values = {k: v for k, v in data.dict().items() if k not in ("csrfmiddlewaretoken", "suggest")}
    values.pop("mediators", None)
    if data.getlist("mediators"):
        values["mediators"] = data.getlist("mediators")
    return values


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
