"""Villager groups as rosters write them (`core.spreadsheets.groups`): one key per group however
its number is written, named groups by their stem, and a village's group found by any spelling —
or by none when the spelling is not the village's, or when two of its groups share it."""

from dataclasses import dataclass

import pytest

from qunfang.core.spreadsheets.groups import GroupMatcher, group_key, match_group, read_numeral

SPELLINGS = {
    "1": [
        "第1村民小组",
        "第一村民小组",
        "一组",
        "第1组",
        "1组",
        "第１组",
        "１组",
        "01组",
        "第01组",
        "一小组",
        "1村民组",
        "第壹组",
        " 第 一 村民小组 ",
        "一队",
        "第一生产队",
        "1",
        "一",
    ],
    "2": ["第二村民小组", "两组", "二组", "2组", "贰组"],
    "10": ["第十村民小组", "十组", "10组", "一十组", "第拾组"],
    "11": ["第十一组", "十一组", "11组"],
    "12": ["第十二组", "12组", "十二组", "第十二村民小组", "１２组", "壹拾贰组"],
    "20": ["二十组", "第20村民小组", "二〇组", "二零组"],
    "23": ["二十三组", "23组", "第二十三村民小组"],
    "99": ["九十九组", "99组", "第九十九村民小组"],
    "105": ["一百零五组", "105组"],
    "张家湾": ["张家湾组", "张家湾村民小组", "张家湾", "张家湾小组", "张家湾村民组", "张家湾 组"],
    "三岔河": ["三岔河组", "三岔河"],  # a name that starts with a numeral is still a name
}


@pytest.mark.parametrize(
    ("written", "key"),
    [(written, key) for key, spellings in SPELLINGS.items() for written in spellings],
)
def test_every_spelling_of_a_group_gives_its_key(written, key):
    assert group_key(written) == key


def test_different_groups_get_different_keys():
    keys = {
        key: {group_key(written) for written in spellings} for key, spellings in SPELLINGS.items()
    }
    assert all(found == {key} for key, found in keys.items())
    assert group_key("第二十一组") != group_key("第十二组") != group_key("第一组")
    assert group_key("李家湾组") != group_key("张家湾组")


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("0", 0),
        ("〇", 0),
        ("零", 0),
        ("七", 7),
        ("两", 2),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十三", 23),
        ("九十九", 99),
        ("一百", 100),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一百十二", 112),
        ("玖拾玖", 99),
        ("２３", 23),
        ("二〇", 20),  # digit by digit, as years are written
        ("007", 7),
    ],
)
def test_numerals_are_read_in_digits_and_in_chinese(written, number):
    assert read_numeral(written) == number


@pytest.mark.parametrize(
    "written",
    [
        "",
        "  ",
        "张家湾",
        "三岔河",
        "十十",
        "二十十",
        "百",
        "一百零",
        "一百零十",
        "3.5",
        "-1",
        "三个",
    ],
)
def test_what_is_not_a_whole_number_reads_as_none(written):
    assert read_numeral(written) is None


@dataclass(frozen=True)
class Group:
    name: str
    code: str = ""


VILLAGE = [
    Group("第一村民小组", "110105001001001"),
    Group("第二村民小组", "110105001001002"),
    Group("第十二村民小组", "110105001001012"),
    Group("张家湾组", "110105001001013"),
]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("一组", "第一村民小组"),
        ("第1组", "第一村民小组"),
        ("1组", "第一村民小组"),
        ("第１村民小组", "第一村民小组"),
        ("两组", "第二村民小组"),
        ("12组", "第十二村民小组"),
        ("十二组", "第十二村民小组"),
        ("张家湾", "张家湾组"),
        ("张家湾村民小组", "张家湾组"),
        ("110105001001002", "第二村民小组"),  # the group's code
        ("１１０１０５００１００１００２", "第二村民小组"),
    ],
)
def test_a_village_group_is_found_by_any_spelling_or_its_code(written, expected):
    found = match_group(written, VILLAGE)
    assert found is not None and found.name == expected
    assert GroupMatcher(VILLAGE)(written) == found


@pytest.mark.parametrize(
    "written", ["三组", "第3村民小组", "李家湾组", "十一组", "", "组", "110105001001"]
)
def test_a_group_the_village_does_not_have_is_not_found(written):
    assert match_group(written, VILLAGE) is None


def test_a_spelling_two_groups_share_finds_neither_unless_it_is_one_name_exactly():
    both = [Group("一组"), Group("第一村民小组"), Group("二组")]
    find = GroupMatcher(both)
    assert find("1组") is None
    assert [g.name for g in find.candidates("1组")] == ["一组", "第一村民小组"]
    assert find("一组") == both[0] and find("第一村民小组") == both[1]
    assert find("第二组") == both[2] and find.candidates("三组") == []


def test_any_attribute_can_name_the_group():
    rows = [{"title": "第三村民小组"}, {"title": "第四村民小组"}]
    assert match_group("4组", rows, name=lambda row: row["title"], code=lambda row: "") == rows[1]
