"""Outsider-walk classification of this group's patrol routes (see tests/patrols/walk.py)."""

FOREIGN_404, SCOPED, PUBLIC = "foreign-404", "scoped", "public"

ROUTES: dict[str, str] = {
    "patrols:point_list": SCOPED,
    "patrols:point_create": SCOPED,  # the form offers only the user's villages
    "patrols:point_detail": FOREIGN_404,
    "patrols:point_edit": FOREIGN_404,
    "patrols:point_sign": FOREIGN_404,
    "patrols:point_display_create": FOREIGN_404,  # POST only
    "patrols:point_display_revoke": FOREIGN_404,  # POST only
    "patrols:village_proof_settings": FOREIGN_404,  # POST only
    "patrols:display": PUBLIC,  # a display link: no sign-in, the point's name and code only
    "patrols:display_code": PUBLIC,
    "patrols:route_list": SCOPED,
    "patrols:route_create": SCOPED,  # only the user's points to number
    "patrols:route_detail": FOREIGN_404,
    "patrols:route_edit": FOREIGN_404,
    "patrols:pattern_list": SCOPED,
    "patrols:pattern_create": SCOPED,
    "patrols:pattern_edit": FOREIGN_404,
    "patrols:season_list": SCOPED,
    "patrols:season_create": SCOPED,
    "patrols:season_edit": FOREIGN_404,
    "patrols:zone_list": SCOPED,
    "patrols:zone_create": SCOPED,  # 403 without a township
    "patrols:zone_detail": FOREIGN_404,
    "patrols:zone_edit": FOREIGN_404,  # a member village's director gets a read-only page
    "patrols:roster_list": SCOPED,
    "patrols:roster_create": SCOPED,  # scopes offered: the user's villages, township, zones
    "patrols:unfilled": SCOPED,
    "patrols:roster_detail": FOREIGN_404,
    "patrols:roster_publish": FOREIGN_404,  # POST only
    "patrols:roster_withdraw": FOREIGN_404,  # POST only
    "patrols:roster_print": FOREIGN_404,
    "patrols:roster_export": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {  # route name -> attribute of patrol_records(...)
    **{f"patrols:point_{v}": "point" for v in ("detail", "edit", "sign", "display_create")},
    "patrols:point_display_revoke": "display",
    "patrols:village_proof_settings": "village",
    "patrols:route_detail": "route",
    "patrols:route_edit": "route",
    "patrols:pattern_edit": "pattern",
    "patrols:season_edit": "season",
    "patrols:zone_detail": "zone",
    "patrols:zone_edit": "zone",
    **{
        f"patrols:roster_{v}": "roster"
        for v in ("detail", "publish", "withdraw", "print", "export")
    },
}
# other URL parameters -> value; a display token is a secret: the walk tries one never made
SAMPLES: dict[str, object] = {"token": "not-a-display-token"}
