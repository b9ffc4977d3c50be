"""Excel/CSV import and export of households, people and memberships, in the layouts villages
keep (Chinese headers; English headers accepted too). No HTTP here: views, commands and the
benchmark all call `import_file`, `export_file` and `template_file`.

- `reading`: refuses hostile files before parsing, finds the sheet and header row, yields rows.
- `cells`: turns cell values into Python values, with a message in the user's language.
- `layouts`: the three layouts' columns and the importers that check and write them.
- `writing`: exports (masked, formula-safe) and templates.
"""

from qunfang.registry.spreadsheets.layouts import (
    LAYOUTS,
    ImportReport,
    RowError,
    import_file,
)
from qunfang.registry.spreadsheets.reading import MAX_FILE_BYTES, MAX_ROWS, estimate_rows
from qunfang.registry.spreadsheets.writing import FORMATS, export_file, template_file

__all__ = [
    "FORMATS",
    "LAYOUTS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportReport",
    "RowError",
    "estimate_rows",
    "export_file",
    "import_file",
    "template_file",
]
