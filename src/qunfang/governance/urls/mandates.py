"""Mandates and division of work routes (职责分工), joined into the `governance` namespace by
urls/__init__.py. The township is the user's own (or `?township=<code>`), never in the path."""

from django.urls import path

from qunfang.governance.views import mandates as views

urlpatterns: list = [
    path("mandates/", views.mandates_list, name="mandates_list"),
    path("mandates/edit/", views.mandates_edit, name="mandates_edit"),
    path("mandates/division/", views.mandates_division, name="mandates_division"),
    path("mandates/defaults/", views.mandates_defaults, name="mandates_defaults"),
]
