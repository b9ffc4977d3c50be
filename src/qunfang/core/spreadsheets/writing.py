"""Exports and templates, with the same Chinese headers the imports read.

Exports mask ID numbers and phones, and defuse formula injection: a text cell that a spreadsheet
would run as a formula (starting with = + - @, a tab or a carriage return) gets a leading quote.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from qunfang.core.exports import CONTENT_TYPES
from qunfang.registry.spreadsheets.layouts import LAYOUTS, Column, Layout

FORMATS = {fmt: CONTENT_TYPES[fmt] for fmt in ("xlsx", "csv")}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = {"number", "head", "id_number", "phone", "household"}  # digits Excel must not eat


def defuse(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl refuses control characters
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode()  # the BOM tells Excel it is UTF-8


def _xlsx(layout: Layout, columns: list[Column], rows: Iterable[list[Any]], notes: bool) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(layout.sheet)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 4)
        if column.key in _TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append(row)
    if notes:
        _instructions(workbook, layout, columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(workbook: Workbook, layout: Layout, columns: list[Column]) -> None:
    sheet = workbook.create_sheet("说明")
    for letter, width in zip("ABCD", (16, 22, 10, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_("How to fill in the sheet %(sheet)s") % {"sheet": layout.sheet}])
    for note in (
        _("One row per record; the first row holds the column names. Delete the example row."),
        _("Columns can be in any order; other columns are ignored. English column names work too."),
        _("Empty cells leave what is already in the register unchanged."),
        _("Dates as YYYY-MM-DD (or real Excel dates); yes/no as 是 or 否."),
        _("Importing the same file again changes nothing."),
        *layout.notes,
    ):
        sheet.append(["", str(note)])
    sheet.append([])
    sheet.append([_("Column"), _("English name"), _("Required"), _("What to write")])
    for column in columns:
        sheet.append([column.header, column.aliases[0] if column.aliases else "",
                      _("required") if column.required else "", str(column.help)])  # fmt: skip


def export_file(*, layout: str, queryset: QuerySet, fmt: str) -> bytes:
    """The caller passes an already scoped queryset (`Model.objects.visible_to(user)`). One
    query however many rows: everything a row shows comes through select_related."""
    spec = LAYOUTS[layout]
    columns = [c for c in spec.columns if c.export is not None]
    objects = queryset.select_related(*spec.select_related).iterator(chunk_size=2000)
    rows = ([defuse(c.export(obj)) for c in columns] for obj in objects)
    if fmt == "csv":
        return _csv([c.header for c in columns], rows)
    if fmt == "xlsx":
        return _xlsx(spec, columns, rows, notes=False)
    raise ValueError(fmt)


def template_file(*, layout: str, fmt: str) -> bytes:
    """Headers, one example row and, in Excel, a sheet 说明 explaining every column."""
    spec = LAYOUTS[layout]
    columns = spec.imported
    example = [c.example for c in columns]
    if fmt == "csv":
        return _csv([c.header for c in columns], [example])
    if fmt == "xlsx":
        return _xlsx(spec, columns, [example], notes=True)
    raise ValueError(fmt)
