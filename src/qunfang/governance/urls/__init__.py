"""Governance routes, one module per book, joined into the `governance` namespace."""

from qunfang.governance.urls import mandates, meetings, rules, selection, training

app_name = "governance"

urlpatterns = (
    meetings.urlpatterns
    + training.urlpatterns
    + selection.urlpatterns
    + rules.urlpatterns
    + mandates.urlpatterns
)
