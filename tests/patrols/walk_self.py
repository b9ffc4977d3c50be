"""Outsider-walk classification of this group's patrol routes (see tests/patrols/walk.py)."""

ROUTES: dict[str, str] = {}
PK_OWNER: dict[str, str] = {}  # route name -> attribute of patrol_records(...)
SAMPLES: dict[str, object] = {}  # other URL parameters -> value
