"""Assessment routes (考核, 申诉), joined into the `governance` namespace by urls/__init__.py."""

from django.urls import path

from qunfang.governance.views import assessment as views

urlpatterns: list = [
    path("assessment/", views.run_list, name="run_list"),
    path("assessment/run/", views.run_assess, name="run_assess"),
    path("assessment/<int:pk>/", views.run_detail, name="run_detail"),
    path("assessment/<int:pk>/print/", views.run_print, name="run_print"),
    path("assessment/<int:pk>/close/", views.run_close, name="run_close"),
    path("assessment/scores/<int:pk>/", views.score_detail, name="score_detail"),
    path(
        "assessment/scores/<int:pk>/adjust/",
        views.adjustment_propose,
        name="adjustment_propose",
    ),
    path(
        "assessment/adjustments/<int:pk>/decide/",
        views.adjustment_decide,
        name="adjustment_decide",
    ),
    path("assessment/scores/<int:pk>/appeal/", views.appeal_lodge, name="appeal_lodge"),
    path("assessment/appeals/", views.appeal_list, name="appeal_list"),
    path("assessment/appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("assessment/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
]
