"""Forms for the registry screens. Every choice of a related record is limited to what the
signed-in user may see, so a forged id from another village fails validation like a typo."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import PersonalDataFieldsMixin
from qunfang.core.models import Region, RegionKind
from qunfang.registry.models import (
    Household,
    JointDefenceGroup,
    Organisation,
    Person,
    Post,
    TrainingRecord,
    VettingCheck,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def visible_villages(user):
    return Region.objects.visible_to(user).filter(kind=RegionKind.VILLAGE)


class ScopedForm(forms.ModelForm):
    """Limits `region` to the user's villages; subclasses limit their own related fields."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "region" in self.fields:
            self.fields["region"].queryset = visible_villages(user)
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE


class OrganisationForm(ScopedForm):
    class Meta:
        model = Organisation
        fields = [
            "region",
            "name",
            "kind",
            "form",
            "status",
            "founded_on",
            "status_since",
            "description",
        ]
        widgets = {
            "founded_on": DATE,
            "status_since": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["title", "duties", "seats", "is_leader", "requires_vetting", "min_age", "max_age",
                  "required_training"]  # fmt: skip
        widgets = {"duties": forms.Textarea(attrs={"rows": 4})}


class PlacementForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    started_on = forms.DateField(label=_("From"), widget=DATE)

    def __init__(self, *args, post: Post, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user).filter(
            region__path__startswith=post.organisation.region.path
        )


class MembershipEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Until"), widget=DATE)
    reason = forms.CharField(label=_("Reason for leaving"), max_length=200, required=False)


class PersonForm(PersonalDataFieldsMixin, ScopedForm):
    class Meta:
        model = Person
        fields = ["region", "household", "name", "sex", "birth_date", "id_number", "phone", "phone_reachable",
                  "education", "political_status", "address", "may_serve"]  # fmt: skip
        widgets = {"birth_date": DATE, "id_number": forms.TextInput, "phone": forms.TextInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(self.user).select_related(
            "head"
        )


class HouseholdForm(ScopedForm):
    class Meta:
        model = Household
        fields = ["region", "group", "number", "head", "address", "elderly_only", "disabled_member", "absent",
                  "low_income", "five_guarantees"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Region.objects.visible_to(self.user).filter(
            kind=RegionKind.GROUP
        )
        self.fields["head"].queryset = (
            self.instance.members.all() if self.instance.pk else Person.objects.none()
        )

    def clean(self):
        data = super().clean()
        region, group = data.get("region"), data.get("group")
        if region and group and group.parent_id != region.pk:
            self.add_error("group", _("This villager group belongs to another village."))
        return data


class JointDefenceGroupForm(ScopedForm):
    households = forms.ModelMultipleChoiceField(
        label=_("Households"),
        queryset=Household.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    leader = forms.ModelChoiceField(label=_("Leading household"), queryset=Household.objects.none())
    changed_on = forms.DateField(label=_("Effective from"), widget=DATE)

    class Meta:
        model = JointDefenceGroup
        fields = ["region", "organisation", "name", "formed_on"]
        widgets = {"formed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        households = Household.objects.visible_to(self.user).select_related("head")
        self.fields["households"].queryset = households
        self.fields["leader"].queryset = households
        self.fields["organisation"].queryset = Organisation.objects.visible_to(self.user).filter(
            kind="joint_defence"
        )
        if self.instance.pk:
            current = self.instance.memberships.filter(left_on__isnull=True).values_list(
                "household", flat=True
            )
            self.fields["households"].initial = list(current)
            self.fields["leader"].initial = self.instance.leader_household_id


class VettingCheckForm(forms.ModelForm):
    class Meta:
        model = VettingCheck
        fields = ["kind", "result", "evidence", "checked_on", "due_on"]
        widgets = {
            "checked_on": DATE,
            "due_on": DATE,
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("checked_on") and data.get("due_on") and data["due_on"] <= data["checked_on"]:
            self.add_error("due_on", _("Re-vetting must fall due after the check."))
        return data


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = [
            "kind",
            "course",
            "held_on",
            "hours",
            "certificate_number",
            "certificate_expires_on",
        ]
        widgets = {"held_on": DATE, "certificate_expires_on": DATE}

    def clean(self):
        data = super().clean()
        held, expires = data.get("held_on"), data.get("certificate_expires_on")
        if held and expires and expires <= held:
            self.add_error(
                "certificate_expires_on", _("A certificate must stay valid after the course.")
            )
        if data.get("hours") is not None and data["hours"] <= 0:
            self.add_error("hours", _("Enter the hours of the course."))
        return data
