"""The public opinion form in a real Chromium on a phone: no sign-in, anonymous, a tracking code,
and the tracking page."""

import re
import time

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from qunfang.casebook.models import Opinion
from qunfang.casebook.services import opinions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_a_villager_on_a_phone_sends_an_anonymous_entry_and_follows_it(
    page: Page, live_server, world
):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(
        f"{live_server.url}/books/v/{world.village1.code}/"
    )  # what the QR code on the board opens
    opened = time.monotonic()  # the form's token was made just before
    expect(page.get_by_test_id("village-name")).to_have_text(world.village1.name)
    expect(page.locator("nav.mainnav")).to_have_count(0)
    expect(
        page.locator("#id_anonymous")
    ).to_be_checked()  # anonymous unless the villager says otherwise
    expect(page.locator("#id_name")).to_be_hidden()
    expect(page.locator("#id_website")).not_to_be_in_viewport()  # the honeypot is off screen
    _no_sideways_scroll(page)

    page.locator("input[name=kind][value=suggestion]").check()
    page.fill("#id_text", "建议在文化礼堂门口装一盏路灯，晚上跳广场舞太黑。")
    # a person takes a few seconds to write: the form refuses anything faster
    page.wait_for_timeout(
        max(0.0, opinions.FORM_MIN_SECONDS + 0.5 - (time.monotonic() - opened)) * 1000
    )
    page.get_by_test_id("send").click()

    code_box = page.get_by_test_id("tracking-code")
    expect(code_box).to_be_visible()
    shown = code_box.inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4}", shown.strip()), shown
    _no_sideways_scroll(page)
    opinion = Opinion.objects.get()
    assert opinion.tracking_code == shown.replace(" ", "")
    assert (opinion.anonymous, opinion.name, opinion.contact) == (True, "", "")

    # later, on the tracking page, typing the code from the note
    page.get_by_test_id("track-link").click()
    page.fill("#id_code", shown.lower())
    page.get_by_test_id("look-up").click()
    expect(page.locator(".op-text")).to_contain_text("文化礼堂")
    expect(page.get_by_test_id("track-status")).to_have_text(opinion.get_status_display())
    _no_sideways_scroll(page)

    # the village answers; the villager looks again
    opinions.answer(opinion=opinion, text="已安排村电工本周安装。", by=world.director1)
    page.goto(f"{live_server.url}/books/t/")
    page.fill("#id_code", shown)
    page.get_by_test_id("look-up").click()
    expect(page.get_by_test_id("track-answer")).to_have_text("已安排村电工本周安装。")

    # a wrong code: the plain not-found answer
    page.goto(f"{live_server.url}/books/t/")
    page.fill("#id_code", "ABCD EFGH JKLM")
    page.get_by_test_id("look-up").click()
    expect(page.get_by_test_id("track-not-found")).to_be_visible()
    assert errors == [], errors  # no CSP violation, no script error
