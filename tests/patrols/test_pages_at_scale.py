"""The patrol and casebook pages read only the user's share of the database: every query of a
township officer's and a village director's pages reaches the growing tables through an index
(no full scan of shifts, rosters, assignments, check-ins, cases, orders …), and the patrol log
shows the recent days until a month is chosen. bench/pages.py measures the same at 100x."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.patrols.models import Assignment, Roster, RosterStatus, Shift
from tests.patrols.conftest import MONDAY, at

pytestmark = pytest.mark.django_db

NOW = at(MONDAY + dt.timedelta(days=45), 12)
PAGES = [
    "/",
    "/patrols/log/",
    "/patrols/log/?month=2027-03",
    "/patrols/attendance/?month=2027-03",
    "/patrols/on-duty/",
    "/patrols/rosters/",
    "/patrols/rosters/unfilled/",
    "/patrols/swaps/",
    "/books/cases/",
    "/books/mediation/",
    "/books/inspections/",
    "/books/orders/overdue/",
    "/books/opinions/",
]
# Tables that grow with every township and year: reading one whole is reading the database.
GROWING = (
    "patrols_shift",
    "patrols_roster",
    "patrols_assignment",
    "patrols_checkin",
    "patrols_swaprequest",
    "patrols_dutyledgerentry",
    "casebook_case",
    "casebook_escalation",
    "casebook_mediationcase",
    "casebook_inspection",
    "casebook_hazard",
    "casebook_rectificationorder",
    "casebook_opinion",
)


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def _published_shift(world, patrol, day: dt.date) -> Shift:
    roster = Roster.objects.create(
        region=world.village1,
        starts_on=day.replace(day=1),
        ends_on=day + dt.timedelta(days=1),
        status=RosterStatus.PUBLISHED,
        created_by=world.director1,
    )
    pattern = patrol.night
    starts = at(day, pattern.starts_at.hour)
    shift = Shift.objects.create(
        roster=roster,
        region=world.village1,
        pattern=pattern,
        service_date=day,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=pattern.duration_minutes),
        headcount=2,
    )
    Assignment.objects.create(shift=shift, region=world.village1, person=patrol.people[0])
    return shift


def _full_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql.replace("%", "%%"))
        plan = [row[-1] for row in cursor.fetchall()]
    return [line for line in plan if line.startswith("SCAN ") and line.split()[1] in GROWING]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
@pytest.mark.parametrize("persona", ["township_officer", "director1"])
def test_no_page_reads_a_growing_table_whole(world, patrol, clock, client, persona):
    _published_shift(world, patrol, MONDAY)
    client.force_login(getattr(world, persona))
    scans = {}
    for url in PAGES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        for query in captured.captured_queries:
            if query["sql"].startswith("SELECT") and (found := _full_scans(query["sql"])):
                scans.setdefault(url, []).append((found, query["sql"][:300]))
    assert not scans, scans


def test_the_log_shows_the_recent_days_until_a_month_is_chosen(world, patrol, clock, client):
    recent = _published_shift(world, patrol, MONDAY + dt.timedelta(days=40))
    earlier = _published_shift(world, patrol, MONDAY)  # 45 days ago: outside the default
    client.force_login(world.director1)
    response = client.get(reverse("patrols:log_list"))
    assert [s.pk for s in response.context["page"].object_list] == [recent.pk]
    body = response.content.decode()
    assert 'data-testid="log-window"' in body and "2027-03-16" in body  # from 31 days back
    chosen = client.get(reverse("patrols:log_list"), {"month": "2027-03"})
    assert [s.pk for s in chosen.context["page"].object_list] == [earlier.pk]
    assert 'data-testid="log-window"' not in chosen.content.decode()
