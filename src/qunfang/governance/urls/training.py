"""Training routes (培训), joined into the `governance` namespace by urls/__init__.py."""

from django.urls import path

from qunfang.governance.views import training as views

urlpatterns: list = [
    path("training/", views.course_list, name="course_list"),
    path("training/new/", views.course_create, name="course_create"),
    path("training/register/", views.training_register_print, name="training_register_print"),
    path("training/<int:pk>/", views.course_detail, name="course_detail"),
    path("training/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("training/<int:pk>/move/", views.course_move, name="course_move"),
    path("training/<int:pk>/enrol/", views.course_enrol, name="course_enrol"),
    path("training/<int:pk>/results/", views.course_results, name="course_results"),
    path("training/<int:pk>/roll-call/", views.course_roll_call, name="course_roll_call"),
    path("training/enrolments/<int:pk>/remove/", views.enrolment_remove, name="enrolment_remove"),
    path(
        "training/certificates/<int:pk>/", views.training_certificate, name="training_certificate"
    ),
]
