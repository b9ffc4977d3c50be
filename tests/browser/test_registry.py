"""The registry in a real Chromium: a director places a person, is told why not, imports a sheet."""

import re

import pytest
from playwright.sync_api import Page, expect

from qunfang.registry.models import Household, Post
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_is_told_in_chinese_why_a_placement_is_refused(
    page: Page, live_server, world, records
):
    Post.objects.create(
        organisation=records.org,
        title="治保主任",
        is_leader=True,
        requires_vetting=True,
        min_age=50,
    )
    sign_in(page, live_server.url, "director1")
    # the menu's sections, then the section's entries under them
    page.locator("nav.mainnav").get_by_role("link", name="组织队伍").click()
    page.locator("nav.subnav").get_by_role("link", name="组织", exact=True).click()
    page.get_by_role("link", name=records.org.name).click()
    expect(page.locator("h1")).to_contain_text(records.org.name)
    page.get_by_role("link", name="安排任职").first.click()
    page.select_option("#id_person", label=records.person.name)
    page.click("button.primary")
    alert = page.locator(".error").first
    expect(alert).to_contain_text(str(records.person.age))  # under the post's minimum of 50
    expect(alert).to_contain_text("50")


def test_a_director_imports_households_from_a_csv_file(page: Page, live_server, world, tmp_path):
    sheet = tmp_path / "住户.csv"
    sheet.write_text(
        "户号,村民小组,地址,仅老人户\n0201,第一村民小组,枫源村201号,是\n0202,,枫源村202号,否\n",
        encoding="utf-8-sig",
    )
    sign_in(page, live_server.url, "director1")
    page.goto(f"{live_server.url}/registry/households/")
    page.get_by_role("link", name="从 Excel 导入").click()
    expect(page).to_have_url(re.compile(r"/registry/import/households/"))
    page.set_input_files("input[type=file]", str(sheet))
    page.get_by_role("button", name="导入").click()
    expect(page.locator("h2").first).to_have_text("导入完成")
    assert Household.objects.filter(region=world.village1, number__in=["0201", "0202"]).count() == 2
    assert Household.objects.get(number="0201").elderly_only
    page.goto(f"{live_server.url}/registry/households/?q=0201")
    expect(page.locator("table.list")).to_contain_text("仅老人户")


def test_a_director_confirms_the_columns_of_the_village_s_own_roster(
    page: Page, live_server, world, tmp_path, settings
):
    """A roster in the village's own layout goes through the mapping screen: the guess is shown,
    one column is changed, the preview follows, and the import writes the households."""
    from tests.registry.test_import_columns import HEADS, roster

    settings.MEDIA_ROOT = tmp_path
    sheet = tmp_path / "花名册.xlsx"
    sheet.write_bytes(roster(HEADS))
    sign_in(page, live_server.url, "director1")
    page.goto(f"{live_server.url}/registry/import/households/")
    page.set_input_files("input[type=file]", str(sheet))
    page.get_by_role("button", name="导入").click()
    expect(page).to_have_url(re.compile(r"/registry/import/households/columns/"))
    expect(page.locator("#id_head")).to_have_value("公民身份号码")
    expect(page.locator("#id_head_name")).to_have_value("户主姓名")
    # the address is left out, and the preview shows it gone
    page.select_option("#id_address", value="")
    page.get_by_role("button", name="按此对应关系预览").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("张三")
    expect(preview).not_to_contain_text("枫源村3号")
    page.get_by_test_id("import").click()
    expect(page.locator("h2").first).to_have_text("导入完成")
    heads = Household.objects.filter(region=world.village1).select_related("head")
    assert sorted(h.head.name for h in heads) == ["张三", "李四"]
    assert not any(h.address for h in heads)
