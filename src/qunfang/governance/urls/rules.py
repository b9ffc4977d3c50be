"""Written rules (制度) and the township's model texts (joined into the `governance` namespace by
urls/__init__.py)."""

from django.urls import path

from qunfang.governance.views import rules as views

urlpatterns: list = [
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/revise/", views.rule_revise, name="rule_revise"),
    path("rules/<int:pk>/repeal/", views.rule_repeal, name="rule_repeal"),
    path("rules/<int:pk>/print/", views.rule_print, name="rule_print"),
    path("model-texts/", views.model_text_list, name="model_text_list"),
    path("model-texts/new/", views.model_text_create, name="model_text_create"),
    path("model-texts/<int:pk>/", views.model_text_detail, name="model_text_detail"),
    path("model-texts/<int:pk>/edit/", views.model_text_edit, name="model_text_edit"),
    path("model-texts/<int:pk>/withdraw/", views.model_text_withdraw, name="model_text_withdraw"),
]
