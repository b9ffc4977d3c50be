"""Work reports to villagers (定期向群众汇报工作); joined into the `governance` namespace by
urls/__init__.py. The public pages are short, as they are typed from the notice when a QR scan
fails."""

from django.urls import path

from qunfang.governance.views import reports as views

urlpatterns: list = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/compile/", views.report_compile, name="report_compile"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/remarks/", views.report_remarks, name="report_remarks"),
    path("reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("reports/<int:pk>/print/", views.report_print, name="report_print"),
    # public: no sign-in
    path("v/<str:village_code>/reports/", views.report_public_list, name="report_public_list"),
    path("r/<str:public_key>/", views.report_public, name="report_public"),
]
