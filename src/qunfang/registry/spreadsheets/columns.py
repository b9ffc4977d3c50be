"""Columns the registry's layouts share: ID numbers and 是/否 flags."""

from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise

from qunfang.core.spreadsheets import Column, cells

EXAMPLE_ID = "11010519491231002X"  # the worked example of GB 11643-1999, nobody's real number
# other headings of the column of a person's own ID number (people and memberships files)
ID_NUMBER_ALIASES = ("ID number", "身份证号码", "公民身份号码")


def _id_number_column(
    key: str,
    header: str,
    aliases: tuple[str, ...],
    *,
    help: Promise,
    export: Callable[[Any], str],
    required: bool = False,
) -> Column:
    """A column of ID numbers: checked as ID numbers, kept as text, the worked example."""
    return Column(
        key,
        header,
        aliases,
        cells.parse_id_number,
        required=required,
        help=help,
        example=EXAMPLE_ID,
        export=export,
        text=True,
    )


def _yes_no_column(key: str, header: str, aliases: tuple[str, ...], help: Promise) -> Column:
    """A 是/否 column of the record's boolean field `key`."""
    return Column(
        key,
        header,
        aliases,
        cells.parse_bool,
        help=help,
        example="否",
        export=lambda record: cells.yes_no(getattr(record, key)),
    )
