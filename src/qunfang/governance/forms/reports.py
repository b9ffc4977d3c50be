"""Forms of the work reports to villagers: compiling a village's report of a period, the
village's word to its villagers, and the villagers' satisfaction answer on the public page. The
villages offered are the user's own; the services check again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qunfang.core.forms import choice_errors
from qunfang.core.models import Region, User
from qunfang.core.selectors import villages_visible
from qunfang.governance.models import Satisfaction
from qunfang.governance.services.reports import COMMENT_MAX

REMARKS_MAX = 2000


class CompileForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Region.objects.none(),
        to_field_name="code",
        error_messages=choice_errors(_("Choose one of your villages.")),
    )
    period = forms.CharField(
        label=pgettext_lazy("work report", "Period"),
        max_length=10,
        help_text=_("A month as 2026-11 or a quarter as 2026-Q4."),
        error_messages={
            "required": _("Give the period: a month as 2026-11 or a quarter as 2026-Q4.")
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Any]", self.fields["village"])
        field.queryset = villages_visible(user=user)


class RemarksForm(forms.Form):
    remarks = forms.CharField(
        label=_("The village's word to villagers"),
        required=False,
        max_length=REMARKS_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done, what comes next; no names of villagers."),
        error_messages={
            "max_length": _("Write at most %(limit_value)d characters, please."),
        },
    )


class AnswerForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Are you satisfied with the village's work in this period?"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=choice_errors(_("Choose one of the three answers.")),
    )
    comment = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please write no names or phone numbers."),
        error_messages={
            "max_length": _("Write at most %(limit_value)d characters, please."),
        },
    )
