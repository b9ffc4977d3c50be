"""Forms of the assessments (考核): running a period, proposing and deciding an adjustment,
lodging an appeal (申诉) and deciding it, closing a period. They read what was typed; the rules
(who may, which period, the time for appeals, four eyes) are the services' (`services.assessment`),
whose refusals the views put on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qunfang.core.forms import choice_errors
from qunfang.core.models import Region
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import Level, Score
from qunfang.governance.selectors.assessment import indicator_label


def _points_field(*, required: bool, help_text: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Points (+/-)"),
        required=required,
        help_text=help_text,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": _("Enter a number of points, such as 2 or -1.5."),
            "invalid": _("Enter a number of points, such as 2 or -1.5."),
            "max_digits": _("An adjustment is between -100 and 100 points, not 0."),
            "max_whole_digits": _("An adjustment is between -100 and 100 points, not 0."),
            "max_decimal_places": _("Give the points to two decimal places at most."),
        },
    )


class RunForm(forms.Form):
    """Compute (or compute again) a period's scores at one level."""

    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        empty_label=None,
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    period = forms.CharField(
        label=pgettext_lazy("assessment", "Period"),
        max_length=10,
        help_text=_("A month as 2026-11, a quarter as 2026-Q4 or a year as 2026."),
        error_messages={"required": _("Give the period to assess.")},
    )
    level = forms.ChoiceField(
        label=_("Scores"),
        choices=Level.choices,
        error_messages=choice_errors(_("Choose whom to score.")),
    )

    def __init__(self, *args: Any, townships: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Region.objects.filter(pk__in=[t.pk for t in townships]).order_by("path")
        if len(townships) == 1:
            field.initial = townships[0].pk
            field.widget = forms.HiddenInput()

    def clean_period(self) -> Period:
        return Period.parse(self.cleaned_data["period"])


class AdjustmentForm(forms.Form):
    points = _points_field(
        required=True, help_text=_("Added to the computed score, such as 2 or -1.5.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the adjustment.")},
    )


class DecideAdjustmentForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        error_messages=choice_errors(_("Approve or reject the adjustment.")),
    )


class AppealForm(forms.Form):
    indicator = forms.ChoiceField(
        label=_("Indicator appealed"),
        required=False,
        error_messages=choice_errors(_("This score has no such indicator.")),
    )
    grounds = forms.CharField(
        label=_("Grounds"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say which figure is wrong and why; name the records."),
        error_messages={"required": _("Say why the score is wrong.")},
    )

    def __init__(self, *args: Any, score: Score, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = list(score.lines.values_list("indicator", flat=True))
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The whole score")), *((c, indicator_label(c)) for c in codes)]


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("appeal", "Decision"),
        choices=[
            ("upheld", _("Uphold: change the score")),
            ("dismissed", _("Dismiss: the score stands")),
        ],
        widget=forms.RadioSelect,
        error_messages=choice_errors(_("Uphold or dismiss the appeal.")),
    )
    points = _points_field(
        required=False, help_text=_("When upheld: by how many points the score changes.")
    )
    decision = forms.CharField(
        label=_("Reasons"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reasons for the decision.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upheld = data.get("outcome") == "upheld"
        if upheld and data.get("points") is None and "points" not in self.errors:
            self.add_error("points", _("Give the points by which the score changes."))
        return data
