"""Patrol routes, in three groups: planning (points, patterns, zones, rosters), self-service
and check-in (a member's own shifts, swaps, scanning a sign), and records (patrol log,
attendance, the paper register, the ten-household duty ledger)."""

from qunfang.patrols import urls_planning, urls_records, urls_self

app_name = "patrols"

urlpatterns = urls_planning.urlpatterns + urls_self.urlpatterns + urls_records.urlpatterns
