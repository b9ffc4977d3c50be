"""Forms of the written rules: a model text (publish, correct), choosing the organisation that
adopts, adopting a rule, revising and repealing it. The choices offered are the user's own
(their organisations, their organisation's held meetings, their township's published texts);
anything else posted is refused with a clear message, and the services check again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.models import Region, User
from qunfang.governance.models import Meeting, MeetingStatus, ModelText, RuleKind
from qunfang.governance.selectors import rules as sel
from qunfang.governance.services.rules import MAX_NOTE, MAX_TEXT, MAX_TITLE
from qunfang.registry.models import Organisation

EMPTY_TEXT = _("Write the text of the rule: it cannot be empty.")
TEXT_WIDGET = forms.Textarea(attrs={"rows": 18})


def _text_field(label):
    return forms.CharField(
        label=label,
        max_length=MAX_TEXT,
        widget=TEXT_WIDGET,
        error_messages={"required": EMPTY_TEXT},
    )


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=DATE_INPUT,
        error_messages={"required": _("Give the date."), "invalid": _("Give a valid date.")},
        **kwargs,
    )


def _choice_field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def held_meetings(user: User, organisation: Organisation):
    """The organisation's meetings that have been held, newest first (the adopting meeting)."""
    return (
        Meeting.objects.visible_to(user)
        .filter(organisation=organisation, status=MeetingStatus.HELD)
        .order_by("-held_at", "-pk")
    )


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        held = timezone.localdate(obj.held_at) if obj.held_at else None
        return f"{held:%Y-%m-%d} {obj.title}" if held else obj.title


def _meeting_field():
    return MeetingChoiceField(
        label=_("Adopted at the meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("— not at a recorded meeting —"),
        error_messages=choice_errors(
            _("Choose one of this organisation's meetings that has been held.")
        ),
        help_text=_("The organisation's meeting that adopted it, if it is in the book."),
    )


class ModelTextForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    kind = forms.ChoiceField(
        label=_("Rule"),
        choices=RuleKind.choices,
        error_messages=choice_errors(_("Choose which rule it is.")),
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    text = _text_field(_("Text"))

    def __init__(self, *args, user: User, model_text: ModelText | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if model_text is not None:  # correcting: the township stays
            del self.fields["township"]
            return
        townships = sel.supervised_townships(user)
        field = _choice_field(self, "township")
        field.queryset = townships
        only = list(townships[:2])
        if len(only) == 1:
            field.initial = only[0]
            field.widget = forms.HiddenInput()


class ChooseOrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        error_messages=choice_errors(_("Choose one of your organisations.")),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "organisation").queryset = sel.organisations_to_run(user)


class AdoptForm(forms.Form):
    model_text = forms.ModelChoiceField(
        label=_("From the township's model text"),
        queryset=ModelText.objects.none(),
        required=False,
        empty_label=_("— a text of our own —"),
        error_messages=choice_errors(_("Choose one of your township's published model texts.")),
    )
    kind = forms.ChoiceField(
        label=_("Rule"),
        choices=RuleKind.choices,
        error_messages=choice_errors(_("Choose which rule it is.")),
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    text = _text_field(_("Text as adopted"))
    adopted_on = _date_field(_("Adopted on"))
    meeting = _meeting_field()
    change_note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        help_text=_("For example what was adapted from the model text."),
    )

    def __init__(self, *args, user: User, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "model_text").queryset = sel.offered_model_texts(organisation)
        _choice_field(self, "meeting").queryset = held_meetings(user, organisation)


class ReviseForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        required=False,
        help_text=_("Empty: the title stays."),
    )
    text = _text_field(_("New text"))
    adopted_on = _date_field(_("Adopted on"))
    meeting = _meeting_field()
    change_note = forms.CharField(label=_("What changed"), max_length=MAX_NOTE, required=False)

    def __init__(self, *args, user: User, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "meeting").queryset = held_meetings(user, organisation)


class RepealForm(forms.Form):
    repealed_on = _date_field(_("Repealed on"))
    reason = forms.CharField(
        label=_("Reason for repeal"),
        max_length=MAX_NOTE,
        error_messages={"required": _("Say why the rule is repealed.")},
    )
