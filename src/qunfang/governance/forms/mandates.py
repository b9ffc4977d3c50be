"""Forms of the division of work: one kind of organisation's mandate, and the owner of every
case and dispute type. They check the shape of the input; what may be set, and by whom, is
checked in `services.mandates`, whose refusals come back onto the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import choice_errors
from qunfang.core.models import Region, RegionKind
from qunfang.governance.models.rules import RuleKind
from qunfang.governance.selectors.mandates import CASE, DISPUTE, TypeRow
from qunfang.governance.services.mandates import MAX_TEXT, Owning
from qunfang.registry.models import OrgKind

NOBODY = ""


class TownshipField(forms.CharField):
    """The township a form writes for, by its code (a hidden field). Any township is found
    here; the service refuses one that is not the user's, with a message."""

    widget = forms.HiddenInput

    def to_python(self, value: Any) -> Region | None:  # type: ignore[override]
        code = super().to_python(value)
        if not code:
            return None
        township = Region.objects.filter(kind=RegionKind.TOWNSHIP, code=code).first()
        if township is None:
            raise forms.ValidationError(_("There is no such township."))
        return township


class MandateForm(forms.Form):
    township = TownshipField(error_messages={"required": _("Choose the township.")})
    org_kind = forms.ChoiceField(
        choices=OrgKind.choices,
        widget=forms.HiddenInput,
        error_messages=choice_errors(_("Choose a kind of organisation.")),
    )
    text = forms.CharField(
        label=_("Mandate"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write what the organisation is for.")},
        help_text=_("What this kind of organisation does in the township's villages."),
    )
    required_rules = forms.MultipleChoiceField(
        label=_("Rules it must have in force"),
        choices=RuleKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=choice_errors(_("Choose rules from the list.")),
        help_text=_("A village whose organisation lacks one of them in force is flagged."),
    )


class DivisionForm(forms.Form):
    """One choice of owner per type: `case-<code>` and `dispute-<value>`. Every such key posted
    is passed on to the service (a type that does not exist, or one named twice, is refused
    there with a message); a type not posted keeps its owner."""

    township = TownshipField(error_messages={"required": _("Choose the township.")})

    def __init__(self, *args: Any, rows: list[TypeRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOBODY, _("Nobody")), *OrgKind.choices]
        self.rows = rows
        for row in rows:
            self.fields[self.key(row.what, row.code)] = forms.ChoiceField(
                label=row.label,
                choices=choices,
                required=False,
                initial=row.owner or NOBODY,
                error_messages=choice_errors(_("Choose a kind of organisation, or nobody.")),
            )

    @staticmethod
    def key(what: str, code: str) -> str:
        return f"{what}-{code}"

    def type_fields(self, what: str) -> list[forms.BoundField]:
        return [self[self.key(r.what, r.code)] for r in self.rows if r.what == what]

    def owners(self) -> list[Owning]:
        """Every type posted, with the owner chosen (in the order posted)."""
        found: list[Owning] = []
        data = cast(QueryDict, self.data)  # a form bound to the request's POST
        for key in data:
            what, _dash, code = key.partition("-")
            if what in (CASE, DISPUTE) and code:
                found.extend(Owning(what, code, kind) for kind in data.getlist(key))
        return found


class TownshipForm(forms.Form):
    """The township a button acts for ("Start from the defaults")."""

    township = TownshipField(error_messages={"required": _("Choose the township.")})
