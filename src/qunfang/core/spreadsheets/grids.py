"""An uploaded file opened as grids of cells, one per sheet, whatever its format: .xlsx (openpyxl,
read-only, streamed), .xls of old Excel and WPS (xlrd) and .csv in UTF-8 or GB18030. `reading`
finds the header row and the columns in them.

Hostile files are refused before they are parsed: a size cap on the upload, the zip's declared
sizes and compression ratios for .xlsx (zipfile never inflates a member past its declared size,
so checking the directory is enough), and caps on rows and columns. An .xls holds at most 65,536
rows of 256 cells and is not compressed; its rows are read ragged, so a file that only claims a
wide sheet takes no memory for the cells it does not have.

Merged cells are kept as ranges: the reader takes headers written over two rows from them, and
fills a cell merged down over several data rows (a group written once beside its households)
with the merge's value. read-only openpyxl does not see merges, so they are found in the sheet's
XML, streamed once together with the check for formulas.
"""

import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import IO, Any

import openpyxl
import xlrd
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string

from qunfang.core.spreadsheets.cells import is_blank

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # honest sheets compress 5-20 times; bombs a thousand times
RATIO_CHECK_FROM = 1024 * 1024  # tiny members may compress any amount
MAX_ZIP_MEMBERS = 1000
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_SHEETS_SEARCHED = 20
MAX_MERGES = 100_000  # merged ranges kept per sheet; more are ignored
HEAD_ROWS = 13  # the rows searched for the header (10) and a few below, to see data follow
INSTRUCTION_SHEETS = {"说明", "instructions"}

Upload = UploadedFile | IO[bytes] | bytes | bytearray
# first and last row (1-based, as Excel numbers them), first and last column (0-based)
Merge = tuple[int, int, int, int]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .xls (and of .et, .doc)
# Any element named `f` (optionally namespaced) in a worksheet part is a formula.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_TAG = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"'
)


class FileRefused(Exception):
    """The whole file cannot be used; `message` says why in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(max)d rows; split it into smaller files.") % {"max": MAX_ROWS}
    )


def read_capped(file: Upload) -> bytes:
    too_big = FileRefused(
        _("The file is larger than %(size)d MB; split it into smaller files.")
        % {"size": MAX_FILE_BYTES // (1024 * 1024)}
    )
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if (getattr(file, "size", None) or 0) > MAX_FILE_BYTES:
            raise too_big
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise too_big
    if not data:
        raise FileRefused(_("The file is empty."))
    return data


# ---- one sheet -------------------------------------------------------------------------------


class Grid:
    """One sheet: its title ("" for CSV), its first rows, its merged ranges (sorted by first row),
    and its rows read on demand."""

    has_formulas = False  # .xlsx: some cell holds a formula (its saved result may be missing)

    def __init__(self, title: str, head: list[list[Any]], merges: list[Merge]) -> None:
        self.title = title
        self.head = head
        self.merges = merges

    def raw_rows(self, first: int, width: int) -> Iterator[Sequence[Any]]:
        """Consecutive rows from row `first` to the end, each at most `width` cells."""
        raise NotImplementedError

    def rows(self, first: int, width: int, *, fill: bool = True) -> Iterator[tuple[int, list[Any]]]:
        """(row number, exactly `width` values) from row `first` on. With `fill`, a blank cell
        merged down under a value (a group written once beside its households) has that value."""
        down = [m for m in self.merges if m[1] > m[0] and m[1] >= first and m[2] < width]
        active: dict[int, tuple[int, Any]] = {}  # column -> (last row of the merge, its value)
        waiting = 0
        for number, raw in enumerate(self.raw_rows(first, width), start=first):
            cells = list(raw[:width])
            cells += [None] * (width - len(cells))
            if fill:
                while waiting < len(down) and down[waiting][0] <= number:
                    top, last, column, _right = down[waiting]
                    waiting += 1
                    if top == number:
                        active[column] = (last, cells[column])
                    elif top <= len(self.head):  # a merge begun above `first`
                        above = self.head[top - 1]
                        active[column] = (last, above[column] if column < len(above) else None)
                for column, (last, value) in list(active.items()):
                    if number > last:
                        del active[column]
                    elif is_blank(cells[column]):
                        cells[column] = value
            yield number, cells


class _CsvGrid(Grid):
    def __init__(self, text: str, delimiter: str) -> None:
        self._text = text
        self._delimiter = delimiter
        head = [list(row) for row in itertools.islice(self.raw_rows(1, MAX_COLUMNS), HEAD_ROWS)]
        super().__init__("", head, [])

    def raw_rows(self, first: int, width: int) -> Iterator[Sequence[Any]]:
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self._delimiter)
        try:
            for record in itertools.islice(reader, first - 1, None):
                yield [value or None for value in record[: min(width, MAX_COLUMNS)]]
        except csv.Error:
            raise FileRefused(_("The CSV file is damaged and cannot be read.")) from None


class _XlsxGrid(Grid):
    def __init__(self, sheet: Any, archive: zipfile.ZipFile) -> None:
        self._sheet = sheet
        sheet.reset_dimensions()  # dimensions written by other programs are often wrong
        merges, self.has_formulas = _scan_sheet_xml(archive, getattr(sheet, "_worksheet_path", ""))
        head = [list(row) for row in itertools.islice(self.raw_rows(1, MAX_COLUMNS), HEAD_ROWS)]
        super().__init__(str(sheet.title), head, merges)

    def raw_rows(self, first: int, width: int) -> Iterator[Sequence[Any]]:
        rows: Iterator[Sequence[Any]] = self._sheet.iter_rows(
            min_row=first, max_col=min(width, MAX_COLUMNS), values_only=True
        )
        return rows


class _XlsGrid(Grid):
    def __init__(self, sheet: Any, datemode: int) -> None:
        self._sheet = sheet
        self._datemode = datemode
        merges = sorted(
            (top + 1, bottom, left, right - 1)
            for top, bottom, left, right in sheet.merged_cells[:MAX_MERGES]
            if bottom > top and right > left
        )
        head = list(itertools.islice(self.raw_rows(1, MAX_COLUMNS), HEAD_ROWS))
        super().__init__(str(sheet.name), [list(row) for row in head], merges)

    def raw_rows(self, first: int, width: int) -> Iterator[Sequence[Any]]:
        sheet, width = self._sheet, min(width, MAX_COLUMNS)
        for index in range(first - 1, sheet.nrows):
            end = min(width, sheet.row_len(index))
            kinds = sheet.row_types(index, 0, end)
            values = sheet.row_values(index, 0, end)
            yield [_xls_value(k, v, self._datemode) for k, v in zip(kinds, values, strict=True)]


def _xls_value(kind: int, value: Any, datemode: int) -> Any:
    """An xlrd cell as the value openpyxl would give: dates as dates, whole numbers as int."""
    if kind == xlrd.XL_CELL_TEXT:
        return str(value).strip() or None
    if kind == xlrd.XL_CELL_NUMBER:
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment: dt.datetime = xlrd.xldate.xldate_as_datetime(value, datemode)
        except (ValueError, OverflowError):
            return value  # not a date Excel can show: the number, for the parser to refuse
        return moment.date() if moment.time() == dt.time() else moment
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(value, "#ERROR"))
    return None  # empty and blank cells


def _scan_sheet_xml(archive: zipfile.ZipFile, path: str) -> tuple[list[Merge], bool]:
    """The merged ranges of a worksheet part and whether it holds a formula, in one streamed pass
    (merges come after the cells, so the whole part is read)."""
    merges: set[Merge] = set()
    formulas = False
    try:
        stream = archive.open(path)
    except (KeyError, ValueError):  # openpyxl names the part; unknown here: no merges
        return [], True  # and look for formulas as if there were some
    with stream:
        tail = b""
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            formulas = formulas or bool(_FORMULA_TAG.search(window))
            if b"mergeCell" in window:
                for match in _MERGE_TAG.finditer(window):
                    if len(merges) >= MAX_MERGES:
                        break
                    left, top, right, bottom = match.groups()
                    merges.add(
                        (
                            int(top),
                            int(bottom),
                            column_index_from_string(left.decode()) - 1,
                            column_index_from_string(right.decode()) - 1,
                        )
                    )
            tail = window[-200:]  # a tag cut between two chunks is whole in the next window
    # a range of one cell merges nothing; a reversed one is not Excel's
    kept = (m for m in merges if m[1] >= m[0] and m[3] >= m[2] and (m[1] > m[0] or m[3] > m[2]))
    return sorted(kept), formulas


# ---- the file --------------------------------------------------------------------------------


class Book:
    """The sheets of one file; `sheets()` opens them one by one."""

    def __init__(self, kind: str, titles: list[str], load: Callable[[int], Grid]) -> None:
        self.kind = kind  # "csv", "xlsx" or "xls"
        self.titles = titles
        self._load = load

    def sheets(self, first: Collection[str] = ()) -> Iterator[Grid]:
        """The sheets to search, in the workbook's order but those named in `first` (folded with
        `fold`) before the others; instructions skipped; at most MAX_SHEETS_SEARCHED."""
        indexes = [i for i, t in enumerate(self.titles) if fold(t) not in INSTRUCTION_SHEETS]
        indexes.sort(key=lambda i: fold(self.titles[i]) not in first)
        for index in indexes[:MAX_SHEETS_SEARCHED]:
            yield self._load(index)


def fold(text: Any) -> str:
    """Headers and sheet names match whatever their spacing, case, punctuation or a star."""
    return re.sub(r"[\s_\-*＊:：()（）]", "", str(text or "")).lower()


def file_kind(data: bytes, filename: str) -> str:
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".xlsx", ".xls")):
        if data.startswith(_ZIP_MAGIC):  # an .xlsx, whatever its name says
            return "xlsx"
        if data.startswith(_OLE_MAGIC):
            return "xls"
        if name.endswith(".xlsx"):
            raise FileRefused(_("This file cannot be opened as an Excel workbook (.xlsx)."))
        raise _xls_refused()
    raise FileRefused(_("Choose an Excel (.xlsx or .xls) or CSV (.csv) file."))


def _xls_refused() -> FileRefused:
    return FileRefused(
        _(
            "This file cannot be opened as an old Excel workbook (.xls); it may be damaged. "
            "Open it in Excel or WPS, save it as .xlsx and import that file."
        )
    )


@contextlib.contextmanager
def open_book(data: bytes, filename: str) -> Iterator[Book]:
    """The file's sheets, refused before parsing if hostile; closed on leaving."""
    kind = file_kind(data, filename)
    if kind == "csv":
        text = decode(data)
        first_line = text.split("\n", 1)[0]
        delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
        yield Book(kind, [""], lambda _index: _CsvGrid(text, delimiter))
    elif kind == "xlsx":
        archive = open_zip(data)
        workbook = _load_xlsx(data)
        sheets = workbook.worksheets
        try:
            yield Book(
                kind, [str(ws.title) for ws in sheets], lambda i: _XlsxGrid(sheets[i], archive)
            )
        except FileRefused:
            raise
        except Exception:  # openpyxl raises many kinds on damaged sheets
            raise FileRefused(_("The workbook is damaged and cannot be read.")) from None
        finally:
            workbook.close()
    else:
        book = _load_xls(data)
        try:
            yield Book(
                kind,
                [str(name) for name in book.sheet_names()],
                lambda i: _XlsGrid(book.sheet_by_index(i), book.datemode),
            )
        except FileRefused:
            raise
        except Exception:  # xlrd raises many kinds on damaged sheets
            raise _xls_refused() from None
        finally:
            book.release_resources()


def _load_xlsx(data: bytes) -> Any:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on damaged files; all mean "cannot open"
        raise FileRefused(_("This file cannot be opened as an Excel workbook (.xlsx).")) from None


def _load_xls(data: bytes, *, formatting: bool = True) -> Any:
    """Formatting is read for the merged cells; a file whose formatting xlrd cannot read is
    read without it (no merges) rather than refused."""
    try:
        return xlrd.open_workbook(
            file_contents=data,
            formatting_info=formatting,
            on_demand=True,
            ragged_rows=True,
            logfile=io.StringIO(),  # xlrd writes its warnings to stdout otherwise
        )
    except Exception:  # xlrd raises many kinds on damaged files
        if formatting:
            return _load_xls(data, formatting=False)
        raise _xls_refused() from None


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GB18030
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The CSV file is neither UTF-8 nor GB18030 text."))


def open_zip(data: bytes) -> zipfile.ZipFile:
    unreadable = FileRefused(_("This file cannot be opened as an Excel workbook (.xlsx)."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    members = archive.infolist()
    unsafe = FileRefused(_("This workbook unpacks to far more than it holds; refused as unsafe."))
    if len(members) > MAX_ZIP_MEMBERS:
        raise unsafe
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise unsafe
    for m in members:
        if m.file_size > RATIO_CHECK_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise unsafe
    return archive


def formula_cells(
    data: bytes, title: str, first: int, columns: Collection[int]
) -> set[tuple[int, int]]:
    """(row, column) of the cells holding a formula from row `first` on, in `columns`: with
    data_only, a formula whose result was never saved (files written by programs, not Excel)
    reads as empty, and the reader must not take it for an empty cell."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook[title]
        sheet.reset_dimensions()
        width = max(columns) + 1
        found: set[tuple[int, int]] = set()
        for number, cells in enumerate(sheet.iter_rows(min_row=first, max_col=width), start=first):
            for index in columns:
                cell = cells[index] if index < len(cells) else None
                if getattr(cell, "data_type", None) == "f":
                    found.add((number, index))
        return found
    finally:
        workbook.close()


# ---- size, before reading --------------------------------------------------------------------


def estimate_rows(file: Upload, filename: str) -> int | None:
    """About how many rows the file holds, cheaply, to choose between importing in the request
    and in the background: the line count of a CSV, the sheets' declared extent of a workbook.
    0 for a file the import will refuse at once (it says why at once), None when unknown."""
    try:
        data = read_capped(file)
        kind = file_kind(data, filename)
    except FileRefused:
        return 0
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    if kind == "csv":
        return data.count(b"\n") + 1
    try:
        if kind == "xls":
            book = _load_xls(data, formatting=False)
            try:
                sheets = range(min(book.nsheets, MAX_SHEETS_SEARCHED))
                return max((int(book.sheet_by_index(i).nrows) for i in sheets), default=0)
            finally:
                book.release_resources()
        open_zip(data)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # refused or damaged: the import reports it at once
        return 0
    try:
        extents: list[int | None] = [
            sheet.max_row for sheet in workbook.worksheets[:MAX_SHEETS_SEARCHED]
        ]
    finally:
        workbook.close()
    known = [extent for extent in extents if extent is not None]
    return None if len(known) < len(extents) else max(known, default=0)
