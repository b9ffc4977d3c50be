"""Routes of leaders' responsibility (领导责任制) and of 分类指导 and rebuilding; joined into the
`governance` namespace by urls/__init__.py."""

from django.urls import URLPattern, path

from qunfang.governance.views import classification as cviews
from qunfang.governance.views import leadership as views

urlpatterns: list[URLPattern] = [
    path("leadership/", views.responsibility, name="leadership"),
    path("leadership/villages/<str:code>/", views.village, name="leadership_village"),
    path("leadership/villages/<str:code>/leader/", views.leader_assign, name="leader_assign"),
    path("leadership/leaders/<int:pk>/end/", views.leader_end, name="leader_end"),
    path("leadership/committee/add/", views.member_create, name="member_create"),
    path("leadership/committee/<int:pk>/", views.member_edit, name="member_edit"),
    path("leadership/committee/<int:pk>/end/", views.member_end, name="member_end"),
    path("leadership/visits/", views.visit_list, name="visit_list"),
    path("leadership/villages/<str:code>/visits/add/", views.visit_create, name="visit_create"),
    # 分类指导 and rebuilding
    path("classification/", cviews.overview, name="class_overview"),
    path("classification/villages/<str:code>/", cviews.class_detail, name="class_detail"),
    path("classification/villages/<str:code>/set/", cviews.class_set, name="class_set"),
    path("classification/villages/<str:code>/plan/", cviews.plan_open, name="plan_open"),
    path("classification/plans/", cviews.plan_list, name="plan_list"),
    path("classification/plans/<int:pk>/", cviews.plan_detail, name="plan_detail"),
    path("classification/plans/<int:pk>/steps/", cviews.step_add, name="step_add"),
    path("classification/plans/<int:pk>/complete/", cviews.plan_complete, name="plan_complete"),
    path("classification/plans/<int:pk>/abandon/", cviews.plan_abandon, name="plan_abandon"),
    path("classification/plans/<int:pk>/print/", cviews.plan_print, name="plan_print"),
    path("classification/steps/<int:pk>/done/", cviews.step_done, name="step_done"),
]
