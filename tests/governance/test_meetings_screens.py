"""Meetings (例会), the screens: the book and its filters, schedules, a meeting from start to
minutes, invitations, the chair's roll call on a phone, the screen with its code and the
member's scan page, evidence, the home panel and the menu; bad input in both languages; query
counts that stay flat as rows grow."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.core.navigation import items_for
from qunfang.governance.models import (
    Attendance,
    Meeting,
    MeetingEvidence,
    MeetingSchedule,
)
from qunfang.governance.services import meetings as service
from qunfang.registry.models import Person
from tests.clock import MIDWEEK, SHANGHAI
from tests.factories import (
    MINIMAL_PDF,
    meeting_for,
    meeting_schedule_for,
    organisation_for,
)
from tests.images import phone_photo

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
TODAY = dt.date(2029, 1, 10)
HTMX = {"HX-Request": "true"}


def at(day: dt.date, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=SHANGHAI)


def url(name: str, *args) -> str:
    return reverse(f"governance:{name}", args=args)


@pytest.fixture
def org(world):
    return organisation_for(world.village1, name="枫源村治保会", members=3)


def members(org) -> list[Person]:
    return list(Person.objects.filter(memberships__post__organisation=org).order_by("pk"))


def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def queries(client, address: str, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address, **extra).status_code == 200
    return len(captured)


# ---- the book ----------------------------------------------------------------------------


def test_the_book_shows_the_users_villages_with_their_filters(world, org, client_for, settings):
    mine = meeting_for(org, title="枫源治安例会", scheduled_at=at(TODAY, 9))
    theirs = meeting_for(world.village2, title="乐山治安例会", kind="deployment")
    client = client_for(world.township_officer)
    page = client.get(url("meeting_list")).content.decode()
    assert "枫源治安例会" in page and "乐山治安例会" in page and "0 / 3" in page
    narrowed = client.get(url("meeting_list"), {"village": world.village2.code}).content.decode()
    assert "乐山治安例会" in narrowed and "枫源治安例会" not in narrowed
    by_org = client.get(url("meeting_list"), {"org": org.pk}).content.decode()
    assert "枫源治安例会" in by_org and "乐山治安例会" not in by_org
    by_kind = client.get(url("meeting_list"), {"kind": "deployment"}).content.decode()
    assert "乐山治安例会" in by_kind and "枫源治安例会" not in by_kind
    Meeting.objects.filter(pk=theirs.pk).update(status="cancelled")
    planned = client.get(url("meeting_list"), {"status": "planned"}).content.decode()
    assert "枫源治安例会" in planned and "乐山治安例会" not in planned
    bad = client.get(url("meeting_list"), {"kind": "party", "status": "x", "org": "99999"})
    text = bad.content.decode()
    assert bad.status_code == 200 and "没有这种会议类型" in text and "没有这个状态" in text
    assert "没有该组织" in text and "枫源治安例会" in text  # the filters are dropped
    english(client, settings)
    assert "Meetings" in client.get(url("meeting_list")).content.decode()
    client = client_for(world.director2)
    assert "枫源治安例会" not in client.get(url("meeting_list")).content.decode()
    assert client.get(url("meeting_detail", mine.pk)).status_code == 404


def test_the_missed_filter_lists_past_occurrences_and_records_one(world, org, client_for):
    schedule = meeting_schedule_for(
        org, title="治保会月度例会", day_of_month=20, starts_on=dt.date(2028, 12, 1)
    )
    meeting_for(org, title="临时部署会", scheduled_at=at(dt.date(2029, 1, 5)))
    client = client_for(world.director1)
    page = client.get(url("meeting_list"), {"missed": "1"}).content.decode()
    assert "治保会月度例会" in page and "临时部署会" in page and "未登记" in page
    record = f"{url('meeting_create')}?schedule={schedule.pk}&at=2028-12-20T09%3A00%3A00%2B08%3A00"
    assert record.replace("&", "&amp;") in page
    form = client.get(record)
    assert form.context["form"].initial["scheduled_at"] == at(dt.date(2028, 12, 20))
    response = client.post(
        record,
        {"kind": "study", "title": "治保会月度例会", "scheduled_at": "2028-12-20T09:00"},
    )
    recorded = Meeting.objects.get(schedule=schedule)
    assert response.status_code == 302 and recorded.scheduled_at == at(dt.date(2028, 12, 20))
    assert len(recorded.attendances.all()) == 3
    again = client.post(
        record,
        {"kind": "study", "title": "治保会月度例会", "scheduled_at": "2028-12-20T09:00"},
    )
    assert "已在会议登记中" in again.content.decode()
    assert Meeting.objects.filter(schedule=schedule).count() == 1
    # still missed until it is held
    assert "治保会月度例会" in client.get(url("meeting_list"), {"missed": "1"}).content.decode()


def _grow(world, org, n):
    """n more meetings of village 1 (each with its roll) and n of a new village-2 body."""
    other = organisation_for(world.village2, members=2)
    for i in range(n):
        meeting_for(org, scheduled_at=at(TODAY - dt.timedelta(days=i + 1)))
        meeting_for(other, scheduled_at=at(TODAY + dt.timedelta(days=i)), chair=None)
        meeting_schedule_for(other, title=f"例会{i}", starts_on=dt.date(2028, 11, 1))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("meeting_list", {}),
        ("meeting_list", {"missed": "1"}),
        ("meeting_schedule_list", {}),
    ],
)
def test_the_lists_query_counts_stay_flat_as_rows_grow(world, org, client_for, name, params):
    client = client_for(world.township_officer)
    _grow(world, org, 2)
    small = queries(client, url(name), data=params)
    _grow(world, org, 12)
    large = queries(client, url(name), data=params)
    assert small == large, (small, large)
    assert large <= 10, large


def test_the_chairs_roll_call_page_query_count_stays_flat(world, org, client_for):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    client = client_for(world.director1)
    small = queries(client, url("meeting_roll_call", meeting.pk))
    for i in range(15):
        person = Person.objects.create(
            region=world.village1, name=f"村民{i}", sex="F", birth_date=dt.date(1980, 1, 1)
        )
        Attendance.objects.create(meeting=meeting, person=person, status="present")
    assert queries(client, url("meeting_roll_call", meeting.pk)) == small
    assert queries(client, url("meeting_roll_call", meeting.pk), headers=HTMX) <= small


def test_the_menu_and_the_home_panels(world, org, client_for):
    assert "governance:meeting_list" in {i.url_name for i in items_for(world.director1)}
    assert "governance:meeting_list" not in {i.url_name for i in items_for(world.patrol1)}
    meeting_schedule_for(
        org, title="治保会月度例会", day_of_month=20, starts_on=dt.date(2028, 12, 1)
    )
    home = client_for(world.director1).get("/").content.decode()
    assert 'data-testid="meetings-panel"' in home and "治保会月度例会" in home
    township = client_for(world.township_officer).get("/").content.decode()
    assert 'data-testid="panel-village"' in township and "枫源村" in township
    assert "治保会月度例会" not in client_for(world.director2).get("/").content.decode()


# ---- schedules ---------------------------------------------------------------------------


def test_a_schedule_through_the_screens_with_bad_input_refused(world, org, client_for, settings):
    client = client_for(world.director1)
    form = client.get(url("meeting_schedule_create")).content.decode()
    assert "枫源村治保会" in form and "乐山" not in form
    base = {
        "organisation": org.pk,
        "kind": "study",
        "title": "治保会周例会",
        "frequency": "weekly",
        "time": "19:30",
        "starts_on": "2029-01-10",
    }
    refused = client.post(url("meeting_schedule_create"), base)
    assert refused.status_code == 200 and "请选择星期几" in refused.content.decode()
    bad_day = client.post(
        url("meeting_schedule_create"), {**base, "frequency": "monthly", "day_of_month": "31"}
    )
    assert "1 到 28" in bad_day.content.decode()
    english(client, settings)
    english_page = client.post(url("meeting_schedule_create"), {**base, "time": "25:99"})
    assert "Enter a time such as 09:00." in english_page.content.decode()
    assert not MeetingSchedule.objects.exists() and not Meeting.objects.exists()
    done = client.post(url("meeting_schedule_create"), {**base, "weekday": "4"})
    assert done.status_code == 302
    schedule = MeetingSchedule.objects.get()
    assert Meeting.objects.filter(schedule=schedule).count() == 5  # the coming month's Fridays
    listing = client.get(url("meeting_schedule_list")).content.decode()
    assert "Every Friday at 19:30" in listing
    # changed to Thursdays, then ended
    edit = {key: value for key, value in base.items() if key != "organisation"}
    client.post(url("meeting_schedule_edit", schedule.pk), {**edit, "weekday": "3"})
    assert {
        m.scheduled_at.astimezone(SHANGHAI).weekday()
        for m in Meeting.objects.filter(schedule=schedule)
    } == {3}
    bad_end = client.post(url("meeting_schedule_end", schedule.pk), {"ends_on": "2020-01-01"})
    assert "cannot end before it starts" in bad_end.content.decode()
    client.post(url("meeting_schedule_end", schedule.pk), {"ends_on": "2029-01-10"})
    assert not Meeting.objects.filter(schedule=schedule).exists()
    other = client_for(world.director2)
    assert other.get(url("meeting_schedule_edit", schedule.pk)).status_code == 404


# ---- one meeting from the book to its minutes ----------------------------------------------


def test_a_meeting_from_planning_to_its_minutes(world, org, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.director1)
    chair = members(org)[0]
    response = client.post(
        url("meeting_create"),
        {
            "organisation": org.pk,
            "kind": "deployment",
            "title": "春节安保部署会",
            "scheduled_at": "2029-01-10T14:00",
            "place": "村委会",
            "chair": chair.pk,
            "agenda": "部署春节期间巡逻",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.attendances.count() == 3 and meeting.chair == chair
    detail = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert "部署春节期间巡逻" in detail and 'data-testid="open-roll-call"' in detail
    # invitations: a guest from the village, then the members again
    guest = Person.objects.create(
        region=world.village1, name="楼大伯", sex="M", birth_date=dt.date(1950, 1, 1)
    )
    page = client.get(url("meeting_invitees", meeting.pk)).content.decode()
    assert "楼大伯" in page
    client.post(url("meeting_invitees", meeting.pk), {"action": "add", "people": [guest.pk]})
    assert meeting.attendances.filter(person=guest).exists()
    client.post(url("meeting_invitees", meeting.pk), {"action": "remove", "person": guest.pk})
    assert not meeting.attendances.filter(person=guest).exists()
    nothing = client.post(url("meeting_invitees", meeting.pk), {"action": "add"})
    assert "请选择要邀请的人" in nothing.content.decode()
    # evidence
    client.post(
        url("meeting_evidence_add", meeting.pk),
        {"kind": "photo", "file": SimpleUploadedFile("现场.jpg", phone_photo())},
    )
    bad = client.post(
        url("meeting_evidence_add", meeting.pk),
        {"kind": "photo", "file": SimpleUploadedFile("签到表.pdf", MINIMAL_PDF)},
    )
    assert bad.status_code == 200 and "JPEG" in bad.content.decode()
    evidence = MeetingEvidence.objects.get()
    download = client.get(url("meeting_evidence_download", evidence.pk))
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert (
        client_for(world.director2).get(url("meeting_evidence_download", evidence.pk)).status_code
        == 404
    )
    client = client_for(world.director1)
    # holding: bad input first
    no_minutes = client.post(
        url("meeting_hold", meeting.pk), {"held_at": "2029-01-10T11:00", "minutes": ""}
    )
    assert "请填写会议记录" in no_minutes.content.decode()
    future = client.post(
        url("meeting_hold", meeting.pk), {"held_at": "2029-01-10T18:00", "minutes": "纪要"}
    )
    assert "会议召开之前" in future.content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(scheduled_at=at(TODAY, 9))
    held = client.post(
        url("meeting_hold", meeting.pk),
        {"held_at": "2029-01-10T09:05", "minutes": "部署了春节期间的巡逻"},
    )
    assert held.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.minutes == "部署了春节期间的巡逻"
    cancelled = client.post(url("meeting_cancel", meeting.pk), {"reason": "晚了"})
    assert "只有计划中的会议才能取消" in cancelled.content.decode()


def test_cancelling_needs_a_reason_on_the_screen_too(world, org, client_for, settings):
    meeting = meeting_for(org)
    client = client_for(world.director1)
    english(client, settings)
    response = client.post(url("meeting_cancel", meeting.pk), {"reason": ""})
    assert "Say why the meeting is cancelled." in response.content.decode()
    assert (
        client_for(world.auditor)
        .post(url("meeting_cancel", meeting.pk), {"reason": "x"})
        .status_code
        == 403
    )
    client = client_for(world.director1)
    client.post(url("meeting_cancel", meeting.pk), {"reason": "防台风，改期"})
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.cancel_reason == "防台风，改期"


def test_a_meeting_of_a_schedule_offers_no_time_to_change(world, org, client_for):
    schedule = meeting_schedule_for(org, starts_on=TODAY)
    service.plan_coming_meetings()
    meeting = Meeting.objects.filter(schedule=schedule).order_by("scheduled_at").first()
    client = client_for(world.director1)
    page = client.get(url("meeting_edit", meeting.pk))
    assert "scheduled_at" not in page.context["form"].fields
    client.post(
        url("meeting_edit", meeting.pk),
        {
            "kind": "study",
            "title": "改名的例会",
            "agenda": "新议程",
            "scheduled_at": "2029-03-01T08:00",
        },
    )
    meeting.refresh_from_db()
    assert meeting.title == "改名的例会" and meeting.scheduled_at == at(TODAY)


# ---- roll call ---------------------------------------------------------------------------


def test_the_chairs_phone_marks_with_one_tap(world, org, client_for):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    first, second, _ = members(org)
    client = client_for(world.director1)
    page = client.get(url("meeting_roll_call", meeting.pk)).content.decode()
    assert page.count('data-testid="mark-present"') == 3 and "0 / 3" not in page
    row = client.post(
        url("meeting_roll_call", meeting.pk),
        {"person": first.pk, "status": "late"},
        headers=HTMX,
    )
    assert row.status_code == 200 and 'aria-pressed="true"' in row.content.decode()
    assert row.content.decode().count("<li") == 1  # only the person's row
    assert Attendance.objects.get(meeting=meeting, person=first).status == "late"
    plain = client.post(
        url("meeting_roll_call", meeting.pk), {"person": second.pk, "status": "absent"}
    )
    assert plain.status_code == 302
    stranger = Person.objects.create(
        region=world.village1, name="没邀请的人", sex="M", birth_date=dt.date(1970, 1, 1)
    )
    refused = client.post(
        url("meeting_roll_call", meeting.pk),
        {"person": stranger.pk, "status": "present"},
        headers=HTMX,
    )
    assert refused["HX-Retarget"] == "#roll-problem" and "参会名单" in refused.content.decode()
    assert not Attendance.objects.filter(person=stranger).exists()
    bad_status = client.post(
        url("meeting_roll_call", meeting.pk), {"person": first.pk, "status": "invited"}
    )
    assert "请选择出席、迟到、请假或缺席" in bad_status.content.decode()
    assert Attendance.objects.get(meeting=meeting, person=first).status == "late"


def test_a_chair_without_governance_rights_calls_the_roll_of_their_own_meeting(
    world, org, client_for
):
    chair = members(org)[0]
    chair.account = world.patrol1
    chair.save()
    mine = meeting_for(org, scheduled_at=at(TODAY, 9), chair=chair)
    other = meeting_for(org, scheduled_at=at(TODAY, 10))
    client = client_for(world.patrol1)
    assert client.get(url("meeting_roll_call", mine.pk)).status_code == 200
    assert client.get(url("meeting_screen", mine.pk)).status_code == 200
    assert client.get(url("meeting_roll_call", other.pk)).status_code == 403  # seen, not chaired
    assert client.get(url("meeting_detail", mine.pk)).status_code == 403  # no governance view
    outsider = client_for(world.patrol2)
    assert outsider.get(url("meeting_roll_call", mine.pk)).status_code == 404


def test_the_screen_shows_a_rotating_code_that_the_page_refreshes(world, org, client_for):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    client = client_for(world.director1)
    page = client.get(url("meeting_screen", meeting.pk))
    text = page.content.decode()
    code = service.code_of(meeting).current()
    assert f"{code[:4]} {code[4:]}" in text and "<svg" in text and 'hx-trigger="every 20s"' in text
    assert page["Cache-Control"] == "no-store" and "sign-live.js" in text
    fragment = client.get(url("meeting_screen", meeting.pk), headers=HTMX).content.decode()
    assert "<svg" in fragment and "<html" not in fragment and "0" in fragment
    Meeting.objects.filter(pk=meeting.pk).update(status="held", held_at=at(TODAY, 9))
    closed = client.get(url("meeting_screen", meeting.pk)).content.decode()
    assert 'data-testid="screen-closed"' in closed and "<svg" not in closed


@pytest.fixture
def member(world, org):
    person = members(org)[0]
    person.account = world.patrol1
    person.save()
    return person


def test_a_member_scans_and_taps_once(world, org, member, client_for):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    scan = service.scan_url(meeting)
    client = client_for(world.patrol1)
    page = client.get(scan).content.decode()
    assert 'data-testid="scan-here"' in page and 'type="hidden" name="code"' in page
    done = client.post(scan, {"code": service.code_of(meeting).current()})
    assert 'data-testid="scan-accepted"' in done.content.decode()
    line = Attendance.objects.get(meeting=meeting, person=member)
    assert (line.status, line.marked_by_way) == ("late", "qr")  # noon: three hours late
    again = client.post(scan, {"code": service.code_of(meeting).current()}).content.decode()
    assert "您已在点名记录中" in again


def test_a_wrong_code_asks_for_the_digits_and_records_nothing(
    world, org, member, client_for, settings
):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    address = url("meeting_scan", meeting.pk) + "?c=00000000"
    client = client_for(world.patrol1)
    wrong = "00000000" if service.code_of(meeting).current() != "00000000" else "11111111"
    english(client, settings)
    page = client.post(address, {"code": wrong}).content.decode()
    assert "not the code of this meeting" in page and 'name="code"' in page
    assert 'type="hidden" name="code"' not in page  # typed now, not carried
    assert Attendance.objects.get(meeting=meeting, person=member).status == "invited"


def test_the_scan_page_says_at_once_what_no_code_can_change(world, org, client_for):
    meeting = meeting_for(org, scheduled_at=at(TODAY, 9))
    scan = service.scan_url(meeting)
    unlinked = client_for(world.director1).get(scan).content.decode()
    assert "没有关联" in unlinked and 'data-testid="scan-here"' not in unlinked
    stranger = Person.objects.create(
        region=world.village1, name="路人", sex="M", birth_date=dt.date(1970, 1, 1)
    )
    stranger.account = world.mediator1
    stranger.save()
    not_invited = client_for(world.mediator1).post(scan, {"code": "12345678"}).content.decode()
    assert "没有被邀请" in not_invited
    assert not Attendance.objects.filter(person=stranger).exists()
    assert client_for(world.patrol2).get(scan).status_code == 404  # another village's member


def test_the_chair_is_chosen_among_post_holders_told_apart_by_their_post(world, client, org):
    """A village has hundreds of people and many namesakes: the chair list offers those who
    hold a post, each with the organisation and post."""
    holder = members(org)[0]
    Person.objects.create(region=world.village1, name=holder.name, sex="M", birth_date=TODAY)
    client.force_login(world.director1)
    page = client.get(url("meeting_create")).content.decode()
    chair = page[page.index('name="chair"') : page.index("</select>", page.index('name="chair"'))]
    assert chair.count(f">{holder.name}（") == 1  # the namesake without a post is not offered
    assert f"{holder.name}（枫源村 · 枫源村治保会 委员）" in chair
