"""Outsider-walk classification of this group's patrol routes (see tests/patrols/walk.py)."""

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "patrols:my": SCOPED,  # the member's own page: nothing of anyone else
    "patrols:absence_create": SCOPED,
    "patrols:swap_create": FOREIGN_404,
    "patrols:checkin_action": FOREIGN_404,
    "patrols:swap_list": SCOPED,
    "patrols:swap_withdraw": FOREIGN_404,
    "patrols:swap_decide": FOREIGN_404,
    "patrols:on_duty": SCOPED,
    "patrols:notifications": SCOPED,
    "patrols:scan": FOREIGN_404,
    "api:patrols_my_shifts": SCOPED,
    "api:patrols_on_duty": SCOPED,
    "api:patrols_check_in": SCOPED,  # POST only; 403 before the body is read for non-members
    "api:patrols_absence_create": SCOPED,
    "api:patrols_swap_create": SCOPED,
}
PK_OWNER: dict[str, str] = {  # route name -> attribute of patrol_records(...)
    "patrols:swap_create": "upcoming",
    "patrols:checkin_action": "assignment",
    "patrols:swap_withdraw": "swap",
    "patrols:swap_decide": "swap",
    "patrols:scan": "point",
}
SAMPLES: dict[str, object] = {}  # other URL parameters -> value
