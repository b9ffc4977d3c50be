"""Casebook routes in four groups: cases (register, escalation, situation reports), mediation,
safety inspections, and the opinion book with its public form. One module per group, joined here
into the `casebook` namespace."""

from qunfang.casebook.urls import cases, inspections, mediation, opinions

app_name = "casebook"

urlpatterns = (
    cases.urlpatterns + mediation.urlpatterns + inspections.urlpatterns + opinions.urlpatterns
)
