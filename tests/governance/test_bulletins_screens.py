"""The bulletin screens: drafting from a period, the bulletin's page (villages named, four eyes,
publication), editing a draft, the list by year, the printable notice and its PDF, the home
panels; who sees what; bad input shown with a message and nothing changed; both languages; the
list's query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models.bulletins import Bulletin, BulletinMention, BulletinStatus
from qunfang.governance.models.supervision import FindingKind
from qunfang.governance.services import bulletins as svc
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.governance.bulletins_factories import finding, officer2, village_run

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
B = BulletinStatus


@pytest.fixture
def w(world):
    world.officer2 = officer2(world)
    return world


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _messages(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _body(client.get(response["Location"]))


def drafted(w):
    finding(w, w.village2, dt.date(2028, 12, 5), "消防通道被柴堆堵塞")
    finding(w, w.village1, dt.date(2028, 12, 8), "夜巡队坚持每晚两班", kind=FindingKind.GOOD)
    return svc.bulletin_draft_from_period(
        township=w.township, period="2028-12", by=w.township_officer
    )


def published(w, title="枫桥镇通报", villages=()):
    bulletin = svc.bulletin_create(
        township=w.township, title=title, problems="1. 问题。", by=w.township_officer
    )
    for village in villages:
        svc.bulletin_mention_add(bulletin=bulletin, village=village, by=w.township_officer)
    svc.bulletin_approve(bulletin=bulletin, by=w.officer2)
    return svc.bulletin_publish(bulletin=bulletin, by=w.township_officer)


def test_the_township_drafts_a_month_from_its_records(w, client):
    finding(w, w.village2, dt.date(2028, 12, 5), "消防通道被柴堆堵塞")
    client.force_login(w.township_officer)
    url = reverse("governance:bulletin_draft")
    body = _body(client.get(url))
    assert 'data-testid="draft"' in body and "2028-12" in body  # last month suggested

    response = client.post(url, {"period": "2028-12"})

    bulletin = Bulletin.objects.get()
    assert response["Location"] == bulletin.get_absolute_url()
    body = _messages(client, response)
    assert "消防通道被柴堆堵塞" in body and "乐山村" in body
    assert 'data-testid="four-eyes"' in body and 'data-testid="approve"' not in body
    assert 'data-testid="edit-link"' in body and 'data-testid="withdraw"' in body


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2028-13", "不是有效的考核期"),
        ("十二月", "2026-Q4"),
        ("", "请填写期间"),
        ("2030", "尚未结束"),
    ],
)
def test_a_bad_period_is_shown_on_the_form_and_nothing_is_drafted(w, client, period, says):
    client.force_login(w.township_officer)
    body = _body(client.post(reverse("governance:bulletin_draft"), {"period": period}))
    assert says in body
    assert not Bulletin.objects.exists()


def test_a_village_does_not_draft(w, client):
    client.force_login(w.director1)
    assert client.get(reverse("governance:bulletin_draft")).status_code == 403
    assert client.post(reverse("governance:bulletin_create"), {"title": "x"}).status_code == 403
    assert not Bulletin.objects.exists()


def test_from_draft_through_the_second_officer_to_the_village(w, client):
    bulletin = drafted(w)
    client.force_login(w.officer2)
    body = _body(client.get(bulletin.get_absolute_url()))
    assert 'data-testid="approve"' in body and 'data-testid="publish"' not in body
    client.post(reverse("governance:bulletin_approve", args=[bulletin.pk]))
    client.force_login(w.township_officer)
    body = _body(client.get(bulletin.get_absolute_url()))
    assert 'data-testid="publish"' in body and 'data-testid="edit-link"' not in body

    body = _messages(
        client, client.post(reverse("governance:bulletin_publish", args=[bulletin.pk]))
    )

    assert "〔2029〕1号" in body and "已通知涉及的村" in body
    bulletin.refresh_from_db()
    assert bulletin.status == B.PUBLISHED and bulletin.number == 1
    client.force_login(w.director2)  # 乐山村 is criticised
    body = _body(client.get(reverse("governance:bulletin_list")))
    assert bulletin.title in body and "〔2029〕1号" in body
    assert bulletin.title in _body(client.get(reverse("home")))
    body = _body(client.get(bulletin.get_absolute_url()))
    assert "消防通道被柴堆堵塞" in body and 'data-testid="approve"' not in body


def test_the_drafter_posting_an_approval_is_told_four_eyes_and_nothing_changes(w, client):
    bulletin = drafted(w)
    client.force_login(w.township_officer)
    body = _messages(
        client, client.post(reverse("governance:bulletin_approve", args=[bulletin.pk]))
    )
    assert "四眼原则" in body
    bulletin.refresh_from_db()
    assert bulletin.status == B.DRAFT


def test_publishing_before_approval_is_refused_on_the_page(w, client):
    bulletin = drafted(w)
    client.force_login(w.officer2)
    body = _messages(
        client, client.post(reverse("governance:bulletin_publish", args=[bulletin.pk]))
    )
    assert "审批后才能发布" in body
    bulletin.refresh_from_db()
    assert bulletin.number is None


def test_a_village_of_another_township_is_refused_on_the_page(w, client):
    bulletin = drafted(w)
    before = set(BulletinMention.objects.values_list("bulletin", "region", "kind"))
    client.force_login(w.township_officer)
    url = reverse("governance:bulletin_mention_add", args=[bulletin.pk])
    body = _messages(client, client.post(url, {"village": w.village3.code, "kind": "problem"}))
    assert "请选择通报所属乡镇的村" in body
    assert set(BulletinMention.objects.values_list("bulletin", "region", "kind")) == before
    # a village of the township is named, and removed again
    client.post(url, {"village": w.village2.code, "kind": "noted"})
    assert bulletin.mentions.get(region=w.village2).kind == "noted"
    remove = reverse("governance:bulletin_mention_remove", args=[bulletin.pk])
    client.post(remove, {"village": w.village2.code})
    assert not bulletin.mentions.filter(region=w.village2).exists()


def test_a_draft_is_changed_on_its_page_and_bad_input_changes_nothing(w, client):
    bulletin = drafted(w)
    client.force_login(w.township_officer)
    url = reverse("governance:bulletin_edit", args=[bulletin.pk])
    body = _body(client.get(url))
    assert "消防通道被柴堆堵塞" in body
    body = _body(client.post(url, {"title": "", "problems": "x"}))
    assert "请填写通报标题" in body
    body = _body(client.post(url, {"title": "新", "period": "2028-99", "problems": "x"}))
    assert "不是有效的考核期" in body
    bulletin.refresh_from_db()
    assert bulletin.title.startswith("枫桥镇社会治安")
    response = client.post(
        url, {"title": "十二月通报", "period": "2028-12", "priorities": "1. 冬防"}
    )
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.title == "十二月通报" and bulletin.problems == ""


def test_a_village_reads_a_published_bulletin_naming_it_and_no_draft(w, client):
    draft = drafted(w)  # names both villages, not published
    mine = published(w, "枫源村表扬通报", villages=[w.village1])
    client.force_login(w.director1)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("governance:bulletin_print", args=[draft.pk])).status_code == 404
    body = _body(client.get(reverse("governance:bulletin_list")))
    assert "枫源村表扬通报" in body and draft.title not in body
    body = _body(client.get(reverse("governance:bulletin_edit", args=[mine.pk])))
    assert 'data-testid="refusal"' in body and "<textarea" not in body
    client.force_login(w.director2)
    assert client.get(mine.get_absolute_url()).status_code == 404
    client.force_login(w.township2_officer)
    assert client.get(mine.get_absolute_url()).status_code == 404


def test_a_draft_is_withdrawn_and_the_series_keeps_no_gap(w, client):
    bulletin = drafted(w)
    client.force_login(w.officer2)
    response = client.post(reverse("governance:bulletin_withdraw", args=[bulletin.pk]))
    assert response["Location"] == reverse("governance:bulletin_list")
    assert not Bulletin.objects.exists()
    assert published(w).number == 1


def test_the_printed_notice_has_the_head_number_sections_and_copy_list(w, client):
    bulletin = published(w, "枫桥镇2028年12月通报", villages=[w.village1, w.village2])
    client.force_login(w.director1)
    body = _body(client.get(reverse("governance:bulletin_print", args=[bulletin.pk])))
    assert "枫桥镇综治委通报" in body and "〔2029〕1号" in body
    assert "一、突出问题" in body and "三、下一阶段工作重点" in body
    assert "抄送： 枫源村、乐山村" in body
    assert "（盖章）" in body and "2029-01-10" in body


@renders
def test_the_notice_downloads_as_a_pdf_in_chinese(w, client, tmp_path):
    bulletin = published(w, "枫桥镇十二月治安通报", villages=[w.village1])
    client.force_login(w.township_officer)
    url = reverse("governance:bulletin_print", args=[bulletin.pk])
    response = client.get(url, {"format": "pdf"})
    text = "".join(_assert_chinese_pdf(response, tmp_path).split())
    assert "枫桥镇十二月治安通报" in text and "〔2029〕1号" in text


def test_the_home_panels(w, client):
    draft = drafted(w)
    mine = published(w, "枫源村表扬通报", villages=[w.village1])
    client.force_login(w.officer2)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="bulletin-panel"' in body and draft.title in body and "待您审批" in body
    client.force_login(w.director1)
    body = _body(client.get(reverse("home")))
    assert mine.title in body and draft.title not in body


def test_the_pages_read_in_english_too(w, client):
    bulletin = published(w, "枫桥镇通报", villages=[w.village1])
    client.force_login(w.township_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = _body(client.get(reverse("governance:bulletin_list")))
    assert "Bulletins" in body and "[2029] No. 1" in body
    body = _body(client.get(bulletin.get_absolute_url()))
    assert "Prominent problems" in body and "Villages concerned" in body
    body = _body(client.get(reverse("governance:bulletin_print", args=[bulletin.pk])))
    assert "枫桥镇 Public Security Committee Bulletin" in body and "Copied to:" in body
    body = _body(client.post(reverse("governance:bulletin_draft"), {"period": "2028-13"}))
    assert "is not a period" in body
    # a draft is written in the site's language whatever the officer reads
    response = client.post(reverse("governance:bulletin_draft"), {"period": "2028-12"})
    assert response.status_code == 302
    assert Bulletin.objects.get(period="2028-12").title.startswith("枫桥镇社会治安")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["township_officer", "director1"])
def test_the_list_costs_the_same_queries_however_many_rows(w, client, who):
    def publish(n):
        for k in range(n):
            published(w, f"通报{k}", villages=[w.village1, w.village2])
            svc.bulletin_create(
                township=w.township, title=f"草稿{k}", priorities="1.", by=w.township_officer
            )

    client.force_login(getattr(w, who))
    url = reverse("governance:bulletin_list")
    publish(1)
    few = _queries(client, url)
    publish(5)
    assert _queries(client, url) == few
    village_run(w, "2028-12", {w.village1: ("90", 1, False)})  # unrelated rows change nothing
    assert _queries(client, url) == few


@pytest.mark.parametrize("who", ["officer2", "director1"])
def test_the_home_panel_costs_the_same_queries_however_many_bulletins(w, client, who):
    client.force_login(getattr(w, who))
    published(w, "通报", villages=[w.village1])
    drafted(w)
    few = _queries(client, reverse("home"))
    for k in range(4):
        published(w, f"通报{k}", villages=[w.village1])
        svc.bulletin_create(
            township=w.township, title=f"草稿{k}", priorities="1.", by=w.township_officer
        )
    assert _queries(client, reverse("home")) == few
