"""The menu reads in each app's own order number, never anchored to another app's entry."""

import pytest

from qunfang.core import navigation
from qunfang.core.navigation import NavItem, items_for


@pytest.mark.django_db
def test_the_menu_reads_home_registry_patrols_books_then_administration(world):
    names = [item.url_name for item in items_for(world.admin)]
    registry = ["organisation", "person", "household", "group", "contract", "due"]
    patrols = ["my", "roster_list", "log_list", "attendance", "notifications"]
    books = ["case", "mediation", "inspection", "opinion"]
    governance = ["meeting", "decision", "course", "selection", "rule", "mandates"]
    assert names == [
        "home",
        *(f"registry:{name}_list" for name in registry),
        *(f"patrols:{name}" for name in patrols),
        *(f"casebook:{name}_list" for name in books),
        *(f"governance:{name}_list" for name in governance),
        *(f"governance:{name}_list" for name in ["run", "scheme", "sanction", "settlement"]),
        "core:region_list",
        "core:user_list",
        "core:security_log",
    ]


def test_an_app_takes_its_place_by_number_whatever_the_others_hold(monkeypatch):
    monkeypatch.setattr(navigation, "NAVIGATION", [])
    navigation.add([NavItem("later:one", "1"), NavItem("later:two", "2")], order=500)
    navigation.add([NavItem("home", "h")], order=navigation.HOME_ORDER)
    navigation.add([NavItem("sooner", "s")], order=300)
    assert [i.url_name for i in navigation.NAVIGATION] == [
        "home",
        "sooner",
        "later:one",
        "later:two",
    ]


@pytest.mark.django_db
def test_entries_show_only_to_holders_of_their_permission(world):
    names = {item.url_name for item in items_for(world.patrol1)}
    assert {"home", "patrols:my", "patrols:notifications"} <= names
    assert not names & {"casebook:case_list", "registry:person_list", "core:user_list"}
