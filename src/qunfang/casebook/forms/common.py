"""What the casebook's forms share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from qunfang.core.models import Region


def village_field(**kwargs: Any) -> forms.ModelChoiceField[Region]:
    """The village a new record is kept by. The form sets its queryset to the user's villages,
    so another village's id fails like a typo."""
    return forms.ModelChoiceField(
        label=_("Village"),
        queryset=None,
        error_messages={
            "required": _("Choose the village."),
            "invalid_choice": _("Choose one of your villages."),
        },
        **kwargs,
    )
