"""Declarative layouts: what a sheet's columns are called, how each cell is read and written, and
the importer that checks and writes the rows. An app declares its `Layout`s and an `Importer` per
layout; `layout_import`, `layout_export` and `layout_template` do the rest.

An import reads the whole file, parses every cell, then checks every row against the file and
the database, outside any transaction: a long check must not hold SQLite's write lock, which
check-ins and sign-ins wait for. Only when no row is bad does it write, in one short transaction
that first makes sure what the checks read did not change since they began (`marks`). Existing
records are matched by a natural key and saved only when a value differs, so re-importing the
same file changes nothing and adds no history. An empty cell leaves the stored value as it is: an
import never wipes what the village entered in the app; clear values in the app.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.models import Region, RegionKind
from qunfang.core.spreadsheets import cells
from qunfang.core.spreadsheets.cells import CellError, is_blank
from qunfang.core.spreadsheets.grids import FileRefused, Upload
from qunfang.core.spreadsheets.reading import Table, header_key, read_table
from qunfang.core.spreadsheets.writing import Sheet, file_bytes

INSTRUCTIONS_SHEET = "说明"  # the reader skips it (reading.INSTRUCTION_SHEETS)

Record = TypeVar("Record", bound=models.Model)  # what an importer writes


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in Excel (CSV: the record number)
    column: str  # the header as written in the file; "" for the row as a whole
    message: str
    sheet: str = ""  # the sheet's title when the file's rows come from several sheets


@dataclass
class ImportReport:
    layout: str
    filename: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[RowError] = field(default_factory=list)  # worth knowing, not blocking
    file_error: str = ""
    sheets: dict[str, int] = field(default_factory=dict)  # the sheets read -> their header rows

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def bad_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header exports and templates write
    aliases: tuple[str, ...] = ()  # other spellings imports accept, English first
    parse: cells.Parser | None = None  # None: written by exports, ignored by imports
    required: bool = False
    help: str | Promise = ""
    example: Any = None
    export: Callable[[Any], Any] | None = None
    text: bool = False  # Excel must keep it as text (leading zeros, long digit strings)


@dataclass(frozen=True)
class Layout:
    key: str
    label: str | Promise
    sheet: str
    sheet_aliases: tuple[str, ...]
    model: type[models.Model]
    columns: tuple[Column, ...]
    importer: type["Importer[Any]"]
    select_related: tuple[str, ...]
    notes: tuple[str | Promise, ...] = ()

    @property
    def imported(self) -> list[Column]:
        return [c for c in self.columns if c.parse is not None]

    @property
    def exported(self) -> list[Column]:
        return [c for c in self.columns if c.export is not None]

    def spellings(self) -> dict[str, list[str]]:
        return {c.key: [c.header, *c.aliases, c.key] for c in self.imported}

    def known(self) -> set[str]:
        """Every header this layout reads, folded (`header_key`)."""
        return {header_key(s) for spellings in self.spellings().values() for s in spellings}

    def example_values(self) -> dict[str, Any]:
        return {
            c.key: c.parse(c.example)
            for c in self.columns
            if c.parse is not None and c.example is not None
        }


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    sheet: str = ""  # the sheet's title when the file's rows come from several sheets


def village_column(region: Callable[[Any], Region]) -> Column:
    """The optional 村 column: exports write the record's village; an import refuses a row that
    names another village than the one chosen for it."""
    return Column(
        "village",
        "村",
        ("village", "村名", "行政村"),
        cells.text(100),
        help=gettext_lazy(
            "Optional. When filled in, it must be the village chosen for the import: "
            "a guard against importing another village's file."
        ),
        export=lambda obj: region(obj).name,
    )


# ---- importers ---------------------------------------------------------------------------


def _apply(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; return the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        model_field = cast("models.Field[Any, Any]", obj._meta.get_field(name))
        if model_field.is_relation:  # compare ids: no query for the related row
            differs = getattr(obj, model_field.attname) != (value.pk if value else None)
        else:
            differs = getattr(obj, name) != value
        if differs:
            setattr(obj, name, value)
            changed.append(name)
    return changed


class Importer(Generic[Record]):
    """Checks parsed rows against the file and the database, then writes. `check` fills the
    report's errors, notices and counts; `write` runs only when there are no errors, under the
    lock, after `register_mark` (see `marks`) found nothing `check` read changed meanwhile."""

    def __init__(self, *, village: Region, report: ImportReport, headers: dict[str, str]):
        self.village = village
        self.report = report
        self.headers = headers
        self.creates: list[Record] = []
        self.updates: list[tuple[Record, list[str]]] = []

    def error(self, row: Row, key: str, message: str) -> None:
        self.report.errors.append(
            RowError(row.number, self.headers.get(key, ""), message, row.sheet)
        )

    def notice(self, row: Row, key: str, message: str) -> None:
        self.report.notices.append(
            RowError(row.number, self.headers.get(key, ""), message, row.sheet)
        )

    def place(self, row: Row, obj: Record, values: dict[str, Any]) -> None:
        """Count `obj` as created, updated or unchanged once `validate` accepts it."""
        is_new = obj.pk is None
        changed = _apply(obj, values)
        if not is_new and not changed:
            self.report.unchanged += 1
        elif self.validate(row, obj):
            if is_new:
                self.creates.append(obj)
                self.report.created += 1
            else:
                self.updates.append((obj, changed))
                self.report.updated += 1

    def validate(self, row: Row, obj: Record) -> bool:
        return True

    def register_mark(self, rows: list[Row]) -> tuple[Any, ...]:
        """Changes whenever anything `check` reads changes (see `marks`)."""
        raise NotImplementedError

    def check(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def write(self, reason: str) -> None:
        raise NotImplementedError


# ---- the import --------------------------------------------------------------------------


def _parse(table: Table, layout: Layout, village: Region, report: ImportReport) -> list[Row]:
    """Every cell of every row through its parser; rows with a bad cell are reported and left out
    of the checks against the database."""
    parsers = {c.key: c.parse for c in layout.columns if c.parse is not None}
    required = {c.key for c in layout.imported if c.required}
    # the template's example row, recognised only in a file with every column of the template
    example = layout.example_values()
    if not example.keys() <= table.headers.keys():
        example = {}
    several = len(table.sheets) > 1  # errors then name their sheet
    good = []
    for line in table.rows:
        values, errors = {}, []
        sheet = line.sheet if several else ""
        for key, value in line.values.items():
            if key in line.formulas:
                errors.append(
                    (
                        key,
                        _(
                            "This cell holds a formula whose result was never saved; "
                            "open the file in Excel, save it and import it again."
                        ),
                    )
                )
            elif is_blank(value):
                if key in required:
                    errors.append((key, _("This cell must be filled in.")))
            else:
                try:
                    values[key] = parsers[key](value)
                except CellError as exc:
                    errors.append((key, exc.message))
        if "village" in values and values["village"] not in (village.name, village.code):
            errors.append(
                (
                    "village",
                    _("This row belongs to %(other)s, not to %(village)s.")
                    % {"other": values["village"], "village": village.name},
                )
            )
        if example and {k: v for k, v in values.items() if k != "village"} == example:
            errors.append(("", _("This is the template's example row; replace it or delete it.")))
        report.errors += [
            RowError(line.number, table.headers.get(key, ""), msg, sheet) for key, msg in errors
        ]
        if not errors:
            good.append(Row(line.number, values, sheet))
    return good


class RegisterChanged(Exception):
    """What the checks read changed before the writes began."""


def _looks_like(table: Table, spec: Layout, siblings: Iterable[Layout]) -> Layout | None:
    """A people file has 户号, 姓名 and 性别 columns too, so it would pass for a roster of
    household heads: refuse a file that holds every required column of a sibling layout which
    either this layout does not know, or the sibling reads more of the file's columns."""
    known = spec.known()
    ours = len(known & table.header_keys)
    for other in siblings:
        required = {header_key(c.header) for c in other.imported if c.required}
        if other is spec or not required or not required <= table.header_keys:
            continue
        if required - known or len(other.known() & table.header_keys) > ours:
            return other
    return None


def layout_import(
    *,
    layout: Layout,
    village: Region,
    file: Upload,
    filename: str,
    dry_run: bool = False,
    siblings: Iterable[Layout] = (),
    mapping: dict[str, str] | None = None,
    all_sheets: bool = False,
) -> ImportReport:
    """Import one file into one village: everything or nothing. With `dry_run`, only check and
    count what would change. `siblings`: the app's other layouts, whose files are refused.
    `mapping` (column key -> the file's header) and `all_sheets`: see `read_table`; a file whose
    columns the user mapped is taken for what the user says it is."""
    if village.kind != RegionKind.VILLAGE:
        raise ValueError("imports go into a village")
    report = ImportReport(layout=layout.key, filename=filename, dry_run=dry_run)
    try:
        table = read_table(
            file=file,
            filename=filename,
            columns=layout.spellings(),
            required=[c.key for c in layout.imported if c.required],
            sheet_names=(layout.sheet, *layout.sheet_aliases),
            mapping=mapping,
            all_sheets=all_sheets,
        )
    except FileRefused as exc:
        report.file_error = exc.message
        return report
    report.sheets = dict(table.sheets)
    other = None if mapping is not None else _looks_like(table, layout, siblings)
    if other is not None:
        report.file_error = _(
            "This looks like a file of %(other)s, not of %(layout)s; choose the matching import."
        ) % {"other": other.label, "layout": layout.label}
        return report
    report.rows = len(table.rows)
    if not table.rows:
        report.file_error = _("The file has no rows to import.")
        return report
    rows = _parse(table, layout, village, report)
    importer = layout.importer(village=village, report=report, headers=table.headers)
    try:
        checked = importer.register_mark(rows)
        importer.check(rows)  # reads only: others may write meanwhile
        if report.ok and not dry_run:
            with transaction.atomic():
                if importer.register_mark(rows) != checked:
                    raise RegisterChanged
                importer.write(_("Imported from %(file)s") % {"file": filename[-60:]})
    except (IntegrityError, ValidationError, RegisterChanged):
        report.file_error = _(
            "The register changed while this file was being imported, so nothing "
            "was written. Import it again."
        )
    order = {title: index for index, title in enumerate(table.sheets)}
    report.errors.sort(key=lambda e: (order.get(e.sheet, 0), e.row))
    if report.file_error or report.errors:
        report.created = report.updated = report.unchanged = 0
    return report


# ---- exports and templates ---------------------------------------------------------------


def _sheet(layout: Layout, columns: list[Column], rows: Iterable[list[Any]]) -> Sheet:
    return Sheet(
        title=layout.sheet,
        header=[c.header for c in columns],
        rows=rows,
        text_columns={index for index, c in enumerate(columns) if c.text},
    )


def layout_export(*, layout: Layout, queryset: QuerySet[Any], fmt: str) -> bytes:
    """The caller passes an already scoped queryset (`Model.objects.visible_to(user)`). One
    query however many rows: everything a row shows comes through select_related. Exports
    mask what the columns' `export` masks; the writer defuses formulas."""
    columns = layout.exported
    objects = queryset.select_related(*layout.select_related).iterator(chunk_size=2000)
    exports = [c.export for c in columns if c.export is not None]
    rows = ([export(obj) for export in exports] for obj in objects)
    return file_bytes(_sheet(layout, columns, rows), fmt)


def _instructions(layout: Layout, columns: list[Column]) -> Sheet:
    general = (
        _("One row per record; the first row holds the column names. Delete the example row."),
        _("Columns can be in any order; other columns are ignored. English column names work too."),
        _("Empty cells leave what is already in the register unchanged."),
        _("Dates as YYYY-MM-DD (or real Excel dates); yes/no as 是 or 否."),
        _("Importing the same file again changes nothing."),
    )
    rows: list[list[Any]] = [
        [_("How to fill in the sheet %(sheet)s") % {"sheet": layout.sheet}],
        *(["", str(note)] for note in (*general, *layout.notes)),
        [],
        [_("Column"), _("English name"), _("Required"), _("What to write")],
    ]
    for column in columns:
        rows.append(
            [
                column.header,
                column.aliases[0] if column.aliases else "",
                _("required") if column.required else "",
                str(column.help),
            ]
        )
    return Sheet(title=INSTRUCTIONS_SHEET, rows=rows, widths=(16, 22, 10, 80))


def layout_template(*, layout: Layout, fmt: str) -> bytes:
    """Headers, one example row and, in Excel, a sheet 说明 explaining every column."""
    columns = layout.imported
    sheet = _sheet(layout, columns, [[c.example for c in columns]])
    if fmt == "xlsx":
        return file_bytes([sheet, _instructions(layout, columns)], fmt)
    return file_bytes(sheet, fmt)
