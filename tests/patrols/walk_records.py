"""Outsider-walk classification of this group's patrol routes (see tests/patrols/walk.py)."""

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "patrols:log_list": SCOPED,
    "patrols:shift_detail": FOREIGN_404,
    "patrols:assignment_outcome": FOREIGN_404,  # POST only
    "patrols:check_in_photo": FOREIGN_404,
    "patrols:attendance": SCOPED,
    "patrols:attendance_export": SCOPED,  # the outsider's own villages only
    "patrols:register_print": SCOPED,  # without a village: asks for one of the user's villages
    "patrols:rotation": FOREIGN_404,
    "patrols:ledger_buyout": FOREIGN_404,  # POST only
    "patrols:stand_in": FOREIGN_404,  # POST only
    "patrols:household_ledger": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {  # route name -> attribute of patrol_records(...)
    "patrols:shift_detail": "shift",
    "patrols:assignment_outcome": "assignment",
    "patrols:check_in_photo": "check_in",
    "patrols:rotation": "group",
    "patrols:ledger_buyout": "assignment",
    "patrols:stand_in": "assignment",
    "patrols:household_ledger": "household",
}
SAMPLES: dict[str, object] = {}  # other URL parameters -> value
