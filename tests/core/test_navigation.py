"""The menu: a row of sections and, under it, the entries of the section the page is in."""

import pytest
from django.urls import reverse

from qunfang.core.navigation import NAVIGATION, SECTIONS, current_item, menu_for

pytestmark = pytest.mark.django_db


def _labels(html: str, nav_class: str) -> str:
    start = html.index(f'<nav class="{nav_class}"')
    return html[start : html.index("</nav>", start)]


def test_every_entry_falls_in_a_named_section():
    orders = [section.order for section in SECTIONS]
    assert orders == sorted(orders) and orders[0] == 0
    for item in NAVIGATION:
        assert any(section.order <= item.order for section in SECTIONS), item.url_name
    assert all(str(section.label) for section in SECTIONS)


def test_a_detail_page_belongs_to_its_list_entry(world):
    items = [item for item in NAVIGATION if item.url_name in ("home", "casebook:case_list")]
    assert current_item(items, reverse("casebook:case_list") + "12/").url_name == (
        "casebook:case_list"
    )
    assert current_item(items, "/").url_name == "home"
    # the home entry holds the home page only, not every page under "/"
    assert current_item(items, "/nowhere/") is None


def test_township_officer_sees_sections_and_the_current_sections_entries(client, world):
    client.force_login(world.township_officer)
    html = client.get(reverse("casebook:case_list")).content.decode()
    sections = _labels(html, "mainnav")
    entries = _labels(html, "subnav")
    # every section the officer may open is one link in the top row ...
    for label in ("组织队伍", "巡逻", "案事件台账", "考核奖惩", "系统管理"):
        assert label in sections
    # ... and only the case books' entries are listed under it, the page's own marked
    assert reverse("casebook:mediation_list") in entries
    assert reverse("patrols:roster_list") not in entries
    assert f'href="{reverse("casebook:case_list")}" aria-current="page"' in entries
    menu, here = menu_for(world.township_officer, reverse("casebook:case_list"))
    assert here is not None and here.url_name == "casebook:case_list"
    assert [str(s.label) for s in menu if s.current] == ["案事件台账"]


def test_patrol_member_menu_is_short(client, world):
    client.force_login(world.patrol1)
    html = client.get(reverse("patrols:my")).content.decode()
    sections = _labels(html, "mainnav")
    assert sections.count("<a ") == 2  # home and patrols: nothing they cannot open
    assert reverse("patrols:notifications") in _labels(html, "subnav")
