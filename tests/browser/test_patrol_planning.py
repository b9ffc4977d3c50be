"""Patrol planning in a real Chromium: a director makes a week's roster from the form, reads
it on a phone-sized screen and publishes it."""

import re

import pytest
from playwright.sync_api import Page, expect

from qunfang.patrols.models import Assignment, Roster, RosterStatus
from tests.browser.test_shell import sign_in
from tests.patrols.conftest import MONDAY, patrol  # noqa: F401  (the patrol world fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_makes_a_roster_and_publishes_it(page: Page, live_server, world, patrol):  # noqa: F811
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, "director1")
    page.goto(f"{live_server.url}/patrols/rosters/")
    page.get_by_test_id("new-roster").click()
    expect(page).to_have_url(re.compile(r"/patrols/rosters/new/$"))

    page.select_option("#id_scope", value=f"village:{world.village1.pk}")
    page.check("input[name=period][value=week]")
    page.fill("#id_starts_on", MONDAY.isoformat())
    page.get_by_test_id("make-roster").click()

    # the solving is a background task: its job page links to the draft when it is done
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"), timeout=30_000)
    page.get_by_test_id("job-result").click()
    expect(page).to_have_url(re.compile(r"/patrols/rosters/\d+/$"), timeout=30_000)
    roster = Roster.objects.get()
    assert roster.status == RosterStatus.DRAFT
    someone = (
        Assignment.objects.filter(shift__roster=roster).select_related("person").first().person
    )
    expect(page.locator("table.pp-grid").first).to_contain_text(someone.name)
    # phone-first: the grid scrolls inside its box, the page itself does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("publish")).to_have_count(0)
    expect(page.get_by_test_id("withdraw")).to_be_visible()
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED and roster.published_by == world.director1
    assert errors == []
