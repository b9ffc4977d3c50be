"""Rewards and punishments (奖惩): the township's rules, the proposals and their decisions, the
payment requests, the printed notice and the public village board (joined into the `governance`
namespace by urls/__init__.py)."""

from django.urls import path

from qunfang.governance.views import sanctions as views

urlpatterns: list = [
    # public: no sign-in, reached from the village board like the opinion book's answers
    path("v/<str:village_code>/rewards/", views.sanction_board, name="sanction_board"),
    path("sanctions/", views.sanction_list, name="sanction_list"),
    path("sanctions/new/", views.sanction_create, name="sanction_create"),
    path("sanctions/decide/", views.sanction_decide_many, name="sanction_decide_many"),
    path("sanctions/notice/", views.sanction_notice, name="sanction_notice"),
    path("sanctions/payments/", views.payment_list, name="payment_list"),
    path("sanctions/rules/", views.sanction_rule_list, name="sanction_rule_list"),
    path("sanctions/rules/edit/", views.sanction_rule_form, name="sanction_rule_form"),
    path("sanctions/rules/usual/", views.sanction_rule_defaults, name="sanction_rule_defaults"),
    path("sanctions/<int:pk>/", views.sanction_detail, name="sanction_detail"),
    path("sanctions/<int:pk>/decide/", views.sanction_decide, name="sanction_decide"),
    path("sanctions/<int:pk>/publish/", views.sanction_publish, name="sanction_publish"),
    # from an assessment run's page (the run's id)
    path("assessment/<int:pk>/propose/", views.sanctions_propose, name="sanctions_propose"),
]
