"""The mapping step's suggestion: a village's own headers and values matched to a layout's
fields, a remembered mapping tried first, and the command line's --map."""

import datetime as dt

import pytest

from qunfang.core.models import Region
from qunfang.core.spreadsheets import Column, Layout, cells
from qunfang.core.spreadsheets.mapping import Candidate, parse_map_option, suggest


def _sex(value):
    if cells.as_text(value) not in ("男", "女"):
        raise cells.CellError("男 or 女")
    return value


ROSTER = Layout(
    key="roster",
    label="Roster",
    sheet="户",
    sheet_aliases=(),
    model=Region,  # unused by the suggestion
    importer=object,  # type: ignore[arg-type]
    select_related=(),
    columns=(
        Column("number", "户号", ("household number",), cells.text(20)),
        Column("head_name", "户主姓名", ("户主", "head name"), cells.text(50)),
        Column("head", "户主身份证号", ("身份证号码", "公民身份号码"), cells.parse_id_number),
        Column("sex", "性别", ("sex",), _sex),
        Column("birth_date", "出生日期", ("birth date",), cells.parse_date),
        Column("phone", "联系电话", ("电话", "手机"), cells.parse_phone),
        Column("group", "村民小组", ("组别", "小组"), cells.text(100)),
        Column("address", "住址", ("地址", "address"), cells.text(200)),
    ),
)

IDS = ("11010519491231002X", "110105198001010016", "330681197506151236")
PHONES = ("13812345678", "139 1234 5678")


def test_the_village_s_own_headers_are_matched_by_their_spellings():
    sheet = [
        Candidate("序号", (1, 2)),  # would pass for Excel dates: serial numbers prove nothing
        Candidate("户主姓名", ("张三", "李四")),
        Candidate("公民身份号码(18位)", IDS),
        Candidate("组别", ("第一组", "二组")),
        Candidate("住 址", ("一组12号", "二组3号")),
        Candidate("备注", ("", "外出")),
    ]
    assert suggest(ROSTER, sheet) == {
        "head_name": "户主姓名",
        "head": "公民身份号码(18位)",
        "group": "组别",
        "address": "住 址",
    }


def test_a_column_without_a_known_header_is_placed_by_its_values_when_one_field_reads_them():
    sheet = [
        Candidate("姓名", ("张三", "李四")),
        Candidate("证件", IDS),  # nothing in the header says "ID number"
        Candidate("联系方式", PHONES),
        Candidate("生日", (dt.date(1960, 5, 1), "1971年3月2日")),
        Candidate("说明", ("外出务工", "")),  # free text: no field reads it alone
        Candidate("", (1, 2, 3, 4)),  # a row count without a header, also no date
    ]
    mapping = suggest(ROSTER, sheet)
    assert mapping["head"] == "证件"
    assert mapping["phone"] == "联系方式"
    assert mapping["birth_date"] == "生日"
    assert "说明" not in mapping.values()
    assert mapping["head_name"] == "姓名"  # held in 户主姓名
    assert set(mapping) == {"head_name", "head", "phone", "birth_date"}


def test_a_header_that_names_a_typed_field_but_holds_other_values_loses_to_a_better_one():
    sheet = [
        Candidate("电话", ("张三", "李四", "王五")),  # filled with names by mistake
        Candidate("手机", PHONES),
    ]
    assert suggest(ROSTER, sheet)["phone"] == "手机"


def test_the_remembered_mapping_comes_first_and_each_header_is_used_once():
    sheet = [Candidate("户主", ("张三",)), Candidate("姓名", ("张三",)), Candidate("号", IDS)]
    remembered = {"head_name": "姓名", "head": "号", "phone": "gone from this file"}
    mapping = suggest(ROSTER, sheet, remembered)
    assert mapping["head_name"] == "姓名"
    assert mapping["head"] == "号"
    assert "phone" not in mapping
    assert len(set(mapping.values())) == len(mapping)


def test_map_option_reads_header_field_pairs():
    assert parse_map_option("户主姓名=head_name, 公民身份号码=head，组别=group") == {
        "head_name": "户主姓名",
        "head": "公民身份号码",
        "group": "组别",
    }
    with pytest.raises(ValueError, match="户主姓名"):
        parse_map_option("户主姓名")
