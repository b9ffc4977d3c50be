"""Forms of the opinion book: the public form (with its honeypot and timing token), the tracking
lookup and rating, and the staff forms (entry in person, answer, move, turn into a case)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.models import CaseType, OpinionKind, OpinionStatus, Severity
from qunfang.core.forms import DATETIME_INPUT
from qunfang.core.models import Region
from qunfang.core.selectors import villages_visible

TEXT_MAX = 2000


class PublicOpinionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=OpinionKind.choices,
        widget=forms.RadioSelect,
        initial=OpinionKind.OPINION,
    )
    text = forms.CharField(
        label=_("What do you want to tell the village?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    anonymous = forms.BooleanField(
        label=_("Stay anonymous (no name, no contact kept)"), required=False, initial=True
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact = forms.CharField(
        label=_("Phone or other contact"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    # 举报人保密, ticked unless the sender unticks it: an unticked box sends nothing (False)
    confidential = forms.BooleanField(
        label=_(
            "Only the township's governance office and the police station may see my name and "
            "contact"
        ),
        help_text=_("The village committee then reads your entry without knowing who sent it."),
        required=False,
        initial=True,
    )
    # A field people never see (hidden by CSS): only bots fill it.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            data["name"] = data["contact"] = ""
            data["confidential"] = False  # no sender to keep confidential
        elif not (data.get("name", "").strip() or data.get("contact", "").strip()):
            self.add_error("name", _("Give a name or a contact, or stay anonymous."))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "op-code-input",
            }
        ),
    )


class RatingForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )


class StaffOpinionForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Region.objects.none(), to_field_name="code"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=OpinionKind.choices)
    text = forms.CharField(
        label=_("What the villager said or wrote"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    anonymous = forms.BooleanField(label=_("The villager wants to stay anonymous"), required=False)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    contact = forms.CharField(label=_("Phone or other contact"), max_length=60, required=False)
    confidential = forms.BooleanField(
        label=_("Keep the villager's name and contact confidential (举报人保密)"),
        help_text=_(
            "Then only the township and the police see them, each time logged; never printed."
        ),
        required=False,
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Empty: now."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = villages_visible(user=user)
        self.fields["village"].queryset = villages
        only = list(villages[:2])
        if len(only) == 1:
            self.fields["village"].initial = only[0]

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            data["name"] = data["contact"] = ""
            data["confidential"] = False
        elif not (data.get("name", "").strip() or data.get("contact", "").strip()):
            self.add_error("name", _("Give the villager's name or contact, or tick anonymous."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    publish = forms.BooleanField(
        label=_("Publish the answer on the village's public board (no names are shown)"),
        required=False,
    )


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=OpinionStatus.choices)


class ToCaseForm(forms.Form):
    case_type = forms.ModelChoiceField(
        label=_("Type"), queryset=CaseType.objects.filter(active=True)
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Severity.choices, coerce=int, initial=Severity.ORDINARY
    )
    title = forms.CharField(label=_("Summary"), max_length=100)
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"),
        widget=DATETIME_INPUT,
    )

    name_openly = forms.BooleanField(
        label=_("Name the sender in the case register for every reader"),
        required=False,
        help_text=_(
            "Otherwise the sender's name stays confidential (举报人保密): shown only to those "
            "allowed, each time logged, and never printed. Public-form senders always stay "
            "confidential."
        ),
    )

    def __init__(self, *args, named: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # an anonymous entry has no name to show, a confidential one none to show openly
        if not named:
            del self.fields["name_openly"]

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("The time of occurrence lies in the future."))
        return value
