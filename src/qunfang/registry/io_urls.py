"""Spreadsheet routes. Included inside the registry's URLs (namespace "registry"), so these are
registry:import, registry:export and registry:template; paths are relative to where the
registry is mounted (registry/)."""

from django.urls import path

from qunfang.registry import views_io

urlpatterns = [
    path("import/<slug:layout>/", views_io.import_view, name="import"),
    path("export/<slug:layout>.<slug:fmt>", views_io.export_view, name="export"),
    path("templates/<slug:layout>.<slug:fmt>", views_io.template_view, name="template"),
]
