"""Forms of leaders' responsibility: a village's leader in charge, a committee member, a police
guidance visit. They check the shape of the input; the services check the rules again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.models import Region, User
from qunfang.governance.models import CommitteeRole
from qunfang.governance.services.leadership import (
    MAX_DUTIES,
    MAX_NAME,
    MAX_TITLE,
    MAX_TOPICS,
    MAX_UNIT,
)

DATE_ERRORS = {"invalid": _("Give a date such as 2029-01-10.")}


class LeaderForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Township officer"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Their home page then shows the village. Leave empty for a leader without an account."
        ),
        error_messages=choice_errors(_("Choose one of the township's officers.")),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=MAX_NAME,
        required=False,
        help_text=_("As printed; taken from the account when left empty."),
    )
    title = forms.CharField(label=_("Post in the township"), max_length=MAX_TITLE, required=False)
    starts_on = forms.DateField(
        label=_("In charge from"), widget=DATE_INPUT, error_messages=DATE_ERRORS
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["account"]).queryset = officers


class MemberForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CommitteeRole.choices,
        error_messages=choice_errors(_("Choose the member's role.")),
    )
    unit = forms.CharField(label=_("Unit"), max_length=MAX_UNIT, required=False)
    duties = forms.CharField(label=_("Answers for"), max_length=MAX_DUTIES, required=False)
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT, error_messages=DATE_ERRORS)

    def __init__(self, *args: Any, townships: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Any]", self.fields["township"])
        field.queryset = Region.objects.filter(pk__in=[t.pk for t in townships])
        if len(townships) == 1:
            field.initial = townships[0].pk
            field.widget = forms.HiddenInput()


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=pgettext_lazy("guidance", "Visited on"), widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    officer = forms.CharField(label=_("Officer"), max_length=MAX_NAME)
    unit = forms.CharField(label=_("Police station"), max_length=MAX_UNIT)
    topics = forms.CharField(label=_("Guidance on"), max_length=MAX_TOPICS)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
