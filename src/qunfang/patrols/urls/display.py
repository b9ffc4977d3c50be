"""The public page of a point's display link (no sign-in; see views/display.py)."""

from django.urls import path

from qunfang.patrols.views import display as views

urlpatterns = [
    path("display/<str:token>/", views.display, name="display"),
    path("display/<str:token>/code/", views.display_code, name="display_code"),
]
