"""Forms of the patrol records: settling a shift, a household's payment instead of its turn,
and a household member standing in."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import choice_errors
from qunfang.patrols.models import Outcome
from qunfang.registry.models import Person

SETTLED = [(value, label) for value, label in Outcome.choices if value != Outcome.PLANNED]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How the shift ended"),
        choices=SETTLED,
        error_messages=choice_errors(_("Choose how the shift ended.")),
    )
    note = forms.CharField(
        label=_("Note (the reason, for an excuse)"), max_length=200, required=False
    )


class BuyOutForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount paid (yuan)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": _("Enter the amount paid, more than 0 yuan."),
            "invalid": _("Enter the amount as a number of yuan, for example 50 or 50.00."),
            "min_value": _("Enter the amount paid, more than 0 yuan."),
            "max_digits": _("That amount is too large."),
            "max_whole_digits": _("That amount is too large."),
            "max_decimal_places": _("Enter the amount in yuan with at most two decimal places."),
        },
    )
    note = forms.CharField(label=_("Note (receipt number)"), max_length=200, required=False)


class StandInForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Member of the household who stands in"),
        queryset=Person.objects.none(),
        error_messages={
            "required": _("Choose the member of the household who stands in."),
            "invalid_choice": _("Choose a member of the household on duty."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # any person the user may see: the service then says plainly when they belong to
        # another household, instead of a bare "not one of the choices"
        self.fields["person"].queryset = Person.objects.visible_to(user).select_related("household")
