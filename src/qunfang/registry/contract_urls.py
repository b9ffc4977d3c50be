"""Security contract routes. Included by `registry/urls.py` (namespace "registry"), so no
`app_name` here."""

from django.urls import path

from qunfang.registry import views_contracts as views

urlpatterns = [
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/status/", views.contract_transition, name="contract_transition"),
    path("contracts/<int:pk>/renew/", views.contract_renew, name="contract_renew"),
    path("contracts/<int:pk>/print/", views.contract_print, name="contract_print"),
    path("contracts/<int:pk>/scan/", views.contract_scan, name="contract_scan"),
]
