from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from qunfang.core.models import NotificationPreference, Region, RegionKind, User
from qunfang.core.notify import KIND_LABELS
from qunfang.core.personal import validate_id_number, validate_phone
from qunfang.core.roles import Role


class LoginForm(AuthenticationForm):
    """Same message for an unknown user and a wrong password: the form never says which."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )


class UserAdminForm(UserChangeForm):
    """The admin's account form: roles, jurisdiction and validated personal data."""

    roles_field = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = User
        fields = [
            "username",
            "password",
            "full_name",
            "email",
            "region",
            "phone",
            "id_number",
            "is_active",
        ]
        widgets = {"phone": forms.TextInput, "id_number": forms.TextInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.exclude(kind=RegionKind.GROUP)
        if self.instance.pk:
            self.fields["roles_field"].initial = sorted(self.instance.role_names)

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return validate_phone(phone) if phone else ""

    def clean_id_number(self):
        number = self.cleaned_data["id_number"]
        return validate_id_number(number) if number else ""


class NotificationPreferenceForm(forms.ModelForm):
    email_kinds = forms.MultipleChoiceField(
        label=_("Also by e-mail"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=lambda: list(KIND_LABELS.items()),
    )  # fmt: skip

    class Meta:
        model = NotificationPreference
        fields = ["email_kinds", "daily_digest"]
