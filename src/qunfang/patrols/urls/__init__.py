"""Patrol routes, in four groups: planning (points, patterns, zones, rosters), self-service
and check-in (a member's own shifts, swaps, scanning a sign), records (patrol log,
attendance, the paper register, the ten-household duty ledger), and the public screen at a
point (a display link, no sign-in): a module each here, routing the views module of the same
name."""

from qunfang.patrols.urls import display, planning, records, self

app_name = "patrols"

urlpatterns = planning.urlpatterns + self.urlpatterns + records.urlpatterns + display.urlpatterns
