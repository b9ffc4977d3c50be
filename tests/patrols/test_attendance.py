"""Attendance (考勤): the numbers on a small hand-made month, the Excel export, and query
counts that stay flat as a county's rows grow."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    Outcome,
    Roster,
    RosterStatus,
    Shift,
)
from qunfang.patrols.selectors import records as sel
from qunfang.registry.models import Person
from tests.patrols.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = (
        "en"  # English msgids, stable before translation
    )
    return client


@pytest.fixture
def clock(monkeypatch):
    """Pin "now" (the patrol fixture's shifts lie in 2027)."""
    state = {"now": at(MONDAY + dt.timedelta(days=40), 12)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


def _roster(world, region, status=RosterStatus.PUBLISHED, starts_on=MONDAY, days=31):
    return Roster.objects.create(
        region=region,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days - 1),
        status=status,
        created_by=world.director1,
    )


def _shift(roster, pattern, day, hours=8):
    start = at(day, pattern.starts_at.hour)
    return Shift.objects.create(
        roster=roster,
        region=roster.region,
        pattern=pattern,
        service_date=day,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        headcount=pattern.headcount,
    )


def _serve(roster, pattern, person, outcomes, first_day=MONDAY):
    for k, outcome in enumerate(outcomes):
        shift = Shift.objects.filter(
            roster=roster, pattern=pattern, service_date=first_day + dt.timedelta(days=k)
        ).first()
        shift = shift or _shift(roster, pattern, first_day + dt.timedelta(days=k))
        Assignment.objects.create(shift=shift, region=shift.region, person=person, outcome=outcome)


@pytest.fixture
def month(world, patrol, clock):
    """March 2027 in village 1: 何小军 3 served, 1 late, 1 missed, 1 excused; 楼建平 1 partial
    and 1 still open. Noise that must not count: a withdrawn roster, April, village 2."""
    roster = _roster(world, world.village1)
    a, b = patrol.people[0], patrol.people[1]
    S, L, M, E = Outcome.SERVED, Outcome.LATE, Outcome.MISSED, Outcome.EXCUSED
    _serve(roster, patrol.day, a, [S, S, S, L, M, E])
    _serve(roster, patrol.night, b, [Outcome.PARTIAL, Outcome.PLANNED])
    withdrawn = _roster(world, world.village1, RosterStatus.WITHDRAWN)
    _serve(withdrawn, patrol.day, a, [M, M])
    april = _roster(world, world.village1, starts_on=dt.date(2027, 4, 1), days=30)
    _serve(april, patrol.day, a, [M], first_day=dt.date(2027, 4, 1))
    from qunfang.patrols.models import ShiftPattern

    pattern2 = ShiftPattern.objects.create(
        region=world.village2,
        name="乐山白班",
        starts_at=dt.time(8),
        duration_minutes=480,
        headcount=1,
        valid_from=dt.date(2027, 1, 1),
    )
    _serve(_roster(world, world.village2), pattern2, patrol.people2[0], [S, M])
    return {"a": a, "b": b}


def test_numbers_and_rate_of_a_hand_made_month(world, month):
    rows = {
        r["person__name"]: sel.with_rate(r)
        for r in sel.attendance_people(world.director1, first=MONDAY)
    }
    assert set(rows) == {month["a"].name, month["b"].name}  # village 2 is not the director's
    a = rows[month["a"].name]
    assert (
        a["planned"],
        a["served"],
        a["late"],
        a["partial"],
        a["missed"],
        a["excused"],
        a["open"],
    ) == (6, 3, 1, 0, 1, 1, 0)
    assert a["hours"] == Decimal("32.0")  # 4 shifts of 8 hours turned out
    assert a["rate"] == Decimal("80.0")  # 4 turned out of 5 due (the excused one is not due)
    b = rows[month["b"].name]
    assert (b["planned"], b["partial"], b["open"], b["hours"], b["rate"]) == (
        2,
        1,
        1,
        Decimal("8.0"),
        Decimal("100.0"),
    )
    total = sel.attendance_total(list(_villages(world.director1)))
    assert (total["people"], total["planned"], total["due"], total["turned_out"]) == (2, 8, 6, 5)
    assert total["rate"] == Decimal("83.3")


def _villages(user, village=None) -> list[dict]:
    return sel.attendance_villages(list(sel.attendance_people(user, first=MONDAY, village=village)))


def test_village_totals_group_people_by_their_village(world, month):
    villages = {
        r["person__region__name"]: sel.with_rate(r) for r in _villages(world.township_officer)
    }
    assert villages[world.village1.name]["people"] == 2
    assert villages[world.village1.name]["planned"] == 8
    assert villages[world.village2.name]["rate"] == Decimal("50.0")
    only_v2 = list(_villages(world.township_officer, village=world.village2))
    assert [r["person__region__name"] for r in only_v2] == [world.village2.name]


def test_attendance_page_shows_people_and_villages(world, month, client):
    client.force_login(world.director1)
    response = client.get(reverse("patrols:attendance"), {"month": "2027-03"})
    assert response.status_code == 200
    body = response.content.decode()
    assert month["a"].name in body and "80.0%" in body and "32.0" in body
    assert body.count('data-testid="person-row"') == 2
    assert body.count('data-testid="village-row"') == 1
    assert world.village2.name not in body


def test_a_bad_month_gets_a_clear_message_and_this_month(world, month, client):
    client.force_login(world.director1)
    response = client.get(reverse("patrols:attendance"), {"month": "2027-13"})
    assert response.status_code == 200
    assert "Give the month as YYYY-MM" in response.content.decode()
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_another_village_in_the_filter_answers_404(world, month, client):
    client.force_login(world.director1)
    assert (
        client.get(reverse("patrols:attendance"), {"village": world.village2.code}).status_code
        == 404
    )
    assert (
        client.get(
            reverse("patrols:attendance_export"), {"village": world.village2.code}
        ).status_code
        == 404
    )


def test_patrol_members_cannot_see_attendance(world, month, client):
    client.force_login(world.patrol1)
    assert client.get(reverse("patrols:attendance")).status_code == 403
    assert client.get(reverse("patrols:attendance_export")).status_code == 403


def test_excel_export_opens_with_one_sheet_per_person_and_one_for_villages(world, month, client):
    client.force_login(world.township_officer)
    response = client.get(reverse("patrols:attendance_export"), {"month": "2027-03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    people, villages = book.worksheets
    assert people.title == "Attendance by person" and villages.title == "Attendance by village"
    header = [c.value for c in people[1]]
    assert header[:4] == ["Village", "Person", "Shifts planned", "Served"]
    assert header[-4:] == [
        "Hours served",
        "Attendance rate (%)",
        "Point check-ins",
        "Point check-ins with a position",
    ]
    rows = {r[1]: r for r in people.iter_rows(min_row=2, values_only=True)}
    a = rows[month["a"].name]
    assert a[0] == world.village1.name
    assert a[2:9] == (6, 3, 1, 0, 1, 1, 0)
    assert float(a[9]) == 32.0 and float(a[10]) == 80.0
    assert rows[patrol_v2_name(world)][10] == 50.0
    village_rows = {r[0]: r for r in villages.iter_rows(min_row=2, values_only=True)}
    assert village_rows[world.village1.name][1:4] == (2, 8, 3)


def patrol_v2_name(world):
    return Person.objects.get(account=world.patrol2).name


def test_excel_cells_that_look_like_formulas_are_defused(world, patrol, clock, client):
    roster = _roster(world, world.village1)
    person = Person.objects.create(
        region=world.village1, name="=HYPERLINK(1)", sex="M", birth_date=dt.date(1980, 1, 1)
    )
    _serve(roster, patrol.day, person, [Outcome.SERVED])
    client.force_login(world.director1)
    book = load_workbook(
        io.BytesIO(client.get(reverse("patrols:attendance_export"), {"month": "2027-03"}).content)
    )
    assert book.worksheets[0]["B2"].value == "'=HYPERLINK(1)"


def _grow(world, patrol, n):
    """n more members of village 1, each with a served and a missed shift in March."""
    roster = Roster.objects.filter(
        region=world.village1, status=RosterStatus.PUBLISHED, starts_on=MONDAY
    ).first()
    roster = roster or _roster(world, world.village1)
    start = Person.objects.count()
    for k in range(n):
        p = Person.objects.create(
            region=world.village1, name=f"队员{start + k}", sex="M", birth_date=dt.date(1980, 1, 1)
        )
        _serve(roster, patrol.day, p, [Outcome.SERVED, Outcome.MISSED])


@pytest.mark.parametrize("route", ["patrols:attendance", "patrols:attendance_export"])
def test_query_count_stays_flat_as_rows_grow(world, patrol, clock, client, route):
    client.force_login(world.township_officer)
    url = reverse(route)
    counts = []
    for n in (3, 30):
        _grow(world, patrol, n)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"month": "2027-03"}).status_code == 200
        counts.append(len(captured))
    # session + user, villages, the people page (count + rows), villages, total
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts


# ---- how many accepted scans at a point carried the phone's position -------------------------


def _scan(assignment, point, *, position=True, accepted=True, kind=CheckInKind.POINT):
    where = {"latitude": Decimal("29.71"), "longitude": Decimal("120.24")} if position else {}
    CheckIn.objects.create(
        assignment=assignment,
        region=assignment.region,
        kind=kind,
        point=point,
        recorded_at=assignment.shift.starts_at,
        accepted=accepted,
        by_id=assignment.shift.roster.created_by_id,
        **where,
    )


def test_attendance_counts_the_point_scans_that_had_a_position(world, patrol, month, client):
    a_shifts = Assignment.objects.filter(
        person=month["a"], shift__roster__status="published", shift__service_date__month=3
    )
    first, second = a_shifts.order_by("shift__starts_at")[:2]
    point = patrol.points[0]
    _scan(first, point)
    _scan(first, point, position=False)
    _scan(second, point, position=False)
    _scan(second, point, position=False, accepted=False)  # refused: not a check-in
    _scan(second, None, position=False, kind=CheckInKind.START)  # no point: proves no place
    people = sel.attendance_people(world.director1, first=MONDAY)
    a = {r["person__name"]: sel.with_rate(r) for r in people}[month["a"].name]
    # the outcome counts are not multiplied by the scans
    assert (a["planned"], a["served"], a["hours"]) == (6, 3, Decimal("32.0"))
    assert (a["points_checked"], a["points_with_position"]) == (3, 1)
    assert a["points_without_position"] == 2
    client.force_login(world.director1)
    body = client.get(reverse("patrols:attendance"), {"month": "2027-03"}).content.decode()
    badge = '<span class="status pr-nopos">2 without a position</span>'
    assert f'<td class="num" data-testid="positioned">1/3 {badge}' in body
    export = client.get(reverse("patrols:attendance_export"), {"month": "2027-03"})
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[month["a"].name][-2:] == (3, 1)
