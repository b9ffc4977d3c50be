"""Organisation health: the scoring of plain facts (each reason, the bands), the facts read from
hand-built records (each reason again), the daily readings kept once a day, the township told
only when a subject turns, the hook for other books, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from qunfang.casebook.models import Case, CaseType, Hazard, Inspection, RectificationOrder
from qunfang.casebook.services.cases import register_case
from qunfang.core.days import local_midnight
from qunfang.core.models import Notification
from qunfang.governance import health as scoring
from qunfang.governance.health import Facts, Signal, reason_text, score
from qunfang.governance.models import HealthBand, HealthReading, Meeting, Rule
from qunfang.governance.services import health as svc
from qunfang.registry.models import Membership, Organisation, OrgStatus, Post
from tests.clock import MIDWEEK
from tests.factories import RegionFactory
from tests.governance.bulletins_factories import finding, task
from tests.governance.health_factories import Patrols, group_of, strong_village, today

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def codes(reading) -> list[str]:
    return [r["code"] for r in reading.reasons]


def texts(reading) -> list[str]:
    return [str(reason_text(r)) for r in reading.reasons]


# ---- scoring plain facts --------------------------------------------------------------------


def test_nothing_wrong_is_healthy():
    found = score(
        Facts(patrols=True, days_since_patrol=1, holders=5, meetings_due=2, meetings_held=2)
    )
    assert (found.score, found.band, found.reasons) == (100, HealthBand.HEALTHY, [])


@pytest.mark.parametrize(
    ("days", "penalty"), [(7, 0), (8, 10), (14, 10), (15, 25), (30, 25), (31, 40), (None, 40)]
)
def test_no_patrol_costs_more_the_longer_it_lasts(days, penalty):
    found = score(Facts(patrols=True, days_since_patrol=days, holders=3))
    assert found.score == 100 - penalty


def test_each_reason_in_words():
    facts = Facts(
        patrols=True,
        days_since_patrol=21,
        holders=4,
        seats_empty=3,
        posts_empty=2,
        meetings_due=4,
        meetings_held=1,
        rules_missing=["meetings", "patrol"],
        cases_unowned=2,
        rectifications_overdue=1,
        suspended=True,
    )
    found = score(facts)
    assert [str(reason_text(r)) for r in found.reasons] == [
        "the organisation is suspended",
        "no patrol logged for 21 days",
        "3 seats empty",
        "3 of 4 scheduled meetings not held in the last 60 days",
        "rules not in force: Regular meetings (例会制度), Patrol duty (巡逻值班制度)",
        "2 cases left unowned",
        "1 rectification overdue",
    ]
    assert found.score == 0 and found.band == HealthBand.PARALYSED


def test_bands_by_score():
    assert scoring.band_of(75) == HealthBand.HEALTHY
    assert scoring.band_of(74) == HealthBand.WEAK
    assert scoring.band_of(50) == HealthBand.WEAK
    assert scoring.band_of(49) == HealthBand.PAPER_ONLY
    assert scoring.band_of(25) == HealthBand.PAPER_ONLY
    assert scoring.band_of(24) == HealthBand.PARALYSED


def test_idle_is_paper_only_whatever_the_score():
    # a committee with its posts full that held none of its meetings: 70 points, on paper only
    found = score(Facts(holders=5, meetings_due=2, meetings_held=0))
    assert found.score == 70 and found.band == HealthBand.PAPER_ONLY


def test_idle_and_nobody_in_post_is_paralysed():
    found = score(Facts(patrols=True, days_since_patrol=None, holders=0))
    assert found.band == HealthBand.PARALYSED
    assert [r["code"] for r in found.reasons] == ["never_patrolled", "nobody_in_post"]


def test_a_group_without_households_is_paralysed():
    found = score(Facts(households=0))
    assert found.band == HealthBand.PARALYSED and found.reasons[0]["code"] == "no_households"


def test_a_signal_counts_and_an_unknown_code_shows_as_itself():
    found = score(Facts(holders=2, signals=[Signal("fees_unfilled", {"n": 3}, 20)]))
    assert found.score == 80
    assert str(reason_text(found.reasons[0])) == "fees_unfilled"


def test_reasons_in_chinese():
    with translation.override("zh-hans"):
        text = str(reason_text({"code": "no_patrol", "params": {"days": 21}}))
    assert "21" in text and "patrol" not in text


# ---- facts from the records ----------------------------------------------------------------


@pytest.fixture
def patrols(world):
    return Patrols(world.township_officer)


@pytest.fixture
def strong(world, patrols):
    return strong_village(world, world.village1, patrols)


def reading_of(org, on=None):
    svc.record_readings(on or today(), villages=[org.region])
    return HealthReading.objects.get(organisation=org, on=on or today())


def test_a_strong_village_reads_healthy(world, strong):
    for org in (strong.committee, strong.team):
        reading = reading_of(org)
        assert reading.band == HealthBand.HEALTHY, texts(reading)
        assert reading.score == 100, texts(reading)


def test_no_patrol_for_three_weeks(world, strong, patrols):
    from qunfang.patrols.models import Assignment

    Assignment.objects.update(outcome="missed")
    patrols.served(world.village1, today() - dt.timedelta(days=21), strong.member, "late")
    assert texts(reading_of(strong.team)) == ["no patrol logged for 21 days"]


def test_posts_empty(world, strong):
    Post.objects.filter(organisation=strong.committee).update(seats=5)
    assert texts(reading_of(strong.committee)) == ["2 seats empty"]


def test_members_who_left_leave_their_seats_empty(world, strong):
    Membership.objects.filter(post__organisation=strong.team).update(ended_on=today())
    reading = reading_of(strong.team)
    assert codes(reading) == ["nobody_in_post"]


def test_meetings_not_held(world, strong):
    Meeting.objects.update(status="planned", held_at=None)
    reading = reading_of(strong.committee)
    assert texts(reading) == ["1 of 1 scheduled meetings not held in the last 60 days"]
    assert reading.band == HealthBand.PAPER_ONLY  # it did nothing else


def test_rules_not_in_force(world, strong):
    Rule.objects.filter(organisation=strong.committee).update(
        repealed_on=today() - dt.timedelta(days=3)
    )
    assert texts(reading_of(strong.committee)) == [
        "rules not in force: Regular meetings (例会制度)"
    ]


def test_cases_left_unowned_count_against_the_committee(world, strong):
    reported = local_midnight(today() - dt.timedelta(days=10)) + dt.timedelta(hours=9)
    for _ in range(2):
        register_case(
            case=Case(
                region=world.village1,
                case_type=CaseType.objects.get(code="theft"),
                title="电动车被盗",
                description="停在院里的电动车不见了。",
                occurred_at=reported - dt.timedelta(hours=2),
                reported_at=reported,
                reporter_kind="person",
                reporter_name="楼阿根",
            ),
            by=world.director1,
        )
    assert Case.objects.filter(status="registered").count() == 2
    assert texts(reading_of(strong.committee)) == ["2 cases left unowned"]
    assert texts(reading_of(strong.team)) == []


def test_rectifications_overdue(world, strong):
    inspection = Inspection.objects.create(
        region=world.village1,
        place_name="村东出租房",
        place_kind="rental",
        inspected_on=today() - dt.timedelta(days=40),
        status="done",
        created_by=world.director1,
    )
    hazard = Hazard.objects.create(inspection=inspection, description="电线老化")
    RectificationOrder.objects.create(
        hazard=hazard,
        responsible="房东",
        measures="更换电线",
        deadline=today() - dt.timedelta(days=5),
    )
    found = finding(world, world.village1, today() - dt.timedelta(days=30), "巡逻队夜间未在岗")
    task(world, found, "整顿巡逻队", today() - dt.timedelta(days=2), organisation=strong.team)
    task(world, found, "尚未到期", today() + dt.timedelta(days=2), organisation=strong.team)
    assert texts(reading_of(strong.team)) == ["1 rectification overdue"]
    assert texts(reading_of(strong.committee)) == ["1 rectification overdue"]


def test_a_suspended_organisation(world, strong):
    Organisation.objects.filter(pk=strong.team.pk).update(status=OrgStatus.SUSPENDED)
    reading = reading_of(strong.team)
    assert codes(reading) == ["suspended"] and reading.band == HealthBand.PAPER_ONLY


def test_a_group_with_a_rota_that_stopped(world, strong, patrols):
    group = group_of(world.village1)
    patrols.served(world.village1, today() - dt.timedelta(days=40), strong.member, group=group)
    svc.record_readings(today(), villages=[world.village1])
    reading = HealthReading.objects.get(group=group, on=today())
    assert texts(reading) == ["no patrol logged for 40 days"]
    assert reading.band == HealthBand.PAPER_ONLY


def test_a_group_without_a_rota_is_not_asked_to_patrol(world, strong):
    group = group_of(world.village1)
    svc.record_readings(today(), villages=[world.village1])
    assert HealthReading.objects.get(group=group).band == HealthBand.HEALTHY


def test_the_hook_adds_other_books_signals(world, strong, monkeypatch):
    def fees_unfilled(villages, on):
        assert villages == [world.village1] and on == today()
        return [Signal("fees_unfilled", {"count": 4}, 30, organisation_id=strong.team.pk)]

    monkeypatch.setattr(svc, "HEALTH_SIGNALS", [fees_unfilled])
    monkeypatch.setitem(
        scoring.REASON_TEXT,
        "fees_unfilled",
        lambda p: f"fees collected, {p['count']} shifts unfilled",
    )
    reading = reading_of(strong.team)
    assert texts(reading) == ["fees collected, 4 shifts unfilled"] and reading.score == 70


# ---- the daily readings ----------------------------------------------------------------------


def test_readings_are_kept_once_a_day(world, strong):
    assert svc.record_readings(today(), villages=[world.village1]) == 2
    assert svc.record_readings(today(), villages=[world.village1]) == 2
    assert HealthReading.objects.filter(on=today()).count() == 2
    svc.record_readings(today() - dt.timedelta(days=1), villages=[world.village1])
    assert HealthReading.objects.count() == 4


def test_the_command_reads_every_village(world, strong, capsys):
    call_command("record_health_readings")
    assert "recorded 2 health readings" in capsys.readouterr().out


def flagged_notes(world):
    return Notification.objects.filter(user=world.township_officer, kind=svc.NOTICE_KIND)


def test_the_township_is_told_when_a_subject_turns_and_only_then(world, strong):
    yesterday = today() - dt.timedelta(days=1)
    svc.record_readings(yesterday, villages=[world.village1])
    assert not flagged_notes(world).exists()
    Membership.objects.filter(post__organisation=strong.team).update(ended_on=yesterday)
    from qunfang.patrols.models import Assignment

    Assignment.objects.update(outcome="missed")
    svc.record_readings(today(), villages=[world.village1])
    notes = list(flagged_notes(world))
    assert len(notes) == 1
    assert strong.team.name in notes[0].message["params"]["subject"]
    assert str(strong.team.pk) in notes[0].url
    svc.record_readings(today(), villages=[world.village1])  # again the same day: no news
    svc.record_readings(today() + dt.timedelta(days=1), villages=[world.village1])  # still
    assert flagged_notes(world).count() == 1
    # another township's officer hears nothing of it
    assert not Notification.objects.filter(user=world.township2_officer).exists()


def test_queries_do_not_grow_with_organisations(world, strong, patrols):
    def count(villages):
        with CaptureQueriesContext(connection) as ctx:
            svc.read(villages, today())
        return len(ctx.captured_queries)

    group_of(world.village1)
    one = count([world.village1])
    more = [RegionFactory(parent=world.township) for _ in range(3)]
    for village in more:
        strong_village(world, village, patrols)
        group_of(village)
    assert count([world.village1, *more]) == one
