"""Writing workbooks (.xlsx) and CSV files from plain rows. No HTTP here: `core.exports` answers
with the file.

Every cell goes through `defuse`: a text cell that a spreadsheet would run as a formula (starting
with = + - @, a tab or a carriage return) gets a leading quote, and the control characters
openpyxl refuses are dropped. Lazy translations are written as text in the active language.
"""

import csv
import io
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

FORMATS = ("xlsx", "csv")
MAX_TITLE = 31  # Excel's limit on a sheet's name
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def defuse(value: Any) -> Any:
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl refuses control characters
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


@dataclass
class Sheet:
    """One worksheet: a header row (frozen, unless there is none), rows of plain values (dates,
    numbers, text), column widths in characters (by default from the header) and the columns,
    counted from 0, that Excel must keep as text (numbers with leading zeros, ID numbers)."""

    title: str
    header: Sequence[Any] = ()
    rows: Iterable[Sequence[Any]] = ()
    widths: Sequence[int] = ()
    text_columns: Collection[int] = ()

    def column_widths(self) -> list[int]:
        if self.widths:
            return list(self.widths)
        return [max(10, len(str(title)) * 2 + 4) for title in self.header]


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An .xlsx file of these sheets, in order, written row by row (memory stays flat)."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(str(spec.title).translate(_TITLE_FORBIDDEN)[:MAX_TITLE])
        for index, width in enumerate(spec.column_widths()):
            letter = get_column_letter(index + 1)
            sheet.column_dimensions[letter].width = width
            if index in spec.text_columns:
                sheet.column_dimensions[letter].number_format = "@"
        if spec.header:
            sheet.freeze_panes = "A2"
            sheet.append([defuse(value) for value in spec.header])
        for row in spec.rows:
            sheet.append([defuse(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def csv_bytes(sheet: Sheet) -> bytes:
    """One sheet as CSV in UTF-8 with a byte-order mark, which tells Excel it is UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if sheet.header:
        writer.writerow([_csv_value(defuse(value)) for value in sheet.header])
    for row in sheet.rows:
        writer.writerow([_csv_value(defuse(value)) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode()


def file_bytes(sheets: Sheet | Sequence[Sheet], fmt: str) -> bytes:
    """The sheets as a file of `fmt`; a CSV file holds one sheet only."""
    sheets = [sheets] if isinstance(sheets, Sheet) else list(sheets)
    if fmt == "xlsx":
        return workbook_bytes(sheets)
    if fmt == "csv" and len(sheets) == 1:
        return csv_bytes(sheets[0])
    raise ValueError(f"cannot write {len(sheets)} sheets as {fmt}")
