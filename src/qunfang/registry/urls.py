from django.urls import include, path

from qunfang.registry import views

app_name = "registry"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_edit, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:org_pk>/posts/new/", views.post_edit, name="post_create"),
    path("organisations/<int:org_pk>/posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/place/", views.post_place, name="post_place"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_edit, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("people/<int:person_pk>/vetting/new/", views.vetting_add, name="vetting_add"),
    path("people/<int:person_pk>/training/new/", views.training_add, name="training_add"),
    path("vetting/<int:pk>/sign/", views.vetting_sign, name="vetting_sign"),
    path("due/", views.due_list, name="due_list"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_edit, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_edit, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/print/", views.group_print, name="group_print"),
]

urlpatterns += [
    path("", include("qunfang.registry.io_urls")),
    path("", include("qunfang.registry.contract_urls")),
]
