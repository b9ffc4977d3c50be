"""Patrol planning screens: points and their signs, routes, shift patterns, busy seasons, joint
zones and rosters — the happy path as village 1's director, bad input that is refused with a
sentence and saves nothing, publishing rules, print and Excel content, and query counts that
stay flat as rosters grow."""

import datetime as dt
import html
import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from qunfang.core.models import Job, JobKind, JobStatus, Region, RegionKind
from qunfang.patrols.models import (
    Assignment,
    BusySeason,
    CheckIn,
    CheckInKind,
    DutyLedgerEntry,
    JointZone,
    Outcome,
    PatrolPoint,
    PatrolRoute,
    Roster,
    RosterStatus,
    RouteStop,
    Shift,
    ShiftKind,
    ShiftPattern,
    SignPeriod,
    ZoneVillage,
)
from qunfang.patrols.selectors.planning import problem_sentence
from qunfang.patrols.services import signs
from qunfang.patrols.services.rostering import RosterRequest, generate_roster
from qunfang.registry.models import Person
from tests.patrols.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = (
        "en"  # English msgids, stable before translation
    )
    return client


def week_roster(world, **kw) -> Roster:
    return generate_roster(
        RosterRequest(
            region=world.village1, starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6), **kw
        ),
        by=world.director1,
    )


def built_roster(
    world,
    patterns,
    people,
    *,
    days=7,
    region=None,
    zone=None,
    status=RosterStatus.DRAFT,
    start=MONDAY,
    fill=None,
) -> Roster:
    """A roster written straight to the database (no solver): the shifts of `patterns` on the
    days they run, seats filled from `people` in turn (`fill` seats per shift; default: all)."""
    roster = Roster.objects.create(
        region=region or world.village1,
        zone=zone,
        starts_on=start,
        ends_on=start + dt.timedelta(days=days - 1),
        status=status,
        created_by=world.director1,
        solver_status="optimal",
    )
    turn = 0
    for k in range(days):
        day = start + dt.timedelta(days=k)
        for pattern in (p for p in patterns if p.runs_on(day)):
            begin = at(day, pattern.starts_at.hour, pattern.starts_at.minute)
            shift = Shift.objects.create(
                roster=roster,
                region=pattern.region,
                zone=zone,
                pattern=pattern,
                service_date=day,
                starts_at=begin,
                ends_at=begin + dt.timedelta(minutes=pattern.duration_minutes),
                night=pattern.is_night,
                headcount=pattern.headcount,
            )
            for _seat in range(pattern.headcount if fill is None else fill):
                person = people[turn % len(people)]
                turn += 1
                Assignment.objects.create(
                    shift=shift, region=shift.region, zone=zone, person=person
                )
    return roster


def body(response) -> str:
    return html.unescape(response.content.decode())


# ---- patrol points ---------------------------------------------------------------------------


def test_director_adds_a_point_with_coordinates(client, world, patrol):
    client.force_login(world.director1)
    assert client.get(reverse("patrols:point_create")).status_code == 200
    response = client.post(
        reverse("patrols:point_create"),
        {
            "region": world.village1.pk,
            "name": "祠堂",
            "description": "老祠堂门口",
            "latitude": "29.7151234",
            "longitude": "120.2412345",
            "radius_m": 120,
            "sign_period": SignPeriod.WEEK,
            "active": "on",
        },
    )
    point = PatrolPoint.objects.get(name="祠堂")
    assert response.status_code == 302 and response["Location"] == point.get_absolute_url()
    assert point.latitude == Decimal("29.715123")  # a phone's extra decimals are rounded
    assert point.region == world.village1
    listing = body(client.get(reverse("patrols:point_list")))
    assert "祠堂" in listing and "29.71512" in listing


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "words"),
    [
        ("95", "120.2", "latitude", "between -90 and 90"),
        ("29.7", "190", "longitude", "between -180 and 180"),
        ("29.7", "", "longitude", "both the latitude and the longitude"),
        ("", "120.2", "latitude", "both the latitude and the longitude"),
        ("0", "0", "latitude", "no position"),
        ("abc", "120.2", "latitude", "number of degrees"),
    ],
)
def test_bad_coordinates_are_refused_and_nothing_is_saved(
    client, world, latitude, longitude, field, words
):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:point_create"),
        {
            "region": world.village1.pk,
            "name": "坏点",
            "latitude": latitude,
            "longitude": longitude,
            "radius_m": 100,
            "sign_period": SignPeriod.WEEK,
        },
    )
    assert response.status_code == 200
    assert any(words in str(e) for e in response.context["form"].errors[field]), response.context[
        "form"
    ].errors
    assert 'role="alert"' in body(response)
    assert not PatrolPoint.objects.filter(name="坏点").exists()


def test_a_point_cannot_be_put_in_another_village(client, world):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:point_create"),
        {
            "region": world.village2.pk,
            "name": "外村点",
            "radius_m": 100,
            "sign_period": SignPeriod.WEEK,
        },
    )
    assert "region" in response.context["form"].errors
    assert not PatrolPoint.objects.filter(name="外村点").exists()


def test_point_names_are_unique_within_a_village(client, world, patrol):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:point_create"),
        {
            "region": world.village1.pk,
            "name": "村委会",
            "radius_m": 100,
            "sign_period": SignPeriod.WEEK,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert PatrolPoint.objects.filter(name="村委会").count() == 1


def test_editing_a_point_keeps_its_village_and_secret(client, world, patrol):
    point = patrol.points[0]
    secret = point.secret
    client.force_login(world.director1)
    form = client.get(reverse("patrols:point_edit", args=[point.pk])).context["form"]
    assert "region" not in form.fields
    client.post(
        reverse("patrols:point_edit", args=[point.pk]),
        {
            "name": "村委会大门",
            "latitude": "29.71",
            "longitude": "120.24",
            "radius_m": 80,
            "sign_period": SignPeriod.MINUTE,
            "active": "on",
            "region": world.village2.pk,
        },
    )
    point.refresh_from_db()
    assert (point.name, point.radius_m, point.region, point.secret) == (
        "村委会大门",
        80,
        world.village1,
        secret,
    )


def test_point_detail_shows_routes_and_recent_check_ins(client, world, patrol):
    point = patrol.points[1]
    roster = built_roster(
        world, [patrol.night], patrol.people[:2], days=1, status=RosterStatus.PUBLISHED
    )
    assignment = Assignment.objects.filter(shift__roster=roster).first()
    now = timezone.now()
    for accepted in (True, True, False):
        CheckIn.objects.create(
            assignment=assignment,
            region=world.village1,
            kind=CheckInKind.POINT,
            point=point,
            recorded_at=now,
            accepted=accepted,
            refusal="" if accepted else "stale",
            by=world.patrol1,
        )
    CheckIn.objects.create(
        assignment=assignment,
        region=world.village1,
        kind=CheckInKind.POINT,
        point=point,
        recorded_at=now - dt.timedelta(days=40),
        by=world.patrol1,
    )
    client.force_login(world.director1)
    response = client.get(reverse("patrols:point_detail", args=[point.pk]))
    assert response.context["recent"]["n_accepted"] == 2
    assert response.context["recent"]["n_refused"] == 1
    page = body(response)
    assert "夜巡路线" in page and reverse("patrols:route_detail", args=[patrol.route.pk]) in page


def test_printable_sign_carries_the_absolute_scan_url_and_the_code(client, world, patrol):
    point = patrol.points[0]
    point.sign_period = SignPeriod.WEEK  # a printed sign
    point.save()
    client.force_login(world.director1)
    before = signs.current_code(point)
    response = client.get(reverse("patrols:point_sign", args=[point.pk]))
    after = signs.current_code(point)
    assert response.status_code == 200
    url = response.context["scan_url"]
    assert url.startswith("http://testserver" + reverse("patrols:scan", args=[point.pk]) + "?c=")
    assert url.endswith(response.context["code"]) and response.context["code"] in (before, after)
    page = body(response)
    assert "<svg" in page and "枫桥镇 枫源村" in page and "村委会" in page
    code = response.context["code"]
    assert f"{code[:4]} {code[4:]}" in page
    window = signs.code_window(point)  # printed on the sign: from when until when, and reprint
    for instant in (window.valid_from, window.valid_until, window.replace_by):
        assert timezone.localtime(instant).strftime("%Y-%m-%d %H:%M") in page
    assert "pp-sign-a4" in page
    assert "pp-sign-a5" in body(
        client.get(reverse("patrols:point_sign", args=[point.pk]) + "?size=a5")
    )


@pytest.mark.parametrize("name", ["point_sign", "point_edit"])
def test_signs_and_edits_need_manage_patrols(client, world, patrol, name):
    client.force_login(world.police)  # may view patrols, not plan them
    assert client.get(reverse(f"patrols:{name}", args=[patrol.points[0].pk])).status_code == 403
    assert (
        client.get(reverse("patrols:point_detail", args=[patrol.points[0].pk])).status_code == 200
    )


# ---- routes ----------------------------------------------------------------------------------


def test_director_makes_a_route_with_points_in_order(client, world, patrol):
    a, b, c = patrol.points
    client.force_login(world.director1)
    form = client.get(reverse("patrols:route_create")).context["form"]
    assert {f"stop_{p.pk}" for p in patrol.points} <= set(form.fields)
    response = client.post(
        reverse("patrols:route_create"),
        {
            "region": world.village1.pk,
            "name": "白天线",
            "active": "on",
            f"stop_{a.pk}": "3",
            f"stop_{b.pk}": "",
            f"stop_{c.pk}": "1",
        },
    )
    route = PatrolRoute.objects.get(name="白天线")
    assert response["Location"] == route.get_absolute_url()
    assert list(route.stops.values_list("point__name", "order")) == [("老街口", 1), ("村委会", 2)]
    detail = body(client.get(route.get_absolute_url()))
    assert detail.index("老街口") < detail.index("村委会")


def test_reordering_a_route(client, world, patrol):
    a, b, c = patrol.points
    client.force_login(world.director1)
    form = client.get(reverse("patrols:route_edit", args=[patrol.route.pk])).context["form"]
    assert form.initial[f"stop_{a.pk}"] == 1
    client.post(
        reverse("patrols:route_edit", args=[patrol.route.pk]),
        {
            "name": "夜巡路线",
            "active": "on",
            f"stop_{a.pk}": "20",
            f"stop_{b.pk}": "10",
            f"stop_{c.pk}": "",
        },
    )
    assert list(patrol.route.stops.values_list("point__name", "order")) == [
        ("枫源桥", 1),
        ("村委会", 2),
    ]


def test_points_of_another_village_cannot_join_a_route(client, world, patrol):
    other = PatrolPoint.objects.create(
        region=world.village2, name="乐山桥", latitude=Decimal("29.7"), longitude=Decimal("120.2")
    )
    client.force_login(world.township_officer)  # sees both villages' points
    response = client.post(
        reverse("patrols:route_create"),
        {
            "region": world.village1.pk,
            "name": "混合线",
            f"stop_{patrol.points[0].pk}": "1",
            f"stop_{other.pk}": "2",
        },
    )
    assert response.status_code == 200
    assert "乐山桥 belongs to 乐山村, not to the route's village 枫源村." in body(response)
    assert not PatrolRoute.objects.filter(name="混合线").exists()
    assert not RouteStop.objects.filter(point=other).exists()


def test_a_director_cannot_even_name_another_villages_point(client, world, patrol):
    other = PatrolPoint.objects.create(region=world.village2, name="乐山桥")
    client.force_login(world.director1)
    client.post(
        reverse("patrols:route_create"),
        {"region": world.village1.pk, "name": "东线", f"stop_{other.pk}": "1"},
    )
    assert not RouteStop.objects.filter(point=other).exists()  # not a field of the form at all


def test_two_points_with_the_same_number_are_refused(client, world, patrol):
    a, b, _c = patrol.points
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:route_edit", args=[patrol.route.pk]),
        {
            "name": "夜巡路线",
            f"stop_{a.pk}": "1",
            f"stop_{b.pk}": "1",
        },
    )
    assert "Two points have the number 1" in body(response)
    assert patrol.route.stops.count() == 3


# ---- shift patterns --------------------------------------------------------------------------


def pattern_data(world, **kw):
    data = {
        "region": world.village1.pk,
        "name": "晚班",
        "kind": ShiftKind.NIGHT,
        "starts_at": "22:00",
        "hours": "8",
        "days": ["1", "3", "5"],
        "headcount": 2,
        "weight": "1.5",
        "valid_from": "2027-01-01",
        "active": "on",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_director_adds_a_night_pattern_that_ends_next_day(client, world, patrol):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:pattern_create"), pattern_data(world, route=patrol.route.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    pattern = ShiftPattern.objects.get(name="晚班")
    assert (pattern.weekdays, pattern.duration_minutes, pattern.route, pattern.weight) == (
        "135",
        480,
        patrol.route,
        Decimal("1.5"),
    )
    listing = body(client.get(reverse("patrols:pattern_list")))
    row = listing[listing.index("晚班") :]
    row = row[: row.index("</tr>")]
    assert "22:00–06:00" in row and "ends next day" in row and "night" in row
    edit = client.get(reverse("patrols:pattern_edit", args=[pattern.pk]))
    assert edit.context["form"].initial["hours"] == 8 and edit.context["form"].initial["days"] == [
        "1",
        "3",
        "5",
    ]
    assert "ends next day" in body(edit)
    assert edit.context["form"]["valid_from"].value() == dt.date(2027, 1, 1)  # not today's date


def test_rotating_pattern_needs_a_cycle(client, world):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:pattern_create"), pattern_data(world, kind=ShiftKind.ROTATING, days=None)
    )
    errors = response.context["form"].errors
    assert "needs the cycle length" in str(errors["cycle_length"])
    response = client.post(
        reverse("patrols:pattern_create"),
        pattern_data(world, kind=ShiftKind.ROTATING, cycle_length=6, cycle_on=6),
    )
    assert "fewer than the cycle length" in str(response.context["form"].errors["cycle_on"])
    response = client.post(
        reverse("patrols:pattern_create"),
        pattern_data(world, kind=ShiftKind.ROTATING, cycle_length=6, cycle_on=4, days=None),
    )
    assert response.status_code == 302
    pattern = ShiftPattern.objects.get(name="晚班")
    assert (pattern.cycle_length, pattern.cycle_on, pattern.weekdays) == (6, 4, "1234567")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"cycle_length": 6, "cycle_on": 2}, "cycle_length", "Only a rotating pattern has a cycle"),
        ({"days": None}, "days", "at least one weekday"),
        ({"hours": "20"}, "hours", "16"),
        ({"hours": "0.25"}, "hours", "0.5"),
        ({"valid_until": "2026-12-31"}, "valid_until", "ends before it starts"),
        ({"headcount": 0}, "headcount", "1"),
    ],
)
def test_bad_patterns_are_refused(client, world, change, field, words):
    client.force_login(world.director1)
    response = client.post(reverse("patrols:pattern_create"), pattern_data(world, **change))
    assert response.status_code == 200
    assert words in str(response.context["form"].errors[field])
    assert not ShiftPattern.objects.filter(name="晚班").exists()


def test_a_pattern_keeps_its_route_group_and_zone_in_the_same_place(client, world, patrol):
    other_route = PatrolRoute.objects.create(region=world.village2, name="乐山线")
    client.force_login(world.township_officer)
    response = client.post(
        reverse("patrols:pattern_create"), pattern_data(world, route=other_route.pk)
    )
    assert "The route 乐山线 belongs to 乐山村, not to 枫源村." in body(response)
    response = client.post(
        reverse("patrols:pattern_create"), pattern_data(world, zone=patrol.zone.pk)
    )
    assert "choose the township" in str(response.context["form"].errors["zone"])
    response = client.post(
        reverse("patrols:pattern_create"),
        pattern_data(world, region=world.township.pk, zone=patrol.zone.pk),
    )
    assert response.status_code == 302
    assert ShiftPattern.objects.get(name="晚班").zone == patrol.zone
    assert not ShiftPattern.objects.filter(route=other_route).exists()


def test_a_zone_pattern_is_seen_by_member_villages_and_changed_by_the_township(
    client, world, patrol
):
    edit = reverse("patrols:pattern_edit", args=[patrol.zone_pattern.pk])
    client.force_login(world.director1)
    listing = body(client.get(reverse("patrols:pattern_list")))
    assert "边界夜巡" in listing and edit not in listing
    assert reverse("patrols:pattern_edit", args=[patrol.night.pk]) in listing
    assert client.get(edit).status_code == 403
    assert client.post(edit, pattern_data(world, name="改名")).status_code == 403
    client.force_login(world.township_officer)
    assert client.get(edit).status_code == 200 and edit in body(
        client.get(reverse("patrols:pattern_list"))
    )


def test_a_director_cannot_pick_a_township_or_another_villages_group(client, world, patrol):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:pattern_create"), pattern_data(world, region=world.township.pk)
    )
    assert "region" in response.context["form"].errors
    assert not ShiftPattern.objects.filter(name="晚班").exists()


# ---- busy seasons ----------------------------------------------------------------------------


def test_director_records_a_busy_season(client, world):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:season_create"),
        {
            "region": world.village1.pk,
            "name": "春耕",
            "starts_on": "2027-04-01",
            "ends_on": "2027-04-30",
        },
    )
    assert response["Location"] == reverse("patrols:season_list")
    season = BusySeason.objects.get(name="春耕")
    listing = body(client.get(reverse("patrols:season_list")))
    assert "春耕" in listing and "2027-04-30" in listing and ">30<" in listing
    client.post(
        reverse("patrols:season_edit", args=[season.pk]),
        {"name": "春耕", "starts_on": "2027-04-05", "ends_on": "2027-04-30"},
    )
    season.refresh_from_db()
    assert season.starts_on == dt.date(2027, 4, 5)


def test_a_season_that_ends_before_it_starts_is_refused(client, world):
    client.force_login(world.director1)
    response = client.post(
        reverse("patrols:season_create"),
        {
            "region": world.village1.pk,
            "name": "秋收",
            "starts_on": "2027-10-01",
            "ends_on": "2027-09-01",
        },
    )
    assert "The season ends before it starts." in body(response)
    assert not BusySeason.objects.exists()


# ---- joint zones -----------------------------------------------------------------------------


def zone_data(world, patrol, **kw):
    data = {
        "region": world.township.pk,
        "name": "东片联防区",
        "active": "on",
        f"share_{world.village1.pk}": "70",
        f"share_{world.village2.pk}": "30",
        "members": [patrol.people[5].pk, patrol.people2[1].pk],
    }
    data.update(kw)
    return data


def test_township_officer_makes_a_joint_zone(client, world, patrol):
    client.force_login(world.township_officer)
    assert client.get(reverse("patrols:zone_create")).status_code == 200
    response = client.post(reverse("patrols:zone_create"), zone_data(world, patrol))
    zone = JointZone.objects.get(name="东片联防区")
    assert response["Location"] == zone.get_absolute_url()
    assert dict(zone.shares.values_list("village__name", "cost_share")) == {
        "枫源村": Decimal(70),
        "乐山村": Decimal(30),
    }
    assert set(zone.members.all()) == {patrol.people[5], patrol.people2[1]}
    page = body(client.get(zone.get_absolute_url()))
    assert "枫源村" in page and "70%" in page and patrol.people2[1].name in page


@pytest.mark.parametrize(
    ("shares", "words"),
    [
        (("60", "30"), "add up to 90 %; they must add up to exactly 100 %"),
        (("60.5", "40"), "add up to 100.5 %"),
        (("100", ""), "at least two villages"),
        (("120", "-20"), "100"),
    ],
)
def test_zone_shares_must_add_up_to_100(client, world, patrol, shares, words):
    client.force_login(world.township_officer)
    data = zone_data(
        world,
        patrol,
        **{f"share_{world.village1.pk}": shares[0], f"share_{world.village2.pk}": shares[1]},
    )
    response = client.post(reverse("patrols:zone_create"), data)
    assert response.status_code == 200
    assert words in body(response)
    assert not JointZone.objects.filter(name="东片联防区").exists()
    assert ZoneVillage.objects.count() == 2  # only the fixture's zone


def test_zone_edit_changes_shares_and_members(client, world, patrol):
    client.force_login(world.township_officer)
    form = client.get(reverse("patrols:zone_edit", args=[patrol.zone.pk])).context["form"]
    assert form.initial[f"share_{world.village1.pk}"] == Decimal(60)
    response = client.post(
        reverse("patrols:zone_edit", args=[patrol.zone.pk]),
        {
            "name": patrol.zone.name,
            "active": "on",
            f"share_{world.village1.pk}": "50",
            f"share_{world.village2.pk}": "50",
            "members": [p.pk for p in patrol.people[4:6]] + [patrol.people2[0].pk],
        },
    )
    assert response.status_code == 302
    assert set(patrol.zone.shares.values_list("cost_share", flat=True)) == {Decimal(50)}
    assert patrol.zone.members.count() == 3


def test_zone_members_must_come_from_its_villages(client, world, patrol):
    village4 = Region.objects.create(
        code="330681109292", name="新桥村", kind=RegionKind.VILLAGE, parent=world.township
    )
    stranger = Person.objects.create(
        region=village4, name="外来人", sex="M", birth_date=dt.date(1980, 1, 1)
    )
    client.force_login(world.township_officer)
    response = client.post(
        reverse("patrols:zone_edit", args=[patrol.zone.pk]),
        {
            "name": patrol.zone.name,
            f"share_{world.village1.pk}": "50",
            f"share_{village4.pk}": "50",
            f"share_{world.village2.pk}": "",
            "members": [patrol.people2[0].pk, patrol.people[4].pk],
        },
    )
    assert "is from 乐山村, which is not in the zone" in body(response)
    assert stranger.name not in body(response)  # not a patrol member: not offered at all
    assert patrol.zone.shares.count() == 2 and patrol.zone.members.count() == 8


def test_village_director_sees_the_zone_but_cannot_change_it(client, world, patrol):
    client.force_login(world.director1)
    assert client.get(reverse("patrols:zone_detail", args=[patrol.zone.pk])).status_code == 200
    assert client.get(reverse("patrols:zone_create")).status_code == 403
    readonly = client.get(reverse("patrols:zone_edit", args=[patrol.zone.pk]))
    assert readonly.status_code == 200 and "only its township officers" in body(readonly)
    assert '<form method="post"' not in body(readonly).split("<main", 1)[1]
    response = client.post(
        reverse("patrols:zone_edit", args=[patrol.zone.pk]), zone_data(world, patrol)
    )
    assert response.status_code == 403
    assert patrol.zone.shares.get(village=world.village1).cost_share == 60


def test_zone_report_credits_hours_to_each_village(client, world, patrol):
    # three Friday/Saturday nights of six hours: village 1 serves two (one late), village 2 one
    # in part; a missed one counts for nobody
    roster = built_roster(
        world,
        [patrol.zone_pattern],
        [patrol.people[4], patrol.people2[0]],
        days=7,
        region=world.township,
        zone=patrol.zone,
        status=RosterStatus.PUBLISHED,
        fill=1,
    )
    assignments = list(Assignment.objects.filter(shift__roster=roster).order_by("shift__starts_at"))
    assert len(assignments) == 2  # Friday and Saturday
    extra = built_roster(
        world,
        [patrol.zone_pattern],
        [patrol.people[5], patrol.people2[1]],
        days=7,
        start=MONDAY + dt.timedelta(days=7),
        region=world.township,
        zone=patrol.zone,
        status=RosterStatus.PUBLISHED,
        fill=2,
    )
    more = list(
        Assignment.objects.filter(shift__roster=extra).order_by(
            "shift__starts_at", "person__region__code"
        )
    )
    outcomes = {
        assignments[0]: Outcome.SERVED,
        assignments[1]: Outcome.PARTIAL,
        more[0]: Outcome.LATE,
        more[1]: Outcome.MISSED,
        more[2]: Outcome.EXCUSED,
        more[3]: Outcome.PLANNED,
    }
    for a, outcome in outcomes.items():
        a.outcome = outcome
        a.save()
    by_village = {a.person.region.name for a in (assignments[0], more[0])}
    assert by_village == {"枫源村"} and assignments[1].person.region == world.village2
    client.force_login(world.director1)
    response = client.get(reverse("patrols:zone_detail", args=[patrol.zone.pk]) + "?month=2027-03")
    rows = {r["village"]: r for r in response.context["report"]["rows"]}
    assert rows["枫源村"]["hours"] == Decimal("12.0") and rows["枫源村"]["shifts"] == 2
    assert rows["乐山村"]["hours"] == Decimal("6.0") and rows["乐山村"]["partial"] == 1
    assert rows["枫源村"]["hours_share"] == Decimal("66.7") and rows["枫源村"]["cost_share"] == 60
    assert response.context["report"]["total_hours"] == Decimal("18.0")
    other_month = client.get(
        reverse("patrols:zone_detail", args=[patrol.zone.pk]) + "?month=2027-04"
    )
    assert other_month.context["report"]["total_hours"] == 0
    bad = client.get(reverse("patrols:zone_detail", args=[patrol.zone.pk]) + "?month=2027-13")
    assert "Write the month as YYYY-MM" in body(bad)


# ---- rosters: making one ---------------------------------------------------------------------


def roster_data(world, **kw):
    data = {
        "scope": f"village:{world.village1.pk}",
        "period": "week",
        "starts_on": MONDAY.isoformat(),
        "min_rest_hours": "8",
        "max_nights_per_week": "2",
    }
    data.update(kw)
    return data


def test_director_makes_a_week_roster_from_the_form(client, world, patrol):
    client.force_login(world.director1)
    form = client.get(reverse("patrols:roster_create")).context["form"]
    offered = [
        value for _group, choices in form.fields["scope"].choices[1:] for value, _label in choices
    ]
    # no township for a director, and no joint zone: member villages see its rosters, the
    # township that runs it makes them
    assert offered == [f"village:{world.village1.pk}"]
    assert form["scope"].value() == f"village:{world.village1.pk}"  # their own village first
    assert form["starts_on"].value().isoweekday() == 1  # next Monday
    response = client.post(reverse("patrols:roster_create"), roster_data(world))
    roster = Roster.objects.get()
    # the solving runs as a task: the answer is its job page, which links to the draft
    job = Job.objects.get(kind=JobKind.ROSTER)
    assert response["Location"] == job.get_absolute_url()
    assert (job.status, job.result_url, job.started_by) == (
        JobStatus.DONE,
        roster.get_absolute_url(),
        world.director1,
    )
    assert f'href="{roster.get_absolute_url()}"' in body(client.get(job.get_absolute_url()))
    assert (roster.region, roster.zone, roster.starts_on, roster.ends_on, roster.status) == (
        world.village1,
        None,
        MONDAY,
        MONDAY + dt.timedelta(days=6),
        RosterStatus.DRAFT,
    )
    assert roster.created_by == world.director1
    page = client.get(roster.get_absolute_url())
    assert page.status_code == 200
    names = {
        a.person.name
        for a in Assignment.objects.filter(shift__roster=roster).select_related("person")
    }
    assert names and all(name in body(page) for name in names)
    assert "白班" in body(page) and "夜班" in body(page) and "联防值守" in body(page)


def test_month_roster_for_a_joint_zone(client, world, patrol):
    data = roster_data(
        world, scope=f"zone:{patrol.zone.pk}", period="month", month="2027-03", starts_on=""
    )
    client.force_login(world.director1)  # a member village: the zone is not offered
    refused = client.post(reverse("patrols:roster_create"), data)
    assert refused.status_code == 200 and "scope" in refused.context["form"].errors
    assert not Roster.objects.exists()
    client.force_login(world.township_officer)  # the township runs the zone
    response = client.post(reverse("patrols:roster_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    roster = Roster.objects.get()
    assert (roster.zone, roster.region, roster.starts_on, roster.ends_on) == (
        patrol.zone,
        world.township,
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 31),
    )
    # Fridays and Saturdays of March 2027: 4 + 4
    assert roster.shifts.count() == 8


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"period": "days", "ends_on": (MONDAY + dt.timedelta(days=70)).isoformat()},
            "at most 62 days",
        ),
        (
            {"period": "days", "ends_on": (MONDAY - dt.timedelta(days=1)).isoformat()},
            "ends before it starts",
        ),
        ({"period": "days"}, "Give the last day."),
        ({"period": "week", "starts_on": ""}, "Give the first day of the week."),
        ({"period": "month", "month": "2027-13"}, "Write the month as YYYY-MM"),
        ({"period": "month", "month": ""}, "Give the month."),
        ({"starts_on": "2026-06-01"}, "No shift pattern runs in this period"),
        ({"max_nights_per_week": "9"}, "7"),
        ({"min_rest_hours": "-1"}, "0"),
    ],
)
def test_bad_roster_requests_are_refused_and_nothing_is_saved(client, world, patrol, change, words):
    client.force_login(world.director1)
    response = client.post(reverse("patrols:roster_create"), roster_data(world, **change))
    assert response.status_code == 200
    assert words in body(response), response.context["form"].errors
    assert not Roster.objects.exists() and not Shift.objects.exists()


@pytest.mark.parametrize("scope", ["village:{v2}", "township:{t}", "zone:999999", "region:{v1}"])
def test_a_roster_for_someone_elses_place_is_refused(client, world, patrol, scope):
    client.force_login(world.director1)
    scope = scope.format(v1=world.village1.pk, v2=world.village2.pk, t=world.township.pk)
    response = client.post(reverse("patrols:roster_create"), roster_data(world, scope=scope))
    assert "scope" in response.context["form"].errors
    assert not Roster.objects.exists()


def test_making_rosters_needs_manage_patrols(client, world, patrol):
    client.force_login(world.police)
    assert client.get(reverse("patrols:roster_list")).status_code == 200
    assert client.get(reverse("patrols:roster_create")).status_code == 403
    client.force_login(world.patrol1)
    assert client.get(reverse("patrols:roster_list")).status_code == 403


def test_shortages_are_explained_in_plain_words(client, world, patrol):
    patrol.night.headcount = 6
    patrol.night.save()
    client.force_login(world.director1)
    client.post(reverse("patrols:roster_create"), roster_data(world))
    roster = Roster.objects.get()
    assert roster.problems
    page = body(client.get(roster.get_absolute_url()))
    assert 'data-testid="problems"' in page and "pp-seat-empty" in page
    assert "夜班 (枫源村): needs 6" in page and "short" in page
    assert 'data-testid="missing-total"' in page


@pytest.mark.parametrize(
    ("problem", "sentence"),
    [
        (
            {
                "code": "too_few_eligible",
                "constraint": "qualification",
                "day": "2027-03-01",
                "shift": "夜班",
                "village": "枫源村",
                "needed": 3,
                "available": 1,
                "short": 2,
                "params": {},
            },
            "夜班 (枫源村): needs 3, only 1 eligible — 2 short "
            "(too few hold the required qualification).",
        ),
        (
            {
                "code": "no_experienced",
                "constraint": "experienced",
                "day": "2027-03-01",
                "shift": "夜班",
                "village": "枫源村",
                "needed": 2,
                "available": 4,
                "short": 2,
                "params": {},
            },
            "none of the 4 eligible people is — 2 short.",
        ),
        (
            {
                "code": "simultaneous_demand",
                "constraint": "simultaneous",
                "day": "2027-03-01",
                "needed": 5,
                "available": 3,
                "short": 2,
                "params": {"start": "20:00", "count": "3"},
            },
            "from 20:00: 3 shifts at the same time (or within the rest period) need 5 people, "
            "but only 3",
        ),
        (
            {
                "code": "lead_capacity",
                "constraint": "experienced",
                "day": "2027-03-01",
                "needed": 7,
                "available": 4,
                "short": 3,
                "params": {"until": "2027-03-07", "count": "2"},
            },
            "to 2027-03-07 Sun: 7 night shifts need an experienced member, "
            "but the 2 experienced members may lead at most 4",
        ),
        (
            {
                "code": "understaffed",
                "constraint": "rest",
                "day": "2027-03-02",
                "shift": "白班",
                "village": "枫源村",
                "needed": 2,
                "available": 3,
                "short": 1,
                "proven": False,
                "params": {"assigned": "1", "blocked": {"rest": 2, "night_limit": 1}},
            },
            "needs 2, assigned 1 — 1 short; why nobody else could: "
            "2 would not get the minimum rest; 1 reached the night limit for the week.",
        ),
        (
            {
                "code": "household_short",
                "constraint": "household",
                "day": "2027-03-01",
                "shift": "联防值守",
                "village": "枫源村",
                "needed": 1,
                "available": 0,
                "short": 1,
                "params": {"households": "0"},
            },
            "the ten-household rotation needs 1, "
            "only 0 households could send an eligible member — 1 short.",
        ),
        (
            {
                "code": "invalid_input",
                "constraint": "input",
                "params": {"detail": "slot 3 ends before it starts"},
            },
            "The roster could not be built from this data: slot 3 ends before it starts.",
        ),
        (
            {"code": "something_new", "day": "2027-03-02", "shift": "白班", "short": 2},
            "白班: 2 short.",
        ),
    ],
)
def test_every_finding_reads_as_a_sentence(problem, sentence):
    with translation.override("en"):
        assert sentence in problem_sentence(problem)


# ---- rosters: publishing and withdrawing -----------------------------------------------------


def test_publish_then_withdraw(client, world, patrol):
    roster = week_roster(world)
    owed = Assignment.objects.filter(shift__roster=roster, household__isnull=False).count()
    assert owed == 7
    client.force_login(world.director1)
    assert client.get(reverse("patrols:roster_publish", args=[roster.pk])).status_code == 405
    response = client.post(reverse("patrols:roster_publish", args=[roster.pk]), follow=True)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED and roster.published_by == world.director1
    assert "The roster is published" in body(response)
    assert (
        DutyLedgerEntry.objects.filter(assignment__shift__roster=roster, kind="owed").count()
        == owed
    )
    again = client.post(reverse("patrols:roster_publish", args=[roster.pk]), follow=True)
    assert "Only a draft roster can be published." in body(again)
    assert DutyLedgerEntry.objects.count() == owed
    withdrawn = client.post(reverse("patrols:roster_withdraw", args=[roster.pk]), follow=True)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.WITHDRAWN and "has been withdrawn" in body(withdrawn)
    assert 'data-testid="publish"' not in body(withdrawn) and 'data-testid="withdraw"' not in body(
        withdrawn
    )


def test_publishing_over_a_published_roster_is_refused(client, world, patrol):
    first = built_roster(world, [patrol.day], patrol.people, status=RosterStatus.PUBLISHED)
    second = built_roster(world, [patrol.day], patrol.people, start=MONDAY + dt.timedelta(days=3))
    client.force_login(world.director1)
    response = client.post(reverse("patrols:roster_publish", args=[second.pk]), follow=True)
    assert f"The published roster {first} covers part of this period. Withdraw it first." in body(
        response
    )
    second.refresh_from_db()
    assert second.status == RosterStatus.DRAFT


def test_a_roster_with_recorded_patrols_cannot_be_withdrawn(client, world, patrol):
    roster = built_roster(world, [patrol.day], patrol.people, status=RosterStatus.PUBLISHED)
    a = Assignment.objects.filter(shift__roster=roster).first()
    a.outcome = Outcome.SERVED
    a.save()
    client.force_login(world.director1)
    response = client.post(reverse("patrols:roster_withdraw", args=[roster.pk]), follow=True)
    assert "it stays as the record" in body(response)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED


def test_publishing_needs_manage_patrols(client, world, patrol):
    roster = built_roster(world, [patrol.day], patrol.people)
    client.force_login(world.police)
    assert client.get(roster.get_absolute_url()).status_code == 200
    assert 'data-testid="publish"' not in body(client.get(roster.get_absolute_url()))
    assert client.post(reverse("patrols:roster_publish", args=[roster.pk])).status_code == 403
    assert client.post(reverse("patrols:roster_withdraw", args=[roster.pk])).status_code == 403
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT


def test_roster_list_filters_by_status(client, world, patrol):
    built_roster(world, [patrol.day], patrol.people, days=2, status=RosterStatus.PUBLISHED)
    built_roster(
        world, [patrol.day], patrol.people, days=2, start=MONDAY + dt.timedelta(days=14), fill=0
    )
    client.force_login(world.director1)
    everything = client.get(reverse("patrols:roster_list"))
    assert len(everything.context["page"].object_list) == 2
    [published] = [r for r in everything.context["page"].object_list if r.status == "published"]
    seated = Assignment.objects.filter(shift__roster=published).count()
    assert (published.seats, published.filled, published.unfilled) == (2, seated, 2 - seated)
    drafts = client.get(reverse("patrols:roster_list") + "?status=draft")
    [draft] = drafts.context["page"].object_list
    assert (draft.seats, draft.filled, draft.unfilled) == (2, 0, 2)
    # the periods, not bare dates: the page also shows when each roster was made (today)
    assert "2027-03-15 – 2027-03-16" in body(drafts)
    assert "2027-03-01 – 2027-03-02" not in body(drafts)
    assert "2027-03-01 – 2027-03-02" in body(everything)


def valid_long_ago(*patterns):
    for pattern in patterns:
        pattern.valid_from = dt.date(2020, 1, 1)
        pattern.save()


def test_unfilled_seats_of_published_rosters_from_today_on(client, world, patrol):
    today = timezone.localdate()
    valid_long_ago(patrol.day, patrol.night)
    published = built_roster(
        world,
        [patrol.night],
        patrol.people,
        days=3,
        start=today - dt.timedelta(days=1),
        status=RosterStatus.PUBLISHED,
        fill=1,
    )
    built_roster(
        world, [patrol.day], patrol.people, days=3, start=today, fill=0
    )  # a draft: not yet a gap
    client.force_login(world.director1)
    response = client.get(reverse("patrols:unfilled"))
    shifts = list(response.context["page"].object_list)
    assert [s.service_date for s in shifts] == [today, today + dt.timedelta(days=1)]
    assert all(s.roster == published and s.short == 1 for s in shifts)
    client.force_login(world.director2)
    assert list(client.get(reverse("patrols:unfilled")).context["page"].object_list) == []


# ---- rosters: print and export ---------------------------------------------------------------


def test_print_week_and_month(client, world, patrol):
    roster = built_roster(world, [patrol.day, patrol.night], patrol.people, days=10, fill=1)
    client.force_login(world.director1)
    week = client.get(reverse("patrols:roster_print", args=[roster.pk]) + "?layout=week")
    page = body(week)
    assert "枫桥镇枫源村" in page and "2027-03-01 – 2027-03-10" in page
    assert page.count('class="list pp-print-grid pp-week"') == 2  # ten days: two week grids
    assert "pp-roster-week" in page and "Prepared by (signature)" in page and "＿＿＿＿年" in page
    assert patrol.people[0].name in page and "1 empty" in page  # the night shift has two seats
    month = body(client.get(reverse("patrols:roster_print", args=[roster.pk]) + "?layout=month"))
    assert month.count('class="list pp-print-grid pp-month"') == 1 and "pp-roster-month" in month
    assert month.count('<tr><th scope="row">') == 10
    assert "This roster is not published" in month


def test_print_a_zone_roster(client, world, patrol):
    roster = built_roster(
        world,
        [patrol.zone_pattern],
        patrol.people[4:6] + patrol.people2[:2],
        days=7,
        region=world.township,
        zone=patrol.zone,
    )
    client.force_login(world.director2)  # a member village sees the zone's roster
    page = body(client.get(reverse("patrols:roster_print", args=[roster.pk]) + "?layout=month"))
    assert "枫源—乐山联防区" in page and patrol.people2[0].name in page


def test_export_has_a_row_per_shift_and_person_and_a_sheet_of_empty_seats(client, world, patrol):
    roster = built_roster(world, [patrol.day, patrol.night], patrol.people, days=3, fill=1)
    client.force_login(world.director1)
    response = client.get(reverse("patrols:roster_export", args=[roster.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content))
    people, empty = book.worksheets
    rows = list(people.iter_rows(values_only=True))
    assert rows[0][:4] == ("Date", "Weekday", "Village or zone", "Shift")
    assert len(rows) == 1 + 6  # six shifts, one person each
    first = rows[1]
    assert first[0].date() == MONDAY and first[2] == "枫源村" and first[3] == "白班"
    assert first[4] == dt.datetime(2027, 3, 1, 8) and first[5] == dt.datetime(2027, 3, 1, 16)
    assert first[7] == patrol.people[0].name and first[10] == "Planned"
    night = next(r for r in rows[1:] if r[3] == "夜班")
    assert night[5] == dt.datetime(2027, 3, 2, 4) and night[6] == "yes"  # ends the next morning
    gaps = list(empty.iter_rows(values_only=True))
    assert gaps[0][-3:] == ("Needed", "Assigned", "Unfilled")
    assert [(r[3], r[6], r[7], r[8]) for r in gaps[1:]] == [("夜班", 2, 1, 1)] * 3


def test_export_defuses_formulas_in_names(client, world, patrol):
    patrol.people[0].name = "=HYPERLINK(1)"
    patrol.people[0].save()
    roster = built_roster(world, [patrol.day], patrol.people[:1], days=1)
    client.force_login(world.director1)
    book = load_workbook(
        io.BytesIO(client.get(reverse("patrols:roster_export", args=[roster.pk])).content)
    )
    assert book.worksheets[0]["H2"].value == "'=HYPERLINK(1)"


def test_export_defuses_zone_and_shift_names_and_names_the_file_safely(client, world, patrol):
    patrol.zone.name = "=枫源/乐山联防区"  # a "/" must not reach the file name unencoded
    patrol.zone.save()
    patrol.zone_pattern.name = "+联防夜巡"
    patrol.zone_pattern.save()
    zone = patrol.zone
    roster = built_roster(
        world, [patrol.zone_pattern], patrol.people[4:6], region=world.township, zone=zone, fill=1
    )
    client.force_login(world.director2)  # a member village of the zone
    response = client.get(reverse("patrols:roster_export", args=[roster.pk]))
    plain, encoded = response["Content-Disposition"].split("; filename*=UTF-8''")
    assert plain == f'attachment; filename="roster-{roster.pk}.xlsx"'
    assert encoded.isascii() and "/" not in encoded
    assert unquote(encoded).endswith("-=枫源/乐山联防区-20270301.xlsx")
    seats, empty = load_workbook(io.BytesIO(response.content)).worksheets
    for sheet in (seats, empty):
        assert (sheet["C2"].value, sheet["D2"].value) == ("'=枫源/乐山联防区", "'+联防夜巡")


# ---- query counts ----------------------------------------------------------------------------


def township_roster(world, villages: int, days: int) -> Roster:
    """A township roster over `villages` villages with a day and a night pattern each."""
    roster = Roster.objects.create(
        region=world.township,
        starts_on=MONDAY,
        ends_on=MONDAY + dt.timedelta(days=days - 1),
        created_by=world.director1,
        solver_status="feasible",
        problems=[
            {
                "code": "understaffed",
                "constraint": "rest",
                "day": "2027-03-01",
                "shift": "夜班",
                "village": "x",
                "needed": 2,
                "short": 1,
                "params": {},
            }
        ],
    )
    shifts, seats = [], []
    for v in range(villages):
        village = Region.objects.create(
            code=f"33068110{9500 + Region.objects.count():04d}",
            name=f"测试村{v}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        person = Person.objects.create(
            region=village, name=f"队员{v}", sex="M", birth_date=dt.date(1980, 1, 1)
        )
        for start, hours in ((8, 8), (20, 10)):
            pattern = ShiftPattern.objects.create(
                region=village,
                name=f"{start}点班",
                starts_at=dt.time(start),
                duration_minutes=hours * 60,
                headcount=2,
                valid_from=dt.date(2027, 1, 1),
            )
            for k in range(days):
                day = MONDAY + dt.timedelta(days=k)
                shifts.append(
                    Shift(
                        roster=roster,
                        region=village,
                        pattern=pattern,
                        service_date=day,
                        starts_at=at(day, start),
                        ends_at=at(day, start) + dt.timedelta(hours=hours),
                        headcount=2,
                        night=start == 20,
                    )
                )
                seats.append(person)
    Shift.objects.bulk_create(shifts)
    Assignment.objects.bulk_create(
        Assignment(shift=s, region=s.region, person=p) for s, p in zip(shifts, seats, strict=True)
    )
    return roster


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["roster_detail", "roster_print", "roster_export"])
def test_roster_pages_take_the_same_queries_however_big(client, world, name):
    small = township_roster(world, villages=1, days=2)
    big = township_roster(world, villages=6, days=14)
    client.force_login(world.township_officer)
    url = lambda r: reverse(f"patrols:{name}", args=[r.pk])  # noqa: E731
    count_queries(client, url(small))  # warm the session
    # session + user + roles, the roster, its shifts, their assignments (+ the locale's regions)
    assert count_queries(client, url(big)) == count_queries(client, url(small))


def test_a_township_month_renders_fast(client, world):
    roster = township_roster(world, villages=30, days=31)
    client.force_login(world.township_officer)
    started = timezone.now()
    response = client.get(reverse("patrols:roster_detail", args=[roster.pk]))
    assert response.status_code == 200
    assert (timezone.now() - started).total_seconds() < 5
    assert body(response).count("pp-name") == 30 * 2 * 31


def grow(world, patrol, n: int) -> None:
    """n more of every planning record in village 1."""
    valid_long_ago(patrol.day)
    base = PatrolPoint.objects.count()
    for k in range(n):
        point = PatrolPoint.objects.create(
            region=world.village1,
            name=f"点{base + k}",
            latitude=Decimal("29.7"),
            longitude=Decimal("120.2"),
        )
        route = PatrolRoute.objects.create(region=world.village1, name=f"线{base + k}")
        RouteStop.objects.create(route=route, point=point, order=1)
        ShiftPattern.objects.create(
            region=world.village1,
            name=f"班{base + k}",
            starts_at=dt.time(k % 24),
            duration_minutes=120,
            headcount=1,
            route=route,
            household_group=patrol.group,
            valid_from=dt.date(2027, 1, 1),
        )
        BusySeason.objects.create(
            region=world.village1, name=f"季{base + k}", starts_on=MONDAY, ends_on=MONDAY
        )
        zone = JointZone.objects.create(region=world.township, name=f"区{base + k}")
        ZoneVillage.objects.create(zone=zone, village=world.village1, cost_share=50)
        ZoneVillage.objects.create(zone=zone, village=world.village2, cost_share=50)
        zone.members.add(patrol.people[0])
        built_roster(
            world,
            [patrol.day],
            patrol.people,
            days=1,
            start=timezone.localdate() + dt.timedelta(days=k),
            status=RosterStatus.PUBLISHED,
            fill=0,
        )


@pytest.mark.parametrize(
    "name",
    [
        "point_list",
        "route_list",
        "pattern_list",
        "season_list",
        "zone_list",
        "roster_list",
        "unfilled",
    ],
)
def test_list_query_counts_stay_flat(client, world, patrol, name):
    client.force_login(world.township_officer)
    url = reverse(f"patrols:{name}")
    grow(world, patrol, 2)
    count_queries(client, url)
    small = count_queries(client, url)
    grow(world, patrol, 12)
    assert count_queries(client, url) == small


@pytest.mark.parametrize("name", ["route_create", "pattern_create", "zone_create", "roster_create"])
def test_form_query_counts_stay_flat(client, world, patrol, name):
    client.force_login(world.township_officer)
    url = reverse(f"patrols:{name}")
    grow(world, patrol, 2)
    count_queries(client, url)
    small = count_queries(client, url)
    grow(world, patrol, 12)
    assert count_queries(client, url) == small
