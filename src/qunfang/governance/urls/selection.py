"""Selection and appointment (选聘): candidacies, decisions, appointments and dismissals."""

from django.urls import path

from qunfang.governance.views import selection as views

urlpatterns: list = [
    path("appointments/", views.selection_list, name="selection_list"),
    path("appointments/new/", views.candidacy_create, name="candidacy_create"),
    path("appointments/<int:pk>/", views.candidacy_detail, name="candidacy_detail"),
    path("appointments/<int:pk>/decide/", views.candidacy_move, name="candidacy_move"),
    path("appointments/dismiss/<int:pk>/", views.membership_dismiss, name="membership_dismiss"),
]
