"""The outsider walk (tests/core/test_outsider_walk.py) over the bulletins routes alone, with the
same village-1 records: quick to run while the book changes, and the routes' classification in
walk_bulletins.py checked against the URL table."""

import pytest
from django.urls import reverse

from tests.core.test_outsider_walk import (
    FOREIGN_404,
    SCOPED,
    all_routes,
    foreign_kwargs,
    markers,
    world,  # noqa: F401 (the walk's village-1 records)
)
from tests.governance import walk_bulletins

pytestmark = pytest.mark.django_db


def _ours():
    return [(n, p) for n, p in all_routes() if n in walk_bulletins.ROUTES]


def test_every_route_of_the_book_is_classified():
    book = {n for n, _ in all_routes() if n.startswith("governance:bulletin_")}
    assert book == set(walk_bulletins.ROUTES)


@pytest.mark.parametrize("persona", ["director2", "township2_officer"])
def test_outsiders_get_404_or_nothing_of_village1(world, client, persona):  # noqa: F811
    outsider = getattr(world, persona)
    client.force_login(outsider)
    for name, pattern in [*_ours(), ("home", None)]:
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world)) if pattern else "/"
        kind = walk_bulletins.ROUTES.get(name, SCOPED)
        statuses = []
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            statuses.append(response.status_code)
            if kind == FOREIGN_404:
                assert response.status_code in (404, 405), (method, url, response.status_code)
            else:
                assert response.status_code in (200, 302, 403, 405), (method, url)
                for marker in markers(world):
                    assert marker not in body, (method, url, marker)
        if kind == FOREIGN_404:
            assert 404 in statuses, (url, statuses)


def test_village1_s_director_reaches_the_same_records(world, client):  # noqa: F811
    client.force_login(world.director1)
    for name, pattern in _ours():
        if walk_bulletins.ROUTES[name] != FOREIGN_404:
            continue
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        status = client.get(url).status_code
        assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302)), url
    body = client.get(reverse("governance:bulletin_list")).content.decode()
    assert walk_bulletins.MARKER_TITLE in body
    assert walk_bulletins.MARKER_TITLE in client.get("/").content.decode()  # the home panel
