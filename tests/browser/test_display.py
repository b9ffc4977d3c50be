"""The screen at a patrol point: the director makes a display link, and a browser with nobody
signed in shows the point's QR code, which htmx refreshes without a reload, under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from qunfang.patrols.models import SignPeriod
from tests.browser.test_shell import sign_in
from tests.patrols import conftest as patrol_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

patrol = patrol_world.patrol  # the patrol world fixture, shared with tests/patrols


def test_a_display_link_shows_the_rotating_qr_to_a_screen_nobody_signed_in_on(
    browser, live_server, world, patrol
):
    point = patrol.points[0]
    point.sign_period = SignPeriod.MINUTE
    point.save()
    director = browser.new_context(locale="zh-CN")
    page = director.new_page()
    sign_in(page, live_server.url, "director1")
    page.goto(f"{live_server.url}/patrols/points/{point.pk}/")
    page.get_by_test_id("display-create").click()
    link = page.get_by_test_id("new-display").locator("a").get_attribute("href")
    assert re.fullmatch(rf"{live_server.url}/patrols/display/[\w-]+/", link)
    director.close()

    screen = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    screen_page = screen.new_page()
    errors = []
    screen_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    screen_page.clock.install()
    try:
        response = screen_page.goto(link)
        assert response.status == 200
        expect(screen_page.locator("h1")).to_contain_text(point.name)
        expect(screen_page.locator(".pp-qr svg")).to_be_visible()
        expect(screen_page.get_by_test_id("sign-code")).to_have_text(re.compile(r"^\d{4} \d{4}$"))
        with screen_page.expect_response(re.compile(r"/display/[\w-]+/code/$")) as polled:
            screen_page.clock.run_for(21_000)  # htmx polls every 20 s: no reload
        assert polled.value.status == 200
        expect(screen_page.locator(".pp-qr svg")).to_have_count(1)
        assert screen.cookies() == []  # no session, no CSRF token on the screen
    finally:
        screen.close()
    assert errors == [], errors
