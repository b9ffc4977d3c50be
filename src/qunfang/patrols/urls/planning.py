"""Planning routes: patrol points and their signs, routes, shift patterns, busy seasons,
joint zones and rosters."""

from django.urls import path

from qunfang.patrols.views import planning as views

urlpatterns = [
    path("points/", views.point_list, name="point_list"),
    path("points/new/", views.point_edit, name="point_create"),
    path("points/<int:pk>/", views.point_detail, name="point_detail"),
    path("points/<int:pk>/edit/", views.point_edit, name="point_edit"),
    path("points/<int:pk>/sign/", views.point_sign, name="point_sign"),
    path("points/<int:pk>/displays/new/", views.point_display_create, name="point_display_create"),
    path("displays/<int:pk>/revoke/", views.point_display_revoke, name="point_display_revoke"),
    path("villages/<int:pk>/proof/", views.village_proof_settings, name="village_proof_settings"),
    path("routes/", views.route_list, name="route_list"),
    path("routes/new/", views.route_edit, name="route_create"),
    path("routes/<int:pk>/", views.route_detail, name="route_detail"),
    path("routes/<int:pk>/edit/", views.route_edit, name="route_edit"),
    path("patterns/", views.pattern_list, name="pattern_list"),
    path("patterns/new/", views.pattern_edit, name="pattern_create"),
    path("patterns/<int:pk>/edit/", views.pattern_edit, name="pattern_edit"),
    path("seasons/", views.season_list, name="season_list"),
    path("seasons/new/", views.season_edit, name="season_create"),
    path("seasons/<int:pk>/edit/", views.season_edit, name="season_edit"),
    path("zones/", views.zone_list, name="zone_list"),
    path("zones/new/", views.zone_edit, name="zone_create"),
    path("zones/<int:pk>/", views.zone_detail, name="zone_detail"),
    path("zones/<int:pk>/edit/", views.zone_edit, name="zone_edit"),
    path("rosters/", views.roster_list, name="roster_list"),
    path("rosters/new/", views.roster_create, name="roster_create"),
    path("rosters/unfilled/", views.unfilled, name="unfilled"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/publish/", views.roster_publish, name="roster_publish"),
    path("rosters/<int:pk>/withdraw/", views.roster_withdraw, name="roster_withdraw"),
    path("rosters/<int:pk>/print/", views.roster_print, name="roster_print"),
    path("rosters/<int:pk>/export.xlsx", views.roster_export, name="roster_export"),
]
