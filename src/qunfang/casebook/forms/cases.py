"""Forms for the case register, its moves and upward reports, and situation reports. Every
record offered is limited to what the signed-in user may see, so a forged id from another
village fails like a typo. The rules of the lifecycle stay in `services/cases.py`: these forms only
check the shape of the input, so a forbidden move reaches the service and is recorded there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.models import (
    Case,
    CaseOutcome,
    CaseStatus,
    CaseType,
    Level,
    PartyRole,
    ReporterKind,
    ReportPeriod,
)
from qunfang.casebook.selectors.cases import (
    FIRST_OFFER,
    _prefixes,
    case_holders,
    first_offer,
    offered_first,
)
from qunfang.core.forms import DATE_INPUT, DATETIME_INPUT
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.selectors import villages_visible
from qunfang.core.uploads import MAX_BYTES, check_upload
from qunfang.registry.models import Person

MAX_ATTACHMENTS = 10
UPLOAD_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by `check_upload` in the form's clean."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": UPLOAD_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [single(f, initial) for f in files if f]


def _village_and_group(group: Region) -> str:
    return f"{group.parent.name} · {group.name}"  # type: ignore[union-attr]  # a group's village


def _holder_label(user: User, offered: frozenset[int], organisation: Any) -> str:
    place = f"{user}（{user.region.name}）" if user.region else str(user)
    return f"{place} · {organisation}" if user.pk in offered else place


class CaseForm(forms.ModelForm):
    attachments = MultipleFileField(label=_("Photos or documents"), required=False)
    # empty: whoever registers it owns it; the owning organisation's people come first
    owner = forms.ModelChoiceField(
        label=_("owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Myself"),
        error_messages={"invalid_choice": _("Choose the owner from the list.")},
    )

    class Meta:
        model = Case
        fields = [
            "region",
            "group",
            "case_type",
            "severity",
            "title",
            "description",
            "occurred_at",
            "reported_at",
            "address",
            "latitude",
            "longitude",
            "reporter_kind",
            "reporter",
            "reporter_name",
            "reporter_confidential",
            "owner",
        ]
        widgets = {
            "occurred_at": DATETIME_INPUT,
            "reported_at": DATETIME_INPUT,
            "description": forms.Textarea(attrs={"rows": 5}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }
        help_texts = {
            "group": _("Optional: the villager group where it happened."),
            "latitude": _("Optional: latitude and longitude together, in degrees."),
            "reporter": _("If the reporter is in the registry; otherwise write the name below."),
            "reporter_name": _("Leave empty for an anonymous report."),
        }
        labels = {"reporter_confidential": _("Keep the reporter confidential (举报人保密)")}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = gettext(  # here, in the reader's language
            "JPEG, PNG or WebP photos, or PDF documents; up to %(n)d files of %(mb)d MB each, "
            "%(total)d MB in all."
        ) % {
            "n": MAX_ATTACHMENTS,
            "mb": MAX_BYTES // (1024 * 1024),
            "total": settings.QUNFANG_MAX_REQUEST_BYTES // (1024 * 1024),
        }
        villages = villages_visible(user=user)
        choices: dict[str, Any] = self.fields  # model choice fields: their queryset and labels
        choices["region"].queryset = villages
        choices["group"].queryset = (
            Region.objects.visible_to(user)
            .filter(kind=RegionKind.GROUP)
            .select_related("parent")
            .order_by("path")
        )
        choices["group"].label_from_instance = _village_and_group
        choices["case_type"].queryset = CaseType.objects.filter(active=True)
        choices["reporter"].queryset = Person.objects.visible_to(user).select_related("region")
        choices["reporter"].label_from_instance = lambda p: f"{p.name}（{p.region.name}）"
        self.fields["occurred_at"].initial = None
        if not self.is_bound:
            self.initial.setdefault(
                "reported_at", timezone.localtime().replace(second=0, microsecond=0)
            )
            if len(villages) == 1:
                self.initial["region"] = villages[0].pk
        self._offer_owners(user, villages)

    def _chosen(self, name: str, queryset):
        """The record chosen in a field so far (posted, or the form's starting value)."""
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        try:
            return queryset.get(pk=value) if value else None
        except (ValueError, TypeError, queryset.model.DoesNotExist):
            return None

    def _offer_owners(self, user: User, villages) -> None:
        """The owner's choices: those who may hold a case in the chosen village, the people of
        the organisation owning the chosen type first (marked), one of them chosen to start
        with."""
        owner: Any = self.fields["owner"]  # a model choice field
        holders = case_holders(user)
        village = self._chosen("region", villages)
        case_type = self._chosen("case_type", CaseType.objects.filter(active=True))
        if village is not None:
            holders = holders.filter(region__path__in=_prefixes(village.path))
        offer = (
            first_offer(village, case_type=case_type)
            if village is not None and case_type is not None
            else None
        )
        offered = frozenset(
            holders.filter(pk__in=offer.accounts).values_list("pk", flat=True)
            if offer is not None and offer.accounts
            else ()
        )
        owner.queryset = offered_first(holders, offered)
        owner.label_from_instance = lambda u: _holder_label(u, offered, offer and offer.owner)
        owner.help_text = _owner_hint(offer, offered, asked=case_type is not None)
        if offered and not self.is_bound and not self.initial.get("owner"):
            first = owner.queryset.filter(pk__in=offered).values_list("pk", flat=True).first()
            self.initial["owner"] = user.pk if user.pk in offered else first

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("At most %(n)d files at a time.") % {"n": MAX_ATTACHMENTS})
        checked, problems = [], []
        for upload in files:
            try:
                checked.append(check_upload(upload))  # the cleaned file, ready to store
            except ValidationError as exc:
                problems.extend(f"{upload.name}: {message}" for message in exc.messages)
        if problems:
            raise ValidationError(problems)
        return checked

    def clean(self):
        data = super().clean()
        region, group = data.get("region"), data.get("group")
        if region and group and group.parent_id != region.pk:
            self.add_error("group", _("The villager group is not in this village."))
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error(
                "longitude" if lon is None else "latitude",
                _("Give both latitude and longitude, or neither."),
            )
        elif lat is not None and not (Decimal(-90) <= lat <= 90 and Decimal(-180) <= lon <= 180):
            self.add_error("latitude", _("The position is not a valid latitude and longitude."))
        kind = data.get("reporter_kind")
        if kind == ReporterKind.ANONYMOUS and (
            data.get("reporter") or data.get("reporter_name", "").strip()
        ):
            self.add_error(
                "reporter_name", _("An anonymous report keeps no name: leave the reporter empty.")
            )
        if kind == ReporterKind.PERSON and not (
            data.get("reporter") or data.get("reporter_name", "").strip()
        ):
            self.add_error(
                "reporter_name", _("Say who reported it: choose the person or write the name.")
            )
        occurred, reported = data.get("occurred_at"), data.get("reported_at")
        soon = timezone.now() + dt.timedelta(minutes=5)
        if occurred and occurred > soon:
            self.add_error("occurred_at", _("The time of occurrence lies in the future."))
        if reported and reported > soon:
            self.add_error("reported_at", _("The time of the report lies in the future."))
        if occurred and reported and reported < occurred:
            self.add_error("reported_at", _("A case cannot be reported before it occurred."))
        return data


def _owner_hint(offer, offered: frozenset[int], *, asked) -> str:
    if offer is None and (asked or not FIRST_OFFER):  # no division of work installed
        return gettext("Leave it empty to own the case yourself.")
    if offer is None:
        return gettext(
            "Leave it empty to own the case yourself. Choose the type and the village and ask "
            "for a suggestion to see the people of the organisation that owns the type first."
        )
    if offer.owner is None:
        return gettext("No organisation owns this type in the township's division of work.")
    if offered:
        return gettext("The %(organisation)s owns this type: its people are listed first.") % {
            "organisation": offer.owner
        }
    return gettext(
        "The %(organisation)s owns this type, but none of its people here may hold a case."
    ) % {"organisation": offer.owner}


def posted_parties(data) -> list[dict[str, str]]:
    """The party rows filled in so far, to show again when the form is only refreshed."""
    rows = []
    try:
        total = min(int(data.get("parties-TOTAL_FORMS") or 0), 20)
    except ValueError:
        total = 0
    for i in range(total):
        row = {key: data.get(f"parties-{i}-{key}", "") for key in ("name", "role", "note")}
        if any(row.values()):
            rows.append(row)
    return rows


class PartyForm(forms.Form):
    """One party to the case (victim, suspect, party to a dispute, witness); empty rows are
    skipped."""

    name = forms.CharField(label=_("name"), max_length=50)
    role = forms.ChoiceField(label=_("role"), choices=[("", "—"), *PartyRole.choices])
    note = forms.CharField(label=_("note"), max_length=200, required=False)


PartyFormSet = forms.formset_factory(PartyForm, extra=3, max_num=20, absolute_max=20)


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=CaseStatus.choices)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=[("", "—"), *CaseOutcome.choices], required=False
    )


class CloseForm(forms.Form):
    """Shown on the page; posted to the same move route with to=closed."""

    to = forms.CharField(widget=forms.HiddenInput, initial=CaseStatus.CLOSED)
    outcome = forms.ChoiceField(label=_("outcome"), choices=[("", "—"), *CaseOutcome.choices])
    note = forms.CharField(
        label=_("how it ended"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HandoverForm(forms.Form):
    to = forms.ModelChoiceField(label=_("hand over to"), queryset=User.objects.none())
    reason = forms.CharField(label=_("reason for the hand-over"), max_length=200)

    def __init__(self, *args, candidates: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        to: Any = self.fields["to"]  # a model choice field: its queryset and labels
        to.queryset = User.objects.filter(pk__in=[u.pk for u in candidates]).select_related(
            "region"
        )
        to.label_from_instance = lambda u: f"{u} · {u.region.name}"


class HandoverAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class ReportUpwardForm(forms.Form):
    level = forms.ChoiceField(
        label=_("report to"),
        required=False,
        choices=[("", _("Every level that is due")), *Level.choices],
    )


class AcknowledgeForm(forms.Form):
    instructions = forms.CharField(
        label=_("instructions handed back"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SituationReportForm(forms.Form):
    region = forms.ModelChoiceField(label=_("village"), queryset=Region.objects.none())
    period = forms.ChoiceField(
        label=_("period"),
        choices=ReportPeriod.choices,
        widget=forms.RadioSelect,
        initial=ReportPeriod.DAILY,
    )
    starts_on = forms.DateField(
        label=_("from"),
        widget=DATE_INPUT,
        help_text=_("The day reported on; a weekly report starts on a Monday."),
    )
    nil_return = forms.BooleanField(
        label=_("Nil return (零上报): nothing happened in this period"), required=False
    )
    summary = forms.CharField(
        label=_("summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        villages = villages_visible(user=user)
        region: Any = self.fields["region"]  # a model choice field
        region.queryset = villages
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())
            if len(villages) == 1:
                self.initial["region"] = villages[0].pk
