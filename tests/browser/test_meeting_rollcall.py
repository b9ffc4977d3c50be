"""Roll call by QR on a phone: the meeting's screen shows its rotating code, a member opens the
address the code carries on a phone, signs in (the code survives the sign-in), taps once and is
marked present; the chair's roll call on a phone shows it, and a tap there marks the next."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qunfang.governance.models import Attendance
from qunfang.registry.models import Person
from tests.factories import TEST_PASSWORD, meeting_for, organisation_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def _sign_in(page, base, username):
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit].primary")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def _meeting_now(world):
    """A meeting of village 1's security committee that started a few minutes ago (today in
    Shanghai), its three members invited; the first is patrol1's person."""
    org = organisation_for(world.village1, name="枫源村治保会", members=3)
    people = list(Person.objects.filter(memberships__post__organisation=org).order_by("pk"))
    people[0].account = world.patrol1
    people[0].save()
    now = timezone.localtime()
    start = max(now - dt.timedelta(minutes=5), now.replace(hour=0, minute=0, second=0))
    meeting = meeting_for(org, title="枫源村治保会一月例会", scheduled_at=start, place="村委会")
    return meeting, people


def test_a_member_scans_the_meetings_code_on_a_phone_and_the_chair_sees_it(
    browser, live_server, world
):
    meeting, people = _meeting_now(world)
    base = live_server.url
    screen = browser.new_context(locale="zh-CN")
    member = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    chair = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    errors = []
    try:
        # the screen on the meeting room's laptop
        shown = screen.new_page()
        shown.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _sign_in(shown, base, "director1")
        shown.goto(f"{base}/governance/meetings/{meeting.pk}/screen/")
        expect(shown.get_by_test_id("meeting-qr").locator("svg")).to_be_visible()
        code = shown.get_by_test_id("meeting-code").inner_text().replace(" ", "")
        assert re.fullmatch(r"\d{8}", code)

        # the member's phone opens what the code carries, signs in, taps once
        phone = member.new_page()
        phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        phone.goto(f"{base}/governance/meetings/{meeting.pk}/scan/?c={code}")
        expect(phone).to_have_url(re.compile(r"/login/\?next="))
        phone.fill("#id_username", "patrol1")
        phone.fill("#id_password", TEST_PASSWORD)
        phone.click("button[type=submit].primary")
        expect(phone).to_have_url(
            re.compile(rf"/governance/meetings/{meeting.pk}/scan/\?c=\d{{8}}$")
        )
        expect(phone.locator("h1")).to_contain_text("枫源村治保会一月例会")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.get_by_test_id("scan-here").tap()
        expect(phone.get_by_test_id("scan-accepted")).to_contain_text("您已记为出席")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # the chair's phone: the member is present, and a tap marks the next one absent
        roll = chair.new_page()
        roll.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _sign_in(roll, base, "director1")
        roll.goto(f"{base}/governance/meetings/{meeting.pk}/roll-call/")
        first = roll.locator(f'[data-testid="roll-row"][data-person="{people[0].name}"]')
        expect(first.get_by_test_id("roll-status")).to_have_text("出席")
        expect(first.get_by_test_id("mark-present")).to_have_attribute("aria-pressed", "true")
        expect(roll.get_by_test_id("roll-tally")).to_contain_text("已到 1 人")
        second = roll.locator(f'[data-testid="roll-row"][data-person="{people[1].name}"]')
        button = second.get_by_test_id("mark-absent")
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 60  # a thumb's target
        button.tap()
        expect(second.get_by_test_id("roll-status")).to_have_text("缺席")
        # a tap that brings someone in counts at once, not at the next refresh (15 s)
        second.get_by_test_id("mark-late").tap()
        expect(roll.get_by_test_id("roll-tally")).to_contain_text("已到 2 人", timeout=5000)
        second.get_by_test_id("mark-absent").tap()
        expect(roll.get_by_test_id("roll-tally")).to_contain_text("已到 1 人", timeout=5000)
        assert roll.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        for context in (screen, member, chair):
            context.close()
    marks = dict(Attendance.objects.filter(meeting=meeting).values_list("person", "marked_by_way"))
    assert marks[people[0].pk] == "qr" and marks[people[1].pk] == "chair"
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("person", "status"))
    assert (statuses[people[0].pk], statuses[people[1].pk]) == ("present", "absent")
    assert errors == [], errors
