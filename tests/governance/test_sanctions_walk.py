"""The outsider walk (tests/core/test_outsider_walk.py) over the rewards and punishments routes
alone, with the same village-1 records: quick to run while the book changes, and the routes'
classification in walk_sanctions.py checked against the URL table."""

import pytest
from django.urls import reverse

from tests.core.test_outsider_walk import (
    FOREIGN_404,
    PUBLIC,
    SCOPED,
    all_routes,
    foreign_kwargs,
    markers,
    world,  # noqa: F401 (the walk's village-1 records)
)
from tests.governance import walk_sanctions

pytestmark = pytest.mark.django_db


def _ours():
    return [(n, p) for n, p in all_routes() if n in walk_sanctions.ROUTES]


def test_every_route_of_the_book_is_classified():
    names = {n for n, _ in all_routes() if n.startswith("governance:")}
    book = {
        n
        for n in names
        if "sanction" in n or n in ("governance:payment_list", "governance:sanctions_propose")
    }
    assert book == set(walk_sanctions.ROUTES)


@pytest.mark.parametrize("persona", ["director2", "township2_officer"])
def test_outsiders_get_404_or_nothing_of_village1(world, client, persona):  # noqa: F811
    outsider = getattr(world, persona)
    client.force_login(outsider)
    for name, pattern in _ours():
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        kind = walk_sanctions.ROUTES[name]
        statuses = []
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            statuses.append(response.status_code)
            if kind == FOREIGN_404:
                assert response.status_code in (404, 405), (method, url, response.status_code)
            elif kind == SCOPED:
                assert response.status_code in (200, 302, 403, 405), (method, url)
            if kind in (SCOPED, PUBLIC):
                for marker in markers(world):
                    assert marker not in body, (method, url, marker)
        if kind == FOREIGN_404:
            assert 404 in statuses, (url, statuses)


def test_village1_s_director_reaches_the_same_records(world, client):  # noqa: F811
    client.force_login(world.director1)
    for name, pattern in _ours():
        if walk_sanctions.ROUTES[name] != FOREIGN_404:
            continue
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        status = client.get(url).status_code
        assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302)), url
    body = client.get(reverse("governance:sanction_list")).content.decode()
    assert walk_sanctions.MARKER_REASON in body
