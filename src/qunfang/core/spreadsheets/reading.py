"""Reading an uploaded .xlsx or .csv into a `Table`: header row found, columns mapped to keys,
blank rows dropped, row numbers as the user sees them in Excel.

Hostile files are refused before they are parsed: a size cap on the upload, the zip's declared
sizes and compression ratios for .xlsx (zipfile never inflates a member past its declared size,
so checking the directory is enough), and a cap on the number of rows and columns.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from qunfang.core.spreadsheets.cells import is_blank

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # honest sheets compress 5-20 times; bombs a thousand times
RATIO_CHECK_FROM = 1024 * 1024  # tiny members may compress any amount
MAX_ZIP_MEMBERS = 1000
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_SHEETS_SEARCHED = 20
HEADER_SEARCH_ROWS = 5  # a title row or two above the headers is common
INSTRUCTION_SHEETS = {"说明", "instructions"}

Upload = UploadedFile | IO[bytes] | bytes | bytearray
HeaderMap = dict[str, tuple[int, str]]  # key -> (column index, header as written)
Rows = list[tuple[int, dict[str, Any]]]  # (row number in Excel, key -> raw value)

# Any element named `f` (optionally namespaced) in a worksheet part is a formula.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


class FileRefused(Exception):
    """The whole file cannot be used; `message` says why in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: dict[str, str]  # key -> the header as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (row number in Excel, key -> raw value)
    formula_cells: set[tuple[int, str]] = field(default_factory=set)  # formulas with no result
    header_keys: set[str] = field(default_factory=set)  # every header of the header row, folded


def header_key(text: Any) -> str:
    """Headers match whatever their spacing, case, punctuation or a required-marking star."""
    return re.sub(r"[\s_\-*＊:：()（）]", "", str(text or "")).lower()


def read_table(
    *,
    file: Upload,
    filename: str,
    columns: dict[str, list[str]],
    required: list[str],
    sheet_names: tuple[str, ...],
) -> Table:
    """`columns` maps each key to the header spellings it accepts."""
    data = _read_capped(file)
    name = filename.lower()
    wanted = {
        header_key(spelling): key for key, spellings in columns.items() for spelling in spellings
    }
    if name.endswith(".csv"):
        return _read_csv(data, wanted, required)
    if name.endswith(".xlsx"):
        return _read_xlsx(data, wanted, required, sheet_names)
    if name.endswith(".xls"):
        raise FileRefused(
            _("Old Excel files (.xls) cannot be read; save the file as .xlsx and try again.")
        )
    raise FileRefused(_("Choose an Excel (.xlsx) or CSV (.csv) file."))


def _read_capped(file: Upload) -> bytes:
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


# ---- header row --------------------------------------------------------------------------


def _map_headers(cells: Sequence[Any], wanted: dict[str, str]) -> HeaderMap:
    """key -> (column index, header as written) for the headers this layout knows."""
    found: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(cells):
        key = wanted.get(header_key(cell))
        if key is None:
            continue  # other columns (notes, serial numbers) are ignored
        if key in found:
            raise FileRefused(
                _("The columns %(first)s and %(second)s say the same thing; keep one.")
                % {"first": found[key][1], "second": str(cell).strip()}
            )
        found[key] = (index, str(cell).strip())
    return found


def _find_header(
    first_rows: Sequence[Sequence[Any]], wanted: dict[str, str], required: list[str]
) -> tuple[int, HeaderMap, list[str]]:
    """(header row number, mapping, missing required keys) — best row among the first few."""
    best: tuple[int, HeaderMap, list[str]] = (0, {}, list(required))
    for number, cells in enumerate(first_rows, start=1):
        mapping = _map_headers(cells, wanted)
        missing = [key for key in required if key not in mapping]
        if not missing:
            return number, mapping, []
        if len(mapping) > len(best[1]):
            best = (number, mapping, missing)
    return best


def _rows(numbered_rows: Iterable[tuple[int, Sequence[Any]]], mapping: HeaderMap) -> Rows:
    rows: Rows = []
    for number, cells in numbered_rows:
        values = {
            key: cells[index] if index < len(cells) else None
            for key, (index, _h) in mapping.items()
        }
        if all(is_blank(v) for v in values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileRefused(
                _("The file has more than %(max)d rows; split it into smaller files.")
                % {"max": MAX_ROWS}
            )
        rows.append((number, values))
    return rows


def _missing_message(missing: list[str], headers_by_key: dict[str, str]) -> str:
    return _("Required columns are missing: %(columns)s. Start from the template.") % {
        "columns": "、".join(headers_by_key[key] for key in missing)
    }


# ---- CSV ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GB18030
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The CSV file is neither UTF-8 nor GB18030 text."))


def _read_csv(data: bytes, wanted: dict[str, str], required: list[str]) -> Table:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileRefused(_("The CSV file is damaged and cannot be read.")) from None
    cells = [[value or None for value in record[:MAX_COLUMNS]] for record in records]
    header_row, mapping, missing = _find_header(cells[:HEADER_SEARCH_ROWS], wanted, required)
    if missing:
        raise FileRefused(_missing_message(missing, _first_spelling(wanted)))
    rows = _rows(enumerate(cells[header_row:], start=header_row + 1), mapping)
    header_keys = {header_key(c) for c in cells[header_row - 1]}
    return Table({key: h for key, (_i, h) in mapping.items()}, rows, header_keys=header_keys)


def _first_spelling(wanted: dict[str, str]) -> dict[str, str]:
    """key -> the first header spelling (the Chinese one): how a missing column is named."""
    names: dict[str, str] = {}
    for spelling, key in wanted.items():
        names.setdefault(key, spelling)
    return names


# ---- XLSX --------------------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
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


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    """Cheap scan of the raw sheet XML, so the common file without formulas is parsed once."""
    for member in archive.infolist():
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        with archive.open(member) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                if _FORMULA_TAG.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    return False


def _read_xlsx(
    data: bytes, wanted: dict[str, str], required: list[str], sheet_names: tuple[str, ...]
) -> Table:
    archive = _open_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on damaged files; all mean "cannot open"
        raise FileRefused(_("This file cannot be opened as an Excel workbook (.xlsx).")) from None
    try:
        sheet, header_row, mapping, header_keys = _find_sheet(
            workbook, wanted, required, sheet_names
        )
        last_col = max(index for index, _h in mapping.values()) + 1
        numbered = enumerate(
            sheet.iter_rows(min_row=header_row + 1, max_col=last_col, values_only=True),
            start=header_row + 1,
        )
        rows = _rows(numbered, mapping)
        title = sheet.title
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(_("The workbook is damaged and cannot be read.")) from None
    finally:
        workbook.close()
    table = Table({key: h for key, (_i, h) in mapping.items()}, rows, header_keys=header_keys)
    if _has_formulas(archive):
        table.formula_cells = _formulas_without_results(data, title, header_row, mapping, rows)
        # a row of nothing but unsaved formulas looked blank: bring it back to be reported
        present = {number for number, _values in rows}
        for number in sorted({n for n, _key in table.formula_cells} - present):
            rows.append((number, dict.fromkeys(mapping)))
        rows.sort(key=lambda row: row[0])
    return table


def _find_sheet(
    workbook: Any, wanted: dict[str, str], required: list[str], sheet_names: tuple[str, ...]
) -> tuple[Any, int, HeaderMap, set[str]]:
    """The sheet with the layout's headers (openpyxl's), its header row, mapping and keys."""
    names = {header_key(n) for n in sheet_names}
    sheets = sorted(
        (ws for ws in workbook.worksheets if header_key(ws.title) not in INSTRUCTION_SHEETS),
        key=lambda ws: header_key(ws.title) not in names,  # the layout's own sheet first
    )[:MAX_SHEETS_SEARCHED]
    best = None
    for sheet in sheets:
        sheet.reset_dimensions()  # dimensions written by other programs are often wrong
        first = list(
            sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True)
        )
        header_row, mapping, missing = _find_header(first, wanted, required)
        if not missing:
            return sheet, header_row, mapping, {header_key(c) for c in first[header_row - 1]}
        if best is None or header_key(sheet.title) in names:
            best = (sheet.title, missing)
    if best is None:
        raise FileRefused(_("The workbook has no sheet to import."))
    raise FileRefused(
        _(
            "No sheet has the columns this import needs (looked first at sheet %(sheet)s). "
            "%(missing)s"
        )
        % {"sheet": best[0], "missing": _missing_message(best[1], _first_spelling(wanted))}
    )


def _formulas_without_results(
    data: bytes, title: str, header_row: int, mapping: HeaderMap, rows: Rows
) -> set[tuple[int, str]]:
    """With data_only a formula whose result was never saved (files written by programs, not
    Excel) reads as empty: find those cells so the row is refused instead of silently blank."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook[title]
        sheet.reset_dimensions()
        last_col = max(index for index, _h in mapping.values()) + 1
        cells_by_row = sheet.iter_rows(min_row=header_row + 1, max_col=last_col)
        values = dict(rows)
        found: set[tuple[int, str]] = set()
        for number, cells in enumerate(cells_by_row, start=header_row + 1):
            for key, (index, _h) in mapping.items():
                cell = cells[index] if index < len(cells) else None
                value = values.get(number, {}).get(key)
                if getattr(cell, "data_type", None) == "f" and is_blank(value):
                    found.add((number, key))
        return found
    finally:
        workbook.close()


# ---- size, before reading ----------------------------------------------------------------


def estimate_rows(file: Upload, filename: str) -> int | None:
    """About how many rows the file holds, cheaply, to choose between importing in the request
    and in the background: the line count of a CSV, the sheets' declared extent of a workbook.
    0 for a file the import will refuse at once (it says why at once), None when unknown."""
    try:
        data = _read_capped(file)
    except FileRefused:
        return 0
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    name = filename.lower()
    if name.endswith(".csv"):
        return data.count(b"\n") + 1
    if not name.endswith(".xlsx"):
        return 0
    try:
        _open_zip(data)
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
