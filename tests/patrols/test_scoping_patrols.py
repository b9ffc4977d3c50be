"""Patrol records follow the one scoping mechanism; a joint zone is seen by the township that
owns it and by each member village, and by nobody else."""

import datetime as dt
from decimal import Decimal

import pytest

from qunfang.patrols.models import (
    Assignment,
    DutyLedgerEntry,
    JointZone,
    PatrolPoint,
    Roster,
    Shift,
    ZoneVillage,
)
from qunfang.patrols.services.rostering import RosterRequest, generate_roster
from tests.patrols.conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_village_records_stay_in_the_village(world, patrol):
    assert set(PatrolPoint.objects.visible_to(world.director1)) == set(patrol.points)
    assert not PatrolPoint.objects.visible_to(world.director2).exists()
    assert not PatrolPoint.objects.visible_to(world.township2_officer).exists()
    assert PatrolPoint.objects.visible_to(world.township_officer).count() == 3


def test_a_joint_zone_is_seen_by_its_township_and_each_member_village_once(world, patrol):
    req = RosterRequest(
        region=world.township,
        zone=patrol.zone,
        starts_on=MONDAY,
        ends_on=MONDAY + dt.timedelta(days=6),
    )
    roster = generate_roster(req, by=world.township_officer)
    for user in (world.township_officer, world.director1, world.director2):
        assert list(JointZone.objects.visible_to(user)) == [
            patrol.zone
        ]  # once, though two villages match
        assert list(Roster.objects.visible_to(user)) == [roster]
        assert Shift.objects.visible_to(user).count() == 2
        assert Assignment.objects.visible_to(user).count() == 4
    for user in (world.township2_officer,):
        assert not JointZone.objects.visible_to(user).exists()
        assert not Roster.objects.visible_to(user).exists()
        assert not Assignment.objects.visible_to(user).exists()


def test_a_zone_without_village2_is_hidden_from_village2(world, patrol):
    own = JointZone.objects.create(region=world.township, name="枫源村内")
    ZoneVillage.objects.create(zone=own, village=world.village1, cost_share=Decimal(100))
    assert own in JointZone.objects.visible_to(world.director1)
    assert own not in JointZone.objects.visible_to(world.director2)


def test_duty_ledger_is_append_only_in_the_database_too(world, patrol):
    from django.db import connection

    from qunfang.patrols.services.rostering import publish_roster

    roster = generate_roster(
        RosterRequest(region=world.village1, starts_on=MONDAY, ends_on=MONDAY), by=world.director1
    )
    publish_roster(roster=roster, by=world.director1)
    entry = DutyLedgerEntry.objects.first()
    assert entry is not None and entry.kind == "owed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        DutyLedgerEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE patrols_dutyledgerentry SET note = 'x' WHERE id = %s", [entry.pk])
