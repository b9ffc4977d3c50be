"""Mediation routes (调解), joined into the `casebook` namespace by urls/__init__.py."""

from django.urls import path

from qunfang.casebook.views import mediation as views

urlpatterns: list = [
    path("mediation/", views.mediation_list, name="mediation_list"),
    path("mediation/new/", views.mediation_create, name="mediation_create"),
    path("mediation/register/", views.mediation_register_print, name="mediation_register_print"),
    path("mediation/<int:pk>/", views.mediation_detail, name="mediation_detail"),
    path("mediation/<int:pk>/sessions/", views.mediation_session_add, name="mediation_session_add"),
    path("mediation/<int:pk>/move/", views.mediation_move, name="mediation_move"),
    path("mediation/<int:pk>/follow-up/", views.mediation_follow_up, name="mediation_follow_up"),
    path("mediation/<int:pk>/print/", views.mediation_print, name="mediation_print"),
]
