"""A real Chromium: sign in, switch language, try another village, reveal a number under CSP."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_contain_text("概况")


def test_director_signs_in_switches_language_and_cannot_open_another_village(
    page: Page, live_server, world
):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server.url, "director1")
    expect(page.locator("h1")).to_have_text("枫源村 — 概况")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("h1")).to_have_text("枫源村 — overview")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_test_id("lang-zh").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()

    response = page.goto(f"{live_server.url}/regions/{world.village2.code}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    assert world.village2.name not in page.content()

    response = page.goto(f"{live_server.url}/regions/{world.group1.code}/")
    assert response.status == 200
    # no CSP violation or script error on the way; the one 404 is the page we were refused
    assert [e for e in errors if "404" not in e] == [], errors
    assert len(errors) <= 1, errors


def test_revealing_a_phone_works_under_the_content_security_policy(page: Page, live_server, world):
    sign_in(page, live_server.url, "director1")
    page.goto(f"{live_server.url}/accounts/{world.patrol1.pk}/")
    expect(page.locator("#phone-value")).to_have_text("139****5678")
    page.get_by_role("button", name="显示完整").first.click()
    expect(page.locator(".revealed")).to_have_text("13912345678")


def test_phone_width_layout_has_no_sideways_scroll(page: Page, live_server, world):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, "township")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    expect(page.locator("nav.mainnav")).to_be_visible()


def test_on_a_phone_the_menu_shows_the_pages_own_section_and_entry(page: Page, live_server, world):
    """The rows of sections and entries scroll sideways on a phone: a page far along the menu
    still shows its own section and entry without scrolling the menu by hand."""
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, "township")
    page.goto(f"{live_server.url}/governance/four-in-place/")
    for row in ("nav.mainnav", "nav.subnav"):
        current = page.locator(f"{row} [aria-current]")
        expect(current).to_be_in_viewport()
    expect(page.locator("nav.subnav [aria-current]")).to_have_text("四落实")
    # one line of entries, not a block of them before the page begins
    height = page.locator("nav.subnav").evaluate("n => n.getBoundingClientRect().height")
    assert height < 60, height
