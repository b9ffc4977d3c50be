"""Django admin for system administrators: regions and accounts. Role and jurisdiction changes
go through the same service as everywhere else, so each lands in the security log."""

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from qunfang.core import services
from qunfang.core.audit import security_event_record
from qunfang.core.forms import UserAdminForm
from qunfang.core.models import Region, SecurityEvent, SecurityEventKind, User
from qunfang.core.personal import mask_id_number, mask_phone


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple_history has no types
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "official_name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]


class MaskedHistoryHelper(HistoricalRecordContextHelper):  # type: ignore[misc]  # (no types)
    """The history's list of changes shows ID numbers and phones masked, as everywhere else."""

    MASKS = {"id_number": mask_id_number, "phone": mask_phone}

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        if change.field in self.MASKS:
            return self.MASKS[change.field](value)
        return super().prepare_delta_change_value(change, value)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin[User]):  # type: ignore[misc]  # (no types)
    form = UserAdminForm
    add_form = AdminUserCreationForm
    list_display = ["username", "full_name", "region", "is_active", "last_login"]
    list_filter = ["is_active", "roles__role"]
    search_fields = ["username", "full_name"]
    list_select_related = ["region"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "username",
                    "password",
                    "full_name",
                    "email",
                    "phone",
                    "phone_remove",
                    "id_number",
                    "id_number_remove",
                ]
            },
        ),
        ("", {"fields": ["region", "roles_field", "is_active"]}),
        ("", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "password1", "password2"]})]

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> MaskedHistoryHelper:
        return MaskedHistoryHelper(self.model, historical_record)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # accounts are deactivated, never deleted: the logs point at them

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        by = cast(User, request.user)  # the admin site is for signed-in staff only
        region = form.cleaned_data.get("region", obj.region)
        if change:  # the service moves the jurisdiction, so that the move is logged
            obj.region_id = form.initial.get("region")
        super().save_model(request, obj, form, change)
        if not change:
            security_event_record(
                kind=SecurityEventKind.ACCOUNT_CREATED,
                request=request,
                user=obj,
                actor=by,
            )
        if "roles_field" in form.cleaned_data:
            services.user_set_roles_and_region(
                user=obj,
                roles=set(form.cleaned_data["roles_field"]),
                region=region,
                by=by,
                request=request,
            )


admin.site.unregister(Group)  # roles are Qunfang's own; Django's groups would be a second system


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin[SecurityEvent]):
    """Read-only: the security log is append-only."""

    list_display = ["at", "kind", "username", "actor", "region", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["username"]
    list_select_related = ["actor", "region"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SecurityEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SecurityEvent | None = None) -> bool:
        return False
