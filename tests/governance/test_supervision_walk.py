"""The outsider walk (tests/core/test_outsider_walk.py) over the supervision routes alone, with
only this book's village-1 records: quick to run while the book changes, and the routes'
classification in walk_supervision.py checked against the URL table."""

import pytest
from django.urls import reverse

from qunfang.governance.models import RectificationTask, SupervisionFinding, SupervisionVisit
from tests.core.test_outsider_walk import (
    FOREIGN_404,
    SCOPED,
    TOWNSHIP_404,
    all_routes,
    foreign_kwargs,
)
from tests.governance import walk_supervision

pytestmark = pytest.mark.django_db


@pytest.fixture
def walk_world(world, records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.records = records
    world.book_records = {walk_supervision.__name__: walk_supervision.records(world, records)}
    return world


def _ours():
    return [(n, p) for n, p in all_routes() if n in walk_supervision.ROUTES]


def _markers(world):
    return [
        world.village1.name,
        world.village1.code,
        world.director1.full_name,
        *walk_supervision.MARKERS,
    ]


def test_every_route_of_the_book_is_classified():
    names = {n for n, _ in all_routes() if n.startswith("governance:supervision_")}
    assert names == set(walk_supervision.ROUTES)
    assert set(walk_supervision.PK_OWNER) <= names and names >= walk_supervision.WRITES


def _snapshot():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (SupervisionVisit, SupervisionFinding, RectificationTask)
    ]


@pytest.mark.parametrize("persona", ["director2", "township2_officer"])
def test_outsiders_get_404_or_nothing_of_village1(walk_world, client, persona):
    world = walk_world
    outsider = getattr(world, persona)
    client.force_login(outsider)
    before = _snapshot()
    for name, pattern in _ours():
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        kind = walk_supervision.ROUTES[name]
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
    assert _snapshot() == before


def test_village1_s_director_reaches_the_same_records_and_changes_nothing(walk_world, client):
    world = walk_world
    client.force_login(world.director1)
    before = _snapshot()
    for name, pattern in _ours():
        if walk_supervision.ROUTES[name] not in (FOREIGN_404, TOWNSHIP_404):
            continue
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        status = client.get(url).status_code
        assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302)), url
    assert _snapshot() == before
    body = client.get(reverse("governance:supervision_task_list")).content.decode()
    assert walk_supervision.TASK_TEXT in body
