"""Hand-built records for the organisation-health and four-in-place tests: a village made
"strong" (every one of the four in place, every organisation healthy) that a test then spoils
one record at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from qunfang.core.days import local_midnight
from qunfang.governance.models import Mandate, SanctionRule
from qunfang.patrols.models import Assignment, Roster, RosterStatus, Shift, ShiftPattern
from qunfang.registry.models import (
    GroupMembership,
    Household,
    JointDefenceGroup,
    Organisation,
    OrgForm,
    OrgKind,
    Person,
    SecurityContract,
)
from tests.factories import meeting_for, meeting_schedule_for, organisation_for, rule_for


def today() -> dt.date:
    return timezone.localdate()


class Patrols:
    """Published rosters of night shifts, one pattern per village (or per group)."""

    def __init__(self, by) -> None:
        self.by, self.patterns, self.rosters = by, {}, {}

    def shift(self, village, day: dt.date, group=None) -> Shift:
        if village.pk not in self.rosters:
            self.rosters[village.pk] = Roster.objects.create(
                region=village,
                starts_on=dt.date(2027, 12, 1),
                ends_on=dt.date(2029, 12, 31),
                status=RosterStatus.PUBLISHED,
                created_by=self.by,
            )
        key = (village.pk, group.pk if group else None)
        if key not in self.patterns:
            self.patterns[key] = ShiftPattern.objects.create(
                region=village,
                household_group=group,
                name=f"{village.name}夜班{len(self.patterns)}",
                starts_at=dt.time(20),
                duration_minutes=8 * 60,
                headcount=2,
                valid_from=dt.date(2027, 1, 1),
            )
        starts = local_midnight(day) + dt.timedelta(hours=20)
        shift, _ = Shift.objects.get_or_create(
            roster=self.rosters[village.pk],
            pattern=self.patterns[key],
            service_date=day,
            defaults={
                "region": village,
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=8),
                "night": True,
                "headcount": 2,
            },
        )
        return shift

    def served(self, village, day: dt.date, person, outcome="served", group=None) -> Assignment:
        return Assignment.objects.create(
            shift=self.shift(village, day, group), region=village, person=person, outcome=outcome
        )


def person_of(village, name="队员") -> Person:
    return Person.objects.create(region=village, name=name, sex="M", birth_date=dt.date(1980, 1, 1))


def strong_village(world, village, patrols: Patrols) -> SimpleNamespace:
    """A security committee (monthly meetings all held, its mandated rule in force) and a
    voluntary patrol team (patrolled two days ago), the township paying a subsidy by rule."""
    on = today()
    Mandate.objects.get_or_create(
        region=village.parent,
        org_kind=OrgKind.SECURITY_COMMITTEE,
        defaults={"text": "负责全村治安", "required_rules": ["meetings"]},
    )
    SanctionRule.objects.get_or_create(
        region=village.parent,
        trigger="grade",
        action="subsidy",
        defaults={"amount": Decimal(200), "grade": "excellent"},
    )
    committee = organisation_for(
        village, kind=OrgKind.SECURITY_COMMITTEE, name=f"{village.name}治保会"
    )
    team = organisation_for(village, kind=OrgKind.PATROL_TEAM, name=f"{village.name}巡逻队")
    Organisation.objects.filter(pk=team.pk).update(form=OrgForm.VOLUNTARY)
    team.refresh_from_db()
    rule_for(committee, kind="meetings")
    meeting_schedule_for(committee)  # the 10th of every month
    for back in range(1, 4):  # the last three months' meetings, held
        day = (on.replace(day=1) - dt.timedelta(days=28 * back - 20)).replace(day=10)
        if day < on:
            meeting_for(
                committee,
                status="held",
                scheduled_at=local_midnight(day) + dt.timedelta(hours=9),
                invite=False,
            )
    member = team.posts.get().memberships.first().person
    patrols.served(village, on - dt.timedelta(days=2), member)
    return SimpleNamespace(committee=committee, team=team, member=member)


def group_of(village, households=3, organisation=None) -> JointDefenceGroup:
    group = JointDefenceGroup.objects.create(
        region=village,
        name=f"{village.name}联防组",
        formed_on=dt.date(2025, 1, 1),
        organisation=organisation,
    )
    for i in range(households):
        household = Household.objects.create(region=village, number=f"H{group.pk}-{i}")
        GroupMembership.objects.create(
            group=group, household=household, joined_on=dt.date(2025, 1, 1)
        )
    return group


def contract_in_force(village, team) -> SecurityContract:
    on = today()
    return SecurityContract.objects.create(
        region=village,
        number=f"HT-{team.pk}",
        title="治安承包",
        contractor_team=team,
        starts_on=on - dt.timedelta(days=100),
        ends_on=on + dt.timedelta(days=200),
        amount=Decimal(10000),
        duties="夜间巡逻",
        status="active",
    )
