"""Governance routes, one module per book, joined into the `governance` namespace."""

from qunfang.governance.urls import decisions, mandates, meetings, rules, selection, training

app_name = "governance"

urlpatterns = (
    meetings.urlpatterns
    + decisions.urlpatterns
    + training.urlpatterns
    + selection.urlpatterns
    + rules.urlpatterns
    + mandates.urlpatterns
)
