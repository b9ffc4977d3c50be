"""Check-in with proof of presence: the page a sign's QR opens, start and end of patrol, and
how a shift ends. The issue's bad input: a stale code, a forged code, a check-in far from the
point and a duplicate sent twice each get a clear answer, and nothing is counted twice."""

import datetime as dt
import io
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qunfang.core.permissions import NotYours
from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    Outcome,
    PatrolPoint,
    Roster,
    RosterStatus,
    Shift,
    SignPeriod,
)
from qunfang.patrols.services import checkin, proof, signs
from qunfang.patrols.services.checkin import Scan
from tests.images import bomb_png, metadata_left, phone_photo
from tests.patrols.conftest import MONDAY, at

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # starts like a PNG, does not decode as one


def real_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True, params=[SignPeriod.MINUTE, SignPeriod.WEEK])
def sign_period(request, patrol):
    """The rules hold alike for a screen at the point (a code a minute) and a printed sign
    (a week)."""
    for point in patrol.points:
        point.sign_period = request.param
        point.save()
    return request.param


def live_roster(
    world, patrol, *, start=None, pattern=None, people=None, hours=8, zone=None, region=None
):
    """A published roster with one shift (the night round by default) starting at `start`
    (an hour ago by default), with patrol1's person and a partner on it."""
    start = start or timezone.now() - dt.timedelta(hours=1)
    pattern = pattern or patrol.night
    region = region or world.village1
    people = people if people is not None else patrol.people[:2]
    day = timezone.localtime(start).date()
    roster = Roster.objects.create(
        region=region,
        zone=zone,
        starts_on=day,
        ends_on=day,
        status=RosterStatus.PUBLISHED,
        created_by=world.director1,
        published_by=world.director1,
        published_at=timezone.now(),
    )
    shift = Shift.objects.create(
        roster=roster,
        region=region,
        zone=zone,
        pattern=pattern,
        service_date=day,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        night=pattern.is_night,
        headcount=len(people) or 1,
    )
    assignments = [
        Assignment.objects.create(shift=shift, region=region, zone=zone, person=p) for p in people
    ]
    return SimpleNamespace(
        roster=roster,
        shift=shift,
        assignments=assignments,
        mine=assignments[0] if assignments else None,
    )


def scan_url(point, code=None):
    code = signs.current_code(point) if code is None else code
    return reverse("patrols:scan", args=[point.pk]) + (f"?c={code}" if code != "" else "")


def post_scan(client, point, code=None, **data):
    page = client.get(scan_url(point, code))
    form = page.context["form"]
    fields = {
        "client_id": form.initial["client_id"],
        "code": form.initial["code"],
        "finding": "nothing",
        "note": "",
    }
    fields.update(data)
    return client.post(scan_url(point, code), fields)


# ---- the scan page ----------------------------------------------------------------------


def test_a_member_on_duty_checks_in_at_a_point_with_gps(client_for, world, patrol):
    shift = live_roster(world, patrol)
    point = patrol.points[1]
    client = client_for(world.patrol1)
    page = client.get(scan_url(point))
    assert page.status_code == 200
    html = page.content.decode()
    assert point.name in html and 'name="latitude"' in html and "checkin.js" in html
    response = post_scan(
        client, point, latitude="29.712100", longitude="120.240000", accuracy_m="12.4"
    )
    assert response.status_code == 200
    assert response.context["check_in"].accepted and not response.context["duplicate"]
    record = CheckIn.objects.get()
    assert (
        record.assignment == shift.mine
        and record.point == point
        and record.kind == CheckInKind.POINT
    )
    assert record.distance_m == 11 and record.accuracy_m == 12 and record.by == world.patrol1
    assert "11" in response.content.decode()


def test_gps_refused_by_the_phone_still_checks_in(client_for, world, patrol):
    live_roster(world, patrol)
    response = post_scan(client_for(world.patrol1), patrol.points[0])
    record = CheckIn.objects.get()
    assert record.accepted and record.latitude is None and record.distance_m is None
    assert response.context["check_in"] == record


def test_a_stale_code_from_an_old_sign_is_refused_with_a_clear_message(client_for, world, patrol):
    shift = live_roster(world, patrol)
    point = patrol.points[0]
    old = signs.current_code(
        point, at=timezone.now() - 4 * dt.timedelta(seconds=point.sign_period)
    )  # within the lookback (an older code is wrong: tests/patrols/test_signs.py)
    assert signs.check_code(point, old) is signs.CodeCheck.STALE
    response = post_scan(client_for(world.patrol1), point, code=old)
    body = response.content.decode()
    assert "已过期" in body or "expired" in body
    record = CheckIn.objects.get()  # kept as a trace, never counted
    assert not record.accepted and record.refusal == checkin.Refusal.STALE_CODE
    assert checkin.outcome_from_check_ins(shift.mine, [record]) == Outcome.MISSED


def test_a_forged_code_is_refused(client_for, world, patrol):
    live_roster(world, patrol)
    point = patrol.points[0]
    forged = "12345678" if signs.current_code(point) != "12345678" else "87654321"
    response = post_scan(client_for(world.patrol1), point, code=forged)
    assert response.context["refusal"] == str(checkin.REFUSAL_MESSAGES[checkin.Refusal.WRONG_CODE])
    assert CheckIn.objects.get().refusal == checkin.Refusal.WRONG_CODE
    assert not CheckIn.objects.filter(accepted=True).exists()


def test_a_check_in_two_kilometres_from_the_point_is_refused(client_for, world, patrol):
    live_roster(world, patrol)
    point = patrol.points[0]  # 29.7100, 120.2400; 0.018° of latitude is about 2 km
    response = post_scan(
        client_for(world.patrol1),
        point,
        latitude="29.728000",
        longitude="120.240000",
        accuracy_m="20",
    )
    record = CheckIn.objects.get()
    assert not record.accepted and record.refusal == checkin.Refusal.FAR and record.far_from_point
    assert 1950 < record.distance_m < 2050
    assert (
        str(record.distance_m) in response.context["refusal"]
        and "100" in response.context["refusal"]
    )


def test_a_duplicate_sent_twice_is_recorded_once_and_answered_the_same(client_for, world, patrol):
    shift = live_roster(world, patrol)
    client = client_for(world.patrol1)
    point = patrol.points[0]
    page = client.get(scan_url(point))
    fields = {
        "client_id": page.context["form"].initial["client_id"],
        "code": signs.current_code(point),
        "finding": "hazard",
        "note": "路灯坏了",
    }
    first = client.post(scan_url(point), fields)
    second = client.post(scan_url(point), fields)
    assert CheckIn.objects.count() == 1
    assert first.context["check_in"] == second.context["check_in"]
    assert not first.context["duplicate"] and second.context["duplicate"]
    assert first.context["check_in"].accepted and second.context["check_in"].accepted
    # counted once: one point visited, not two
    assert len({c.point_id for c in shift.mine.check_ins.filter(accepted=True)}) == 1
    assert shift.mine.check_ins.count() == 1


def test_a_point_not_on_the_round_saves_nothing(client_for, world, patrol):
    live_roster(world, patrol)
    elsewhere = PatrolPoint.objects.create(
        region=world.village1,
        name="水库",
        latitude=Decimal("29.7"),
        longitude=Decimal("120.2"),
        sign_period=SignPeriod.MINUTE,
    )
    response = client_for(world.patrol1).get(scan_url(elsewhere))
    assert response.status_code == 200 and "form" not in response.context
    assert "不在" in response.content.decode() or "not on the round" in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_a_member_with_no_open_shift_is_told_and_nothing_is_saved(client_for, world, patrol):
    live_roster(world, patrol, start=timezone.now() + dt.timedelta(hours=5))  # opens in 4.5 hours
    client = client_for(world.patrol1)
    point = patrol.points[0]
    response = client.get(scan_url(point))
    assert response.status_code == 200 and response.context["assignment"] is None
    assert response.context["open_shifts"] == []
    # posting anyway changes nothing
    client.post(
        scan_url(point),
        {"client_id": str(uuid.uuid4()), "code": signs.current_code(point), "finding": "nothing"},
    )
    assert CheckIn.objects.count() == 0


def test_an_account_without_a_person_is_told_kindly(client_for, world, patrol):
    live_roster(world, patrol)
    response = client_for(world.director1).get(scan_url(patrol.points[0]))
    assert response.status_code == 200 and response.context["person"] is None
    assert CheckIn.objects.count() == 0


def test_another_villages_member_gets_404_for_the_point(client_for, world, patrol):
    live_roster(world, patrol)
    assert client_for(world.patrol2).get(scan_url(patrol.points[0])).status_code == 404


def test_a_joint_patrol_member_of_the_next_village_may_check_in_on_the_zone_round(
    client_for, world, patrol
):
    """A zone shift has no route here: every point of the zone's villages is on its round, so
    village 2's member may check in at a village 1 point while serving it."""
    live_roster(
        world,
        patrol,
        pattern=patrol.zone_pattern,
        zone=patrol.zone,
        region=world.township,
        people=[patrol.people2[0], patrol.people[4]],
    )
    response = post_scan(client_for(world.patrol2), patrol.points[0])
    assert response.context["check_in"].accepted
    assert CheckIn.objects.get().by == world.patrol2


def test_sign_in_keeps_the_code_of_the_sign(client, world, patrol):
    point = patrol.points[0]
    url = scan_url(point)
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"] and "c%3D" in response["Location"]


def test_the_code_can_be_typed_when_the_qr_does_not_scan(client_for, world, patrol):
    live_roster(world, patrol)
    point = patrol.points[0]
    client = client_for(world.patrol1)
    page = client.get(scan_url(point, code=""))
    assert 'type="text" name="code"' in page.content.decode()
    client.post(
        scan_url(point, code=""),
        {
            "client_id": str(uuid.uuid4()),
            "code": " " + signs.current_code(point),
            "finding": "nothing",
        },
    )
    assert CheckIn.objects.get().accepted


def test_a_photo_is_kept_under_a_name_of_our_own(client_for, world, patrol, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    live_roster(world, patrol)
    photo = SimpleUploadedFile("../../秘密.png", real_png(), content_type="image/png")
    post_scan(
        client_for(world.patrol1), patrol.points[0], finding="hazard", note="井盖缺失", photo=photo
    )
    record = CheckIn.objects.get()
    assert (
        record.accepted
        and record.photo.name.startswith("patrol-photos/")
        and record.photo.name.endswith(".png")
    )
    assert "秘密" not in record.photo.name


def test_a_photo_is_stored_without_its_gps_and_a_bomb_is_refused(
    client_for, world, patrol, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    live_roster(world, patrol)
    client = client_for(world.patrol1)
    bomb = SimpleUploadedFile("bomb.png", bomb_png(20000, 20000), content_type="image/png")
    response = post_scan(client, patrol.points[0], finding="hazard", photo=bomb)
    assert "400" in str(response.context["form"].errors["photo"])
    assert CheckIn.objects.count() == 0 and not any(p.is_file() for p in tmp_path.rglob("*"))
    photo = SimpleUploadedFile("IMG_1.jpg", phone_photo("JPEG"), content_type="image/jpeg")
    post_scan(client, patrol.points[0], finding="hazard", note="井盖缺失", photo=photo)
    with CheckIn.objects.get().photo.open("rb") as handle:
        assert metadata_left(handle.read()) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("photo.jpg", b"<html>not a photo</html>", "image/jpeg"), ("photo.png", PNG, "text/html")],
)
def test_a_file_that_is_not_a_photo_is_refused(
    client_for, world, patrol, name, content, content_type
):
    live_roster(world, patrol)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = post_scan(client_for(world.patrol1), patrol.points[0], photo=upload)
    assert response.context["form"].errors["photo"]
    assert CheckIn.objects.count() == 0


def test_a_photo_over_8_mb_is_refused(client_for, world, patrol):
    live_roster(world, patrol)
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024), content_type="image/jpeg"
    )
    response = post_scan(client_for(world.patrol1), patrol.points[0], photo=big)
    assert "8 MB" in str(response.context["form"].errors["photo"])
    assert CheckIn.objects.count() == 0


# ---- start and end of patrol --------------------------------------------------------------


def action(client, assignment, kind, client_id=None, **extra):
    data = {"kind": kind, "client_id": str(client_id or uuid.uuid4()), **extra}
    return client.post(reverse("patrols:checkin_action", args=[assignment.pk]), data, follow=True)


def test_start_and_end_of_patrol_from_the_members_page(client_for, world, patrol):
    shift = live_roster(world, patrol, start=timezone.now() - dt.timedelta(minutes=5), hours=2)
    client = client_for(world.patrol1)
    my = client.get(reverse("patrols:my"))
    assert my.context["current"] == shift.mine and not my.context["started"]
    start_id = uuid.uuid4()
    response = action(
        client, shift.mine, "start", start_id, latitude="29.71", longitude="120.24", accuracy_m="8"
    )
    assert response.status_code == 200 and response.context["started"]
    again = action(client, shift.mine, "start", start_id)  # a double tap
    assert CheckIn.objects.filter(kind=CheckInKind.START).count() == 1
    assert any("已" in str(m) or "Already" in str(m) for m in again.context["messages"])
    for point in patrol.points:
        checkin.check_in(
            assignment=shift.mine,
            user=world.patrol1,
            scan=Scan(
                client_id=uuid.uuid4(),
                kind=CheckInKind.POINT,
                point=point,
                code=signs.current_code(point),
            ),
        )
    action(client, shift.mine, "end")
    shift.mine.refresh_from_db()
    assert shift.mine.outcome == Outcome.SERVED and shift.mine.closed_at is not None


def test_someone_elses_shift_cannot_be_started(client_for, world, patrol):
    shift = live_roster(world, patrol)
    partner = shift.assignments[1]
    response = action(client_for(world.patrol1), partner, "start")
    assert any("不是您的" in str(m) or "not yours" in str(m) for m in response.context["messages"])
    assert CheckIn.objects.count() == 0


def test_a_start_without_a_client_id_or_kind_saves_nothing(client_for, world, patrol):
    shift = live_roster(world, patrol)
    client = client_for(world.patrol1)
    url = reverse("patrols:checkin_action", args=[shift.mine.pk])
    assert client.post(url, {"kind": "start"}).status_code == 302
    assert client.post(url, {"kind": "sideways", "client_id": str(uuid.uuid4())}).status_code == 302
    assert client.get(url).status_code == 405
    assert CheckIn.objects.count() == 0


def test_an_outsider_gets_404_for_the_start_of_a_shift(client_for, world, patrol):
    shift = live_roster(world, patrol)
    assert (
        client_for(world.patrol2)
        .post(
            reverse("patrols:checkin_action", args=[shift.mine.pk]),
            {"kind": "start", "client_id": str(uuid.uuid4())},
        )
        .status_code
        == 404
    )


# ---- how a shift ends ---------------------------------------------------------------------


def _fixed(world, patrol):
    """The night round of MONDAY, 20:00 to 04:00."""
    return live_roster(world, patrol, start=at(MONDAY, 20))


def _round(assignment, user, when, points, *, start=True, end=True):
    def send(kind, point=None, minutes=0):
        scan = Scan(
            client_id=uuid.uuid4(),
            kind=kind,
            point=point,
            code=signs.current_code(point, at=when + dt.timedelta(minutes=minutes))
            if point
            else "",
        )
        return checkin.check_in(
            assignment=assignment, scan=scan, user=user, now=when + dt.timedelta(minutes=minutes)
        )

    if start:
        send(CheckInKind.START)
    for k, point in enumerate(points):
        send(CheckInKind.POINT, point, 30 * (k + 1))
    if end:
        send(CheckInKind.END, minutes=300)


@pytest.mark.parametrize(
    ("late_by", "visited", "end", "outcome"),
    [
        (0, 3, True, Outcome.SERVED),
        (40, 3, True, Outcome.LATE),
        (0, 2, True, Outcome.PARTIAL),
        (0, 3, False, Outcome.PARTIAL),
    ],
)
def test_outcome_from_the_check_ins(world, patrol, late_by, visited, end, outcome):
    shift = _fixed(world, patrol)
    _round(
        shift.mine,
        world.patrol1,
        at(MONDAY, 20) + dt.timedelta(minutes=late_by),
        patrol.points[:visited],
        end=end,
    )
    checkin.close_due(now=at(MONDAY + dt.timedelta(days=1), 7))
    shift.mine.refresh_from_db()
    assert shift.mine.outcome == outcome


def test_close_due_marks_a_shift_without_check_ins_missed_once(world, patrol):
    shift = _fixed(world, patrol)
    before_grace = at(MONDAY + dt.timedelta(days=1), 5)  # ended at 04:00, grace until 06:00
    assert checkin.close_due(now=before_grace) == 0
    after = at(MONDAY + dt.timedelta(days=1), 7)
    assert checkin.close_due(now=after) == 2  # patrol1 and the partner
    assert checkin.close_due(now=after) == 0  # idempotent
    shift.mine.refresh_from_db()
    assert shift.mine.outcome == Outcome.MISSED


def test_a_duplicate_does_not_count_twice_towards_the_outcome(world, patrol):
    shift = _fixed(world, patrol)
    now = at(MONDAY, 20, 5)
    same = Scan(
        client_id=uuid.uuid4(),
        kind=CheckInKind.POINT,
        point=patrol.points[0],
        code=signs.current_code(patrol.points[0], at=now),
    )
    first, created = checkin.check_in(assignment=shift.mine, scan=same, user=world.patrol1, now=now)
    again, created_again = checkin.check_in(
        assignment=shift.mine, scan=same, user=world.patrol1, now=now
    )
    assert created and not created_again and first == again
    # with the duplicate sent twice the round is still one point short of three: partial
    _round(shift.mine, world.patrol1, now, patrol.points[1:2])
    shift.mine.refresh_from_db()
    assert shift.mine.outcome == Outcome.PARTIAL
    assert shift.mine.check_ins.filter(kind=CheckInKind.POINT).count() == 2


def test_a_resend_with_the_id_of_another_members_check_in_is_refused(world, patrol):
    shift = _fixed(world, patrol)
    now = at(MONDAY, 20, 5)
    scan = Scan(client_id=uuid.uuid4(), kind=CheckInKind.START)
    checkin.check_in(assignment=shift.mine, scan=scan, user=world.patrol1, now=now)
    shift.assignments[1].person.account = world.mediator1
    shift.assignments[1].person.save()
    with pytest.raises(ValidationError, match=r"已|already"):
        checkin.check_in(assignment=shift.assignments[1], scan=scan, user=world.mediator1, now=now)
    assert CheckIn.objects.count() == 1


# ---- where the village requires the phone's position -------------------------------------------


def _require_positions(village, by):
    proof.patrol_settings_set(village=village, positions_required=True, by=by)


def test_a_scan_without_a_position_is_refused_where_the_village_requires_one(
    client_for, world, patrol, settings
):
    live_roster(world, patrol)
    _require_positions(world.village1, world.director1)
    client = client_for(world.patrol1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(scan_url(patrol.points[0])).content.decode()
    assert 'data-testid="position-needed"' in page and "请允许本网站使用您的位置" in page
    response = post_scan(client, patrol.points[0])
    body = response.content.decode()
    assert 'data-testid="checkin-refused"' in body and "本村签到须有手机定位" in body
    record = CheckIn.objects.get()  # kept as a refused scan, with its reason
    assert not record.accepted and record.refusal == checkin.Refusal.NO_POSITION
    assert not record.has_position
    shift_page = client_for(world.director1).get(
        reverse("patrols:shift_detail", args=[record.assignment.shift_id])
    )
    assert "本村签到须有手机定位" in shift_page.content.decode()  # the log says why


def test_a_scan_with_a_position_is_accepted_where_the_village_requires_one(
    client_for, world, patrol
):
    live_roster(world, patrol)
    _require_positions(world.village1, world.director1)
    point = patrol.points[1]  # 29.7120, 120.2400
    post_scan(client_for(world.patrol1), point, latitude="29.712050", longitude="120.240010")
    record = CheckIn.objects.get()
    assert record.accepted and record.has_position and record.distance_m == 6


def test_without_the_rule_a_scan_without_a_position_is_accepted_and_marked(
    client_for, world, patrol
):
    live_roster(world, patrol)
    _require_positions(world.village2, world.director2)  # the next village's rule is not ours
    page = client_for(world.patrol1).get(scan_url(patrol.points[0])).content.decode()
    assert 'data-testid="position-needed"' not in page
    response = post_scan(client_for(world.patrol1), patrol.points[0])
    record = CheckIn.objects.get()
    assert record.accepted and not record.has_position
    assert "No position from the phone." in response.content.decode() or "手机没有提供位置" in (
        response.content.decode()
    )


def test_start_and_end_of_patrol_are_not_held_to_the_rule(client_for, world, patrol):
    shift = live_roster(world, patrol)
    _require_positions(world.village1, world.director1)
    client_for(world.patrol1).post(
        reverse("patrols:checkin_action", args=[shift.mine.pk]),
        {"client_id": str(uuid.uuid4()), "kind": CheckInKind.START},
    )
    assert CheckIn.objects.get().accepted  # the start proves no place


def test_a_joint_zone_patrol_follows_the_rule_of_the_points_village(client_for, world, patrol):
    serving = [patrol.people2[0], patrol.people[4]]
    zone, pattern = patrol.zone, patrol.zone_pattern
    live_roster(world, patrol, pattern=pattern, zone=zone, region=world.township, people=serving)
    theirs = PatrolPoint.objects.create(region=world.village2, name="乐山桥头")
    _require_positions(world.village1, world.township_officer)  # the township sets it too
    client = client_for(world.patrol2)
    post_scan(client, theirs)  # village 2 needs no position
    post_scan(client, patrol.points[0])  # village 1 does
    by_point = {c.point_id: c for c in CheckIn.objects.all()}
    assert by_point[theirs.pk].accepted
    refused = by_point[patrol.points[0].pk]
    assert not refused.accepted and refused.refusal == checkin.Refusal.NO_POSITION


def test_the_rule_is_set_by_the_village_or_its_township_with_history(world):
    row = proof.patrol_settings_set(
        village=world.village1, positions_required=True, by=world.director1
    )
    proof.patrol_settings_set(
        village=world.village1, positions_required=False, by=world.township_officer
    )
    row.refresh_from_db()
    assert not row.positions_required
    history = [(h.positions_required, h.history_user) for h in row.history.order_by("history_id")]
    assert history == [(True, world.director1), (False, world.township_officer)]
    with pytest.raises(NotYours):
        proof.patrol_settings_set(
            village=world.village1, positions_required=True, by=world.director2
        )
    with pytest.raises(ValidationError):
        proof.patrol_settings_set(
            village=world.township, positions_required=True, by=world.township_officer
        )
