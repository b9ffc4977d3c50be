"""Ten-household joint defence groups (十户联防): which households a group has, from which day."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qunfang.registry.models import GroupMembership, Household, JointDefenceGroup


@transaction.atomic
def joint_defence_group_form(
    *, group: JointDefenceGroup, households: list[Household], leader: Household, on: dt.date
) -> JointDefenceGroup:
    """Set a group's households from `on`: households that leave get an end date, new ones a
    start date (moving out of any other group). History is kept, nothing is deleted."""
    if leader not in households:
        raise ValidationError(_("The leading household must be one of the group's households."))
    foreign = [h for h in households if h.region_id != group.region_id]
    if foreign:
        raise ValidationError(
            _("These households belong to another village: %(numbers)s.")
            % {"numbers": ", ".join(h.number for h in foreign)}
        )
    if len(households) > 15:
        raise ValidationError(_("A ten-household group has at most 15 households."))
    wanted = {h.pk for h in households}
    current = {m.household_id: m for m in group.memberships.filter(left_on__isnull=True)}
    for household_id, membership in current.items():
        if household_id not in wanted:
            membership.left_on = on
            membership.save(update_fields=["left_on"])
    for moving in GroupMembership.objects.filter(
        household_id__in=wanted - current.keys(), left_on__isnull=True
    ):
        moving.left_on = on  # leaves its old group
        moving.save(update_fields=["left_on"])
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(group=group, household_id=pk, joined_on=on)
            for pk in sorted(wanted - current.keys())
        ]
    )
    group.leader_household = leader
    group.save()
    return group
