"""Excel/CSV files in and out, for every import and export. No HTTP here: a view answers with
`core.exports.spreadsheet_response` (or `export_response`, which also writes the security log).

- `grids`: an upload opened as sheets of cells (.xlsx, .xls, .csv), hostile files refused before
  they are parsed, merged cells kept.
- `reading`: finds the sheet(s) and the header row (title rows, merged headers), reads the rows
  by the layout's spellings or a confirmed mapping; `inspect_file` for the mapping step;
  `annotated_copy`, the file back with a column of the reasons on each bad row.
- `cells`: turns cell values into Python values, with a message in the user's language;
  `groups`: villager group names however they are written (第1村民小组 = 一组 = 第1组).
- `mapping`: which column of a village's own sheet holds which field (the mapping step's
  suggestion and preview); `staging`: an upload kept between the steps under a signed ticket.
- `writing`: `Sheet`s of plain rows into .xlsx or CSV, every cell defused against formulas.
- `layouts`: declarative columns and importers; an app declares its layouts (see the registry's
  `spreadsheets`) and gets imports that check the whole file first, exports and templates.
- `marks`: how an import's writes tell that what its checks read did not change meanwhile.
"""

from qunfang.core.spreadsheets.cells import CellError
from qunfang.core.spreadsheets.layouts import (
    Column,
    Importer,
    ImportReport,
    Layout,
    Row,
    RowError,
    layout_export,
    layout_import,
    layout_template,
    village_column,
)
from qunfang.core.spreadsheets.reading import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    DetectedColumn,
    FileRefused,
    SheetShape,
    Table,
    TableRow,
    annotated_copy,
    estimate_rows,
    header_key,
    inspect_file,
    read_table,
)
from qunfang.core.spreadsheets.writing import (
    FORMATS,
    Sheet,
    csv_bytes,
    defuse,
    file_bytes,
    workbook_bytes,
)

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "CellError",
    "Column",
    "DetectedColumn",
    "FileRefused",
    "ImportReport",
    "Importer",
    "Layout",
    "Row",
    "RowError",
    "Sheet",
    "SheetShape",
    "Table",
    "TableRow",
    "annotated_copy",
    "csv_bytes",
    "defuse",
    "estimate_rows",
    "file_bytes",
    "header_key",
    "inspect_file",
    "layout_export",
    "layout_import",
    "layout_template",
    "read_table",
    "village_column",
    "workbook_bytes",
]
