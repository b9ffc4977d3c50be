"""The spreadsheet machinery every import and export uses (`core.spreadsheets`, and
`core.exports` for the download): hostile files refused before they are parsed, the sheet and
header row found, cells read the ways villages write them, every written cell defused against
formulas, downloads named in Chinese. The registry's layouts show whole imports
(tests/registry/test_spreadsheets.py)."""

import csv
import datetime as dt
import io
import time
import zipfile
from urllib.parse import unquote

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from qunfang.core.exports import XLSX, spreadsheet_response
from qunfang.core.spreadsheets import (
    MAX_ROWS,
    CellError,
    FileRefused,
    Sheet,
    cells,
    csv_bytes,
    defuse,
    file_bytes,
    read_table,
    workbook_bytes,
)

COLUMNS = {"number": ["户号", "household number"], "address": ["地址", "address"]}


def xlsx(rows, sheet="Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def read(data: bytes, filename: str = "file.xlsx", required=("number",)):
    return read_table(
        file=io.BytesIO(data),
        filename=filename,
        columns=COLUMNS,
        required=list(required),
        sheet_names=("住户", "households"),
    )


def numbered(table):
    return [(row.number, row.values) for row in table.rows]


def refusal(data: bytes, filename: str = "file.xlsx", **kwargs) -> str:
    with pytest.raises(FileRefused) as refused:
        read(data, filename, **kwargs)
    return refused.value.message


# ---- reading: hostile and odd files ------------------------------------------------------


def test_a_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(32):
                sheet.write(b"<c><v>0</v></c>" * 65536)  # 32 MB of one repeated cell
    assert len(buffer.getvalue()) < 200_000
    start = time.perf_counter()
    with translation.override("en"):
        message = refusal(buffer.getvalue(), "bomb.xlsx")
    assert time.perf_counter() - start < 1 and "unsafe" in message


def test_a_file_over_the_size_cap_is_refused():
    assert "10" in refusal(b"x" * (10 * 1024 * 1024 + 1), "big.csv")


def test_a_csv_over_the_row_limit_is_refused():
    rows = [["户号"], *([f"{n:06d}"] for n in range(MAX_ROWS + 1))]
    assert str(MAX_ROWS) in refusal(csv_file(rows), "many.csv")


def test_missing_headers_and_unreadable_files_get_clear_messages():
    with translation.override("en"):
        missing = refusal(xlsx([["地址"], ["一组1号"]]))
        assert "户号" in missing and "missing" in missing
        assert "cannot be opened" in refusal(b"not a zip", "x.xlsx")
        assert "damaged" in refusal(b"\xd0\xcf\x11\xe0", "old.xls")
        assert "CSV" in refusal(b"a,b", "notes.txt")


def test_the_right_sheet_and_header_row_are_found():
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"  # instructions are never read as data
    workbook.active.append(["户号", "随便写点什么"])
    households = workbook.create_sheet("住户")
    households.append(["枫源村住户登记表"])  # a title row above the headers
    households.append(["序号", "Household number", "地址"])  # other columns are ignored
    households.append([1, "0001", "一组1号"])
    households.append([None, None, None])  # blank rows are dropped
    households.append([2, "0002", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read(buffer.getvalue())
    assert table.headers == {"number": "Household number", "address": "地址"}
    assert numbered(table) == [
        (3, {"number": "0001", "address": "一组1号"}),
        (5, {"number": "0002", "address": None}),
    ]


def test_a_gb18030_csv_is_read():
    data = csv_file([["户号", "地址"], ["0001", "枫源村一组"]], encoding="gb18030")
    assert numbered(read(data, "住户.csv")) == [(2, {"number": "0001", "address": "枫源村一组"})]


def test_a_formula_is_read_as_its_saved_result_and_one_without_is_marked():
    unsaved = xlsx([["户号", "地址"], ["0001", "一组1号"], ["0002", "=B2"]])  # openpyxl saves none
    table = read(unsaved)
    assert [(row.number, row.formulas) for row in table.rows] == [(2, set()), (3, {"address"})]
    saved = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(unsaved))
    with source, zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":  # as Excel saves it: with the result
                data = data.replace(
                    b'<c r="B3"><f>B2</f><v /></c>',
                    '<c r="B3" t="str"><f>B2</f><v>一组1号</v></c>'.encode(),
                )
            target.writestr(member, data)
    table = read(saved.getvalue())
    assert not any(row.formulas for row in table.rows)
    assert numbered(table)[1] == (3, {"number": "0002", "address": "一组1号"})


# ---- cells -------------------------------------------------------------------------------


def test_dates_and_yes_no_are_read_the_ways_villages_write_them():
    for written in ("2024-03-01", "2024/3/1", "2024年3月1日", "20240301", "２０２４-０３-０１"):
        assert cells.parse_date(written) == dt.date(2024, 3, 1)
    assert cells.parse_date(dt.datetime(2024, 3, 1, 9, 30)) == dt.date(2024, 3, 1)
    yes_no = [cells.parse_bool(value) for value in ("是", "Y", "√", "否", "no", "×")]
    assert yes_no == [True, True, True, False, False, False]
    for bad in ("2024-02-30", "next week"):
        with pytest.raises(CellError):
            cells.parse_date(bad)


def test_an_id_number_that_excel_turned_into_a_number_is_refused():
    for value in (110105194912310020, 1.10105194912310e17, "1.1010519491231E+17"):
        with translation.override("en"), pytest.raises(CellError) as refused:
            cells.parse_id_number(value)
        assert "as a number" in refused.value.message


# ---- writing -----------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil")', "+8613700001111", "-2+3", "@SUM(A1)", "\tcmd"]


def test_every_written_cell_that_would_run_as_a_formula_is_defused():
    sheet = Sheet("名单", ["姓名", *HOSTILE], [[*HOSTILE, -3, 2.5, "a\x00b", gettext_lazy("yes")]])
    with translation.override("en"):  # a lazy translation is written in the active language
        book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([sheet])))
    header, row = book.active.iter_rows(values_only=True)
    defused = tuple("'" + value for value in HOSTILE)
    assert header[1:6] == defused and row[:5] == defused
    assert row[5:] == (-3, 2.5, "ab", "yes")  # numbers stay numbers; control characters go
    lines = list(csv.reader(io.StringIO(csv_bytes(sheet).decode("utf-8-sig"), newline="")))
    assert tuple(lines[1][:5]) == defused and lines[1][5] == "-3"
    assert defuse("\rx") == "'\rx"  # (XML reads a carriage return back as a line feed)


def test_a_workbook_keeps_its_sheets_titles_widths_and_text_columns():
    counts = Sheet("考勤/按人", ["户号", "人数"], [["0001", 3]], widths=[20, 8], text_columns={0})
    data = workbook_bytes([counts, Sheet("说明", rows=[["只有说明"]])])
    book = openpyxl.load_workbook(io.BytesIO(data))
    first, notes = book.worksheets
    assert book.sheetnames == ["考勤-按人", "说明"]  # "/" is not allowed in a sheet's name
    assert first.freeze_panes == "A2" and notes.freeze_panes is None
    assert first.column_dimensions["A"].width == 20 and first["A2"].value == "0001"
    assert first.column_dimensions["A"].number_format == "@"  # Excel keeps the leading zeros
    assert first.column_dimensions["B"].number_format == "General"
    assert notes["A1"].value == "只有说明"
    with pytest.raises(ValueError):
        file_bytes([Sheet("a"), Sheet("b")], "csv")  # a CSV file holds one sheet


# ---- the download ------------------------------------------------------------------------


def test_a_download_is_named_in_chinese_for_browsers_and_in_ascii_for_old_clients():
    name = "排班表-枫源/乐山联防区-20270301.xlsx"
    response = spreadsheet_response(
        [Sheet("排班表", ["日期"], [[dt.date(2027, 3, 1)]])], name, ascii_filename="roster-7.xlsx"
    )
    assert response["Content-Type"] == XLSX
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    plain, encoded = disposition.split("; filename*=UTF-8''")
    assert plain == 'attachment; filename="roster-7.xlsx"'
    assert unquote(encoded) == name and "/" not in encoded and encoded.isascii()
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["排班表"]


def test_a_download_without_an_ascii_name_keeps_the_ascii_part_and_csv_is_text():
    response = spreadsheet_response(Sheet("人员", ["姓名"], [["=1+1"]]), "人员-2024-03-01.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="2024-03-01.csv"; ')
    assert response.content.decode("utf-8-sig").splitlines() == ["姓名", "'=1+1"]
    with pytest.raises(ValueError):
        spreadsheet_response(b"", "人员.txt")
