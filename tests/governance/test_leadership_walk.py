"""The outsider walk (tests/core/test_outsider_walk.py) over the routes of leaders'
responsibility and of 分类指导 and rebuilding alone, with only this book's village-1 records:
quick to run while the book changes, and the routes' classification in walk_leadership.py
checked against the URL table."""

import pytest
from django.urls import reverse

from tests.core.test_outsider_walk import (
    FOREIGN_404,
    SCOPED,
    TOWNSHIP_404,
    all_routes,
    foreign_kwargs,
)
from tests.governance import walk_leadership

pytestmark = pytest.mark.django_db

BOOK_ROUTES = (
    "leadership",
    "leader_",
    "member_",
    "visit_",
    "class_",
    "plan_",
    "step_",
)


@pytest.fixture
def walk_world(world, records):
    world.records = records
    world.book_records = {walk_leadership.__name__: walk_leadership.records(world, records)}
    return world


def _ours():
    return [(n, p) for n, p in all_routes() if n in walk_leadership.ROUTES]


def _markers(world):
    return [
        world.village1.name,
        world.village1.code,
        world.director1.full_name,
        *walk_leadership.MARKERS,
    ]


def test_every_route_of_the_book_is_classified():
    names = {
        n
        for n, _ in all_routes()
        if n.startswith("governance:") and n.split(":")[1].startswith(BOOK_ROUTES)
    }
    # other books' routes that share a prefix are not ours
    names = {n for n in names if n in walk_leadership.ROUTES or "supervision" not in n}
    assert set(walk_leadership.ROUTES) <= names
    assert {n for n, _ in all_routes()} >= set(walk_leadership.ROUTES)


@pytest.mark.parametrize("persona", ["director2", "township2_officer"])
def test_outsiders_get_404_or_nothing_of_village1(walk_world, client, persona):
    world = walk_world
    outsider = getattr(world, persona)
    client.force_login(outsider)
    for name, pattern in _ours():
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        kind = walk_leadership.ROUTES[name]
        if kind == TOWNSHIP_404:
            kind = SCOPED if outsider.region.parent_id == world.township.pk else FOREIGN_404
        statuses = []
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            statuses.append(response.status_code)
            if kind == FOREIGN_404:
                assert response.status_code in (404, 405), (method, url, response.status_code)
            else:
                assert response.status_code in (200, 302, 403, 405), (method, url)
                for marker in _markers(world):
                    assert marker not in body, (method, url, marker)
        if kind == FOREIGN_404:
            assert 404 in statuses, (url, statuses)


def test_village1_s_director_reaches_the_same_records_and_changes_nothing(walk_world, client):
    from tests.governance.test_leadership import snapshot

    world = walk_world
    client.force_login(world.director1)
    before = snapshot()
    for name, pattern in _ours():
        if walk_leadership.ROUTES[name] not in (FOREIGN_404, TOWNSHIP_404):
            continue
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        status = client.get(url).status_code
        assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302)), url
    assert snapshot() == before
    body = client.get(reverse("governance:plan_list")).content.decode()
    assert walk_leadership.PLAN_TITLE in body
