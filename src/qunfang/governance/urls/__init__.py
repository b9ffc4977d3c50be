"""Governance routes, one module per book, joined into the `governance` namespace."""

from qunfang.governance.urls import (
    assessment,
    decisions,
    mandates,
    meetings,
    rules,
    sanctions,
    schemes,
    selection,
    settlements,
    training,
)

app_name = "governance"

urlpatterns = (
    meetings.urlpatterns
    + assessment.urlpatterns
    + decisions.urlpatterns
    + training.urlpatterns
    + selection.urlpatterns
    + rules.urlpatterns
    + mandates.urlpatterns
    + schemes.urlpatterns
    + settlements.urlpatterns
    + sanctions.urlpatterns
)
