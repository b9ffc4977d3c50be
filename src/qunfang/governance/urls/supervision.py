"""Township supervision (督导检查); joined into the `governance` namespace by urls/__init__.py."""

from django.urls import URLPattern, path

from qunfang.governance.views import supervision as views

P = "supervision_"

urlpatterns: list[URLPattern] = [
    path("supervision/", views.visit_list, name=P + "visit_list"),
    path("supervision/visits/new/", views.visit_create, name=P + "visit_create"),
    path("supervision/visits/<int:pk>/", views.visit_detail, name=P + "visit_detail"),
    path("supervision/visits/<int:pk>/record/", views.visit_record, name=P + "visit_record"),
    path("supervision/visits/<int:pk>/cancel/", views.visit_cancel, name=P + "visit_cancel"),
    path("supervision/visits/<int:pk>/print/", views.visit_print, name=P + "visit_print"),
    path("supervision/visits/<int:pk>/findings/", views.finding_add, name=P + "finding_add"),
    path("supervision/findings/<int:pk>/photos/", views.photo_add, name=P + "photo_add"),
    path("supervision/findings/<int:pk>/task/", views.task_create, name=P + "task_create"),
    path("supervision/photos/<int:pk>/", views.photo, name=P + "photo"),
    path("supervision/plans/", views.plan_list, name=P + "plan_list"),
    path("supervision/plans/new/", views.plan_create, name=P + "plan_create"),
    path("supervision/plans/<int:pk>/", views.plan_detail, name=P + "plan_detail"),
    path("supervision/plans/<int:pk>/edit/", views.plan_edit, name=P + "plan_edit"),
    path("supervision/plans/<int:pk>/draw/", views.plan_draw, name=P + "plan_draw"),
    path("supervision/tasks/", views.task_list, name=P + "task_list"),
    path("supervision/tasks/<int:pk>/", views.task_detail, name=P + "task_detail"),
    path("supervision/tasks/<int:pk>/report/", views.task_report, name=P + "task_report"),
    path("supervision/tasks/<int:pk>/recheck/", views.task_recheck, name=P + "task_recheck"),
    path("supervision/tasks/<int:pk>/cancel/", views.task_cancel, name=P + "task_cancel"),
]
