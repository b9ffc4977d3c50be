"""The files village offices really have: rosters with title rows and merged headers, old .xls
workbooks from Excel and WPS, CSV saved by Chinese Windows (GBK), one sheet per villager group;
what `inspect_file` finds in them for the mapping step, `read_table` with the mapping the user
confirmed, and the report as the same sheet with a column of the reasons. Every file is built
in its test."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
import xlwt
from django.template.loader import render_to_string
from django.utils import translation

from qunfang.core.spreadsheets import (
    FileRefused,
    RowError,
    annotated_copy,
    estimate_rows,
    header_key,
    inspect_file,
    read_table,
)
from qunfang.registry.spreadsheets import import_file

# a layout's keys and its own spellings; the village's files use other headers
COLUMNS = {
    "name": ["姓名", "name"],
    "id_number": ["身份证号", "ID number"],
    "sex": ["性别", "sex"],
    "group": ["村民小组", "group"],
    "size": ["人数", "household size"],
    "address": ["地址", "address"],
    "born": ["出生日期", "birth date"],
    "number": ["户号", "household number"],
}
KNOWN = {header_key(s) for spellings in COLUMNS.values() for s in spellings}
ROSTER_MAPPING = {
    "name": "户主姓名",
    "id_number": "公民身份号码",
    "group": "组别",
    "size": "人口数",
    "address": "住址",
}
ZHANG = "330681198005170011"
LI = "33068119750302002X"
WANG = "330681196001010033"


def read(data: bytes, filename: str, **kwargs):
    return read_table(
        file=io.BytesIO(data),
        filename=filename,
        columns=COLUMNS,
        required=kwargs.pop("required", ["name"]),
        sheet_names=("花名册",),
        **kwargs,
    )


def numbered(table):
    return [(row.number, row.values) for row in table.rows]


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_xlsx() -> bytes:
    """A households roster as a township writes it: a title merged across the width, a note, the
    headers over two rows (序号 … merged down, 户主信息 merged across its sub-headers), and a
    group written once beside the two households it holds."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(["枫源村户籍花名册"])
    sheet.merge_cells("A1:H1")
    sheet.append(["填报单位：枫源村村委会"])
    sheet.append(["序号", "户主信息", None, None, "组别", "人口数", "住址", "备注"])
    sheet.append([None, "户主姓名", "公民身份号码", "性别"])
    for column in "AEFGH":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("B3:D3")
    sheet.append([1, "张三", ZHANG, "男", "第一村民小组", 3, "一组1号", None])
    sheet.append([2, "李四", LI, "女", "第二组", 4, "二组2号", "+86 13700001111"])
    sheet.append([3, "王五", WANG, "男", None, 2, "二组5号", None])
    sheet.merge_cells("E6:E7")  # 第二组 for both
    return saved(workbook)


def roster_xls() -> bytes:
    """The same kind of roster saved by old Excel or WPS: a merged title, 序号 merged down, 户主
    merged across 姓名 and 出生日期, a real date cell, numbers and text with spaces."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("花名册")
    sheet.write_merge(0, 0, 0, 4, "乐山村户籍花名册")
    sheet.write_merge(1, 2, 0, 0, "序号")
    sheet.write_merge(1, 1, 1, 2, "户主")
    sheet.write(2, 1, "姓名")
    sheet.write(2, 2, "出生日期")
    sheet.write_merge(1, 2, 3, 3, "人口数")
    sheet.write_merge(1, 2, 4, 4, "住址")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(3, 0, 1)
    sheet.write(3, 1, " 张三 ")
    sheet.write(3, 2, dt.date(1980, 5, 17), day)
    sheet.write(3, 3, 3)
    sheet.write(3, 4, "一组1号")
    sheet.write(4, 0, 2)
    sheet.write(4, 1, "李四")
    sheet.write(
        4, 2, dt.datetime(1975, 3, 2, 8, 30), xlwt.easyxf(num_format_str="YYYY-MM-DD hh:mm")
    )
    sheet.write(4, 3, 2.5)
    sheet.write(4, 4, "二组2号")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def gbk_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["枫源村户籍花名册"],
            ["户主姓名", "公民身份号码", "组别", "人口数", "住址"],
            ["张三", ZHANG, "一组", "3", "一组1号"],
            ["李四", LI, "第二组", "4", "二组2号"],
        ]
    )
    return buffer.getvalue().encode("gbk")  # as Excel on Chinese Windows saves CSV


def groups_xlsx() -> bytes:
    """One sheet per villager group, the headers in another order on the second, an instruction
    sheet and a sheet of something else."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["户主姓名", "组别"])
    first = workbook.create_sheet("一组")
    first.append(["第一村民小组花名册"])
    first.append(["户主姓名", "公民身份号码", "组别"])
    first.append(["张三", ZHANG, "一组"])
    first.append(["李四", LI, "一组"])
    second = workbook.create_sheet("二组")
    second.append(["组别", "户主姓名", "公民身份号码"])
    second.append(["二组", "王五", WANG])
    other = workbook.create_sheet("汇总")
    other.append(["组别", "户数"])
    other.append(["一组", 2])
    return saved(workbook)


def refused(action) -> tuple[str, str]:
    """The refusal's message in Chinese and in English."""
    messages = []
    for language in ("zh-hans", "en"):
        with translation.override(language), pytest.raises(FileRefused) as refusal:
            action()
        messages.append(refusal.value.message)
    return messages[0], messages[1]


# ---- .xlsx: title rows and merged headers ------------------------------------------------


def test_the_header_of_a_roster_with_a_title_and_merged_headers_is_found():
    for known in (KNOWN, frozenset()):  # by the headers a layout knows, or by its looks
        [shape] = inspect_file(file=io.BytesIO(roster_xlsx()), filename="花名册.xlsx", known=known)
        assert (shape.title, shape.header_row, shape.rows) == ("花名册", 4, 3)
        headers = [(column.index, column.header) for column in shape.columns]
        assert headers == [
            (0, "序号"),  # merged down from row 3
            (1, "户主姓名"),  # the sub-headers under 户主信息
            (2, "公民身份号码"),
            (3, "性别"),
            (4, "组别"),
            (5, "人口数"),
            (6, "住址"),
            (7, "备注"),
        ]
        by_header = {column.header: column.samples for column in shape.columns}
        assert by_header["户主姓名"] == ["张三", "李四", "王五"]
        assert by_header["组别"] == ["第一村民小组", "第二组", "第二组"]  # merged down
        assert by_header["人口数"] == [3, 4, 2]


def test_a_roster_is_read_with_the_mapping_of_its_own_headers():
    table = read(roster_xlsx(), "花名册.xlsx", mapping=ROSTER_MAPPING)
    assert table.headers == ROSTER_MAPPING
    assert table.sheets == {"花名册": 4}
    rows = [
        (n, v["name"], v["id_number"], v["group"], v["size"], v["address"])
        for n, v in numbered(table)
    ]
    assert rows == [
        (5, "张三", ZHANG, "第一村民小组", 3, "一组1号"),
        (6, "李四", LI, "第二组", 4, "二组2号"),
        (7, "王五", WANG, "第二组", 2, "二组5号"),  # the group merged down over both
    ]
    # the layout's own spellings still work on a file that has them
    assert read(roster_xlsx(), "花名册.xlsx", required=["sex"]).headers == {"sex": "性别"}


def test_a_mapped_header_the_file_lacks_and_an_unmapped_required_column_are_refused():
    data = roster_xlsx()
    lacking = refused(lambda: read(data, "h.xlsx", mapping={**ROSTER_MAPPING, "born": "籍贯"}))
    assert "籍贯" in lacking[0] and "籍贯" in lacking[1] and "no column" in lacking[1]
    unmapped = refused(lambda: read(data, "h.xlsx", mapping=ROSTER_MAPPING, required=["number"]))
    assert "户号" in unmapped[0] and "chosen" in unmapped[1] and "选择" in unmapped[0]


# ---- .xls --------------------------------------------------------------------------------


def test_an_old_excel_file_is_read_with_its_dates_numbers_and_merged_header():
    data = roster_xls()
    [shape] = inspect_file(file=io.BytesIO(data), filename="花名册.xls", known=KNOWN)
    assert (shape.title, shape.header_row, shape.rows) == ("花名册", 3, 2)
    assert [c.header for c in shape.columns] == ["序号", "姓名", "出生日期", "人口数", "住址"]
    assert shape.columns[2].samples == [dt.date(1980, 5, 17), dt.datetime(1975, 3, 2, 8, 30)]
    table = read(data, "花名册.xls", mapping={"name": "姓名", "born": "出生日期", "size": "人口数"})
    assert numbered(table) == [
        (4, {"name": "张三", "born": dt.date(1980, 5, 17), "size": 3}),  # text stripped, int
        (5, {"name": "李四", "born": dt.datetime(1975, 3, 2, 8, 30), "size": 2.5}),
    ]
    assert estimate_rows(io.BytesIO(data), "花名册.xls") == 5


def test_an_xlsx_saved_with_an_xls_name_is_read_as_what_it_is():
    table = read(roster_xlsx(), "花名册.xls", mapping=ROSTER_MAPPING)
    assert [row.number for row in table.rows] == [5, 6, 7]


def test_a_damaged_old_excel_file_is_refused_in_the_users_language():
    damaged = roster_xls()[:3000]  # cut short, as a broken download leaves it
    chinese, english = refused(lambda: read(damaged, "花名册.xls"))
    assert ".xls" in chinese and "损坏" in chinese
    assert "cannot be opened" in english and "damaged" in english
    chinese, english = refused(
        lambda: read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.xls")
    )
    assert "损坏" in chinese and "damaged" in english


# ---- CSV in GBK --------------------------------------------------------------------------


def test_a_gbk_csv_with_a_title_line_is_read():
    [shape] = inspect_file(file=io.BytesIO(gbk_csv()), filename="花名册.csv", known=KNOWN)
    assert (shape.title, shape.header_row, shape.rows) == ("", 2, 2)
    assert [c.header for c in shape.columns] == [
        "户主姓名",
        "公民身份号码",
        "组别",
        "人口数",
        "住址",
    ]
    assert shape.columns[2].samples == ["一组", "第二组"]
    table = read(gbk_csv(), "花名册.csv", mapping=ROSTER_MAPPING)
    assert numbered(table)[1] == (
        4,
        {"name": "李四", "id_number": LI, "group": "第二组", "size": "4", "address": "二组2号"},
    )


def test_a_csv_saved_from_a_sheet_with_merged_headers_keeps_both_header_rows():
    """A CSV has no merges: the blank cells of the lower header row take the text above."""
    rows = [
        ["序号", "户主信息", "", "组别"],
        ["", "户主姓名", "公民身份号码", ""],
        ["1", "张三", ZHANG, "一组"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    [shape] = inspect_file(file=io.BytesIO(buffer.getvalue().encode()), filename="h.csv")
    assert shape.header_row == 2
    assert [c.header for c in shape.columns] == ["序号", "户主姓名", "公民身份号码", "组别"]


# ---- several sheets ----------------------------------------------------------------------


def test_every_sheet_of_a_workbook_with_one_sheet_per_group_is_read_together():
    data = groups_xlsx()
    shapes = inspect_file(file=io.BytesIO(data), filename="各组.xlsx", known=KNOWN)
    assert [(s.title, s.header_row, s.rows) for s in shapes] == [
        ("一组", 2, 2),
        ("二组", 1, 1),
        ("汇总", 1, 1),
    ]  # the instructions are not offered
    mapping = {"name": "户主姓名", "id_number": "公民身份号码", "group": "组别"}
    table = read(data, "各组.xlsx", mapping=mapping, all_sheets=True)
    assert table.sheets == {"一组": 2, "二组": 1}  # 汇总 lacks the mapped columns
    assert [(row.sheet, row.number, row.values["name"]) for row in table.rows] == [
        ("一组", 3, "张三"),
        ("一组", 4, "李四"),
        ("二组", 2, "王五"),
    ]
    only_first = read(data, "各组.xlsx", mapping=mapping)
    assert [row.values["name"] for row in only_first.rows] == ["张三", "李四"]


@pytest.mark.django_db
def test_problems_in_a_file_of_several_sheets_name_their_sheet(world):
    workbook = openpyxl.Workbook()
    workbook.active.title = "一组"
    workbook.active.append(["户号", "村民小组"])
    workbook.active.append(["0001", "第一村民小组"])
    second = workbook.create_sheet("二组")
    second.append(["户号", "村民小组"])
    second.append(["0002", "第一村民小组"])
    second.append(["0003", "第九村民小组"])  # the village has no such group
    data = saved(workbook)
    report = import_file(
        layout="households",
        village=world.village1,
        file=io.BytesIO(data),
        filename="各组.xlsx",
        dry_run=True,
        all_sheets=True,
    )
    assert report.rows == 3 and report.sheets == {"一组": 1, "二组": 1}
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("二组", 3, "村民小组")]
    page = render_to_string("registry/_import_report.html", {"report": report})
    assert "<td>二组</td>" in page and "工作表" in page
    alone = import_file(
        layout="households",
        village=world.village1,
        file=io.BytesIO(data),
        filename="各组.xlsx",
        dry_run=True,
    )
    assert [(e.sheet, e.row) for e in alone.errors] == []  # only 一组 read: nothing to name
    one_sheet = RowError(3, "村民小组", "没有这个村民小组")
    page = render_to_string(
        "registry/_import_report.html",
        {"report": {"errors": [one_sheet], "rows": 3, "bad_rows": 1, "error_total": 1}},
    )
    assert "工作表" not in page and "没有这个村民小组" in page


# ---- the report as a spreadsheet ---------------------------------------------------------


def test_the_annotated_copy_shows_each_reason_on_its_row():
    errors = [
        RowError(6, "公民身份号码", "身份证号的校验位不对"),
        RowError(6, "组别", "本村没有第二组"),
        RowError(7, "", "文件中已有此户"),
    ]
    data = annotated_copy(file=io.BytesIO(roster_xlsx()), filename="花名册.xlsx", errors=errors)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "花名册" and len(rows) == 7
    assert rows[0][0] == "枫源村户籍花名册"  # title rows included
    assert rows[3][1] == "户主姓名" and rows[3][8] == "问题"  # the header row, as in the file
    assert rows[4][8] is None
    assert rows[5][8] == "公民身份号码：身份证号的校验位不对；组别：本村没有第二组"
    assert rows[5][7] == "'+86 13700001111"  # what a spreadsheet would run comes back defused
    assert rows[6][4] is None  # a merged cell as it is in the file, not filled
    assert rows[6][8] == "文件中已有此户"
    with translation.override("en"):
        english = annotated_copy(
            file=io.BytesIO(gbk_csv()),
            filename="花名册.csv",
            errors=[RowError(3, "组别", "no such group")],
            header_row=2,
        )
    sheet = openpyxl.load_workbook(io.BytesIO(english)).active
    assert sheet.title == "花名册"
    assert [row[5] for row in sheet.iter_rows(values_only=True)] == [
        None,
        "问题",
        "组别: no such group",
        None,
    ]


def test_the_annotated_copy_of_several_sheets_puts_each_reason_on_its_sheet():
    data = groups_xlsx()
    errors = [RowError(2, "组别", "本村没有二组", sheet="二组")]
    copy = annotated_copy(
        file=io.BytesIO(data),
        filename="各组.xlsx",
        errors=errors,
        sheets={"一组": 2, "二组": 1},
    )
    book = openpyxl.load_workbook(io.BytesIO(copy))
    assert book.sheetnames == ["一组", "二组"]
    assert book["一组"]["D2"].value == "问题" and book["一组"]["D3"].value is None
    assert book["二组"]["D1"].value == "问题"
    assert book["二组"]["D2"].value == "组别：本村没有二组"
