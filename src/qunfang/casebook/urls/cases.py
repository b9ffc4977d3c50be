"""The case register (案件登记), upward reports and situation reports (joined into the `casebook`
namespace by urls/__init__.py)."""

from django.urls import path

from qunfang.casebook.views import cases as views

urlpatterns: list = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/register/", views.case_register_print, name="case_register_print"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/reporter/", views.case_reporter_reveal, name="case_reporter_reveal"),
    path("cases/<int:pk>/move/", views.case_move, name="case_move"),
    path("cases/<int:pk>/handover/", views.case_handover, name="case_handover"),
    path(
        "cases/<int:pk>/handover/answer/", views.case_handover_answer, name="case_handover_answer"
    ),
    path("cases/<int:pk>/report/", views.case_report_upward, name="case_report_upward"),
    path("escalations/", views.escalation_inbox, name="escalation_inbox"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("reports/", views.situation_list, name="situation_list"),
    path("reports/new/", views.situation_submit, name="situation_submit"),
]
