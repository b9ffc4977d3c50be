"""Patrol records: the patrol log, attendance, the paper register and the ten-household duty
ledger (names are joined into the `patrols` namespace by urls/__init__.py)."""

from django.urls import path

from qunfang.patrols.views import records as views

urlpatterns: list = [
    path("log/", views.log_list, name="log_list"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("assignments/<int:pk>/outcome/", views.assignment_outcome, name="assignment_outcome"),
    path("check-ins/<int:pk>/photo/", views.check_in_photo, name="check_in_photo"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/export.xlsx", views.attendance_export, name="attendance_export"),
    path("register/", views.register_print, name="register_print"),
    path("groups/<int:pk>/rotation/", views.rotation, name="rotation"),
    path("assignments/<int:pk>/buyout/", views.ledger_buyout, name="ledger_buyout"),
    path("assignments/<int:pk>/stand-in/", views.stand_in, name="stand_in"),
    path("households/<int:pk>/ledger/", views.household_ledger, name="household_ledger"),
]
