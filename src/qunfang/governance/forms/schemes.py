"""Forms of the assessment schemes and the responsibility letters. They parse what is posted;
the rules (weights, targets, time limits, grades, who may) are the services' (`services.schemes`),
whose refusals are shown on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.models import Region
from qunfang.governance.models import Level
from qunfang.governance.selectors.schemes import IndicatorRow, VetoRow, target_text
from qunfang.governance.services.schemes import (
    FIRST_YEAR,
    MAX_APPEAL_DAYS,
    MAX_COMMITMENTS,
    MAX_GRADE,
    MAX_NAME,
    MAX_SIGNATORY,
    MAX_WITHIN_DAYS,
)

NUMBER = _("Give a number, at most two decimals.")


def _decimal(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=10,
        decimal_places=2,
        help_text=help_text,
        error_messages={
            "required": NUMBER,
            "invalid": NUMBER,
            "max_decimal_places": NUMBER,
            "max_digits": NUMBER,
            "max_whole_digits": NUMBER,
        },
    )


def _appeal_days() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Days to lodge an appeal"),
        initial=7,
        help_text=_("After the scores are computed, for how many days a village may appeal."),
        error_messages={
            "required": _("Give the number of days."),
            "invalid": _("Give the number of days."),
        },
    )


class SchemeForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    level = forms.ChoiceField(
        label=_("Scores"),
        choices=Level.choices,
        error_messages=choice_errors(_("Choose whom the scheme scores.")),
    )
    appeal_days = _appeal_days()

    def __init__(self, *args: Any, townships: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Region.objects.filter(pk__in=[t.pk for t in townships]).order_by("path")
        if len(townships) == 1:
            field.initial = townships[0].pk
            field.widget = forms.HiddenInput()
        self.fields["appeal_days"].widget.attrs.update(min=1, max=MAX_APPEAL_DAYS)


class SchemeEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    appeal_days = _appeal_days()


def _indicator_label(row: IndicatorRow) -> str:
    default = row.target_text(row.default_target)
    return f"{row.label} ({default})"


class IndicatorForm(forms.Form):
    """Add an indicator (from those not yet in the scheme) or change one (`indicator` hidden)."""

    indicator = forms.ChoiceField(
        label=_("Indicator"), error_messages=choice_errors(_("Choose an indicator from the list."))
    )
    weight = _decimal(_("Weight"))
    target = _decimal(
        _("Target for full marks"),
        required=False,
        help_text=_(
            "A rate: the percentage that earns the whole weight. An amount: how much a month. "
            "Left empty: the usual target."
        ),
    )
    within_days = forms.IntegerField(
        label=_("Within (days)"),
        required=False,
        min_value=1,
        max_value=MAX_WITHIN_DAYS,
        help_text=_("For the indicators with a time limit; left empty: the usual limit."),
        error_messages={
            "invalid": _("Give the number of days."),
            "min_value": _("The time limit is 1 to %(limit_value)s days.")
            % {"limit_value": MAX_WITHIN_DAYS},
            "max_value": _("The time limit is 1 to %(limit_value)s days.")
            % {"limit_value": MAX_WITHIN_DAYS},
        },
    )

    def __init__(self, *args: Any, offered: list[IndicatorRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(row.code, _indicator_label(row)) for row in offered]


class GradeForm(forms.Form):
    label = forms.CharField(label=_("Grade"), max_length=MAX_GRADE)
    min_score = _decimal(_("From score"))


class VetoForm(forms.Form):
    veto = forms.ChoiceField(
        label=_("Veto item"), error_messages=choice_errors(_("Choose a veto item from the list."))
    )

    def __init__(self, *args: Any, offered: list[VetoRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["veto"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(row.code, row.label) for row in offered]


# ---- letters ------------------------------------------------------------------------------------


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"),
        error_messages={"required": _("Give the year."), "invalid": _("Give the year.")},
    )


class ChooseVillageForm(forms.Form):
    """The first step of a new letter: which village, which year."""

    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Region.objects.none(),
        to_field_name="code",
        error_messages=choice_errors(_("Choose one of your township's villages.")),
    )
    year = _year_field()

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages
        self.fields["year"].initial = timezone.localdate().year

    def clean_year(self) -> int:
        """The years a letter may be drawn up for, as `services.schemes.letter_create` takes."""
        year = self.cleaned_data["year"]
        last = timezone.localdate().year + 1
        if not FIRST_YEAR <= year <= last:
            raise forms.ValidationError(
                _("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": last}
            )
        return year


class LetterForm(forms.Form):
    """What a letter says, with one target field per indicator of the villages' scheme in use
    (`target_<code>`; empty: the scheme's target)."""

    signed_on = forms.DateField(
        label=_("Signed on"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Give a valid date.")},
    )
    village_signatory = forms.CharField(
        label=_("Signed for the village by"), max_length=MAX_SIGNATORY, required=False
    )
    township_signatory = forms.CharField(
        label=_("Signed for the township by"), max_length=MAX_SIGNATORY, required=False
    )
    commitments = forms.CharField(
        label=_("Other commitments"),
        max_length=MAX_COMMITMENTS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What else the village undertakes this year, one item a line."),
    )

    def __init__(self, *args: Any, indicators: list[IndicatorRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for row in indicators:
            self.fields[f"target_{row.code}"] = _decimal(
                row.label,
                required=False,
                help_text=_("The scheme's target: %(target)s.")
                % {"target": target_text(row.unit, row.target, row.unit_label)},
            )

    def targets(self) -> dict[str, Any]:
        return {row.code: self.cleaned_data.get(f"target_{row.code}") for row in self.indicators}

    def target_fields(self) -> list[tuple[IndicatorRow, forms.BoundField]]:
        return [(row, self[f"target_{row.code}"]) for row in self.indicators]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("signed_on", "village_signatory", "township_signatory")]
