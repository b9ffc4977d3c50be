"""Writes with business rules for accounts, roles and personal data. Views, admin and commands
all call these; each one records what it did in the security log."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from qunfang.core.audit import reveal_record, security_event_record
from qunfang.core.models import (
    ImportMapping,
    Region,
    RegionKind,
    SecurityEventKind,
    User,
    UserRole,
)
from qunfang.core.roles import Perm, Role

# Which level of the tree each role works at.
ROLE_REGION_KINDS = {
    Role.TOWNSHIP_OFFICER: {RegionKind.TOWNSHIP},
    Role.POLICE_OFFICER: {RegionKind.TOWNSHIP, RegionKind.COUNTY},
    Role.VILLAGE_DIRECTOR: {RegionKind.VILLAGE},
    Role.MEDIATOR: {RegionKind.VILLAGE, RegionKind.TOWNSHIP},
    Role.PATROL_MEMBER: {RegionKind.VILLAGE, RegionKind.GROUP},
    Role.AUDITOR: {RegionKind.COUNTY, RegionKind.TOWNSHIP},
    Role.SYSTEM_ADMIN: {RegionKind.COUNTY},
}


def _check_roles_fit_region(roles: set[str], region: Region | None) -> None:
    for role in roles:
        if role == Role.SYSTEM_ADMIN and region is None:
            continue
        if region is None or region.kind not in ROLE_REGION_KINDS[Role(role)]:
            raise ValidationError(
                _("A %(role)s works in a %(kinds)s, not in %(region)s.")
                % {
                    "role": Role(role).label,
                    "kinds": " / ".join(
                        str(RegionKind(k).label) for k in ROLE_REGION_KINDS[Role(role)]
                    ),
                    "region": region.name if region else _("no jurisdiction"),
                }
            )


def _sync_admin_flags(user: User, roles: set[str]) -> None:
    """Django admin opens to system administrators only, with every model permission."""
    is_admin = Role.SYSTEM_ADMIN in roles
    if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    region: Region | None,
    roles: set[str],
    full_name: str = "",
    phone: str = "",
    by: User | None = None,
    request: HttpRequest | None = None,
) -> User:
    _check_roles_fit_region(roles, region)
    user = User.objects.create_user(
        username=username, password=password, region=region, full_name=full_name, phone=phone
    )
    _sync_admin_flags(user, roles)
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in sorted(roles)])
    security_event_record(
        kind=SecurityEventKind.ACCOUNT_CREATED,
        request=request,
        user=user,
        actor=by,
        detail={"roles": sorted(roles), "region": region.code if region else None},
    )
    return user


@transaction.atomic
def user_set_roles_and_region(
    *,
    user: User,
    roles: set[str],
    region: Region | None,
    by: User | None,
    request: HttpRequest | None = None,
) -> None:
    _check_roles_fit_region(roles, region)
    if user.region_id != (region.pk if region else None):
        old = user.region.code if user.region else None
        user.region = region
        user.save(update_fields=["region"])
        security_event_record(
            kind=SecurityEventKind.JURISDICTION_CHANGED,
            request=request,
            user=user,
            actor=by,
            detail={"from": old, "to": region.code if region else None},
        )
    current = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    for role in sorted(roles - current):
        UserRole.objects.create(user=user, role=role)
        security_event_record(
            kind=SecurityEventKind.ROLE_GRANTED,
            request=request,
            user=user,
            actor=by,
            detail={"role": role},
        )
    for role in sorted(current - roles):
        UserRole.objects.filter(user=user, role=role).delete()
        security_event_record(
            kind=SecurityEventKind.ROLE_REVOKED,
            request=request,
            user=user,
            actor=by,
            detail={"role": role},
        )
    _sync_admin_flags(user, roles)
    user.__dict__.pop("role_names", None)
    user.__dict__.pop("permissions", None)


REVEALABLE_FIELDS = {"phone", "id_number"}


def personal_data_reveal(
    *, viewer: User, subject: Any, field: str, request: HttpRequest | None = None
) -> str:
    """The unmasked value of an account's or a person's phone or ID number, for a viewer whose
    role needs it (the caller has already fetched `subject` through the viewer's scope).
    Every reveal is logged."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationError(_("Unknown field."))
    if not viewer.can(Perm.REVEAL_PERSONAL_DATA):
        raise PermissionDenied
    if isinstance(subject, User):
        security_event_record(
            kind=SecurityEventKind.PERSONAL_DATA_REVEALED,
            request=request,
            user=subject,
            actor=viewer,
            detail={"field": field},
        )
    else:
        reveal_record(viewer=viewer, record=subject, field=field, request=request)
    value: str = getattr(subject, field)
    return value


def import_mapping_remember(
    *, village: Region, layout: str, columns: dict[str, str], by: User
) -> None:
    """Keep the columns a user confirmed for the village's files of `layout`: the mapping step
    tries them first next time."""
    ImportMapping.objects.update_or_create(
        region=village, layout=layout, defaults={"columns": columns, "updated_by": by}
    )
