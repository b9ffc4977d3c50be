"""Forms for self-service and check-in. They only parse and check the shape of what came in;
the rules (is this shift yours, is the code right, may this person take over) live in the
services (services/checkin.py, services/swaps.py), whose refusals the views put on the form."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.uploads import check_upload
from qunfang.patrols.models import CheckInKind, Finding, PatrolPoint
from qunfang.patrols.services.checkin import Scan
from qunfang.patrols.services.signs import DIGITS

SIX_PLACES = Decimal("0.000001")


class AbsenceForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until (inclusive)"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=100,
        required=False,
        help_text=_("For example: working in town, in hospital, harvest."),
    )


class SwapForm(forms.Form):
    replacement = forms.TypedChoiceField(label=_("Who takes over"), coerce=int, empty_value=None)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, candidates, **kwargs):
        """`candidates`: the people offered (those without a problem)."""
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in candidates}
        self.fields["replacement"].choices = [("", _("— choose —"))] + [
            (p.pk, f"{p.name}（{p.household.number}）" if p.household_id else p.name)
            for p in candidates
        ]

    def clean_replacement(self):
        pk = self.cleaned_data["replacement"]
        if pk not in self.people:
            raise forms.ValidationError(_("Choose someone from the list."))
        return self.people[pk]


class _PositionFields(forms.Form):
    """Filled by checkin.js from the phone's GPS; empty when the phone does not offer it."""

    latitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180
    )
    accuracy_m = forms.DecimalField(required=False, widget=forms.HiddenInput, min_value=0)
    client_id = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This form is out of date. Reload the page and try again."),
            "invalid": _("This form is out of date. Reload the page and try again."),
        },
    )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            data["latitude"] = data["longitude"] = None  # half a position is no position
        for name in ("latitude", "longitude"):
            if data.get(name) is not None:
                data[name] = data[name].quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
        accuracy = data.get("accuracy_m")
        data["accuracy_m"] = min(round(accuracy), 100_000) if accuracy is not None else None
        return data

    def position(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("latitude", "longitude", "accuracy_m")}


def fresh_client_id() -> dict:
    """A new id per page view: a double submit of the same page reuses it and is answered once."""
    return {"client_id": uuid.uuid4()}


class CheckInForm(_PositionFields):
    code = forms.CharField(
        label=_("Code on the sign"),
        max_length=20,
        required=False,
        # interpolated when shown, so the text follows the reader's language
        help_text=lazy(
            lambda: gettext("The %(digits)d digits under the QR code.") % {"digits": DIGITS}, str
        )(),
    )
    finding = forms.ChoiceField(
        label=_("What did you find?"),
        choices=Finding.choices,
        initial=Finding.NOTHING,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
        help_text=_("JPEG, PNG or WebP, at most 8 MB."),
    )

    def __init__(self, *args, code_from_sign: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if code_from_sign:  # the QR carried it: nothing to type
            self.fields["code"].widget = forms.HiddenInput()

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())

    def clean_photo(self):
        """The photo cleaned of EXIF and GPS, under a name of our own (never the phone's)."""
        photo = self.cleaned_data.get("photo")
        return check_upload(photo, allow_pdf=False).file if photo else None

    def scan(self, point: PatrolPoint) -> Scan:
        d = self.cleaned_data
        return Scan(
            client_id=d["client_id"],
            kind=CheckInKind.POINT,
            point=point,
            code=d["code"],
            finding=d["finding"],
            note=d["note"],
            photo=d["photo"],
            **self.position(),
        )


class CheckInActionForm(_PositionFields):
    """Start or end of patrol."""

    kind = forms.ChoiceField(
        choices=[
            (CheckInKind.START, CheckInKind.START.label),
            (CheckInKind.END, CheckInKind.END.label),
        ],
        error_messages=choice_errors(_("Choose start or end of patrol.")),
    )

    def scan(self) -> Scan:
        return Scan(
            client_id=self.cleaned_data["client_id"],
            kind=self.cleaned_data["kind"],
            **self.position(),
        )
