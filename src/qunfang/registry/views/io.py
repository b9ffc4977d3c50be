"""Spreadsheet import, export and templates for the registries (the layouts are in
`registry.spreadsheets`, the machinery in `core.spreadsheets`)."""

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qunfang.core import spreadsheets as files
from qunfang.core.exports import export_response, spreadsheet_response
from qunfang.core.forms import ColumnMappingForm
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import ImportMapping, Region, RegionKind
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.services import import_mapping_remember
from qunfang.core.spreadsheets import mapping, staging
from qunfang.registry import forms, selectors, spreadsheets
from qunfang.registry.tasks import (
    IMPORT_IN_REQUEST_ROWS,
    import_staged,
    report_json,
    start_import,
)


def _layout_or_404(layout: str, fmt: str | None = None) -> files.Layout:
    """The layout a URL names, and the file format it asks for if it names one: 404 for any
    other."""
    if layout not in spreadsheets.LAYOUTS or (fmt is not None and fmt not in files.FORMATS):
        raise Http404
    return spreadsheets.LAYOUTS[layout]


def _villages(request: SignedInRequest) -> list[Region]:
    return list(Region.objects.filter(kind=RegionKind.VILLAGE).visible_to(request.user))


def _import_page(request: SignedInRequest, spec: files.Layout, **context: Any) -> HttpResponse:
    context.setdefault(
        "form", forms.ImportForm(villages=_villages(request), initial={"check_only": False})
    )
    return render(
        request,
        "registry/import.html",
        {
            "layout": spec,
            "layouts": spreadsheets.LAYOUTS.values(),
            "max_rows": files.MAX_ROWS,
            "in_request_rows": IMPORT_IN_REQUEST_ROWS,
            "max_mb": files.MAX_FILE_BYTES // (1024 * 1024),
            **context,
        },
    )


@permission_required(Perm.MANAGE_REGISTRY)
@require_http_methods(["GET", "POST"])
def import_view(request: SignedInRequest, layout: str) -> HttpResponse:
    """Choose the file. A sheet laid out like the template is imported at once; any other
    goes to the mapping step, where the user confirms which column holds what."""
    spec = _layout_or_404(layout)
    form = forms.ImportForm(
        request.POST or None, request.FILES or None, villages=_villages(request)
    )
    if request.method != "POST" or not form.is_valid():
        return _import_page(request, spec, form=form)
    village = visible_or_404(
        Region.objects.filter(kind=RegionKind.VILLAGE),
        request.user,
        pk=form.cleaned_data["village"],
    )
    upload = form.cleaned_data["file"]
    staged, ticket = staging.stage(
        upload,
        layout=layout,
        village=village.pk,
        by=request.user.pk,
        dry_run=form.cleaned_data["check_only"],
        all_sheets=form.cleaned_data["all_sheets"],
    )
    try:
        shape, rows = _shape(staged, spec)
    except files.FileRefused as exc:
        staged.discard()
        return _import_page(request, spec, form=form, report=_refused(staged, spec, exc))
    if not mapping.template_shaped(spec, shape):
        return redirect("registry:import_columns", layout=layout, ticket=ticket)
    return _run(request, spec, village, staged, columns=None, rows=rows)


@permission_required(Perm.MANAGE_REGISTRY)
@require_http_methods(["GET", "POST"])
def import_columns(request: SignedInRequest, layout: str, ticket: str) -> HttpResponse:
    """The mapping step: the file's columns as the importer reads them, the suggestion (the
    village's last confirmed mapping first), a preview of the first rows, then the import."""
    spec = _layout_or_404(layout)
    staged = staging.staged(ticket, user_id=request.user.pk)
    if staged is None or staged.layout != layout:
        raise Http404
    village = visible_or_404(
        Region.objects.filter(kind=RegionKind.VILLAGE), request.user, pk=staged.village
    )
    try:
        shape, rows = _shape(staged, spec)
    except files.FileRefused as exc:
        staged.discard()
        return _import_page(request, spec, report=_refused(staged, spec, exc))
    remembered = (
        ImportMapping.objects.visible_to(request.user)
        .filter(region=village, layout=layout)
        .values_list("columns", flat=True)
        .first()
    )
    suggested = mapping.suggest(spec, mapping.candidates(shape), remembered)
    form = ColumnMappingForm(
        request.POST or None,
        fields=spec.imported,
        headers=[c.header for c in shape.columns],
        initial_mapping=suggested,
    )
    chosen = suggested
    if request.method == "POST" and form.is_valid():
        chosen = form.mapping()
        if "import" in request.POST:
            import_mapping_remember(village=village, layout=layout, columns=chosen, by=request.user)
            return _run(request, spec, village, staged, columns=chosen, rows=rows)
    return render(
        request,
        "registry/import_columns.html",
        {
            "layout": spec,
            "village": village,
            "staged": staged,
            "shape": shape,
            "rows": rows,
            "form": form,
            # files keep their Chinese headers; an English reader also sees the field's name
            "english": request.LANGUAGE_CODE.startswith("en"),
            "samples": {
                c.header: [mapping.on_screen(v) for v in c.samples[:3]] for c in shape.columns
            },
            "preview": (
                mapping.preview(spec, staged, chosen, total=rows) if not form.errors else None
            ),
        },
    )


def _shape(staged: staging.Staged, spec: files.Layout) -> tuple[files.SheetShape, int]:
    """The sheet to import (the layout's own sheet first) as the reader finds it, and the rows
    the import will read: the sheet's, or with `all_sheets` those of every sheet with the same
    headers."""
    with staged.open() as handle:
        shapes = files.inspect_file(file=handle, filename=staged.filename, known=spec.known())
    shape = mapping.main_sheet(spec, shapes)
    if not staged.all_sheets:
        return shape, shape.rows
    headers = [c.header for c in shape.columns]
    return shape, sum(s.rows for s in shapes if [c.header for c in s.columns] == headers)


def _refused(staged: staging.Staged, spec: files.Layout, exc: files.FileRefused) -> dict:
    report = files.ImportReport(
        layout=spec.key, filename=staged.filename, dry_run=staged.dry_run, file_error=exc.message
    )
    return report_json(report)


def _run(
    request: SignedInRequest,
    spec: files.Layout,
    village: Region,
    staged: staging.Staged,
    *,
    columns: dict[str, str] | None,
    rows: int,
) -> HttpResponse:
    """Import the staged file of `rows` rows (as `_shape` counted them): a whole register in
    the background, a small file now."""
    if rows > IMPORT_IN_REQUEST_ROWS:
        job = start_import(
            staged=staged,
            village=village,
            by=request.user,
            columns=columns,
            language=request.LANGUAGE_CODE,
        )
        return redirect(job.get_absolute_url())
    report = import_staged(staged, village, columns)
    return _import_page(request, spec, report=report)


@permission_required(Perm.MANAGE_REGISTRY)
@require_GET
def import_problems(request: SignedInRequest, ticket: str) -> HttpResponse:
    """The file as it was sent, with the reason beside each bad row (its uploader's, a day)."""
    kept = staging.problems(ticket, user_id=request.user.pk)
    if kept is None:
        raise Http404
    data, name = kept
    return spreadsheet_response(data, name, ascii_filename="import-problems.xlsx")


@permission_required(Perm.EXPORT_PERSONAL_DATA)
@require_GET
def export_view(request: SignedInRequest, layout: str, fmt: str) -> HttpResponse:
    """The list as the user filtered it on screen, masked; every export is in the security log."""
    spec = _layout_or_404(layout, fmt)
    village, search = requested_village(request), request.GET.get("q", "").strip()[:50]
    queryset = selectors.export_rows(
        layout=layout, user=request.user, village=village, search=search
    )
    data = spreadsheets.export_file(layout=layout, queryset=queryset, fmt=fmt)
    day = timezone.localdate().isoformat()
    return export_response(
        request,
        data,
        fmt=fmt,
        stem=f"{spec.sheet}-{day}",
        ascii_stem=f"{layout}-{day}",
        list_name=layout,
        rows=queryset.count(),
        filters={"village": village.code if village else "", "q": search},
    )


@permission_required(Perm.VIEW_REGISTRY)
@require_GET
def template_view(request: SignedInRequest, layout: str, fmt: str) -> HttpResponse:
    spec = _layout_or_404(layout, fmt)
    data = spreadsheets.template_file(layout=layout, fmt=fmt)
    return spreadsheet_response(
        data, f"{spec.sheet}-模板.{fmt}", ascii_filename=f"{layout}-template.{fmt}"
    )
