"""Spreadsheet import, export and templates for the registries (the work is in `spreadsheets`)."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from qunfang.core.exports import attachment, export_response
from qunfang.core.models import Region, RegionKind
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.registry import selectors, spreadsheets
from qunfang.registry.tasks import IMPORT_IN_REQUEST_ROWS, report_json, start_import
from qunfang.registry.views import village_filter


class ImportForm(forms.Form):
    # A plain number, not a ModelChoiceField: the view fetches it with visible_or_404, so
    # another village's id answers 404 like a missing one.
    village = forms.IntegerField(label=_("Village"), widget=forms.Select)
    file = forms.FileField(label=_("File (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))  # fmt: skip
    check_only = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = [(v.pk, v.name) for v in villages]
        if len(villages) == 1:
            self.fields["village"].initial = villages[0].pk


def _layout_or_404(layout: str):
    if layout not in spreadsheets.LAYOUTS:
        raise Http404
    return spreadsheets.LAYOUTS[layout]


@permission_required(Perm.MANAGE_REGISTRY)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, layout: str) -> HttpResponse:
    spec = _layout_or_404(layout)
    villages = list(Region.objects.filter(kind=RegionKind.VILLAGE).visible_to(request.user))
    form = ImportForm(request.POST or None, request.FILES or None, villages=villages)
    report = None
    if request.method == "POST" and form.is_valid():
        village = visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE), request.user,
                                 pk=form.cleaned_data["village"])  # fmt: skip
        upload, dry_run = form.cleaned_data["file"], form.cleaned_data["check_only"]
        rows = spreadsheets.estimate_rows(upload, upload.name)
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
        "layout": spec, "layouts": spreadsheets.LAYOUTS.values(), "form": form,
        "report": report_json(report) if report else None,
        "max_rows": spreadsheets.MAX_ROWS, "in_request_rows": IMPORT_IN_REQUEST_ROWS,
        "max_mb": spreadsheets.MAX_FILE_BYTES // (1024 * 1024),
    }  # fmt: skip
    return render(request, "registry/import.html", context)


@permission_required(Perm.EXPORT_PERSONAL_DATA)
@require_GET
def export_view(request: HttpRequest, layout: str, fmt: str) -> HttpResponse:
    """The list as the user filtered it on screen, masked; every export is in the security log."""
    spec = _layout_or_404(layout)
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    village, search = village_filter(request), request.GET.get("q", "").strip()[:50]
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
def template_view(request: HttpRequest, layout: str, fmt: str) -> HttpResponse:
    spec = _layout_or_404(layout)
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    data = spreadsheets.template_file(layout=layout, fmt=fmt)
    return attachment(data, fmt=fmt, stem=f"{spec.sheet}-模板", ascii_stem=f"{layout}-template")
