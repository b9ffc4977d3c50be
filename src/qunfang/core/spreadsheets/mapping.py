"""Which column of a village's own sheet holds which field of a layout.

A township's households roster has its own headers (户主姓名, 公民身份号码, 组别, 人口数 …) in
its own order. `suggest` proposes a mapping from the headers it finds and from the values below
them; the user confirms or changes it on the mapping screen, and the confirmed mapping is kept
per village and layout (`core.models.ImportMapping`) and tried first the next time.

A header names a field when, with spacing, case and punctuation folded (`header_key`), it is
one of the field's spellings, or holds one (户主身份证号码(18位) holds 身份证号码). The values
count too, through the field's own parser: a column whose samples its parser reads is more
likely the field, and a column without a known header is offered to the one field whose parser
alone reads its samples (ID numbers, phones, dates, 男/女 …). A free-text field accepts
anything, so its values say nothing.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from qunfang.core.personal import mask_id_number, mask_phone
from qunfang.core.spreadsheets.cells import CellError, as_text, is_blank
from qunfang.core.spreadsheets.reading import FileRefused, SheetShape, header_key, read_table

if TYPE_CHECKING:
    from qunfang.core.spreadsheets.layouts import Column, Layout
    from qunfang.core.spreadsheets.staging import Staged

# what no typed parser reads: a parser that reads it accepts anything (free text)
_NONSENSE = "〆 not a value 〆"
NAMED = 1.0  # the header is one of the field's spellings
CONTAINS = 0.75  # the header holds a spelling, or a spelling holds the header
ENOUGH = 0.5  # the least score a pairing needs to be suggested
READ_SHARE = 0.8  # a column whose samples a typed parser mostly reads "looks like" the field


@dataclass(frozen=True)
class Candidate:
    """A column of the sheet as the mapping step sees it."""

    header: str  # as the user sees it in the file
    samples: tuple[Any, ...] = ()  # values below it, raw


def _is_typed(column: "Column") -> bool:
    """True when the column's parser refuses some text, so its values tell something."""
    if column.parse is None:
        return False
    try:
        column.parse(_NONSENSE)
    except CellError:
        return True
    return False


def read_share(column: "Column", samples: Iterable[Any]) -> float:
    """The share of the non-blank samples the column's parser reads without an error."""
    if column.parse is None:
        return 0.0
    values = [v for v in samples if not is_blank(v)]
    if not values:
        return 0.0
    read = 0
    for value in values:
        try:
            column.parse(value)
        except CellError:
            continue
        read += 1
    return read / len(values)


def name_score(column: "Column", header: str) -> float:
    key = header_key(header)
    if not key:
        return 0.0
    spellings = {header_key(s) for s in (column.header, *column.aliases, column.key)}
    if key in spellings:
        return NAMED
    # short spellings (组, 户) would be found inside almost any header
    if any(len(s) >= 2 and (s in key or key in s) for s in spellings if s):
        return CONTAINS
    return 0.0


def _pair_score(column: "Column", candidate: Candidate, typed: bool) -> float:
    """How sure the header makes us, lowered when a typed field's parser cannot read the values
    below it (a 出生日期 column of text is probably something else). Value-only pairings are
    decided in `suggest`, once the named ones are placed."""
    named = name_score(column, candidate.header)
    if not named or not typed or not candidate.samples:
        return named
    return named * (0.6 + 0.4 * read_share(column, candidate.samples))


def suggest(
    layout: "Layout",
    candidates: list[Candidate],
    remembered: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """{layout key: header} for the columns of `candidates` the layout's fields most likely
    are. A remembered mapping (the village's last confirmed one) comes first for the headers
    the file still has; every header and every field is used at most once."""
    headers = {header_key(c.header): c for c in candidates if header_key(c.header)}
    fields = {c.key: c for c in layout.imported}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for key, header in (remembered or {}).items():
        found = headers.get(header_key(header))
        if key in fields and found is not None and header_key(found.header) not in taken:
            mapping[key] = found.header
            taken.add(header_key(found.header))

    typed = {key: _is_typed(column) for key, column in fields.items()}
    scored = [
        (_pair_score(column, candidate, typed[key]), index, key, candidate)
        for key, column in fields.items()
        if key not in mapping
        for index, candidate in enumerate(candidates)
    ]
    # best first; between equal scores, the column further left (files put names first)
    for score, _index, key, candidate in sorted(scored, key=lambda s: (-s[0], s[1])):
        if score < ENOUGH or key in mapping or header_key(candidate.header) in taken:
            continue
        mapping[key] = candidate.header
        taken.add(header_key(candidate.header))

    # a column nobody named, whose values exactly one typed field reads
    for candidate in candidates:
        if header_key(candidate.header) in taken or _counts_rows(candidate):
            continue
        readers = [
            key
            for key, column in fields.items()
            if typed[key] and read_share(column, candidate.samples) >= READ_SHARE
        ]
        if len(readers) == 1 and readers[0] not in mapping:
            mapping[readers[0]] = candidate.header
            taken.add(header_key(candidate.header))
    return {key: mapping[key] for key in fields if key in mapping}  # in the layout's order


def parse_map_option(text: str) -> dict[str, str]:
    """`HEADER=field,HEADER=field` (the command line's --map) as {field: header}. Raises
    ValueError naming the piece it cannot read."""
    mapping: dict[str, str] = {}
    for piece in (p.strip() for p in text.replace("，", ",").split(",")):
        if not piece:
            continue
        header, sep, key = piece.rpartition("=")
        if not sep or not header.strip() or not key.strip():
            raise ValueError(piece)
        mapping[key.strip()] = header.strip()
    return mapping


SERIAL_HEADERS = {"序号", "编号", "no", "#"}


def _counts_rows(candidate: Candidate) -> bool:
    """A 序号 column (1, 2, 3 …) or one without values: its numbers would pass for Excel
    dates or household sizes, so its values prove nothing."""
    if not candidate.samples or header_key(candidate.header) in SERIAL_HEADERS:
        return True
    numbers = [v for v in candidate.samples if isinstance(v, int | float) and not is_blank(v)]
    if len(numbers) < len(candidate.samples) or len(numbers) < 2:
        return False
    return all(b - a == 1 for a, b in itertools.pairwise(numbers))


def template_shaped(layout: "Layout", shape: SheetShape) -> bool:
    """The sheet is laid out like the layout's template: every header is one the layout knows
    and the required fields are all there, so it needs no mapping step."""
    headers = {header_key(c.header) for c in shape.columns if header_key(c.header)}
    if not headers or not headers <= layout.known():
        return False
    named = {key for key, column in _fields(layout).items() if _named_in(column, headers)}
    return all(c.key in named for c in layout.imported if c.required)


def _fields(layout: "Layout") -> dict[str, "Column"]:
    return {c.key: c for c in layout.imported}


def _named_in(column: "Column", headers: set[str]) -> bool:
    return any(header_key(s) in headers for s in (column.header, *column.aliases, column.key))


def candidates(shape: SheetShape) -> list[Candidate]:
    return [Candidate(c.header, tuple(c.samples)) for c in shape.columns]


PREVIEW_ROWS = 10


def preview(
    layout: "Layout", staged: "Staged", columns: Mapping[str, str], total: int
) -> dict[str, Any]:
    """The first rows as the import will read them with `columns`: per row, each mapped field's
    value or the reason it cannot be read; or the reason the file cannot be read so. `total`:
    the rows the file holds (`SheetShape.rows`), as only the first ones are read here."""
    fields = [c for c in layout.imported if c.key in columns]
    try:
        with staged.open() as handle:
            table = read_table(
                file=handle,
                filename=staged.filename,
                columns=layout.spellings(),
                required=[],
                sheet_names=(layout.sheet, *layout.sheet_aliases),
                mapping=dict(columns),
                all_sheets=staged.all_sheets,
                limit=PREVIEW_ROWS,
            )
    except FileRefused as exc:
        return {"error": exc.message, "fields": fields, "rows": []}
    rows = []
    for source in table.rows:
        cells_shown = []
        for column in fields:
            raw = source.values.get(column.key)
            cells_shown.append(_shown(column, raw))
        several = len(table.sheets) > 1  # name the sheet only when rows come from several
        rows.append(
            {
                "number": source.number,
                "sheet": source.sheet if several else "",
                "cells": cells_shown,
            }
        )
    return {"error": "", "fields": fields, "rows": rows, "total": total}


def _shown(column: "Column", raw: Any) -> dict[str, str]:
    """What the import makes of one cell: its value as text, or the reason it is refused."""
    if is_blank(raw):
        return {"value": "", "error": ""}
    try:
        value = column.parse(raw) if column.parse else raw
    except CellError as exc:
        return {"value": on_screen(raw), "error": exc.message}
    return {"value": on_screen(value), "error": ""}


_ID_LIKE = re.compile(r"\d{15}|\d{17}[\dX]")
_MOBILE_LIKE = re.compile(r"(?:\+?86)?1\d{10}")


def on_screen(value: Any) -> str:
    """A value of the file as the mapping screen shows it: ID numbers and mobile numbers masked
    as everywhere on screen (the file itself is the uploader's; the screen may be overlooked)."""
    text = as_text(value)
    folded = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text)).upper()
    if _ID_LIKE.fullmatch(folded):
        return mask_id_number(folded)
    if _MOBILE_LIKE.fullmatch(folded):
        return mask_phone(folded[-11:])
    return text


def main_sheet(layout: "Layout", shapes: list[SheetShape]) -> SheetShape:
    """The sheet to import: the layout's own sheet if the file has one, else the first sheet
    with rows below its headers."""
    if not shapes:
        raise FileRefused(_("The workbook has no sheet to import."))
    names = {header_key(n) for n in (layout.sheet, *layout.sheet_aliases)}
    return max(shapes, key=lambda s: (header_key(s.title) in names, s.rows > 0))


def as_map_option(columns: Mapping[str, str]) -> str:
    """The mapping as --map writes it: `HEADER=field,HEADER=field`."""
    return ",".join(f"{header}={key}" for key, header in columns.items())
