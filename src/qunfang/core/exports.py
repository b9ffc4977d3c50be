"""Every download of a list goes through `export_response`: one content type table, one
Content-Disposition that old clients and Chinese file names both understand, and one line in
the security log saying who took which list, with which filters, and how many rows."""

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

from qunfang.core.audit import security_event_record
from qunfang.core.models import SecurityEventKind

# What each exported list is called on the security-log page; apps add theirs in ready().
EXPORTED_LISTS: dict[str, Any] = {}

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def attachment(data: bytes, *, fmt: str, stem: str, ascii_stem: str) -> HttpResponse:
    """A file download: the plain name for old clients, the Chinese one (RFC 5987) for the rest."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_stem}.{fmt}\"; filename*=UTF-8''{quote(f'{stem}.{fmt}')}"
    )
    response["Cache-Control"] = "no-store"
    return response


def export_response(
    request: HttpRequest,
    data: bytes,
    *,
    fmt: str,
    stem: str,
    ascii_stem: str,
    list_name: str,
    rows: int,
    filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """Log the export, then answer with the file. Filters that were not set are left out."""
    security_event_record(
        kind=SecurityEventKind.DATA_EXPORTED,
        request=request,
        actor=request.user,
        username=request.user.username,
        region=request.user.region,
        detail={
            "list": list_name,
            "format": fmt,
            "rows": rows,
            "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "")},
        },
    )
    return attachment(data, fmt=fmt, stem=stem, ascii_stem=ascii_stem)
