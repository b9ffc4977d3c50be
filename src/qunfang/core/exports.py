"""Every file download goes through `attachment`: one content type table, one
Content-Disposition that old clients and Chinese file names both understand, never cached.
Spreadsheets are answered by `spreadsheet_response`, which writes `Sheet`s through
`core.spreadsheets` (every cell defused against formulas); a download of a list of people or
records goes through `export_response`, which first writes one line in the security log saying
who took which list, with which filters, and how many rows."""

import re
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

from qunfang.core.audit import security_event_record
from qunfang.core.models import SecurityEventKind, User
from qunfang.core.spreadsheets.writing import FORMATS, Sheet, file_bytes

# What each exported list is called on the security-log page; apps add theirs in ready().
EXPORTED_LISTS: dict[str, Any] = {}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "xlsx": XLSX,
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}

Content = bytes | Sheet | Sequence[Sheet]  # a finished file, or sheets to write as one


def _ascii_stem(stem: str) -> str:
    """A name old clients can take as it is: ASCII letters, digits, dot, dash, underscore."""
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")
    return plain or "download"


def attachment(data: bytes, *, fmt: str, stem: str, ascii_stem: str = "") -> HttpResponse:
    """A file download: the plain name for old clients, the Chinese one (RFC 5987) for the rest.
    Without `ascii_stem`, the plain name keeps the ASCII part of `stem`."""
    plain = _ascii_stem(ascii_stem or stem)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{plain}.{fmt}"; '
        f"filename*=UTF-8''{quote(f'{stem}.{fmt}', safe='')}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _file(content: Content, fmt: str) -> bytes:
    return content if isinstance(content, bytes) else file_bytes(content, fmt)


def spreadsheet_response(
    content: Content, filename: str, *, ascii_filename: str = ""
) -> HttpResponse:
    """A spreadsheet download named `filename` (its suffix, .xlsx or .csv, is the format): the
    file as bytes, or the sheets to write (a CSV file holds one). Not logged: use
    `export_response` for a list of people or records."""
    stem, _dot, fmt = filename.rpartition(".")
    if not stem or fmt not in FORMATS:
        raise ValueError(f"not a spreadsheet's name: {filename}")
    ascii_stem = ascii_filename.removesuffix(f".{fmt}")
    return attachment(_file(content, fmt), fmt=fmt, stem=stem, ascii_stem=ascii_stem)


def export_response(
    request: HttpRequest,
    data: Content,
    *,
    fmt: str,
    stem: str,
    ascii_stem: str,
    list_name: str,
    rows: int,
    filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """Log the export, then answer with the file: `data` as bytes, or for a spreadsheet the
    sheets to write. Filters that were not set are left out."""
    user = cast(User, request.user)  # exports are for signed-in users
    security_event_record(
        kind=SecurityEventKind.DATA_EXPORTED,
        request=request,
        actor=user,
        username=user.username,
        region=user.region,
        detail={
            "list": list_name,
            "format": fmt,
            "rows": rows,
            "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "")},
        },
    )
    return attachment(_file(data, fmt), fmt=fmt, stem=stem, ascii_stem=ascii_stem)
