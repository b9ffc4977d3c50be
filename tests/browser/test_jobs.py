"""A roster made by the background worker in a real Chromium: the job page waits, htmx polls
it until the worker is done, and the link to the roster appears without a reload; a reload
shows the same state."""

import re
import threading

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from qunfang.core.models import Job, JobStatus
from tests.browser.test_shell import sign_in
from tests.patrols.conftest import MONDAY, patrol  # noqa: F401  (the patrol world fixture)
from tests.worker import DB_TASKS, run_worker_once

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(TASKS=DB_TASKS, QUNFANG_ROSTER_SECONDS=2)
def test_the_job_page_follows_the_worker_until_the_roster_is_ready(
    page: Page,
    live_server,
    world,
    patrol,  # noqa: F811
):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server.url, "director1")
    page.goto(f"{live_server.url}/patrols/rosters/new/")
    page.select_option("#id_scope", value=f"village:{world.village1.pk}")
    page.check("input[name=period][value=week]")
    page.fill("#id_starts_on", MONDAY.isoformat())
    page.get_by_test_id("make-roster").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "queued")  # no worker yet
    page.reload()
    expect(status).to_have_attribute("data-status", "queued")  # the same after a reload

    worker = threading.Thread(target=run_worker_once)
    worker.start()
    try:
        # htmx polls every 2 s and swaps in the finished state: no reload
        expect(page.get_by_test_id("job-result")).to_be_visible(timeout=30_000)
    finally:
        worker.join(timeout=60)
    expect(status).to_have_attribute("data-status", "done")
    job = Job.objects.get()
    assert job.status == JobStatus.DONE
    page.get_by_test_id("job-result").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(job.result_url)}$"))
    assert errors == []
