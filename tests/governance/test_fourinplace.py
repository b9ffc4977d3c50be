"""四落实: each of the four judged from hand-built records, with its reasons; the number of
queries does not grow with the villages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from qunfang.governance.fourinplace import ASPECTS, four_in_place
from qunfang.governance.models import Meeting, SanctionRule
from qunfang.registry.models import Membership, Organisation, OrgForm, OrgStatus, Post
from tests.clock import MIDWEEK
from tests.factories import RegionFactory
from tests.governance.health_factories import (
    Patrols,
    contract_in_force,
    strong_village,
    today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def strong(world):
    return strong_village(world, world.village1, Patrols(world.township_officer))


def judged(village):
    found = four_in_place([village], today())[village.pk]
    return {a.code: a for a in found.aspects}, found


def reasons(aspect):
    return [str(r) for r in aspect.reasons]


def test_a_strong_village_has_all_four(world, strong):
    aspects, found = judged(world.village1)
    assert [a.code for a in found.aspects] == list(ASPECTS)
    assert found.count == 4, {c: reasons(a) for c, a in aspects.items()}


def test_organisation_wants_a_committee_and_a_patrol_organisation(world, strong):
    Organisation.objects.filter(pk=strong.committee.pk).update(status=OrgStatus.SUSPENDED)
    Organisation.objects.filter(pk=strong.team.pk).update(status=OrgStatus.DISSOLVED)
    aspects, _ = judged(world.village1)
    assert not aspects["organisation"].in_place
    assert reasons(aspects["organisation"]) == [
        "the security committee is suspended",
        "no working patrol organisation",
    ]


def test_a_village_with_nothing(world):
    aspects, found = judged(world.village2)
    assert found.count == 0
    assert reasons(aspects["organisation"]) == [
        "no security committee",
        "no working patrol organisation",
    ]
    assert reasons(aspects["work"]) == ["no patrol logged"]
    assert reasons(aspects["pay"]) == ["no patrol organisation to pay"]


def test_people_counts_the_empty_posts(world, strong):
    Post.objects.filter(organisation=strong.committee).update(seats=6)  # 3 held of 6
    aspects, _ = judged(world.village1)
    assert reasons(aspects["people"]) == ["3 posts empty"]


def test_people_a_patrol_team_without_anyone(world, strong):
    Membership.objects.filter(post__organisation=strong.team).update(ended_on=today())
    aspects, _ = judged(world.village1)
    assert not aspects["people"].in_place
    assert f"nobody serves on {strong.team.name}" in reasons(aspects["people"])
    assert "3 posts empty" in reasons(aspects["people"])


def test_work_no_patrol_for_three_weeks(world, strong):
    from qunfang.patrols.models import Assignment

    Assignment.objects.update(outcome="missed")
    Patrols(world.township_officer).served(
        world.village1, today() - dt.timedelta(days=21), strong.member
    )
    aspects, _ = judged(world.village1)
    assert reasons(aspects["work"]) == ["no patrol logged for 21 days"]


def test_work_a_missed_shift_is_no_patrol(world, strong):
    from qunfang.patrols.models import Assignment

    Assignment.objects.update(outcome="missed")
    aspects, _ = judged(world.village1)
    assert reasons(aspects["work"]) == ["no patrol logged"]


def test_work_meetings_not_held(world, strong):
    Meeting.objects.update(status="cancelled", cancel_reason="改期")
    aspects, _ = judged(world.village1)
    assert reasons(aspects["work"]) == ["1 of 1 scheduled meetings not held in the last 60 days"]


def test_pay_a_voluntary_team_without_a_subsidy_rule(world, strong):
    SanctionRule.objects.update(active=False)
    aspects, _ = judged(world.village1)
    assert reasons(aspects["pay"]) == [f"{strong.team.name} has no pay arrangement"]


def test_pay_a_paid_team_needs_a_contract_in_force(world, strong):
    Organisation.objects.filter(pk=strong.team.pk).update(form=OrgForm.PAID)
    aspects, _ = judged(world.village1)
    assert reasons(aspects["pay"]) == [f"{strong.team.name} has no pay arrangement"]
    contract_in_force(world.village1, strong.team)
    aspects, _ = judged(world.village1)
    assert aspects["pay"].in_place


def test_pay_a_team_of_no_form_has_none(world, strong):
    Organisation.objects.filter(pk=strong.team.pk).update(form=OrgForm.NONE)
    aspects, _ = judged(world.village1)
    assert not aspects["pay"].in_place


def test_reasons_in_chinese(world, strong):
    from qunfang.patrols.models import Assignment

    Assignment.objects.update(outcome="missed")
    Patrols(world.township_officer).served(
        world.village1, today() - dt.timedelta(days=21), strong.member
    )
    with translation.override("zh-hans"):
        aspects, _ = judged(world.village1)
        text = str(aspects["work"].reasons[0])
    assert "21" in text and "no patrol" not in text


def test_queries_do_not_grow_with_villages(world, strong):
    patrols = Patrols(world.township_officer)
    strong_village(world, world.village2, patrols)

    def count(villages):
        with CaptureQueriesContext(connection) as ctx:
            four_in_place(villages, today())
        return len(ctx.captured_queries)

    one = count([world.village1])
    more = [RegionFactory(parent=world.township) for _ in range(3)]
    for village in more:
        strong_village(world, village, patrols)
    assert count([world.village1, world.village2, *more]) == one
