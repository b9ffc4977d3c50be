"""Forms of 分类指导 and rebuilding: a village's class, a rebuilding plan, its steps, and the
plan's close. They check the shape of the input; the services check the rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.governance.models import Economy, SecuritySituation, Standing
from qunfang.governance.services.classification import MAX_NOTE, MAX_OWNER, MAX_STEP, MAX_TITLE
from qunfang.registry.models import OrgForm

DATE_ERRORS = {"invalid": _("Give a date such as 2029-01-10.")}


class ClassForm(forms.Form):
    situation = forms.ChoiceField(
        label=_("Security situation"),
        choices=SecuritySituation.choices,
        error_messages=choice_errors(_("Choose the security situation.")),
    )
    economy = forms.ChoiceField(
        label=_("Economic condition"),
        choices=Economy.choices,
        error_messages=choice_errors(_("Choose the economic condition.")),
    )
    org_form = forms.ChoiceField(
        label=_("Organisation form"),
        choices=OrgForm.choices,
        error_messages=choice_errors(_("Choose the organisation form.")),
    )
    standing = forms.ChoiceField(
        label=_("Standing"),
        choices=Standing.choices,
        error_messages=choice_errors(_("Choose the standing.")),
    )
    guidance = forms.CharField(
        label=_("How the township guides it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a model village: what the other villages can learn from it."),
    )


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT, error_messages=DATE_ERRORS)
    target_on = forms.DateField(
        label=_("To be done by"), widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    leader = forms.CharField(
        label=_("Township leader responsible"),
        max_length=MAX_OWNER,
        required=False,
        help_text=_("The village's leader in charge when left empty."),
    )


class StepForm(forms.Form):
    text = forms.CharField(label=_("Step"), max_length=MAX_STEP)
    owner = forms.CharField(label=_("Owner"), max_length=MAX_OWNER)
    due_on = forms.DateField(label=_("Due"), widget=DATE_INPUT, error_messages=DATE_ERRORS)


class DoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=MAX_NOTE, required=False)


class CloseForm(forms.Form):
    text = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
