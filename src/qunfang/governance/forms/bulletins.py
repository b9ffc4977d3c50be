"""Forms of bulletins (通报): drafting from a period, a bulletin's text, a village concerned. The
choices offered are the user's own (their townships, the township's villages); anything else
posted is refused with a clear message, and the services check again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import choice_errors
from qunfang.core.models import Region, User
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models.bulletins import Bulletin, MentionKind
from qunfang.governance.selectors import bulletins as sel
from qunfang.governance.services.bulletins import MAX_SECTION, MAX_TITLE

PERIOD_HELP = _("A month as 2026-11, a quarter as 2026-Q4 or a year as 2026.")


class TownshipChoiceField(forms.ModelChoiceField[Region]):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


def _period(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return Period.parse(text).key
    except ValidationError as exc:
        raise forms.ValidationError(exc.messages) from None


def _offer_townships(form: forms.Form, user: User) -> Region | None:
    """Offer the user's townships; with only one, nothing to choose: that one."""
    townships = sel.townships_written(user)
    field = cast("forms.ModelChoiceField[Region]", form.fields["township"])
    field.queryset = Region.objects.filter(pk__in=[t.pk for t in townships]).order_by("path")
    if len(townships) != 1:
        return None
    field.initial, field.required = townships[0], False
    field.widget = forms.HiddenInput()
    return townships[0]


class DraftForm(forms.Form):
    township = TownshipChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    period = forms.CharField(
        label=_("Period reported on"),
        max_length=20,
        help_text=PERIOD_HELP,
        error_messages={"required": _("Give the period, such as 2026-11 or 2026-Q4.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.only_township = _offer_townships(self, user)

    def clean_township(self) -> Region | None:
        return self.cleaned_data.get("township") or self.only_township

    def clean_period(self) -> str:
        return _period(self.cleaned_data.get("period", ""))


class BulletinForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        error_messages={"required": _("Give the bulletin a title.")},
    )
    period = forms.CharField(
        label=_("Period reported on"), max_length=20, required=False, help_text=PERIOD_HELP
    )
    problems = forms.CharField(
        label=_("Prominent problems"),
        max_length=MAX_SECTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    good_examples = forms.CharField(
        label=_("Good examples"),
        max_length=MAX_SECTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    priorities = forms.CharField(
        label=_("Priorities for the next period"),
        max_length=MAX_SECTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_period(self) -> str:
        return _period(self.cleaned_data.get("period", ""))

    @classmethod
    def initial_of(cls, bulletin: Bulletin) -> dict[str, Any]:
        return {name: getattr(bulletin, name) for name in cls.base_fields}


class NewBulletinForm(BulletinForm):
    """A bulletin by hand: the same, and the township when the user writes for several."""

    township = TownshipChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        error_messages=choice_errors(_("Choose one of your townships.")),
    )
    field_order = ["township", "title", "period", "problems", "good_examples", "priorities"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.only_township = _offer_townships(self, user)

    def clean_township(self) -> Region | None:
        return self.cleaned_data.get("township") or self.only_township


class VillageChoiceField(forms.ModelChoiceField[Region]):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class MentionForm(forms.Form):
    village = VillageChoiceField(
        label=_("Village"),
        queryset=Region.objects.none(),
        to_field_name="code",
        error_messages=choice_errors(_("Choose a village of the bulletin's township.")),
    )
    kind = forms.ChoiceField(
        label=_("How it is concerned"),
        choices=MentionKind.choices,
        initial=MentionKind.NOTED,
        error_messages=choice_errors(_("Choose how the bulletin concerns the village.")),
    )

    def __init__(self, *args: Any, bulletin: Bulletin, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Region]", self.fields["village"])
        field.queryset = sel.villages_to_name(bulletin)
