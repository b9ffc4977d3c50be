"""The registry's layouts by key, and its files in and out."""

from typing import Any

from django.db.models import QuerySet

from qunfang.core.models import Region
from qunfang.core.spreadsheets import (
    ImportReport,
    Layout,
    layout_export,
    layout_import,
    layout_template,
)
from qunfang.core.spreadsheets.grids import Upload
from qunfang.registry.spreadsheets.households import HOUSEHOLDS
from qunfang.registry.spreadsheets.memberships import MEMBERSHIPS
from qunfang.registry.spreadsheets.people import PEOPLE

LAYOUTS: dict[str, Layout] = {layout.key: layout for layout in (HOUSEHOLDS, PEOPLE, MEMBERSHIPS)}


def import_file(
    *,
    layout: str,
    village: Region,
    file: Upload,
    filename: str,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    all_sheets: bool = False,
) -> ImportReport:
    """Import one file into one village: everything or nothing. With `dry_run`, only check and
    count what would change; with `mapping` ({field: header}), the file's own columns as the
    mapping step confirmed them; with `all_sheets`, every sheet with those columns."""
    return layout_import(
        layout=LAYOUTS[layout],
        village=village,
        file=file,
        filename=filename,
        dry_run=dry_run,
        siblings=LAYOUTS.values(),
        mapping=mapping,
        all_sheets=all_sheets,
    )


def export_file(*, layout: str, queryset: QuerySet[Any], fmt: str) -> bytes:
    """The caller passes an already scoped queryset (`Model.objects.visible_to(user)`); ID
    numbers and phones are masked."""
    return layout_export(layout=LAYOUTS[layout], queryset=queryset, fmt=fmt)


def template_file(*, layout: str, fmt: str) -> bytes:
    """Headers, one example row and, in Excel, a sheet 说明 explaining every column."""
    return layout_template(layout=LAYOUTS[layout], fmt=fmt)
