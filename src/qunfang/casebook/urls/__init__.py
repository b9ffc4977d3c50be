"""Casebook routes in four groups: cases (register, escalation, situation reports), mediation,
safety inspections, and the opinion book with its public form."""

from qunfang.casebook import urls_cases, urls_inspections, urls_mediation, urls_opinions

app_name = "casebook"

urlpatterns = (
    urls_cases.urlpatterns
    + urls_mediation.urlpatterns
    + urls_inspections.urlpatterns
    + urls_opinions.urlpatterns
)
