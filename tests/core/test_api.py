"""The JSON API over real HTTP (live server, httpx), signed in through the login page."""

import re

import httpx
import pytest

from tests.factories import TEST_PASSWORD


def _signed_in(base_url, username):
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login/",
        data={"username": username, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/login/"},
    )
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def api(live_server, world):
    return lambda username: _signed_in(live_server.url, username)


@pytest.mark.django_db(transaction=True)
def test_me_describes_the_account(api, world):
    body = api("director1").get("/api/v1/me").json()
    assert body["username"] == "director1" and body["region"]["code"] == world.village1.code
    assert body["roles"] == ["village_director"] and "manage_village" in body["permissions"]


@pytest.mark.django_db(transaction=True)
def test_regions_are_scoped_and_paginated(api, world):
    body = api("township").get("/api/v1/regions").json()
    codes = {item["code"] for item in body["items"]}
    assert body["count"] == 4 and world.village1.code in codes and world.village3.code not in codes


@pytest.mark.django_db(transaction=True)
def test_another_villages_region_answers_404_like_a_missing_one(api, world):
    client = api("director2")
    foreign = client.get(f"/api/v1/regions/{world.village1.code}")
    missing = client.get("/api/v1/regions/999999999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == {"detail": "未找到。"}
    assert client.get(f"/api/v1/regions/{world.village2.code}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_api_refuses_without_sign_in_and_without_permission(live_server, api, world):
    anonymous = httpx.get(f"{live_server.url}/api/v1/me")
    assert anonymous.status_code == 401 and anonymous.json() == {"detail": "请先登录。"}
    assert api("patrol1").get("/api/v1/regions").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_openapi_document_lists_the_routes(live_server):
    schema = httpx.get(f"{live_server.url}/api/v1/openapi.json").json()
    assert {"/api/v1/me", "/api/v1/regions", "/api/v1/regions/{code}"} <= set(schema["paths"])
