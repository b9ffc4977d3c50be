"""Governance routes, one module per book, joined into the `governance` namespace."""

from qunfang.governance.urls import (
    assessment,
    bulletins,
    decisions,
    health,
    leadership,
    mandates,
    meetings,
    reports,
    rules,
    sanctions,
    schemes,
    selection,
    settlements,
    supervision,
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
    + supervision.urlpatterns
    + bulletins.urlpatterns
    + leadership.urlpatterns
    + health.urlpatterns
    + reports.urlpatterns
)
