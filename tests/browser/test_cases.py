"""The case register in a real Chromium: a village director registers a case on a phone-sized
screen, moves it along and closes it with an outcome."""

import importlib
import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from qunfang.casebook.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
)
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown(status: str) -> str:
    """The status as the Chinese page shows it (whatever the catalogue holds today)."""
    with translation.override("zh-hans"):
        return str(CaseStatus(status).label)


@pytest.fixture
def case_types(world):
    """transaction=True tests flush every table, and with them the types and rules seeded by the
    migration: seed them again when an earlier browser test has emptied them."""
    from django.apps import apps

    importlib.import_module("qunfang.casebook.migrations.0003_default_types_and_rules").seed(
        apps, None
    )


def test_a_director_registers_a_case_and_closes_it_with_an_outcome(
    page: Page, live_server, world, case_types
):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, "director1")
    page.goto(f"{live_server.url}/books/cases/")
    page.get_by_test_id("new-case").click()
    expect(page).to_have_url(re.compile(r"/books/cases/new/$"))
    assert (
        page.evaluate("document.documentElement.scrollWidth") <= 360
    )  # no sideways scroll on a phone

    page.select_option("#id_case_type", label="矛盾纠纷")
    page.fill("#id_title", "两户因排水沟发生争执")
    page.fill("#id_description", "东西两户因排水沟走向争吵，未动手。")
    page.fill("#id_occurred_at", "2026-01-05T09:30")
    page.fill("#id_reported_at", "2026-01-05T10:00")
    page.select_option("#id_group", label=f"{world.village1.name} · {world.group1.name}")
    page.fill("#id_address", "枫源村第一组排水沟")
    page.select_option("#id_reporter_kind", value="person")
    page.fill("#id_reporter_name", "楼阿根")
    page.fill("#id_parties-0-name", "楼阿根")
    page.select_option("#id_parties-0-role", value="party")
    page.get_by_test_id("register-case").click()

    expect(page).to_have_url(re.compile(r"/books/cases/\d+/$"))
    case = Case.objects.get()
    assert (
        case.owner == world.director1
        and case.region == world.village1
        and case.group == world.group1
    )
    expect(page.get_by_test_id("case-status")).to_have_text(shown(CaseStatus.REGISTERED))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_test_id("move-accepted").click()
    expect(page.get_by_test_id("case-status")).to_have_text(shown(CaseStatus.ACCEPTED))
    page.get_by_test_id("move-in_hand").click()
    expect(page.get_by_test_id("case-status")).to_have_text(shown(CaseStatus.IN_HAND))

    page.get_by_test_id("close-open").click()
    page.select_option("#cl_outcome", value=CaseOutcome.MEDIATED)
    page.fill("#cl_note", "经村调解员调解，双方同意共同清理排水沟。")
    page.get_by_test_id("close-case").click()

    expect(page.get_by_test_id("case-status")).to_have_text(shown(CaseStatus.CLOSED))
    expect(page.get_by_test_id("case-outcome")).to_contain_text("共同清理排水沟")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == CaseOutcome.MEDIATED
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).count() == 3
    assert errors == []
