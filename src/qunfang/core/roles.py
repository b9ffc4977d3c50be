"""Roles and the named permissions each one grants. Views and API ask for a permission, never a
role."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TOWNSHIP_OFFICER = "township_officer", _("Township governance officer")
    POLICE_OFFICER = "police_officer", _("Police station officer")
    VILLAGE_DIRECTOR = "village_director", _("Village security director")
    MEDIATOR = "mediator", _("Mediator")
    PATROL_MEMBER = "patrol_member", _("Patrol member")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class Perm(models.TextChoices):
    VIEW_REGIONS = "view_regions", _("View regions")
    VIEW_USERS = "view_users", _("View user accounts")
    MANAGE_USERS = "manage_users", _("Manage user accounts and roles")
    REVEAL_PERSONAL_DATA = "reveal_personal_data", _("See unmasked ID numbers and phones")
    EXPORT_PERSONAL_DATA = (
        "export_personal_data",
        _("Download lists of people, households and accounts (masked, logged)"),
    )
    VIEW_CONFIDENTIAL = (
        "view_confidential",
        _("See the names of confidential reporters (logged)"),
    )
    VIEW_SECURITY_LOG = "view_security_log", _("View the security log")
    SUPERVISE_VILLAGES = "supervise_villages", _("Supervise villages")
    APPROVE_SPENDING = "approve_spending", _("Approve spending")
    RECEIVE_ESCALATIONS = "receive_escalations", _("Receive escalated incidents")
    MANAGE_VILLAGE = "manage_village", _("Run the village's organisations and books")
    HANDLE_MEDIATION = "handle_mediation", _("Handle mediation cases")
    PATROL = "patrol", _("Serve on patrol")
    VIEW_REGISTRY = "view_registry", _("View organisations, people and households")
    MANAGE_REGISTRY = "manage_registry", _("Edit organisations, people, households and contracts")
    SIGN_VETTING_VILLAGE = "sign_vetting_village", _("Sign vetting for the village committee")
    SIGN_VETTING_POLICE = "sign_vetting_police", _("Sign vetting for the police station")
    VIEW_PATROLS = "view_patrols", _("View rosters, patrol logs and attendance")
    MANAGE_PATROLS = "manage_patrols", _("Plan patrols: points, shift patterns, rosters, swaps")
    VIEW_GOVERNANCE = (
        "view_governance",
        _("See meetings, training, appointments, rules and mandates"),
    )
    RUN_GOVERNANCE = (
        "run_governance",
        _("Hold meetings and training, nominate and appoint, adopt rules"),
    )
    VIEW_BOOKS = (
        "view_books",
        _("Read the registration books: cases, mediation, inspections, opinions"),
    )


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.TOWNSHIP_OFFICER: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_USERS,
            Perm.REVEAL_PERSONAL_DATA,
            Perm.EXPORT_PERSONAL_DATA,
            Perm.VIEW_CONFIDENTIAL,
            Perm.SUPERVISE_VILLAGES,
            Perm.APPROVE_SPENDING,
            Perm.VIEW_GOVERNANCE,
            Perm.RUN_GOVERNANCE,
            Perm.VIEW_REGISTRY,
            Perm.MANAGE_REGISTRY,
            Perm.VIEW_PATROLS,
            Perm.MANAGE_PATROLS,
            Perm.VIEW_BOOKS,
        }
    ),
    Role.POLICE_OFFICER: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_USERS,
            Perm.REVEAL_PERSONAL_DATA,
            Perm.VIEW_CONFIDENTIAL,
            Perm.RECEIVE_ESCALATIONS,
            Perm.VIEW_REGISTRY,
            Perm.SIGN_VETTING_POLICE,
            Perm.VIEW_PATROLS,
            Perm.VIEW_GOVERNANCE,
            Perm.VIEW_BOOKS,
        }
    ),
    Role.VILLAGE_DIRECTOR: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_USERS,
            Perm.REVEAL_PERSONAL_DATA,
            Perm.EXPORT_PERSONAL_DATA,
            Perm.MANAGE_VILLAGE,
            Perm.VIEW_REGISTRY,
            Perm.MANAGE_REGISTRY,
            Perm.SIGN_VETTING_VILLAGE,
            Perm.VIEW_PATROLS,
            Perm.VIEW_GOVERNANCE,
            Perm.RUN_GOVERNANCE,
            Perm.MANAGE_PATROLS,
            Perm.VIEW_BOOKS,
        }
    ),
    Role.MEDIATOR: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.HANDLE_MEDIATION,
            Perm.VIEW_REGISTRY,
            Perm.VIEW_BOOKS,
            Perm.VIEW_GOVERNANCE,
        }
    ),
    Role.PATROL_MEMBER: frozenset({Perm.PATROL}),
    Role.AUDITOR: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_USERS,
            Perm.VIEW_SECURITY_LOG,
            Perm.VIEW_REGISTRY,
            Perm.VIEW_PATROLS,
            Perm.VIEW_GOVERNANCE,
            Perm.VIEW_BOOKS,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(set(Perm.values)),
}


def permissions_for(roles: set[str] | frozenset[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
