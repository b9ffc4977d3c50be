"""Spreadsheet import, export and templates for the registries (the layouts are in
`registry.spreadsheets`, the machinery in `core.spreadsheets`)."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qunfang.core import spreadsheets as files
from qunfang.core.exports import export_response, spreadsheet_response
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region, RegionKind
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.registry import forms, selectors, spreadsheets
from qunfang.registry.tasks import IMPORT_IN_REQUEST_ROWS, report_json, start_import


def _layout_or_404(layout: str, fmt: str | None = None) -> files.Layout:
    """The layout a URL names, and the file format it asks for if it names one: 404 for any
    other."""
    if layout not in spreadsheets.LAYOUTS or (fmt is not None and fmt not in files.FORMATS):
        raise Http404
    return spreadsheets.LAYOUTS[layout]


@permission_required(Perm.MANAGE_REGISTRY)
@require_http_methods(["GET", "POST"])
def import_view(request: SignedInRequest, layout: str) -> HttpResponse:
    spec = _layout_or_404(layout)
    villages = list(Region.objects.filter(kind=RegionKind.VILLAGE).visible_to(request.user))
    form = forms.ImportForm(request.POST or None, request.FILES or None, villages=villages)
    report = None
    if request.method == "POST" and form.is_valid():
        village = visible_or_404(
            Region.objects.filter(kind=RegionKind.VILLAGE),
            request.user,
            pk=form.cleaned_data["village"],
        )
        upload, dry_run = form.cleaned_data["file"], form.cleaned_data["check_only"]
        rows = files.estimate_rows(upload, upload.name)
        if rows is None or rows > IMPORT_IN_REQUEST_ROWS:  # a whole register: in the background
            job = start_import(
                layout=layout,
                village=village,
                upload=upload,
                dry_run=dry_run,
                by=request.user,
                language=request.LANGUAGE_CODE,
            )
            return redirect(job.get_absolute_url())
        report = spreadsheets.import_file(
            layout=layout, village=village, file=upload, filename=upload.name, dry_run=dry_run
        )
    context = {
        "layout": spec,
        "layouts": spreadsheets.LAYOUTS.values(),
        "form": form,
        "report": report_json(report) if report else None,
        "max_rows": files.MAX_ROWS,
        "in_request_rows": IMPORT_IN_REQUEST_ROWS,
        "max_mb": files.MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "registry/import.html", context)


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
