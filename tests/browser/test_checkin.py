"""A patrol member checks in from a phone: the QR's URL, sign-in that keeps the code, the
phone's GPS (granted) put into the form by checkin.js under the CSP, and the accepted answer."""

import re

import pytest
from playwright.sync_api import expect

from qunfang.patrols.models import CheckIn
from qunfang.patrols.services import signs
from tests.factories import TEST_PASSWORD
from tests.patrols import conftest as patrol_world
from tests.patrols.test_checkin import live_roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

patrol = patrol_world.patrol  # the patrol world fixture, shared with tests/patrols
PHONE = {"width": 360, "height": 740}


def test_a_member_scans_a_sign_on_a_phone_and_checks_in_with_gps(
    browser, live_server, world, patrol
):
    shift = live_roster(world, patrol)
    point = patrol.points[1]  # 29.7120, 120.2400
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": 29.71205, "longitude": 120.24001, "accuracy": 15},
        permissions=["geolocation"],
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server.url + signs.scan_url(point))  # what the camera app opens
        expect(page).to_have_url(re.compile(r"/login/\?next="))
        page.fill("#id_username", "patrol1")
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit].primary")
        expect(page).to_have_url(re.compile(rf"/patrols/p/{point.pk}/\?c=\d{{8}}$"))
        expect(page.locator("h1")).to_contain_text(point.name)
        # checkin.js fills the hidden position fields once the phone answers
        expect(page.locator("input[name=latitude]")).to_have_value("29.712050")
        expect(page.locator("input[name=accuracy_m]")).to_have_value("15")
        expect(page.locator("input[name=finding][value=nothing]")).to_be_checked()  # the default
        page.fill("textarea[name=note]", "一切正常")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.click("button[type=submit].primary")
        expect(page.get_by_test_id("checkin-accepted")).to_be_visible()
        expect(page.get_by_test_id("checkin-accepted")).to_contain_text(re.compile(r"\b6 (m|米)"))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
    record = CheckIn.objects.get()
    assert record.accepted and record.assignment == shift.mine and record.point == point
    assert record.latitude is not None and record.distance_m == 6 and record.note == "一切正常"
    assert errors == [], errors
