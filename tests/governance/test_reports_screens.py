"""The work report screens: the staff list with satisfaction results (and its query count),
compiling with bad input refused, a report's page, remarks and publishing, the printable notice
with its QR code (and PDF); the public pages in both languages — only published reports of their
own village, no personal data, one answer per phone — the home panels, and one look at the public
page on a phone in Chromium."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models import ReportStatus, SatisfactionAnswer, WorkReport
from qunfang.governance.services import reports as svc
from qunfang.patrols.models import Outcome
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.governance.test_reports import ADDRESS, PHONE, REPORTER, TITLE, _case, at, opinion
from tests.governance.test_settlements import Patrols, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
DEC = dt.date(2028, 12, 1)


def _body(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def _english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def published(world):
    """Village 1's December report, from a few records, published; its November draft."""
    p = Patrols(world)
    p.on(person_in(world.village1, REPORTER), DEC, Outcome.SERVED)
    for day in (3, 4, 5):
        _case(world, DEC + dt.timedelta(days=day), group=world.group1)
    opinion(world, at(DEC + dt.timedelta(days=2)), at(DEC + dt.timedelta(days=3)))
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    svc.report_update_remarks(report=report, remarks="十二月巡逻正常。", by=world.director1)
    svc.report_compile(village=world.village1, period="2028-11", by=world.director1)
    return svc.report_publish(report=report, by=world.director1)


# ---- staff ------------------------------------------------------------------------------------


def test_the_list_shows_each_report_with_its_satisfaction(world, client, published):
    for n, rating in enumerate((3, 2, 1, 3)):
        SatisfactionAnswer.objects.create(
            report=published, region=world.village1, rating=rating, client=f"k{n}"
        )
    client.force_login(world.township_officer)

    body = _body(client.get(reverse("governance:report_list")))

    assert body.count('data-testid="report-row"') == 2
    assert "75%" in body and "2 / 1 / 1" in body  # 3 of 4 satisfied or fairly
    assert reverse("governance:report_detail", args=[published.pk]) in body
    body = _body(client.get(reverse("governance:report_list") + "?period=2028-11&status=draft"))
    assert body.count('data-testid="report-row"') == 1


def test_the_list_costs_the_same_queries_however_many_reports(world, client, published):
    client.force_login(world.township_officer)
    url = reverse("governance:report_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        _body(client.get(url))
    for period in ("2028-10", "2028-09", "2028-08"):
        svc.report_compile(village=world.village2, period=period, by=world.director2)
    with CaptureQueriesContext(connection) as many:
        body = _body(client.get(url))
    assert body.count('data-testid="report-row"') == 5
    # session, user, roles; the count and page of reports with their answers; the villages
    assert len(many) == len(few) <= 8


def test_compiling_from_the_form_and_bad_input(world, client):
    client.force_login(world.director1)
    url = reverse("governance:report_compile")
    body = _body(client.get(url))
    assert 'data-testid="compile"' in body and "2028-12" in body  # last month offered

    body = _body(client.post(url, {"village": world.village1.code, "period": "2029-03"}))
    assert "尚未开始" in body or "has not begun" in body
    _english(client)
    body = _body(client.post(url, {"village": world.village1.code, "period": "2029-03"}))
    assert "has not begun yet" in body
    body = _body(client.post(url, {"village": world.village2.code, "period": "2028-12"}))
    assert "Choose one of your villages." in body
    assert not WorkReport.objects.exists()

    response = client.post(url, {"village": world.village1.code, "period": "2028-12"})

    report = WorkReport.objects.get()
    assert response["Location"] == reverse("governance:report_detail", args=[report.pk])


def test_the_director_writes_remarks_and_publishes(world, client):
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    client.force_login(world.director1)
    detail = reverse("governance:report_detail", args=[report.pk])
    body = _body(client.get(detail))
    assert 'data-testid="publish"' in body and 'data-testid="save-remarks"' in body

    # the word goes on a public page: a phone number in it is refused, naming it masked
    remarks = reverse("governance:report_remarks", args=[report.pk])
    client.post(remarks, {"remarks": "有事找联系人张三 13812345678"})
    body = _body(client.get(detail))
    assert "138****5678" in body and "13812345678" not in body
    report.refresh_from_db()
    assert report.remarks == ""
    client.post(remarks, {"remarks": "谢谢大家"})
    client.post(reverse("governance:report_publish", args=[report.pk]))

    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED and report.remarks == "谢谢大家"
    body = _body(client.get(detail))
    assert 'data-testid="frozen"' in body and 'data-testid="publish"' not in body
    assert reverse("governance:report_public", args=[report.public_key]) in body
    # too long: a clear message, nothing changed
    _english(client)
    client.post(reverse("governance:report_remarks", args=[report.pk]), {"remarks": "x" * 2001})
    body = _body(client.get(detail))
    assert "at most 2000 characters" in body
    report.refresh_from_db()
    assert report.remarks == "谢谢大家"


def test_the_current_month_cannot_be_published_yet(world, client):
    report = svc.report_compile(village=world.village1, period="2029-01", by=world.director1)
    client.force_login(world.director1)
    _english(client)
    body = _body(client.get(reverse("governance:report_detail", args=[report.pk])))
    assert 'data-testid="publish-refusal"' in body and "from 2029-02-01 on" in body
    client.post(reverse("governance:report_publish", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_another_village_gets_404(world, client, published):
    client.force_login(world.director2)
    for name in ("report_detail", "report_print"):
        assert client.get(reverse(f"governance:{name}", args=[published.pk])).status_code == 404
    for name in ("report_publish", "report_remarks"):
        assert client.post(reverse(f"governance:{name}", args=[published.pk])).status_code == 404
    body = _body(client.get(reverse("governance:report_list")))
    assert world.village1.name not in body


def test_the_notice_prints_with_a_qr_code_to_the_public_page(world, client, published):
    client.force_login(world.director1)
    body = _body(client.get(reverse("governance:report_print", args=[published.pk])))
    public = reverse("governance:report_public", args=[published.public_key])
    assert 'data-testid="notice-qr"' in body and "<svg" in body
    assert f"http://testserver{public}" in body
    assert "十二月巡逻正常。" in body and "pp-sign-a4" in body
    for secret in (REPORTER, TITLE, ADDRESS, PHONE):
        assert secret not in body
    _english(client)
    body = _body(client.get(reverse("governance:report_print", args=[published.pk])))
    assert "Work report to villagers, 2028-12" in body


@renders
def test_the_notice_downloads_as_a_pdf(world, client, published, tmp_path: Path):
    client.force_login(world.director1)
    url = reverse("governance:report_print", args=[published.pk]) + "?format=pdf"
    _assert_chinese_pdf(client.get(url), tmp_path, "十二月巡逻正常")


# ---- public pages -----------------------------------------------------------------------------


def test_the_public_list_shows_only_the_villages_published_reports(world, client, published):
    theirs = svc.report_compile(village=world.village2, period="2028-12", by=world.director2)
    theirs = svc.report_publish(report=theirs, by=world.director2)

    body = _body(client.get(reverse("governance:report_public_list", args=[world.village1.code])))

    assert reverse("governance:report_public", args=[published.public_key]) in body
    assert reverse("governance:report_public", args=[theirs.public_key]) not in body
    assert "2028-11" not in body  # the draft
    assert 'class="mainnav"' not in body
    assert client.get(reverse("governance:report_public_list", args=["123"])).status_code == 404


def test_the_public_page_shows_big_figures_and_no_personal_data(world, client, published):
    url = reverse("governance:report_public", args=[published.public_key])

    response = client.get(url)

    body = _body(response)
    assert svc.COOKIE in response.cookies  # the phone gets its random cookie
    assert response.cookies[svc.COOKIE]["httponly"]
    assert "十二月巡逻正常。" in body and 'data-testid="patrol-hours"' in body
    assert "第一村民小组" in body and body.count('data-testid="choice"') == 3
    for secret in (REPORTER, TITLE, ADDRESS, PHONE, world.director1.full_name):
        assert secret not in body
    _english(client)
    body = _body(client.get(url))
    assert "Are you satisfied with the village" in body and "Theft" in body


def test_a_draft_or_an_unknown_key_has_no_public_page(world, client, published):
    draft = WorkReport.objects.get(period="2028-11")
    for key in (draft.public_key, "nope-nope", "<x>"):
        assert client.get(f"/governance/r/{key}/").status_code == 404


def test_a_villager_answers_once_from_a_phone(world, client, published):
    url = reverse("governance:report_public", args=[published.public_key])
    client.get(url)  # the cookie

    body = _body(client.post(url, {"rating": "3", "comment": "很好"}))
    assert 'data-testid="answered"' in body

    _english(client)
    body = _body(client.post(url, {"rating": "1", "comment": ""}), 409)
    assert "already answered" in body
    assert list(SatisfactionAnswer.objects.values_list("rating", "comment")) == [(3, "很好")]
    body = _body(client.get(url))  # the page remembers the answer
    assert 'data-testid="answered"' in body and "Satisfied" in body


def test_a_bad_or_a_limited_answer_changes_nothing(world, client, published, monkeypatch):
    url = reverse("governance:report_public", args=[published.public_key])
    _english(client)
    body = _body(client.post(url, {"rating": "7"}), 400)
    assert "Choose one of the three answers." in body
    monkeypatch.setattr(svc, "CLIENT_LIMIT", 0)
    body = _body(client.post(url, {"rating": "3"}), 429)
    assert "Too many answers" in body
    assert not SatisfactionAnswer.objects.exists()


# ---- home panels ------------------------------------------------------------------------------


def test_the_village_panel_says_last_months_report_waits(world, client):
    client.force_login(world.director1)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="panel-waiting"' in body and "2028-12" in body
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    svc.report_publish(report=report, by=world.director1)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="panel-done"' in body


def test_the_township_panel_shows_satisfaction_by_village(world, client, published):
    for n, rating in enumerate((3, 1)):
        SatisfactionAnswer.objects.create(
            report=published, region=world.village1, rating=rating, client=f"k{n}"
        )
    client.force_login(world.township_officer)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="panel-satisfaction"' in body and "50%" in body
    panel = body[body.index('data-testid="panel-satisfaction"') :]
    panel = panel[: panel.index("</table>")]
    # only the villages villagers answered are listed; the others are counted
    assert world.village1.name in panel and world.village2.name not in panel
    assert 'data-testid="panel-unanswered"' in body and "1个村" in body


# ---- on a phone -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_villager_answers_on_a_phone(page, live_server, world):
    from playwright.sync_api import expect

    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    report = svc.report_publish(report=report, by=world.director1)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(f"{live_server.url}{reverse('governance:report_public', args=[report.public_key])}")

    expect(page.get_by_test_id("village-name")).to_have_text(world.village1.name)
    expect(page.locator("nav.mainnav")).to_have_count(0)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
        " document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className)"
    )
    assert overflow <= 0, wide
    page.locator("input[name=rating][value='3']").check()
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("answered")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("answered")).to_be_visible()
    assert SatisfactionAnswer.objects.filter(report=report).count() == 1
