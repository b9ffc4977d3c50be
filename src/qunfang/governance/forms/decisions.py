"""Forms of the decisions of meetings: a decision taken at a meeting, and its moves (done,
dropped, reopened). The rules are the service's; the forms read the input and show refusals."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.governance.models import DecisionStatus, Meeting
from qunfang.governance.selectors.decisions import owner_choices
from qunfang.governance.services.decisions import MAX_TEXT
from qunfang.registry.models import Person

DATE_ERRORS = {"invalid": _("Enter the date as YYYY-MM-DD.")}


class OwnerField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        if getattr(obj, "on_roll", False):
            return str(_("%(name)s (at the meeting)") % {"name": obj.name})
        return obj.name


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("decision", "Decision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        help_text=_("What is to be done, as the meeting decided it."),
        error_messages={"required": _("Write down what was decided.")},
    )
    owner = OwnerField(
        label=_("Responsible"),
        queryset=Person.objects.none(),
        help_text=_("The people at the meeting come first."),
        error_messages=choice_errors(_("Name the person responsible for carrying it out.")),
    )
    due_on = forms.DateField(
        label=pgettext_lazy("decision", "Due on"),
        widget=DATE_INPUT,
        error_messages={**DATE_ERRORS, "required": _("Give the day by which it is to be done.")},
    )

    def __init__(self, *args: Any, meeting: Meeting, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(OwnerField, self.fields["owner"])
        owner.queryset = owner_choices(user, meeting)


# what the reason or outcome field is called for each move
OUTCOME_LABELS: dict[str, Any] = {
    DecisionStatus.DONE: _("What was done"),
    DecisionStatus.DROPPED: _("Why it is dropped"),
    DecisionStatus.OPEN: _("Why it is reopened"),
}


class MoveForm(forms.Form):
    """One move of a decision; the fields a move does not ask for are left out."""

    to = forms.ChoiceField(
        choices=DecisionStatus.choices,
        widget=forms.HiddenInput,
        error_messages=choice_errors(_("Choose what becomes of the decision.")),
    )
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT, required=False
    )
    done_on = forms.DateField(
        label=_("Done on"),
        widget=DATE_INPUT,
        required=False,
        initial=timezone.localdate,
        error_messages=DATE_ERRORS,
    )
    due_on = forms.DateField(
        label=_("New due date"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Leave empty to keep the due date."),
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args: Any, move: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{move}_%s")
        super().__init__(*args, **kwargs)
        self.move = move
        self.fields["to"].initial = move
        self.fields["outcome"].label = OUTCOME_LABELS.get(move, _("Note"))
        if move != DecisionStatus.DONE:
            del self.fields["done_on"]
        if move != DecisionStatus.OPEN:
            del self.fields["due_on"]
