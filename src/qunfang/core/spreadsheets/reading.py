"""Reading an uploaded .xlsx, .xls or .csv into a `Table`: the header row found, columns mapped to
keys (by the layout's spellings, or by a mapping the user confirmed), blank rows dropped, row
numbers as the user sees them in Excel. `inspect_file` tells what a file holds, for the mapping
step. The formats, and the refusal of hostile files before they are parsed, are in `grids`.

The header row is searched among the first HEADER_SEARCH_ROWS rows, written as offices write it:
title rows above (often one cell merged across the width), a header cell merged down over two rows
(序号 over rows 3-4), a group header merged across its sub-headers (户主信息 over 姓名 | 身份证号 |
性别). Each row is read as a header together with the text above it where it has none and the cell
above reaches down into it (a merge, or a row of headers above, as a CSV saved from such a sheet
has it); a row inside a merge that goes on below is no header. The chosen row names the most
columns the import knows, else looks most like a header: mostly short text, data rows below.
"""

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from qunfang.core.spreadsheets import grids
from qunfang.core.spreadsheets.cells import as_text, is_blank
from qunfang.core.spreadsheets.grids import INSTRUCTION_SHEETS as INSTRUCTION_SHEETS
from qunfang.core.spreadsheets.grids import MAX_COLUMNS as MAX_COLUMNS
from qunfang.core.spreadsheets.grids import MAX_FILE_BYTES as MAX_FILE_BYTES
from qunfang.core.spreadsheets.grids import MAX_ROWS as MAX_ROWS
from qunfang.core.spreadsheets.grids import MAX_SHEETS_SEARCHED as MAX_SHEETS_SEARCHED
from qunfang.core.spreadsheets.grids import FileRefused as FileRefused
from qunfang.core.spreadsheets.grids import Grid
from qunfang.core.spreadsheets.grids import Upload as Upload
from qunfang.core.spreadsheets.grids import estimate_rows as estimate_rows
from qunfang.core.spreadsheets.writing import Sheet, workbook_bytes

if TYPE_CHECKING:
    from qunfang.core.spreadsheets.layouts import RowError

HEADER_SEARCH_ROWS = 10  # title rows and two-row headers above the data are common
SAMPLES = 20  # values shown under each column by `inspect_file`
PROBLEM_HEADER = "问题"  # the column `annotated_copy` adds (headers are Chinese, as in templates)

HeaderMap = dict[str, tuple[int, str]]  # key -> (column index, header as written)
Wanted = dict[str, list[str]]  # folded header -> the keys its column gives

# Text that is a number, a date, a phone or an ID number rather than a header.
_DATA_LIKE = re.compile(r"[\W\d_年月日号]*\d[\W\d_年月日号]*")


@dataclass
class TableRow:
    number: int  # as the user sees it in Excel (CSV: the record number)
    values: dict[str, Any]  # key -> raw value
    sheet: str = ""  # the title of its sheet ("" for CSV)
    formulas: set[str] = field(default_factory=set)  # keys whose formula's result was never saved


@dataclass
class Table:
    headers: dict[str, str]  # key -> the header as written in the file (in its first sheet read)
    rows: list[TableRow]
    header_keys: set[str] = field(default_factory=set)  # every header of the header row, folded
    sheets: dict[str, int] = field(default_factory=dict)  # each sheet read -> its header row


@dataclass
class DetectedColumn:
    index: int  # 0-based column index in the sheet
    header: str  # as the user sees it (two-row headers: the lower cell's text, else the upper's)
    samples: list[Any]  # up to SAMPLES non-blank raw values below the header, in order


@dataclass
class SheetShape:
    title: str  # "" for CSV
    header_row: int  # 1-based, as Excel shows it (the lower row of a two-row header)
    columns: list[DetectedColumn]
    rows: int  # non-blank data rows below the header


def header_key(text: Any) -> str:
    """Headers match whatever their spacing, case, punctuation or a required-marking star."""
    return grids.fold(text)


# ---- the header row ----------------------------------------------------------------------


@dataclass
class _Header:
    row: int
    cells: list[Any]  # each column's header value, the one above it included (see the module)
    shape: tuple[bool, int]  # how much the row looks like a header (`_shape`)

    @property
    def texts(self) -> list[str]:
        return [_header_text(value) for value in self.cells]


def _header_text(value: Any) -> str:
    return "" if is_blank(value) else " ".join(as_text(value).split())


def _short_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = " ".join(value.split())
    return 0 < len(text) <= 30 and not _DATA_LIKE.fullmatch(text)


def _shape(cells: list[Any], below: list[list[Any]]) -> tuple[bool, int]:
    """(at least two short texts, mostly short text with data rows below it)."""
    texts = sum(1 for value in cells if _short_text(value))
    others = sum(1 for value in cells if not is_blank(value)) - texts
    followed = any(sum(1 for value in row if not is_blank(value)) >= 2 for row in below)
    return texts >= 2, 2 * texts - 3 * others + (2 if followed else 0)


def _is_header_row(cells: list[Any]) -> bool:
    """Short texts only, at least two: a row of headers (or of group headers)."""
    filled = [value for value in cells if not is_blank(value)]
    return len(filled) >= 2 and all(_short_text(value) for value in filled)


def _candidates(grid: Grid) -> list[_Header]:
    """Every row among the first that may be the header row, read as a header."""
    head = grid.head
    width = max((len(row) for row in head), default=0)
    cover: dict[tuple[int, int], grids.Merge] = {}  # (row, column) -> the merge holding it
    for merge in grid.merges:
        top, bottom, left, right = merge
        if top > HEADER_SEARCH_ROWS:
            break  # sorted by their first row
        for row in range(top, min(bottom, HEADER_SEARCH_ROWS) + 1):
            for column in range(left, min(right + 1, width)):
                cover[row, column] = merge
    inside = {row for (row, _column), merge in cover.items() if row < merge[1]}

    def cell(row: int, column: int) -> Any:
        cells = head[row - 1]
        return cells[column] if column < len(cells) else None

    found = []
    for number in range(1, min(HEADER_SEARCH_ROWS, len(head)) + 1):
        if number in inside:
            continue  # a merge goes on below: the header does too
        plain_above = number > 1 and _is_header_row(head[number - 2])
        cells = []
        for column in range(width):
            value = cell(number, column)
            if is_blank(value):
                holding = cover.get((number, column))
                if holding is not None:  # the text of a merge reaching down from above
                    reaches = holding[0] < number and holding[2] == column
                    value = cell(holding[0], column) if reaches else None
                elif plain_above and (number - 1, column) not in cover:
                    value = cell(number - 1, column)
            cells.append(value)
        found.append(_Header(number, cells, _shape(cells, head[number : number + 3])))
    return found


def _detect(grid: Grid, known: Collection[str]) -> _Header | None:
    """The header row naming the most `known` headers, else the most header-like one; None for a
    sheet with no text at its top."""
    known = set(known)
    candidates = [header for header in _candidates(grid) if any(header.texts)]

    def rank(header: _Header) -> tuple[int, tuple[bool, int], int]:
        named = {header_key(text) for text in header.texts if text} & known
        return len(named), header.shape, -header.row

    return max(candidates, key=rank, default=None)


@dataclass
class _Match:
    header: _Header
    mapping: HeaderMap
    missing: list[str]  # keys needed and not found
    duplicate: tuple[str, str] | None  # two headers giving the same key


def _match(header: _Header, wanted: Wanted, needed: list[str]) -> _Match:
    found: HeaderMap = {}
    duplicate = None
    for index, text in enumerate(header.texts):
        for key in wanted.get(header_key(text), []) if text else []:
            if key not in found:
                found[key] = (index, text)
            elif duplicate is None:
                duplicate = (found[key][1], text)
    return _Match(header, found, [key for key in needed if key not in found], duplicate)


def _best_match(grid: Grid, wanted: Wanted, needed: list[str]) -> _Match | None:
    matches = [_match(header, wanted, needed) for header in _candidates(grid)]
    return max(
        matches,
        key=lambda m: (not m.missing, len(m.mapping), m.header.shape, -m.header.row),
        default=None,
    )


# ---- the table ---------------------------------------------------------------------------


def read_table(
    *,
    file: Upload,
    filename: str,
    columns: dict[str, list[str]],
    required: list[str],
    sheet_names: tuple[str, ...],
    mapping: dict[str, str] | None = None,
    all_sheets: bool = False,
    limit: int | None = None,
) -> Table:
    """`columns` maps each key to the header spellings it accepts, the first the Chinese one.
    `limit`: read no more than that many rows (a preview of the first ones).
    With `mapping` (key -> a header of the file, as `DetectedColumn.header` gives it) the columns
    are found by those headers instead, and each required key must be mapped. With `all_sheets`,
    every sheet whose header row holds the same columns as the first is read too, its rows after
    the first's, each row remembering its sheet."""
    names = {key: spellings[0] if spellings else key for key, spellings in columns.items()}
    missing_message: Callable[[list[str]], str]
    if mapping is None:
        wanted = {header_key(s): [key] for key, spellings in columns.items() for s in spellings}
        needed = list(required)

        def missing_message(missing: list[str]) -> str:
            return _missing_message(missing, names)

    else:
        unknown = set(mapping) - set(columns)
        if unknown:
            raise ValueError(f"not columns of this layout: {sorted(unknown)}")
        chosen = {key: header for key, header in mapping.items() if header_key(header)}
        unmapped = [key for key in required if key not in chosen]
        if unmapped:
            raise FileRefused(
                _("No column of the file was chosen for %(columns)s; choose one for each.")
                % {"columns": "、".join(names[key] for key in unmapped)}
            )
        wanted = {}
        for key, header in chosen.items():
            wanted.setdefault(header_key(header), []).append(key)
        needed = list(chosen)

        def missing_message(missing: list[str]) -> str:
            return _("The file has no column %(columns)s; choose the columns again.") % {
                "columns": "、".join(chosen[key] for key in missing)
            }

    data = grids.read_capped(file)
    with grids.open_book(data, filename) as book:
        found = _choose_sheets(book, wanted, needed, sheet_names, all_sheets, missing_message)
        first = found[0][1]
        table = Table(
            headers={key: header for key, (_index, header) in first.mapping.items()},
            rows=[],
            header_keys={header_key(text) for text in first.header.texts if text},
        )
        for grid, match in found:
            wanted_rows = None if limit is None else limit - len(table.rows)
            if wanted_rows is not None and wanted_rows <= 0:
                break
            rows = _read_rows(grid, match, MAX_ROWS - len(table.rows), wanted_rows)
            if book.kind == "xlsx" and grid.has_formulas:
                _mark_formulas(data, grid, match, rows)
            table.rows += rows
            table.sheets[grid.title] = match.header.row
    return table


def _choose_sheets(
    book: grids.Book,
    wanted: Wanted,
    needed: list[str],
    sheet_names: tuple[str, ...],
    all_sheets: bool,
    missing_message: Callable[[list[str]], str],
) -> list[tuple[Grid, _Match]]:
    """The sheet to read (the layout's own first, else the first with every needed column), or
    with `all_sheets` every sheet, in the workbook's order, with the columns the first has."""
    names = {header_key(name) for name in sheet_names}
    found: list[tuple[Grid, _Match]] = []
    best: tuple[str, list[str]] | None = None  # the sheet a refusal names, and what it misses
    for grid in book.sheets(first=() if all_sheets else names):
        match = _best_match(grid, wanted, needed)
        if match is not None and not match.missing:
            if match.duplicate is not None:
                raise FileRefused(
                    _("The columns %(first)s and %(second)s say the same thing; keep one.")
                    % {"first": match.duplicate[0], "second": match.duplicate[1]}
                )
            found.append((grid, match))
            if not all_sheets:
                break
        elif best is None or header_key(grid.title) in names:
            best = (grid.title, match.missing if match is not None else needed)
    if found:
        keys = found[0][1].mapping.keys()
        return [(grid, match) for grid, match in found if keys <= match.mapping.keys()]
    if book.kind == "csv":
        raise FileRefused(missing_message(best[1] if best else needed))
    if best is None:
        raise FileRefused(_("The workbook has no sheet to import."))
    raise FileRefused(
        _(
            "No sheet has the columns this import needs (looked first at sheet %(sheet)s). "
            "%(missing)s"
        )
        % {"sheet": best[0], "missing": missing_message(best[1])}
    )


def _missing_message(missing: list[str], names: dict[str, str]) -> str:
    return _("Required columns are missing: %(columns)s. Start from the template.") % {
        "columns": "、".join(names[key] for key in missing)
    }


def _read_rows(grid: Grid, match: _Match, room: int, stop: int | None = None) -> list[TableRow]:
    """The sheet's non-blank rows below the header (refused past `room`, cut at `stop`)."""
    if not match.mapping:
        return []
    width = max(index for index, _header in match.mapping.values()) + 1
    rows: list[TableRow] = []
    for number, cells in grid.rows(match.header.row + 1, width):
        values = {key: cells[index] for key, (index, _header) in match.mapping.items()}
        if all(is_blank(value) for value in values.values()):
            continue
        if stop is not None and len(rows) >= stop:
            break
        if len(rows) >= room:
            raise grids.too_many_rows()
        rows.append(TableRow(number, values, grid.title))
    return rows


def _mark_formulas(data: bytes, grid: Grid, match: _Match, rows: list[TableRow]) -> None:
    """With data_only a formula whose result was never saved reads as empty: mark those cells
    so the row is refused instead of silently blank."""
    keys_of: dict[int, list[str]] = {}
    for key, (index, _header) in match.mapping.items():
        keys_of.setdefault(index, []).append(key)
    formulas = grids.formula_cells(data, grid.title, match.header.row + 1, keys_of.keys())
    by_number = {row.number: row for row in rows}
    for number, index in sorted(formulas):
        row = by_number.get(number)
        if row is None:  # a row of nothing but unsaved formulas looked blank: report it
            row = by_number[number] = TableRow(number, dict.fromkeys(match.mapping), grid.title)
            rows.append(row)
        row.formulas.update(key for key in keys_of[index] if is_blank(row.values.get(key)))
    rows.sort(key=lambda row: row.number)


# ---- what a file holds, for the mapping step ---------------------------------------------


def inspect_file(
    *, file: Upload, filename: str, known: Collection[str] = frozenset()
) -> list[SheetShape]:
    """Each sheet's header row, its columns with sample values, and its number of data rows.
    `known`: the folded headers (`header_key`) of the layout; the header row is the one naming
    the most of them, else the one that looks most like a header. Instructions are skipped; at
    most MAX_SHEETS_SEARCHED sheets; a sheet with nothing at its top is left out."""
    data = grids.read_capped(file)
    shapes = []
    with grids.open_book(data, filename) as book:
        for grid in book.sheets():
            header = _detect(grid, known)
            if header is None:
                continue
            found = [DetectedColumn(i, text, []) for i, text in enumerate(header.texts) if text]
            rows = 0
            for _number, cells in grid.rows(header.row + 1, found[-1].index + 1):
                filled = [column for column in found if not is_blank(cells[column.index])]
                if not filled:
                    continue
                rows += 1
                if rows > MAX_ROWS:
                    raise grids.too_many_rows()
                for column in filled:
                    if len(column.samples) < SAMPLES:
                        column.samples.append(cells[column.index])
            shapes.append(SheetShape(grid.title, header.row, found, rows))
    return shapes


def detect_header_row(grid: Grid, known: Collection[str] = frozenset()) -> int | None:
    """The header row `inspect_file` would choose for this sheet."""
    header = _detect(grid, known)
    return None if header is None else header.row


# ---- the report as a spreadsheet ---------------------------------------------------------


def annotated_copy(
    *,
    file: Upload,
    filename: str,
    errors: Sequence["RowError"],
    header_row: int | None = None,
    sheets: Mapping[str, int] | None = None,
) -> bytes:
    """The file as it was sent, as an .xlsx: every row of the sheet(s) read, title rows included,
    values as they were, and a column 问题 holding on each bad row its reasons in the user's
    language, joined with "；". The writer defuses every cell against formulas.

    `sheets` (`ImportReport.sheets`): the sheets the import read, with their header rows. Without
    it, the sheets the errors name, else the sheet whose header holds the errors' columns; each
    with its 问题 header in `header_row`, else in the row `inspect_file` takes for the header."""
    data = grids.read_capped(file)
    reasons: dict[tuple[str, int], dict[str, None]] = {}  # (sheet, row) -> reasons, in order
    for error in errors:
        reason = error.message
        if error.column:
            reason = _("%(column)s: %(message)s") % {"column": error.column, "message": reason}
        reasons.setdefault((error.sheet, error.row), {})[reason] = None
    titles = list(sheets or {}) or [title for title, _row in reasons if title]
    known = {header_key(error.column) for error in errors if error.column}
    with grids.open_book(data, filename) as book:
        found = list(book.sheets())
        chosen = [grid for grid in found if grid.title in titles]
        if not chosen and found:  # one sheet was read; its header holds the errors' columns
            chosen = [max(found, key=lambda grid: _named(grid, known))]
        if not chosen:
            raise FileRefused(_("The workbook has no sheet to import."))
        copies = []
        for index, grid in enumerate(chosen):
            header = (sheets or {}).get(grid.title) or header_row or detect_header_row(grid, known)
            own = {
                row: "；".join(texts)
                for (title, row), texts in reasons.items()
                if title == grid.title or (not title and index == 0)
            }
            title = grid.title or PurePath(filename).stem or "Sheet1"
            copies.append(_copy(grid, title, header, own))
        return workbook_bytes(copies)


def _named(grid: Grid, known: set[str]) -> int:
    header = _detect(grid, known)
    return 0 if header is None else len({header_key(t) for t in header.texts if t} & known)


def _copy(grid: Grid, title: str, header_row: int | None, reasons: dict[int, str]) -> Sheet:
    """The sheet's rows as they are in the file (nothing filled in), to its last value, with
    the reasons after its last column."""
    width = last = 0
    for number, cells in grid.rows(1, MAX_COLUMNS, fill=False):
        filled = [index for index, value in enumerate(cells) if not is_blank(value)]
        if filled:
            width, last = max(width, filled[-1] + 1), number
    last = max(last, header_row or 0, *reasons)

    def rows() -> Iterator[list[Any]]:
        for number, cells in grid.rows(1, width, fill=False):
            if number > last:
                break
            if number == header_row:
                yield [*cells, PROBLEM_HEADER]
            else:
                yield [*cells, reasons[number]] if number in reasons else cells

    return Sheet(title=title, rows=rows(), widths=[12] * width + [60])
