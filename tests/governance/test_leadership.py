"""Leaders' responsibility (领导责任制): a village's leader in charge (one at a time, a township
officer of its own township), the township's committee, police guidance visits logged and
counted; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from qunfang.core.permissions import NotYours
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.models import CommitteeMember, GuidanceVisit, VillageLeader
from qunfang.governance.selectors import leadership as sel
from qunfang.governance.services import leadership as svc
from tests.clock import MIDWEEK
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture(autouse=True)
def _english():
    """The refusals are matched in English (the screens' tests read them in Chinese)."""
    with translation.override("en"):
        yield


def today() -> dt.date:
    return timezone.localdate()


def snapshot() -> tuple:
    return (
        list(VillageLeader.objects.order_by("pk").values_list()),
        list(CommitteeMember.objects.order_by("pk").values_list()),
        list(GuidanceVisit.objects.order_by("pk").values_list()),
    )


def officer_b(world):
    """A second township officer of 枫桥镇."""
    return user_create(
        username="officer_b",
        password=TEST_PASSWORD,
        region=world.township,
        roles={Role.TOWNSHIP_OFFICER},
        full_name="俞志明",
    )


# ---- leaders in charge ------------------------------------------------------------------------


def test_assigning_a_leader_ends_the_previous_charge_the_day_before(world):
    first = svc.leader_assign(
        village=world.village1,
        by=world.township_officer,
        account=world.township_officer,
        title="镇长",
        starts_on=today() - dt.timedelta(days=100),
    )
    assert first.name == "陈建国" and first.ends_on is None
    second = svc.leader_assign(
        village=world.village1,
        by=world.township_officer,
        account=officer_b(world),
        starts_on=today(),
    )
    first.refresh_from_db()
    assert first.ends_on == today() - dt.timedelta(days=1)
    assert svc.current_leader(world.village1) == second
    assert first.history.first().history_change_reason.startswith("Handed over")


def test_a_leader_without_an_account_is_a_name_and_a_post(world):
    leader = svc.leader_assign(
        village=world.village2, by=world.township_officer, name="周春林", title="武装部长"
    )
    assert leader.user is None and leader.title == "武装部长"


@pytest.mark.parametrize(
    "who, message",
    [
        ("director1", "is not a township officer"),  # a village's account
        ("township2_officer", "is not a township officer of 枫桥镇"),  # another township's
        ("police", "is not a township officer"),
    ],
)
def test_the_leader_must_be_a_township_officer_of_that_township(world, who, message):
    before = snapshot()
    with pytest.raises(ValidationError, match=message):
        svc.leader_assign(
            village=world.village1, by=world.township_officer, account=getattr(world, who)
        )
    assert snapshot() == before


@pytest.mark.parametrize("who", ["director1", "police", "township2_officer", "auditor"])
def test_only_the_township_office_of_the_village_assigns(world, who):
    before = snapshot()
    with pytest.raises(NotYours):
        svc.leader_assign(village=world.village1, by=getattr(world, who), name="某某")
    assert snapshot() == before


def test_bad_assignments_are_refused(world):
    officer = world.township_officer
    svc.leader_assign(village=world.village1, by=officer, account=officer, starts_on=today())
    before = snapshot()
    with pytest.raises(ValidationError, match="already in charge"):
        svc.leader_assign(village=world.village1, by=officer, account=officer)
    with pytest.raises(ValidationError, match="starts after that"):
        svc.leader_assign(village=world.village1, by=officer, name="新人", starts_on=today())
    with pytest.raises(ValidationError, match="leader's name"):
        svc.leader_assign(village=world.village2, by=officer, name="  ")
    with pytest.raises(ValidationError, match="Choose a village"):
        svc.leader_assign(village=world.township, by=officer, name="某某")
    assert snapshot() == before


def test_a_charge_ends_once(world):
    officer = world.township_officer
    leader = svc.leader_assign(village=world.village1, by=officer, name="甲")
    with pytest.raises(NotYours):
        svc.leader_end(leader=leader, by=world.director1)
    with pytest.raises(ValidationError, match="before that"):
        svc.leader_end(leader=leader, by=officer, ends_on=today() - dt.timedelta(days=3))
    svc.leader_end(leader=leader, by=officer)
    with pytest.raises(ValidationError, match="already ended"):
        svc.leader_end(leader=leader, by=officer)
    assert svc.current_leader(world.village1) is None


# ---- the committee ----------------------------------------------------------------------------


def test_committee_members_are_added_changed_and_leave(world):
    officer = world.township_officer
    member = svc.member_save(
        township=world.township, by=officer, name="孟立新", role="deputy", unit="枫桥派出所"
    )
    svc.member_save(
        township=world.township,
        by=officer,
        member=member,
        name="孟立新",
        role="deputy",
        unit="枫桥派出所",
        duties="治安防范指导",
    )
    member.refresh_from_db()
    assert member.duties == "治安防范指导"
    svc.member_end(member=member, by=officer)
    member.refresh_from_db()
    assert member.ends_on == today()
    assert sel.committee(officer) == []
    with pytest.raises(ValidationError, match="already ended"):
        svc.member_end(member=member, by=officer)


def test_one_director_at_a_time_and_only_the_township_keeps_the_committee(world):
    officer = world.township_officer
    svc.member_save(township=world.township, by=officer, name="甲", role="director")
    before = snapshot()
    with pytest.raises(ValidationError, match="has a director already"):
        svc.member_save(township=world.township, by=officer, name="乙", role="director")
    with pytest.raises(ValidationError, match="role"):
        svc.member_save(township=world.township, by=officer, name="乙", role="chief")
    with pytest.raises(ValidationError, match="township's"):
        svc.member_save(township=world.village1, by=officer, name="乙", role="member")
    for who in (world.director1, world.township2_officer, world.police):
        with pytest.raises(NotYours):
            svc.member_save(township=world.township, by=who, name="乙", role="member")
    assert snapshot() == before


def test_a_village_reads_its_townships_committee_and_no_other(world):
    svc.member_save(township=world.township, by=world.township_officer, name="甲", role="office")
    svc.member_save(township=world.township2, by=world.township2_officer, name="丙", role="office")
    assert [m.name for m in sel.committee(world.director1)] == ["甲"]
    assert [m.name for m in sel.committee(world.township2_officer)] == ["丙"]


# ---- guidance visits --------------------------------------------------------------------------


def _visit(world, by, village=None, **fields):
    values = {
        "visited_on": today(),
        "officer": "王志强",
        "unit": "枫桥派出所",
        "topics": "夜间巡逻",
    }
    values.update(fields)
    return svc.visit_log(village=village or world.village1, by=by, **values)


def test_police_and_township_officers_log_visits(world):
    assert _visit(world, world.police).recorded_by == world.police
    assert _visit(world, world.township_officer, village=world.village2).region == world.village2


def test_visits_are_refused_to_others_and_to_other_townships(world):
    before = snapshot()
    for who in (world.director1, world.auditor, world.mediator1):
        with pytest.raises(NotYours):
            _visit(world, who)
    with pytest.raises(NotYours):
        _visit(world, world.township2_officer)  # a village of another township
    with pytest.raises(ValidationError, match="has taken place"):
        _visit(world, world.police, visited_on=today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="before last year"):
        _visit(world, world.police, visited_on=today() - dt.timedelta(days=400))  # a slip
    with pytest.raises(ValidationError, match="Give the officer"):
        _visit(world, world.police, topics=" ")
    with pytest.raises(ValidationError, match="Choose a village"):
        _visit(world, world.police, village=world.township)
    assert snapshot() == before


def test_visits_are_counted_per_village_per_month_and_quarter(world):
    year = today().year - 1
    for day in (
        dt.date(year, 1, 5),
        dt.date(year, 2, 5),
        dt.date(year, 2, 20),
        dt.date(year, 7, 1),
    ):
        _visit(world, world.police, visited_on=day)
    _visit(world, world.police, village=world.village2, visited_on=dt.date(year, 12, 31))
    counts = {c.village.code: c for c in sel.visit_counts(world.township_officer, year=year)}
    v1 = counts[world.village1.code]
    assert v1.months[:3] == [1, 2, 0] and v1.quarters == [3, 0, 1, 0] and v1.total == 4
    assert counts[world.village2.code].quarters == [0, 0, 0, 1]
    # the next village's director counts only their own
    assert [c.village for c in sel.visit_counts(world.director2, year=year)] == [world.village2]
