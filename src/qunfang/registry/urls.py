"""Every registry route (mounted at registry/, namespace "registry")."""

from django.urls import URLPattern, URLResolver, path

from qunfang.registry.views import contracts, groups, households, io, organisations, people

app_name = "registry"

urlpatterns: list[URLPattern | URLResolver] = [
    # organisations, their posts and who holds them
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_edit, name="organisation_create"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("organisations/<int:org_pk>/posts/new/", organisations.post_edit, name="post_create"),
    path(
        "organisations/<int:org_pk>/posts/<int:pk>/edit/",
        organisations.post_edit,
        name="post_edit",
    ),
    path("posts/<int:pk>/place/", organisations.post_place, name="post_place"),
    path("memberships/<int:pk>/end/", organisations.membership_end, name="membership_end"),
    # people, vetting and training
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_edit, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/<str:field>/", people.person_reveal, name="person_reveal"),
    path("people/<int:person_pk>/vetting/new/", people.vetting_add, name="vetting_add"),
    path("people/<int:person_pk>/training/new/", people.training_add, name="training_add"),
    path("vetting/<int:pk>/sign/", people.vetting_sign, name="vetting_sign"),
    path("due/", people.due_list, name="due_list"),
    # households
    path("households/", households.household_list, name="household_list"),
    path("households/new/", households.household_edit, name="household_create"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household_edit"),
    # ten-household groups
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_edit, name="group_create"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/print/", groups.group_print, name="group_print"),
    # spreadsheets: import, export and blank templates
    path("import/<slug:layout>/", io.import_view, name="import"),
    path("import/<slug:layout>/columns/<str:ticket>/", io.import_columns, name="import_columns"),
    path("import-problems/<str:ticket>/", io.import_problems, name="import_problems"),
    path("export/<slug:layout>.<slug:fmt>", io.export_view, name="export"),
    path("templates/<slug:layout>.<slug:fmt>", io.template_view, name="template"),
    # security contracts
    path("contracts/", contracts.contract_list, name="contract_list"),
    path("contracts/new/", contracts.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/status/", contracts.contract_transition, name="contract_transition"),
    path("contracts/<int:pk>/renew/", contracts.contract_renew, name="contract_renew"),
    path("contracts/<int:pk>/print/", contracts.contract_print, name="contract_print"),
    path("contracts/<int:pk>/scan/", contracts.contract_scan, name="contract_scan"),
]
