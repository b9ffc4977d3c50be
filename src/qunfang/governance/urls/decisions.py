"""Decisions of meetings and the minutes book (会议记录簿); joined into the `governance`
namespace by urls/__init__.py."""

from django.urls import path

from qunfang.governance.views import decisions as views
from qunfang.governance.views import registers

urlpatterns: list = [
    path("decisions/", views.decision_list, name="decision_list"),
    path("meetings/<int:pk>/decisions/new/", views.decision_add, name="decision_add"),
    path("decisions/<int:pk>/move/", views.decision_move, name="decision_move"),
    path("minutes/register/", registers.minutes_register_print, name="minutes_register_print"),
]
