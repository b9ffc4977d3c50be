"""The patrol API over real HTTP (live server, httpx), signed in through the login page like a
phone's browser session, CSRF token in the X-CSRFToken header."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from qunfang.patrols.models import Absence, CheckIn, Outcome, SwapRequest
from qunfang.patrols.services import signs
from tests.core.test_api import _signed_in
from tests.patrols.test_checkin import live_roster

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server, world, patrol):
    def client(username):
        c = _signed_in(live_server.url, username)
        c.headers["X-CSRFToken"] = c.cookies["csrftoken"]
        return c

    return client


def body(shift, point, **extra):
    return {
        "client_id": str(uuid.uuid4()),
        "assignment": shift.mine.pk,
        "kind": "point",
        "point": point.pk,
        "code": signs.current_code(point),
        **extra,
    }


def test_my_shifts_lists_the_current_and_upcoming_shifts(api, world, patrol):
    running = live_roster(world, patrol)
    upcoming = live_roster(world, patrol, start=timezone.now() + dt.timedelta(days=2))
    data = api("patrol1").get("/api/v1/patrols/my-shifts").json()
    assert data["person"]["name"] == patrol.people[0].name
    assert [s["assignment"] for s in data["shifts"]] == [running.mine.pk, upcoming.mine.pk]
    first = data["shifts"][0]
    assert first["open_for_check_in"] and not data["shifts"][1]["open_for_check_in"]
    assert first["route"] == "夜巡路线" and first["partners"] == [
        {"id": patrol.people[1].pk, "name": patrol.people[1].name}
    ]
    assert api("director1").get("/api/v1/patrols/my-shifts").json() == {
        "person": None,
        "shifts": [],
    }


def test_on_duty_is_scoped(api, world, patrol):
    running = live_roster(world, patrol)
    mine = api("patrol1").get("/api/v1/patrols/on-duty").json()
    assert [s["shift"] for s in mine] == [running.shift.pk]
    assert {p["name"] for p in mine[0]["people"]} == {patrol.people[0].name, patrol.people[1].name}
    assert api("director2").get("/api/v1/patrols/on-duty").json() == []
    assert api("mediator1").get("/api/v1/patrols/on-duty").status_code == 403


def test_a_check_in_is_201_and_its_resend_200_with_the_same_body(api, world, patrol):
    shift = live_roster(world, patrol)
    client = api("patrol1")
    sent = body(
        shift,
        patrol.points[0],
        latitude=29.7101,
        longitude=120.24,
        accuracy_m=9.6,
        finding="hazard",
        note="桥栏松动",
    )
    first = client.post("/api/v1/patrols/check-ins", json=sent)
    assert first.status_code == 201, first.text
    assert (
        first.json()["accepted"]
        and first.json()["distance_m"] == 11
        and first.json()["outcome"] == "planned"
    )
    again = client.post("/api/v1/patrols/check-ins", json=sent)
    assert again.status_code == 200 and again.json() == first.json()
    assert CheckIn.objects.count() == 1
    record = CheckIn.objects.get()
    assert (
        record.finding == "hazard"
        and record.accuracy_m == 10
        and str(record.client_id) == sent["client_id"]
    )


@pytest.mark.parametrize("bad", ["stale", "forged", "far"])
def test_a_refused_check_in_is_422_with_its_reason_and_kept(api, world, patrol, bad):
    shift = live_roster(world, patrol)
    point = patrol.points[0]
    sent = body(shift, point)
    if bad == "stale":
        old = timezone.now() - 3 * dt.timedelta(seconds=point.sign_period)  # a photo of an old sign
        sent["code"] = signs.current_code(point, at=old)
    elif bad == "forged":
        sent["code"] = "00000000" if signs.current_code(point) != "00000000" else "11111111"
    else:
        sent.update(latitude=29.728, longitude=120.24)  # 2 km north
    response = api("patrol1").post("/api/v1/patrols/check-ins", json=sent)
    assert response.status_code == 422, response.text
    expected = {"stale": "stale_code", "forged": "wrong_code", "far": "far_from_point"}[bad]
    data = response.json()
    assert data["refusal"] == expected and not data["accepted"] and data["detail"]
    assert (
        CheckIn.objects.filter(accepted=False).count() == 1
        and not CheckIn.objects.filter(accepted=True).exists()
    )
    # the resend gets the same answer and records nothing new
    assert api("patrol1").post("/api/v1/patrols/check-ins", json=sent).json() == data
    assert CheckIn.objects.count() == 1


def test_start_and_end_over_the_api_close_the_shift(api, world, patrol):
    shift = live_roster(world, patrol, start=timezone.now() - dt.timedelta(minutes=5), hours=1)
    client = api("patrol1")
    start = {"client_id": str(uuid.uuid4()), "assignment": shift.mine.pk, "kind": "start"}
    assert client.post("/api/v1/patrols/check-ins", json=start).status_code == 201
    for point in patrol.points:
        assert client.post("/api/v1/patrols/check-ins", json=body(shift, point)).status_code == 201
    end = client.post(
        "/api/v1/patrols/check-ins", json={**start, "client_id": str(uuid.uuid4()), "kind": "end"}
    )
    assert end.status_code == 201 and end.json()["outcome"] == Outcome.SERVED


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("not json", 400),
        ([1, 2], 400),
        ({"assignment": 1}, 400),  # no client_id
        ({"client_id": "not-a-uuid", "assignment": 1}, 400),
        ({"client_id": str(uuid.uuid4()), "assignment": 1, "kind": "dance"}, 400),
        ({"client_id": str(uuid.uuid4()), "assignment": 1, "latitude": 123}, 400),
        ({"client_id": str(uuid.uuid4()), "assignment": 1, "surprise": True}, 400),
    ],
    ids=[
        "not-json",
        "not-object",
        "no-client-id",
        "bad-uuid",
        "bad-kind",
        "bad-latitude",
        "unknown-field",
    ],
)
def test_bad_input_is_400_with_a_detail(api, world, patrol, payload, status):
    live_roster(world, patrol)
    client = api("patrol1")
    if isinstance(payload, str):
        response = client.post(
            "/api/v1/patrols/check-ins",
            content=payload,
            headers={"Content-Type": "application/json"},
        )
    else:
        response = client.post("/api/v1/patrols/check-ins", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert CheckIn.objects.count() == 0


def test_service_refusals_are_400_and_save_nothing(api, world, patrol):
    shift = live_roster(world, patrol)
    client = api("patrol1")
    partner = {**body(shift, patrol.points[0]), "assignment": shift.assignments[1].pk}
    response = client.post("/api/v1/patrols/check-ins", json=partner)
    assert response.status_code == 400 and (
        "不是您的" in response.json()["detail"] or "not yours" in response.json()["detail"]
    )
    no_point = {"client_id": str(uuid.uuid4()), "assignment": shift.mine.pk, "kind": "point"}
    assert client.post("/api/v1/patrols/check-ins", json=no_point).status_code == 400
    assert CheckIn.objects.count() == 0


def test_another_villages_shift_or_point_is_404(api, world, patrol):
    shift = live_roster(world, patrol)
    sent = body(shift, patrol.points[0])
    response = api("patrol2").post("/api/v1/patrols/check-ins", json=sent)
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}
    missing = api("patrol1").post("/api/v1/patrols/check-ins", json={**sent, "point": 999999})
    assert missing.status_code == 404
    assert CheckIn.objects.count() == 0


def test_writes_need_sign_in_csrf_and_the_patrol_permission(api, live_server, world, patrol):
    import httpx

    shift = live_roster(world, patrol)
    url = "/api/v1/patrols/check-ins"
    assert httpx.get(f"{live_server.url}/api/v1/patrols/my-shifts").status_code == 401
    assert httpx.post(
        f"{live_server.url}{url}", json=body(shift, patrol.points[0])
    ).status_code in (401, 403)
    no_token = api("patrol1")
    del no_token.headers["X-CSRFToken"]
    assert no_token.post(url, json=body(shift, patrol.points[0])).status_code == 403
    director = api("director1").post(url, json=body(shift, patrol.points[0]))
    assert director.status_code == 403 and director.json()["detail"]
    assert (
        api("director2").post(url, content=b"garbage").status_code == 403
    )  # refused before reading the body
    assert CheckIn.objects.count() == 0


def test_declaring_an_absence_answers_with_its_clashes(api, world, patrol):
    upcoming = live_roster(world, patrol, start=timezone.now() + dt.timedelta(days=2))
    day = upcoming.shift.service_date
    response = api("patrol1").post(
        "/api/v1/patrols/absences",
        json={"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "住院"},
    )
    assert response.status_code == 201, response.text
    assert [c["assignment"] for c in response.json()["clashes"]] == [upcoming.mine.pk]
    reversed_dates = {
        "starts_on": day.isoformat(),
        "ends_on": (day - dt.timedelta(days=3)).isoformat(),
    }
    refused = api("patrol1").post("/api/v1/patrols/absences", json=reversed_dates)
    assert refused.status_code == 400 and refused.json()["detail"]
    assert Absence.objects.count() == 1


def test_a_swap_over_the_api_and_a_person_in_two_places(api, world, patrol):
    upcoming = live_roster(
        world, patrol, start=timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    )
    busy = patrol.people[5]
    live_roster(
        world,
        patrol,
        start=upcoming.shift.starts_at + dt.timedelta(hours=2),
        pattern=patrol.day,
        people=[busy],
    )
    client = api("patrol1")
    refused = client.post(
        "/api/v1/patrols/swaps", json={"assignment": upcoming.mine.pk, "replacement": busy.pk}
    )
    assert refused.status_code == 400 and busy.name in refused.json()["detail"]
    assert SwapRequest.objects.count() == 0
    foreign = client.post(
        "/api/v1/patrols/swaps",
        json={"assignment": upcoming.mine.pk, "replacement": patrol.people2[1].pk},
    )
    assert foreign.status_code == 404
    not_mine = client.post(
        "/api/v1/patrols/swaps",
        json={"assignment": upcoming.assignments[1].pk, "replacement": patrol.people[3].pk},
    )
    assert not_mine.status_code == 403
    ok = client.post(
        "/api/v1/patrols/swaps",
        json={"assignment": upcoming.mine.pk, "replacement": patrol.people[3].pk, "reason": "出差"},
    )
    assert ok.status_code == 201 and ok.json()["status"] == "pending"
    assert SwapRequest.objects.get().replacement == patrol.people[3]


def test_the_openapi_document_lists_the_patrol_routes(live_server):
    import httpx

    schema = httpx.get(f"{live_server.url}/api/v1/openapi.json").json()
    paths = {
        "/api/v1/patrols/my-shifts",
        "/api/v1/patrols/on-duty",
        "/api/v1/patrols/check-ins",
        "/api/v1/patrols/absences",
        "/api/v1/patrols/swaps",
    }
    assert paths <= set(schema["paths"])
    assert (
        "client_id"
        in schema["paths"]["/api/v1/patrols/check-ins"]["post"]["requestBody"]["content"][
            "application/json"
        ]["schema"]["properties"]
    )
