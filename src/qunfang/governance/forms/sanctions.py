"""Forms of rewards and punishments (奖惩): a township's rule, a proposal by hand, a decision and
publishing. The choices offered are the user's own (their townships, the people and organisations
of their villages); anything else posted is refused with a clear message, and the services check
again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.models import Region, User
from qunfang.governance.assessment.triggers import TRIGGERS
from qunfang.governance.models import Action
from qunfang.governance.selectors import sanctions as sel
from qunfang.governance.services.sanctions import MAX_NOTE, MAX_REASON, MAX_TIMES
from qunfang.registry.fields import PersonChoiceField
from qunfang.registry.models import Organisation, Person

MAX_TICKED = 500  # a decision on many: more than a page or two of the list is not ticked

# no max_digits / decimal_places on the amount fields: their generic messages would hide the
# service's own ("above 0 and at most 100000, with two decimals at most")
AMOUNT_ERRORS = {"invalid": _("Give the amount in yuan, such as 200 or 150.50.")}


def _trigger_choices() -> list[tuple[str, Any]]:
    return [(code, found.label) for code, found in TRIGGERS.items()]


def _choice(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class RuleForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    trigger = forms.ChoiceField(
        label=_("Reacts to"),
        choices=(),
        error_messages=choice_errors(_("Choose what the rule reacts to.")),
    )
    times = forms.IntegerField(
        label=_("At least this many times in a period"),
        min_value=1,
        max_value=MAX_TIMES,
        initial=1,
        error_messages={
            "required": _("Give how many times, from 1 to %(max)s.") % {"max": MAX_TIMES},
            "invalid": _("Give how many times, from 1 to %(max)s.") % {"max": MAX_TIMES},
            "min_value": _("Give how many times, from 1 to %(max)s.") % {"max": MAX_TIMES},
            "max_value": _("Give how many times, from 1 to %(max)s.") % {"max": MAX_TIMES},
        },
    )
    grade = forms.CharField(
        label=_("Grade"),
        max_length=20,
        required=False,
        help_text=_("Only for “Grade in the assessment”: the grade, as the scheme names it."),
    )
    action = forms.ChoiceField(
        label=_("Then propose"),
        choices=Action.choices,
        error_messages=choice_errors(_("Choose the reward or punishment.")),
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        help_text=_("Only for a bonus or a subsidy, and required for them."),
        error_messages=AMOUNT_ERRORS,
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        townships = sel.supervised_townships(user)
        field = _choice(self, "township")
        field.queryset = townships
        self.only_township = townships[0] if len(townships) == 1 else None
        if self.only_township is not None:  # nothing to choose
            field.initial, field.required = self.only_township, False
            field.widget = forms.HiddenInput()
        cast(forms.ChoiceField, self.fields["trigger"]).choices = _trigger_choices()

    def clean_township(self) -> Region | None:
        return self.cleaned_data.get("township") or self.only_township


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.region.name}）"


class ProposeForm(forms.Form):
    person = PersonChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("The people who hold or held a post in your villages' organisations."),
        error_messages=choice_errors(_("Choose a person of your villages.")),
    )
    organisation = OrganisationChoiceField(
        label=_("or organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        error_messages=choice_errors(_("Choose an organisation of your villages.")),
    )
    action = forms.ChoiceField(
        label=_("Reward or punishment"),
        choices=Action.choices,
        error_messages=choice_errors(_("Choose the reward or punishment.")),
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        help_text=_("Only for a bonus or a subsidy, and required for them."),
        error_messages=AMOUNT_ERRORS,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, and when. It is shown on the village board once published."),
        error_messages={"required": _("Give the reason: what was done, and when.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "person").queryset = sel.people_to_propose(user)
        _choice(self, "organisation").queryset = sel.organisations_to_propose(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and (data.get("person") is None) == (data.get("organisation") is None):
            raise forms.ValidationError(_("Choose one person or one organisation."))
        return data


class DecideForm(forms.Form):
    note = forms.CharField(
        label=_("Note on the decision"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject: say why."),
    )


class PublishForm(forms.Form):
    due_on = forms.DateField(
        label=_("To be done by"),
        required=False,
        widget=DATE_INPUT,
        help_text=_(
            "For make-up duty and a rectification order; empty: the usual days from today."
        ),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )


class BulkDecideForm(forms.Form):
    """Approve or reject the proposals ticked on the list (`sanction` ids, read by the view)."""

    decision = forms.ChoiceField(
        choices=(("approve", _("Approve")), ("reject", _("Reject"))),
        error_messages=choice_errors(_("Choose to approve or to reject.")),
    )
    note = forms.CharField(
        label=_("Note on the decision"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject the ticked: one note for them all."),
    )

    def ticked(self) -> list[int]:
        """The ids ticked (anything else posted is left out)."""
        values = self.data.getlist("sanction") if hasattr(self.data, "getlist") else []
        return sorted({int(v) for v in values if v.isdigit() and len(v) < 12})[:MAX_TICKED]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.ticked():
            raise forms.ValidationError(_("Tick the proposals to approve or reject."))
        return data
