"""The screens of organisation health and the four in place: the township's overview worst
first with its filters, a subject's reasons and trend, the villages × the four, one village's
four, the home panel; both languages; another village's records answer 404; the lists cost the
same queries however many organisations they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models import HealthReading
from qunfang.governance.services.health import record_readings
from qunfang.registry.models import Membership
from tests.clock import MIDWEEK
from tests.factories import RegionFactory, organisation_for
from tests.governance.health_factories import Patrols, strong_village, today

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture
def story(world):
    """Village 1 strong; village 2's patrol team paralysed (nobody in post, never patrolled);
    readings of the last ten days."""
    patrols = Patrols(world.township_officer)
    strong = strong_village(world, world.village1, patrols)
    team2 = organisation_for(world.village2, kind="patrol_team", name="乐山村巡逻队", members=1)
    Membership.objects.filter(post__organisation=team2).update(ended_on=today())
    for back in range(10, -1, -1):
        record_readings(
            today() - dt.timedelta(days=back), villages=[world.village1, world.village2]
        )
    return strong, team2


def get(client, name, *args, lang="zh-hans", **params):
    client.post(reverse("set_language"), {"language": lang, "next": "/"})
    url = reverse(f"governance:{name}", args=args)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_township_overview_worst_first(world, client_for, story, lang):
    strong, team2 = story
    body = get(client_for(world.township_officer), "health_overview", lang=lang)
    assert body.index(team2.name) < body.index(strong.team.name)
    if lang == "en":
        assert "Paralysed" in body and "nobody holds any of its posts" in body
        assert "Organisation health" in body
    else:
        assert "所有岗位均无人在岗" in body and "Paralysed" not in body


def test_the_overview_filters(world, client_for, story):
    strong, team2 = story
    client = client_for(world.township_officer)
    body = get(client, "health_overview", lang="en", band="paralysed")
    assert team2.name in body and strong.team.name not in body
    body = get(client, "health_overview", lang="en", village=world.village1.code)
    assert team2.name not in body and strong.committee.name in body
    body = get(client, "health_overview", lang="en", kind="security_committee")
    assert strong.committee.name in body and strong.team.name not in body
    body = get(client, "health_overview", lang="en", band="nonsense", kind="nonsense")
    assert team2.name in body and strong.team.name in body  # a bad filter is no filter


def test_a_village_director_sees_his_own(world, client_for, story):
    strong, team2 = story
    body = get(client_for(world.director1), "health_overview", lang="en")
    assert strong.team.name in body and team2.name not in body
    client = client_for(world.director1)
    url = reverse("governance:health_subject", args=["organisation", team2.pk])
    assert client.get(url).status_code == 404
    url = reverse("governance:four_village", args=[world.village2.code])
    assert client.get(url).status_code == 404
    url = reverse("governance:health_overview") + f"?village={world.village2.code}"
    assert client.get(url).status_code == 404


def test_another_township_sees_nothing(world, client_for, story):
    strong, team2 = story
    client = client_for(world.township2_officer)
    body = get(client, "health_overview", lang="en")
    assert strong.team.name not in body and team2.name not in body
    body = get(client, "four_overview", lang="en")
    assert world.village1.name not in body
    url = reverse("governance:health_subject", args=["organisation", strong.team.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("governance:health_subject", args=["nonsense", 1])).status_code == 404


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_subject_with_its_reasons_and_trend(world, client_for, story, lang):
    _strong, team2 = story
    body = get(
        client_for(world.township_officer), "health_subject", "organisation", team2.pk, lang=lang
    )
    assert team2.name in body and "<polyline" in body
    assert body.count('data-testid="reading"') == 11
    if lang == "en":
        assert "nobody holds any of its posts" in body and "The last 90 days" in body
    else:
        assert "近90天" in body or "90" in body


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_four_in_place_table(world, client_for, story, lang):
    _strong, _team2 = story
    body = get(client_for(world.township_officer), "four_overview", lang=lang)
    assert world.village1.name in body and world.village2.name in body
    assert "4</strong>/4" in body
    if lang == "en":
        assert "no security committee" in body and "Four in place" in body
    else:
        assert "没有治保会" in body


def test_the_four_in_place_filters(world, client_for, story):
    client = client_for(world.township_officer)
    body = get(client, "four_overview", lang="en", missing="any")
    assert body.count('data-testid="four-row"') == 1 and world.village2.code in body
    body = get(client, "four_overview", lang="en", village=world.village1.code)
    assert body.count('data-testid="four-row"') == 1 and f">{world.village1.name}</a>" in body


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_one_villages_four(world, client_for, story, lang):
    _strong, team2 = story
    body = get(client_for(world.director2), "four_village", world.village2.code, lang=lang)
    assert team2.name in body and 'data-testid="four-section"' in body


def test_the_home_panel_flags_for_the_township_only(world, client_for, story):
    _strong, team2 = story
    client = client_for(world.township_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'data-testid="health-panel"' in body and team2.name in body
    body = client_for(world.director1).get("/").content.decode()
    assert 'data-testid="health-panel"' not in body


def test_no_readings_yet(world, client_for):
    body = get(client_for(world.township_officer), "health_overview", lang="en")
    assert 'data-testid="no-readings"' in body


def test_lists_cost_the_same_queries_whatever_the_number(world, client_for, story):
    client = client_for(world.township_officer)

    def count(name):
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse(f"governance:{name}"))
        return len(ctx.captured_queries)

    before = {name: count(name) for name in ("health_overview", "four_overview")}
    patrols = Patrols(world.township_officer)
    for _ in range(3):
        village = RegionFactory(parent=world.township)
        strong_village(world, village, patrols)
        record_readings(today(), villages=[village])
    assert HealthReading.objects.filter(on=today()).count() > 6
    assert {name: count(name) for name in before} == before
