"""The patrol log, one shift's check-ins and its outcome form, the paper register, check-in
photos, and how outsiders are answered on these routes."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    Finding,
    Outcome,
    Roster,
    RosterStatus,
    Shift,
)
from tests.core.test_outsider_walk import FOREIGN_404, SCOPED, all_routes, foreign_kwargs, markers
from tests.factories import contract_for
from tests.patrols import walk_records
from tests.patrols.conftest import MONDAY, at
from tests.patrols.walk import patrol_records

pytestmark = pytest.mark.django_db
NOW = at(MONDAY + dt.timedelta(days=3), 12)  # Thursday noon: Monday to Wednesday are past


@pytest.fixture
def clock(monkeypatch):
    state = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = (
        "en"  # English msgids, stable before translation
    )
    return client


def _roster(world, status=RosterStatus.PUBLISHED, region=None):
    return Roster.objects.create(
        region=region or world.village1,
        starts_on=MONDAY,
        ends_on=MONDAY + dt.timedelta(days=6),
        status=status,
        created_by=world.director1,
    )


def _shift(roster, pattern, day, people):
    start = at(day, pattern.starts_at.hour)
    shift = Shift.objects.create(
        roster=roster,
        region=roster.region,
        pattern=pattern,
        service_date=day,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=pattern.duration_minutes),
        headcount=pattern.headcount,
        night=pattern.is_night,
    )
    for p in people:
        Assignment.objects.create(shift=shift, region=shift.region, person=p)
    return shift


def _check(assignment, kind, when, point=None, **kw):
    return CheckIn.objects.create(
        client_id=uuid.uuid4(),
        assignment=assignment,
        region=assignment.region,
        kind=kind,
        point=point,
        recorded_at=when,
        by_id=assignment.person.account_id or assignment.shift.roster.created_by_id,
        **kw,
    )


@pytest.fixture
def log(world, patrol, clock):
    """Night shifts Monday to Wednesday (past), one Friday (future), one on a draft roster."""
    roster = _roster(world)
    two = patrol.people[:2]
    monday = _shift(roster, patrol.night, MONDAY, two)
    tuesday = _shift(roster, patrol.night, MONDAY + dt.timedelta(days=1), two)
    _shift(roster, patrol.night, MONDAY + dt.timedelta(days=2), two)
    future = _shift(roster, patrol.night, MONDAY + dt.timedelta(days=4), two)
    draft = _shift(_roster(world, RosterStatus.DRAFT), patrol.day, MONDAY, patrol.people[2:3])
    a = monday.assignments.get(person=patrol.people[0])
    start = monday.starts_at
    _check(a, CheckInKind.START, start + dt.timedelta(minutes=2))
    position = {"latitude": Decimal("29.7100"), "longitude": Decimal("120.2400"), "distance_m": 3}
    _check(a, CheckInKind.POINT, start + dt.timedelta(minutes=20), patrol.points[0], **position)
    _check(
        a,
        CheckInKind.POINT,
        start + dt.timedelta(minutes=40),
        patrol.points[1],
        finding=Finding.HAZARD,
        note="桥栏杆松动",
    )
    _check(
        a,
        CheckInKind.POINT,
        start + dt.timedelta(minutes=50),
        patrol.points[2],
        accepted=False,
        refusal="stale_code",
    )
    return {"monday": monday, "tuesday": tuesday, "future": future, "draft": draft, "assignment": a}


# ---- the patrol log ---------------------------------------------------------------------------


def test_log_lists_started_shifts_of_published_rosters_newest_first(world, log, client):
    client.force_login(world.director1)
    response = client.get(reverse("patrols:log_list"))
    assert response.status_code == 200
    shifts = list(response.context["page"].object_list)
    assert [s.service_date for s in shifts] == [MONDAY + dt.timedelta(days=k) for k in (2, 1, 0)]
    monday = shifts[-1]
    assert (
        monday.flagged and monday.visited == 2 and monday.expected == 3
    )  # the refused scan does not count
    assert [c.note for c in monday.findings] == ["桥栏杆松动"]
    body = response.content.decode()
    assert body.count('class="pr-flagged"') == 1
    assert "桥栏杆松动" in body
    # each row's day and its hours in Shanghai time
    start = timezone.localtime(monday.starts_at)
    end = timezone.localtime(monday.ends_at)
    assert f">{MONDAY.isoformat()}</a>" in body
    assert f"{start:%H:%M}–{end:%H:%M}" in body and start.tzinfo.key == "Asia/Shanghai"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("patrols:log_list")).content.decode()
    assert "Hazard" in english and "发现隐患" not in english  # the finding in the reader's language


def test_log_filters_by_village_and_month(world, log, client):
    client.force_login(world.township_officer)
    url = reverse("patrols:log_list")
    assert (
        len(
            client.get(url, {"village": world.village1.code, "month": "2027-03"})
            .context["page"]
            .object_list
        )
        == 3
    )
    assert len(client.get(url, {"month": "2027-04"}).context["page"].object_list) == 0
    assert len(client.get(url, {"village": world.village2.code}).context["page"].object_list) == 0
    bad = client.get(url, {"month": "March"})
    assert bad.status_code == 200 and "Give the month as YYYY-MM" in bad.content.decode()


def test_log_shows_joint_zone_shifts_to_each_member_village(world, patrol, clock, client):
    roster = Roster.objects.create(
        region=world.township,
        zone=patrol.zone,
        starts_on=MONDAY,
        ends_on=MONDAY + dt.timedelta(days=6),
        status=RosterStatus.PUBLISHED,
        created_by=world.township_officer,
    )
    shift = _shift(roster, patrol.zone_pattern, MONDAY, [patrol.people[4], patrol.people2[1]])
    shift.zone = patrol.zone
    shift.save()
    client.force_login(world.director2)
    rows = (
        client.get(reverse("patrols:log_list"), {"village": world.village2.code})
        .context["page"]
        .object_list
    )
    assert [s.pk for s in rows] == [shift.pk]


def test_log_query_count_stays_flat(world, patrol, clock, client):
    client.force_login(world.township_officer)
    roster = _roster(world)
    counts = []
    for days in (range(0, 1), range(1, 3)):
        for d in days:
            for pattern in (patrol.day, patrol.night):
                shift = _shift(
                    roster, pattern, MONDAY + dt.timedelta(days=d), patrol.people[2 * d : 2 * d + 2]
                )
                for a in shift.assignments.all():
                    _check(
                        a,
                        CheckInKind.POINT,
                        shift.starts_at,
                        patrol.points[0],
                        finding=Finding.INCIDENT,
                    )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("patrols:log_list")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


# ---- one shift ----------------------------------------------------------------------------------


def test_shift_detail_shows_every_check_in_in_order_with_refusals(world, log, client):
    client.force_login(world.police)  # may look, may not settle
    response = client.get(reverse("patrols:shift_detail", args=[log["monday"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("村委会") < body.index("枫源桥") < body.index("老街口")
    assert "This code has expired" in body  # the refusal, in words
    assert "桥栏杆松动" in body
    assert (
        'action="' + reverse("patrols:assignment_outcome", args=[log["assignment"].pk]) not in body
    )


def test_director_records_an_outcome_and_an_excuse_needs_a_reason(world, log, client):
    client.force_login(world.director1)
    a = log["assignment"]
    url = reverse("patrols:assignment_outcome", args=[a.pk])
    assert (
        'action="' + url
        in client.get(reverse("patrols:shift_detail", args=[a.shift_id])).content.decode()
    )
    assert client.get(url).status_code == 405
    response = client.post(url, {"outcome": "excused", "note": "  "})
    assert response.status_code == 200
    assert "Give the reason for the excuse." in response.content.decode()
    a.refresh_from_db()
    assert a.outcome == Outcome.PLANNED and a.closed_at is None
    response = client.post(url, {"outcome": "partial", "note": "只巡了两个点"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "patrols:shift_detail", args=[a.shift_id]
    )
    a.refresh_from_db()
    assert a.outcome == Outcome.PARTIAL and a.note == "只巡了两个点"


def test_outcome_form_refuses_nonsense_and_unstarted_shifts(world, log, client):
    client.force_login(world.director1)
    a = log["assignment"]
    for bad in ({}, {"outcome": "planned"}, {"outcome": "heroic"}):
        response = client.post(reverse("patrols:assignment_outcome", args=[a.pk]), bad)
        assert response.status_code == 200
        assert "Choose how the shift ended." in response.content.decode()
    future = log["future"].assignments.first()
    response = client.post(
        reverse("patrols:assignment_outcome", args=[future.pk]), {"outcome": "served"}
    )
    assert "A shift that has not started can only be excused." in response.content.decode()
    draft = log["draft"].assignments.first()
    response = client.post(
        reverse("patrols:assignment_outcome", args=[draft.pk]), {"outcome": "missed"}
    )
    assert "Only a shift of a published roster can be settled." in response.content.decode()
    assert not Assignment.objects.exclude(outcome=Outcome.PLANNED).exists()


def test_viewers_cannot_record_outcomes(world, log, client):
    client.force_login(world.police)
    response = client.post(
        reverse("patrols:assignment_outcome", args=[log["assignment"].pk]), {"outcome": "served"}
    )
    assert response.status_code == 403


def test_check_in_photo_is_served_behind_sign_in_and_scope(world, log, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = log["assignment"].check_ins.filter(finding=Finding.HAZARD).get()
    c.photo = SimpleUploadedFile(
        "bridge.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg"
    )
    c.save()
    url = reverse("patrols:check_in_photo", args=[c.pk])
    client.force_login(world.director1)
    assert (
        url in client.get(reverse("patrols:shift_detail", args=[log["monday"].pk])).content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    no_photo = log["assignment"].check_ins.filter(kind=CheckInKind.START).get()
    assert (
        "No photo was taken"
        in client.get(reverse("patrols:check_in_photo", args=[no_photo.pk])).content.decode()
    )
    client.force_login(world.director2)
    assert client.get(url).status_code == 404


# ---- the paper register --------------------------------------------------------------------------


def test_register_needs_a_village_when_the_user_has_several(world, log, client):
    client.force_login(world.township_officer)
    response = client.get(reverse("patrols:register_print"), {"month": "2027-03"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose a village: the patrol register is kept per village." in body
    assert 'data-testid="register-row"' not in body
    client.force_login(world.director1)  # one village: the register is theirs
    body = client.get(reverse("patrols:register_print"), {"month": "2027-03"}).content.decode()
    assert body.count('data-testid="register-row"') == 3


def test_register_has_rows_sign_off_and_page_numbers(world, log, client):
    client.force_login(world.director1)
    response = client.get(
        reverse("patrols:register_print"), {"village": world.village1.code, "month": "2027-03"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        body.count('data-testid="register-row"') == 3
    )  # the draft and the future shift are not on it
    assert body.count('data-testid="signoff"') == 1
    assert "Patrol member on duty (signature)" in body and "Security director's review" in body
    assert "Sheet 1 of 1" in body and "qunfang/print.css" in body
    # points visited of the Monday round; 枫源桥 only by a scan without the phone's position
    no_position = '<span class="pr-nopos-mark" data-testid="no-position">（no position）</span>'
    assert f"村委会、枫源桥{no_position} (2/3)" in body
    assert body.count('data-testid="no-position"') == 1
    assert (
        "“No position”: the point was checked only by scans without the phone's position." in body
    )
    assert "桥栏杆松动" in body
    assert body.index("03-01") < body.index("03-02") < body.index("03-03")  # the paper runs forward


def test_register_splits_into_sheets_each_with_its_sign_off(world, patrol, clock, client):
    clock["now"] = at(MONDAY + dt.timedelta(days=20), 12)
    roster = Roster.objects.create(
        region=world.village1,
        starts_on=MONDAY,
        ends_on=MONDAY + dt.timedelta(days=19),
        status=RosterStatus.PUBLISHED,
        created_by=world.director1,
    )
    for d in range(19):
        _shift(roster, patrol.night, MONDAY + dt.timedelta(days=d), patrol.people[:2])
    client.force_login(world.director1)
    body = client.get(
        reverse("patrols:register_print"), {"village": world.village1.code, "month": "2027-03"}
    ).content.decode()
    assert body.count('data-testid="register-sheet"') == 3  # 19 rows, 8 to a sheet
    assert body.count('data-testid="signoff"') == 3
    assert "Sheet 3 of 3" in body


# ---- outsiders -----------------------------------------------------------------------------------


@pytest.fixture
def walk_world(world, records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    records.contract = contract_for(world.village1, scan=True)
    world.records = records
    world.patrol_records = patrol_records(world, records)
    return world


@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
def test_outsiders_get_404_or_nothing_on_these_routes(walk_world, client, outsider):
    """The project-wide walk (tests/core/test_outsider_walk.py), on this group's routes only."""
    client.force_login(getattr(walk_world, outsider))
    mine = [(n, p) for n, p in all_routes() if n in walk_records.ROUTES]
    assert len(mine) == len(walk_records.ROUTES)
    for name, pattern in mine:
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, walk_world))
        statuses = []
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            statuses.append(response.status_code)
            if walk_records.ROUTES[name] == FOREIGN_404:
                assert response.status_code in (404, 405), (method, url, response.status_code)
            else:
                assert walk_records.ROUTES[name] == SCOPED
                assert response.status_code in (200, 302, 403, 405), (method, url)
                body = response.content.decode(errors="replace")
                for marker in markers(walk_world):
                    assert marker not in body, (method, url, marker)
        if walk_records.ROUTES[name] == FOREIGN_404:
            assert 404 in statuses, (url, statuses)


def test_village1_director_reaches_these_routes(walk_world, client):
    client.force_login(walk_world.director1)
    for name, pattern in all_routes():
        if walk_records.ROUTES.get(name) == FOREIGN_404:
            url = reverse(name, kwargs=foreign_kwargs(name, pattern, walk_world))
            status = client.get(url).status_code
            assert status == 200 or (
                status == 405 and client.post(url).status_code in (200, 302)
            ), url


# ---- check-ins without the phone's position are marked --------------------------------------


def test_the_log_marks_a_shift_with_check_ins_without_a_position(world, log, client):
    client.force_login(world.director1)
    body = client.get(reverse("patrols:log_list")).content.decode()
    assert body.count('data-testid="no-position"') == 1  # Monday: one of two accepted scans
    assert "1 without a position</span>" in body


def test_the_shift_page_marks_each_check_in_without_a_position_in_words(world, log, client):
    client.force_login(world.director1)
    url = reverse("patrols:shift_detail", args=[log["monday"].pk])
    body = client.get(url).content.decode()
    # the start and the two later scans carried no position; the first point scan did
    assert body.count('data-testid="no-position">no position</span>') == 3
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert client.get(url).content.decode().count(">无定位</span>") == 3
