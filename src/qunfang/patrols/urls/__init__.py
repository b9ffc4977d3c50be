"""Patrol routes, in four groups: planning (points, patterns, zones, rosters), self-service
and check-in (a member's own shifts, swaps, scanning a sign), records (patrol log,
attendance, the paper register, the ten-household duty ledger), and the public screen at a
point (a display link, no sign-in)."""

from qunfang.patrols import urls_display, urls_planning, urls_records, urls_self

app_name = "patrols"

urlpatterns = (
    urls_planning.urlpatterns
    + urls_self.urlpatterns
    + urls_records.urlpatterns
    + urls_display.urlpatterns
)
