from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qunfang.core import login
from qunfang.core.models import NotificationPreference, Region, RegionKind, User
from qunfang.core.notify import KIND_LABELS
from qunfang.core.personal import mask_id_number, mask_phone, validate_id_number, validate_phone
from qunfang.core.roles import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from qunfang.core.spreadsheets import Column

    ModelFormBase = forms.ModelForm[Any]  # what the mixin is mixed into
else:
    ModelFormBase = object

# The browser's own date and time pickers, in the formats they send back. Every field copies
# the widget it is given, so one instance serves every form.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def choice_errors(message: "StrOrPromise") -> dict[str, "StrOrPromise"]:
    """A choice field's `error_messages`: the same sentence whether nothing was chosen or
    something that is not offered (a stale page, a forged post)."""
    return {"required": message, "invalid_choice": message}


def errors_onto(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's refusal shown on the form: by field where it names one of the form's
    fields, else on top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class LoginForm(AuthenticationForm):
    """Same message for an unknown user and a wrong password: the form never says which. An
    account under a spread-out guessing attack is slowed down (core/login.py)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        request = cast(HttpRequest, self.request)  # the login view always gives it
        if username and not login.may_try(request, username):
            raise forms.ValidationError(
                _(
                    "There have been many failed sign-ins to this account from other places. "
                    "Please wait half a minute and try again; on a computer or phone where "
                    "you have signed in before there is no wait."
                ),
                code="slowed_down",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                login.count_failure(username)
            raise


def _remove_field() -> forms.BooleanField:
    return forms.BooleanField(label=_("Remove the one on file"), required=False)


class PersonalDataFieldsMixin(ModelFormBase):
    """A form never puts a whole ID number or phone into an input, so opening it reveals
    nothing: a number on file shows as its mask; left empty it is kept, typed anew it replaces
    the old one, and a tick removes it. Whole values come only from the logged reveal."""

    personal_fields = {"id_number": mask_id_number, "phone": mask_phone}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_personal: dict[str, str] = {}
        for name, mask in self.personal_fields.items():
            field = self.fields.get(name)
            current = getattr(self.instance, name, "") if field else ""
            self.initial[name] = ""
            if field is None or not current:  # no field, nothing on file
                continue
            self.kept_personal[name] = current
            field.required = False
            field.widget.attrs.update(placeholder=mask(current), autocomplete="off")
            field.help_text = _(
                "On file: %(masked)s. Leave empty to keep it; type a new one to change it."
            ) % {"masked": mask(current)}
            if f"{name}_remove" not in self.fields:
                self.fields = self._insert_after(name, f"{name}_remove", _remove_field())

    def _insert_after(self, anchor: str, name: str, field: forms.Field) -> dict[str, forms.Field]:
        fields = {}
        for key, value in self.fields.items():
            fields[key] = value
            if key == anchor:
                fields[name] = field
        return fields

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # a ModelForm's: its cleaned_data
        for name, current in self.kept_personal.items():
            if not data.get(name) and not data.get(f"{name}_remove"):
                data[name] = current
        return data


class UserAdminForm(PersonalDataFieldsMixin, UserChangeForm[User]):
    """The admin's account form: roles, jurisdiction and validated personal data."""

    roles_field = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # declared here because the admin's fieldsets name them
    phone_remove = _remove_field()
    id_number_remove = _remove_field()

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = cast("forms.ModelChoiceField[Region]", self.fields["region"])
        region.queryset = Region.objects.exclude(kind=RegionKind.GROUP)
        if self.instance.pk:
            self.fields["roles_field"].initial = sorted(self.instance.role_names)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return validate_phone(phone) if phone else ""

    def clean_id_number(self) -> str:
        number = self.cleaned_data["id_number"]
        return validate_id_number(number) if number else ""


class AccountLanguageForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": _("Language of pages and messages")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # left out of a post: the account's stays

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self.instance.language


class NotificationPreferenceForm(forms.ModelForm[NotificationPreference]):
    email_kinds = forms.MultipleChoiceField(
        label=_("Also by e-mail"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: list(KIND_LABELS.items()),
    )

    class Meta:
        model = NotificationPreference
        fields = ["email_kinds", "daily_digest"]


class ColumnMappingForm(forms.Form):
    """The mapping step: for each field of a layout, the column of the file that holds it (or
    none). Refused when a column is chosen for two fields or a required field has none."""

    def __init__(
        self,
        *args: Any,
        fields: "list[Column]",
        headers: list[str],
        initial_mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.layout_columns = fields
        choices = [("", _("— not in this file —")), *((h, h) for h in headers)]
        for column in fields:
            self.fields[column.key] = forms.ChoiceField(
                label=column.header,
                choices=choices,
                required=False,
                initial=initial_mapping.get(column.key, ""),
                help_text=str(column.help),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used: dict[str, str] = {}
        for column in self.layout_columns:
            header = cleaned.get(column.key) or ""
            if not header:
                if column.required:
                    self.add_error(
                        column.key,
                        _("Choose the column that holds %(field)s.") % {"field": column.header},
                    )
                continue
            if header in used:
                self.add_error(
                    column.key,
                    _("The column %(header)s is already chosen for %(other)s.")
                    % {"header": header, "other": used[header]},
                )
            used[header] = column.header
        return cleaned

    def rows(self) -> "list[tuple[Column, forms.BoundField]]":
        """Each field of the layout with its choice, for the screen."""
        return [(column, self[column.key]) for column in self.layout_columns]

    def mapping(self) -> dict[str, str]:
        """{layout key: header} of the chosen columns (after is_valid())."""
        return {
            c.key: self.cleaned_data[c.key]
            for c in self.layout_columns
            if self.cleaned_data.get(c.key)
        }
