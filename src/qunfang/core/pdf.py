"""PDFs of printable pages: every paper register and every notice for the village board.

The PDF is the printable page itself, rendered by WeasyPrint with the print media rules (so
`.no-print` tools drop out and the `@page` sizes and page numbers apply). Chinese needs a CJK
font on the server: Debian's `fonts-wqy-zenhei` (or `fonts-noto-cjk`) and the Pango stack
(`libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`), see `.ci/run`; the font is embedded,
so the file reads the same on every phone and office PC.

A page offers its PDF at its own URL with `?format=pdf`: a register through core/registers.py, a
notice through `printable()`; the `{% pdf_url %}` tag links to it.
WeasyPrint fetches nothing from the network: stylesheets come from the static files on disk,
`data:` URLs are allowed, anything else is left out."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from qunfang.core.exports import attachment, export_response

FORMAT = "pdf"

# After the page's own stylesheets: whatever a page asks for, the text falls back to a CJK
# font that the server has (the first one installed wins), never to boxes; white paper.
PDF_CSS = """
html, body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
  "Droid Sans Fallback", sans-serif; background: #fff; }
"""


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are missing on this server."""


def wants_pdf(request: HttpRequest) -> bool:
    return request.GET.get("format") == FORMAT


def pdf_query(request: HttpRequest) -> str:
    """This page's query string asking for its PDF: the other parameters stay."""
    params = request.GET.copy()
    params["format"] = FORMAT
    return "?" + params.urlencode()


def _static_file(url: str, base_url: str) -> Path | None:
    """The file on disk behind one of our static URLs, or None."""
    static = urlsplit(settings.STATIC_URL).path
    parts = urlsplit(url)
    if not url.startswith(base_url.rstrip("/")) or not parts.path.startswith(static):
        return None
    name = parts.path[len(static) :]
    if ".." in Path(name).parts:
        return None
    if settings.STATIC_ROOT and (Path(settings.STATIC_ROOT) / name).is_file():
        return Path(settings.STATIC_ROOT) / name  # collected (production: hashed names)
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def render_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of an HTML page whose relative links resolve against `base_url`."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint is there but Pango is not
        raise PdfUnavailable(str(exc)) from exc

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_file(url, base_url)
            if path is None:
                raise ValueError(f"not fetched for a PDF: {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    fetcher = StaticOnly()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[CSS(string=PDF_CSS, url_fetcher=fetcher)])
    assert isinstance(pdf, bytes)
    return pdf


def pdf_response(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    stem: str,
    ascii_stem: str,
    list_name: str = "",
    rows: int = 0,
    filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render `template` as a PDF download named `stem`.pdf (`ascii_stem`.pdf for old clients).

    A register that lists people is a list taken away: give `list_name` (and the `rows` and
    `filters`) and the download is written to the security log like any export. A notice for
    the board is not logged. Without WeasyPrint's libraries: 503 with a message saying to print
    from the browser."""
    html = render_to_string(template, context, request=request)
    try:
        data = render_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable:
        message = _("PDF files cannot be made on this server. Print the page from the browser.")
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    if list_name:
        return export_response(
            request,
            data,
            fmt=FORMAT,
            stem=stem,
            ascii_stem=ascii_stem,
            list_name=list_name,
            rows=rows,
            filters=filters,
        )
    return attachment(data, fmt=FORMAT, stem=stem, ascii_stem=ascii_stem)


def printable(
    request: HttpRequest, template: str, context: dict[str, Any], *, stem: str, ascii_stem: str
) -> HttpResponse:
    """A printable page for the notice board: the page itself, or with `?format=pdf` its PDF
    (not logged: it shows what the printed page shows)."""
    if wants_pdf(request):
        return pdf_response(request, template, context, stem=stem, ascii_stem=ascii_stem)
    return render(request, template, context)
