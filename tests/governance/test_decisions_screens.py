"""The decisions' screens: recording decisions on a held meeting's page, moving them, the list
with its filters and the overdue ones per village, the home panel and the menu, the minutes book
(会议记录簿) on screen and as a PDF; scoping and query counts that stay flat as rows grow."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models import AttendanceStatus, Decision, DecisionStatus, MeetingStatus
from qunfang.governance.services import decisions as svc
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.governance.test_decisions import (
    MEETING_DAY,
    TODAY,
    add,
    decisions_world,
    meeting_of,
    person_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

P = AttendanceStatus.PRESENT


@pytest.fixture
def w(world, records):
    return decisions_world(world, records)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(captured)


def _overdue(w, n=1, **fields):
    """`n` decisions of village 1 past their due date and still open."""
    made = [add(w, due_on=MEETING_DAY, text=f"逾期事项{k}", **fields) for k in range(n)]
    return made[0] if n == 1 else made


# ---- recording ----------------------------------------------------------------------------------


def test_a_decision_is_recorded_from_the_meeting_page(w, client):
    client.force_login(w.world.director1)
    page = client.get(reverse("governance:meeting_detail", args=[w.meeting.pk])).text
    add_url = reverse("governance:decision_add", args=[w.meeting.pk])
    assert 'data-testid="meeting-decisions-section"' in page and add_url in page
    form = client.get(add_url)
    assert form.status_code == 200 and "楼阿根（受邀参会）" in form.text  # the invited first
    response = client.post(
        add_url,
        {
            "text": "在老街口加装监控探头",
            "owner": w.owner.pk,
            "due_on": "2029-01-20",
            "another": "1",
        },
    )
    assert response.status_code == 302 and response["Location"] == add_url
    decision = Decision.objects.get()
    assert (decision.owner, decision.due_on) == (w.owner, dt.date(2029, 1, 20))
    assert "在老街口加装监控探头" in client.get(add_url).text  # listed above the next one
    response = client.post(
        add_url, {"text": "印发防诈骗宣传单", "owner": w.owner.pk, "due_on": "2029-01-20"}
    )
    assert response["Location"].endswith(f"/governance/meetings/{w.meeting.pk}/#decisions")
    page = client.get(reverse("governance:meeting_detail", args=[w.meeting.pk])).text
    assert page.count('data-testid="meeting-decision"') == 2 and "印发防诈骗宣传单" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"owner": ""}, "请指定负责落实的责任人。"),
        ({"owner": "other"}, "请指定负责落实的责任人。"),  # another village's person: not offered
        ({"due_on": "2029-01-04"}, "完成期限不能早于会议日期（2029-01-05）。"),
        ({"due_on": "2029-02-30"}, "Enter the date as YYYY-MM-DD."),
        ({"text": ""}, "请写明会议决定的事项。"),
    ],
)
def test_bad_input_on_the_form_gets_a_clear_message_and_nothing_changes(w, client, data, message):
    client.force_login(w.world.director1)
    values = {"text": "排查出租房屋", "owner": w.owner.pk, "due_on": "2029-01-20", **data}
    if values["owner"] == "other":
        values["owner"] = w.person2.pk
    if message.startswith("Enter"):
        client.cookies["django_language"] = "en"
    response = client.post(reverse("governance:decision_add", args=[w.meeting.pk]), values)
    assert response.status_code == 200 and message in response.text
    assert not Decision.objects.exists()


def test_a_meeting_not_held_sends_the_recorder_back_with_a_message(w, client):
    planned = meeting_of(w.org, day=TODAY + dt.timedelta(days=2), status=MeetingStatus.PLANNED)
    client.force_login(w.world.director1)
    url = reverse("governance:decision_add", args=[planned.pk])
    response = client.post(url, {"text": "x", "owner": w.owner.pk, "due_on": "2029-01-20"})
    assert response.status_code == 302 and response["Location"] == planned.get_absolute_url()
    page = client.get(response["Location"]).text
    assert "只能为已召开的会议记录决议事项。" in page and "会议召开后才能记录决议事项。" in page
    assert not Decision.objects.exists()


def test_other_villages_and_readers_are_kept_out(w, client):
    decision = add(w)
    routes = [
        reverse("governance:decision_add", args=[w.meeting.pk]),
        reverse("governance:decision_move", args=[decision.pk]),
    ]
    for outsider in (w.world.director2, w.world.township2_officer):
        client.force_login(outsider)
        for url in routes:
            assert client.get(url).status_code == 404
            assert client.post(url, {"to": "done", "outcome": "x"}).status_code == 404
    for reader in (w.world.auditor, w.world.police, w.world.mediator1):  # may see, not act
        client.force_login(reader)
        for url in routes:
            assert client.get(url).status_code == 403
    client.force_login(w.world.patrol1)  # no governance at all
    assert client.get(reverse("governance:decision_list")).status_code == 403
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN


# ---- moves --------------------------------------------------------------------------------------


def test_a_decision_is_moved_from_its_page_and_a_refusal_is_shown(w, client):
    decision = add(w)
    client.force_login(w.world.director1)
    url = reverse("governance:decision_move", args=[decision.pk])
    page = client.get(url).text
    assert 'data-testid="move-done"' in page and 'data-testid="move-dropped"' in page
    assert 'data-testid="move-open"' not in page
    refused = client.post(url, {"to": "done", "outcome": "", "done_on": "2029-01-10"})
    assert refused.status_code == 200 and "请写明落实情况。" in refused.text
    future = client.post(url, {"to": "done", "outcome": "已完成", "done_on": "2029-01-11"})
    assert "完成日期不能晚于今天。" in future.text
    back = reverse("governance:meeting_detail", args=[w.meeting.pk])
    done = client.post(
        url, {"to": "done", "outcome": "已排查32户", "done_on": "2029-01-09", "next": back}
    )
    assert done.status_code == 302 and done["Location"] == back
    decision.refresh_from_db()
    assert (decision.status, decision.done_on) == ("done", dt.date(2029, 1, 9))
    # the table refuses a second "done": the message, nothing changed
    again = client.post(url, {"to": "done", "outcome": "又做了", "done_on": "2029-01-10"})
    assert again.status_code == 200 and "只有未办结的决议事项才能标记为已完成。" in again.text
    assert 'data-testid="move-open"' in again.text
    forged = client.post(url, {"to": "nonsense", "next": "https://evil.example/"})
    assert "请选择对该决议事项的处理。" in forged.text
    reopened = client.post(url, {"to": "open", "outcome": "复查仍有隐患", "next": "//evil.example"})
    assert reopened["Location"].startswith(reverse("governance:decision_list"))  # not elsewhere
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and decision.outcome == "已排查32户"


# ---- the list -----------------------------------------------------------------------------------


def test_the_list_filters_and_shows_the_overdue_per_village(w, client):
    late = _overdue(w)
    soon = add(w, text="春节前走访独居老人", due_on=TODAY + dt.timedelta(days=5))
    other_owner = person_of(w.world.village1, "何大伟")
    theirs = add(w, text="清理楼道杂物", owner=other_owner)
    svc.decision_done(decision=theirs, outcome="已清理", done_on=TODAY, by=w.world.director1)
    add(
        w,
        meeting=w.meeting2,
        owner=w.person2,
        text="乐山村的事项",
        due_on=MEETING_DAY,
        by=w.world.director2,
    )
    url = reverse("governance:decision_list")

    client.force_login(w.world.township_officer)
    page = client.get(url).text
    assert page.count('data-testid="decision-row"') == 4
    assert 'data-testid="overdue-by-village"' in page  # the township sees each village
    overdue = client.get(url, {"show": "overdue"}).text
    assert overdue.count('data-testid="decision-row"') == 2
    assert "逾期事项0" in overdue and "乐山村的事项" in overdue and "春节前走访" not in overdue
    assert overdue.index("枫源村") < overdue.index("乐山村的事项")  # grouped by village
    assert "逾期 5 天" in overdue  # due on the meeting's day, five days ago

    def rows(**params):
        return client.get(url, params).text.count('data-testid="decision-row"')

    assert rows(status="done") == 1 and rows(status="open") == 3
    assert rows(village=w.world.village2.code) == 1
    assert rows(organisation=w.org.pk) == 3 and rows(owner=other_owner.pk) == 1
    bad = client.get(url, {"status": "lost", "organisation": "999999", "owner": "x"})
    assert "没有该状态，已显示全部决议事项。" in bad.text and "没有该组织，已显示全部。" in bad.text
    assert (
        "没有该责任人，已显示全部。" in bad.text
        and bad.text.count('data-testid="decision-row"') == 4
    )

    client.cookies["django_language"] = "en"
    english = client.get(url, {"show": "overdue"}).text
    assert "Overdue decisions" in english and "5 days overdue" in english
    assert "Due on" in english and "逾期 5 天" not in english
    del client.cookies["django_language"]

    client.force_login(w.world.director2)  # village 2's director: only village 2
    page = client.get(url).text
    assert page.count('data-testid="decision-row"') == 1 and "逾期事项0" not in page
    assert 'data-testid="overdue-by-village"' not in page and "楼阿根" not in page
    assert client.get(url, {"village": w.world.village1.code}).status_code == 404
    assert rows(organisation=w.org.pk) == 1  # another village's organisation narrows nothing
    assert late.pk and soon.pk


def test_the_lists_cost_the_same_queries_for_one_or_many_decisions(w, client):
    _overdue(w)
    client.force_login(w.world.township_officer)
    urls = [
        reverse("governance:decision_list"),
        reverse("governance:decision_list") + "?show=overdue",
        reverse("governance:decision_list") + "?show=soon",
        reverse("governance:meeting_detail", args=[w.meeting.pk]),
        reverse("governance:minutes_register_print") + f"?village={w.world.village1.code}",
    ]
    one = [_queries(client, url) for url in urls]
    for k in range(6):
        person = person_of(w.world.village1, f"责任人{k}")
        _overdue(w, 2, owner=person)
        meeting_of(w.org, day=MEETING_DAY - dt.timedelta(days=k + 1), roll=[(person, P)])
        add(w, meeting=w.meeting2, owner=w.person2, due_on=MEETING_DAY, by=w.world.director2)
    assert [_queries(client, url) for url in urls] == one


def test_due_soon_lists_the_open_decisions_their_owners_were_reminded_of(w, client):
    """The home panel's "due within 3 days" opens exactly those: open, due today to 3 days on."""
    _overdue(w)
    add(w, text="今天到期的事项", due_on=TODAY)
    add(w, text="三天后到期的事项", due_on=TODAY + dt.timedelta(days=3))
    add(w, text="四天后到期的事项", due_on=TODAY + dt.timedelta(days=4))
    done = add(w, text="明天到期已办结", due_on=TODAY + dt.timedelta(days=1))
    svc.decision_done(decision=done, outcome="已办", done_on=TODAY, by=w.world.director1)
    client.force_login(w.world.director1)
    home = client.get(reverse("home")).text
    soon_url = reverse("governance:decision_list") + "?show=soon"
    assert soon_url in home
    page = client.get(soon_url).text
    assert page.count('data-testid="decision-row"') == 2
    assert page.index("今天到期的事项") < page.index("三天后到期的事项")  # the soonest first
    assert "四天后" not in page and "逾期事项" not in page and "已办结" not in page
    client.force_login(w.world.director2)  # another village's are not counted
    assert 'data-testid="decision-row"' not in client.get(soon_url).text


# ---- home and menu ------------------------------------------------------------------------------


def test_the_home_panel_shows_the_overdue_decisions_and_the_menu_has_them(w, client):
    _overdue(w, 2)
    add(w, due_on=TODAY + dt.timedelta(days=2))
    add(w, meeting=w.meeting2, owner=w.person2, due_on=MEETING_DAY, by=w.world.director2)
    client.force_login(w.world.director1)
    home = client.get("/").text
    assert 'data-testid="decision-panel"' in home
    assert reverse("governance:decision_list") in home  # the menu entry and the panel
    panel = home[home.index('data-testid="decision-panel"') :]
    assert "<strong>2</strong>项决议逾期" in panel and "<strong>1</strong>项3天内到期" in panel
    assert "逾期事项0" in panel and "乐山村" not in panel[: panel.index("</section>")]
    client.force_login(w.world.township_officer)
    panel = client.get("/").text.split('data-testid="decision-panel"')[1]
    assert "<strong>3</strong>项决议逾期" in panel
    client.force_login(w.world.patrol1)
    assert 'data-testid="decision-panel"' not in client.get("/").text


# ---- the minutes book ---------------------------------------------------------------------------


def test_the_minutes_book_has_a_row_per_meeting_held(w, client):
    present = person_of(w.world.village1, "骆金法")
    absent = person_of(w.world.village1, "何小军")
    Decision.objects.all().delete()
    held = meeting_of(
        w.org,
        day=TODAY - dt.timedelta(days=2),
        title="1月第二次治保会例会",
        roll=[(present, P), (absent, AttendanceStatus.ABSENT), (w.owner, AttendanceStatus.LATE)],
    )
    held.chair = present
    held.minutes = "会议由骆金法主持。" + "通报治安情况。" * 40
    held.save()
    add(w, meeting=held, text="在村口桥头加装监控探头", owner=present)
    meeting_of(w.org, day=TODAY + dt.timedelta(days=3), status=MeetingStatus.PLANNED)
    client.force_login(w.world.director1)
    url = reverse("governance:minutes_register_print")
    page = client.get(url).text  # a director's own village, this year
    assert "枫桥镇枫源村 会议记录簿" in page
    assert page.count('data-testid="register-row"') == 2  # the two held, not the planned one
    assert "2 / 3" in page and "骆金法" in page and "在村口桥头加装监控探头" in page
    assert "…" in page and "工作部署会" in page
    assert "共召开会议2次" in page and "决议事项1项，已完成0项" in page
    assert "乐山村治保会例会" not in page
    assert client.get(url, {"village": w.world.village2.code}).status_code == 404
    last_year = client.get(url, {"from": "2028-01-01", "to": "2028-12-31"}).text
    assert "本期间没有召开会议。" in last_year


@renders
def test_the_minutes_book_downloads_as_a_pdf_in_chinese(w, client, tmp_path):
    add(w, text="对全村出租房屋开展消防安全排查")
    client.force_login(w.world.director1)
    response = client.get(reverse("governance:minutes_register_print"), {"format": "pdf"})
    text = _assert_chinese_pdf(response, tmp_path, "会议记录簿", "记录人签字", "乡镇检查盖章")
    whole = "".join(text.split())  # a cell's words may wrap onto lines of their own
    for wanted in ("枫源村治保会", "1月治保会例会", "对全村出租房屋开展消防安全排查", "楼阿根"):
        assert wanted in whole, wanted
