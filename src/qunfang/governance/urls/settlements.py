"""Contract settlement (治安承包结算); joined into the `governance` namespace by
urls/__init__.py."""

from django.urls import path

from qunfang.governance.views import settlements as views

urlpatterns: list = [
    path("settlements/", views.settlement_list, name="settlement_list"),
    path(
        "settlements/contracts/<int:pk>/settle/",
        views.settlement_compute,
        name="settlement_compute",
    ),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
    path("settlements/<int:pk>/approve/", views.settlement_approve, name="settlement_approve"),
    path("settlements/<int:pk>/print/", views.settlement_print, name="settlement_print"),
]
